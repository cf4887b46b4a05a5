//! Blocking client for Azure Communication Services (ACS) Chat and Identity, on `ureq`.
//!
//! The same surface as `acs-chat-async`, compiled from one shared source: [`ChatClient`] creates,
//! lists and deletes threads; [`ChatThreadClient`] works inside one thread;
//! [`CommunicationIdentityClient`] creates users and tokens; lists are [`ItemPager`] iterators.
//!
//! From the resource's connection string to a first message: the identity client (HMAC with
//! the access key, on a trusted server) makes a user and its token; the chat clients take that
//! ACS user token (the chat service accepts nothing else).
//!
//! ```no_run
//! use acs_chat_blocking::models::{CommunicationTokenScope, SendMessageOptions};
//! use acs_chat_blocking::{ChatClient, CommunicationIdentityClient, CommunicationTokenCredential};
//!
//! fn main() -> Result<(), acs_chat_blocking::Error> {
//!     let connection_string = std::env::var("COMMUNICATION_SAMPLES_CONNECTION_STRING")
//!         .unwrap_or_else(|_| "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>".into());
//!     let identity = CommunicationIdentityClient::from_connection_string(&connection_string, None)?;
//!     let (user, token) = identity
//!         .create_user_and_token(&[CommunicationTokenScope::Chat], None)?;
//!     println!("user {}, token expires {}", user.id, token.expires_on);
//!
//!     let endpoint = connection_string
//!         .split(';')
//!         .find_map(|part| part.strip_prefix("endpoint="))
//!         .unwrap_or_default();
//!     let credential = CommunicationTokenCredential::from(token);
//!     let client = ChatClient::new(endpoint, credential, None)?;
//!     let thread = client.create_chat_thread("lunch", None)?.chat_thread;
//!     let sent = client
//!         .get_chat_thread_client(&thread.id)
//!         .send_message("hello", Some(SendMessageOptions::default()))?;
//!     println!("sent {} to {}", sent.id, thread.id);
//!     Ok(())
//! }
//! ```
//!
//! Reading it back:
//!
//! ```no_run
//! use acs_chat_blocking::{ChatClient, CommunicationTokenCredential, models::{SendMessageOptions}};
//!
//! fn main() -> Result<(), acs_chat_blocking::Error> {
//!     let credential = CommunicationTokenCredential::new("<user access token>")?;
//!     let client = ChatClient::new("https://<resource>.communication.azure.com", credential, None)?;
//!     let thread = client.create_chat_thread("lunch", None)?.chat_thread;
//!     let thread_client = client.get_chat_thread_client(&thread.id);
//!     thread_client.send_message("hello", Some(SendMessageOptions::default()))?;
//!     for message in thread_client.list_messages(None) {
//!         println!("{:?}", message?.content);
//!     }
//!     Ok(())
//! }
//! ```

//!
//! # Logging
//!
//! The SDK logs through `tracing` (also visible to a `log` logger): operation names, statuses,
//! attempts and request ids, never a header value or a body. Its HTTP library, ureq, is
//! different: its `ureq-proto` part logs **every byte it writes** — the `Authorization` header
//! with the bearer token or HMAC signature included — at `log` level TRACE under the target
//! `ureq_proto::util`, with no switch to turn that off. So by default
//! ([`RawWireLogging::Refuse`]) a client whose application logger has that target enabled sends
//! nothing: every call returns [`Error::SecretsWouldBeLogged`], and the client logs one `error!`
//! (target `acs_chat_blocking`) saying why. The fix is a filter that keeps that target below
//! TRACE, e.g. `RUST_LOG=trace,ureq_proto=debug`. For a debugging session with throwaway
//! credentials, [`ClientOptions::raw_wire_logging`] set to [`RawWireLogging::Allow`] sends
//! anyway and warns once; the log then holds the credentials.
//!
//! ```no_run
//! use acs_chat_blocking::{ChatClientOptions, ClientOptions, RawWireLogging};
//!
//! let options = ChatClientOptions {
//!     client_options: ClientOptions {
//!         raw_wire_logging: RawWireLogging::Allow, // credentials will be in the log
//!         ..Default::default()
//!     },
//!     ..Default::default()
//! };
//! # let _ = options;
//! ```

#![deny(missing_docs)]

mod entra;
mod pager;
mod refresher;
mod resolver;
mod transport;

mod rt {
    pub(crate) use crate::pager::{paginate, ItemPager};
    pub(crate) use crate::refresher::{refresh_later, spawn_refresh, Refresher, Signal};
    pub(crate) use crate::transport::Transport;
    pub(crate) use maybe_async::must_be_sync as maybe_async;

    pub(crate) const FACADE: &str = "acs-chat-blocking";

    pub(crate) fn sleep(duration: std::time::Duration) {
        std::thread::sleep(duration);
    }
}

/// The doc example of a shared-source operation, written for this facade: `$call` on a
/// `$receiver` (blocking: no `.await`; the async facade's twin adds it).
macro_rules! example {
    ($receiver:literal, $call:literal) => {
        concat!(
            "```no_run\n# use acs_chat_blocking::{models::*, *};\n# fn example(",
            $receiver,
            ") -> Result<()> {\nlet outcome = ",
            $call,
            "?;\n# let _ = outcome;\n# Ok(())\n# }\n```"
        )
    };
}

/// The doc example of a `*_with_response` operation: the value and the response's ids.
macro_rules! response_example {
    ($receiver:literal, $call:literal) => {
        concat!(
            "```no_run\n# use acs_chat_blocking::{models::*, *};\n# fn example(",
            $receiver,
            ") -> Result<()> {\nlet response = ",
            $call,
            "?;\nprintln!(\"HTTP {}, MS-CV {:?}, request id {:?}\", response.status(), response.ms_cv(), response.request_id());\nlet value = response.into_value();\n# let _ = value;\n# Ok(())\n# }\n```"
        )
    };
}

/// The doc example of a listing: its items, each a `Result`.
macro_rules! pager_example {
    ($receiver:literal, $call:literal) => {
        concat!(
            "```no_run\n# use acs_chat_blocking::{models::*, *};\n# fn example(",
            $receiver,
            ") -> Result<()> {\nfor item in ",
            $call,
            " {\n    let item = item?;\n    # let _ = item;\n}\n# Ok(())\n# }\n```"
        )
    };
}

#[path = "facade/mod.rs"]
mod facade;

pub use entra::credentials;
pub use facade::*;
pub use pager::{ItemPager, PageIterator};

/// The crate README's examples, compiled as doctests so that the quick start cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
