//! Async client for Azure Communication Services (ACS) Chat and Identity, on `reqwest` and tokio.
//!
//! The same surface as `acs-chat-blocking`, compiled from one shared source: [`ChatClient`] creates,
//! lists and deletes threads; [`ChatThreadClient`] works inside one thread;
//! [`CommunicationIdentityClient`] creates users and tokens; lists are [`ItemPager`] streams.
//!
//! From the resource's connection string to a first message: the identity client (HMAC with
//! the access key, on a trusted server) makes a user and its token; the chat clients take that
//! ACS user token (the chat service accepts nothing else).
//!
//! ```no_run
//! use acs_chat_async::models::{CommunicationTokenScope, SendMessageOptions};
//! use acs_chat_async::{ChatClient, CommunicationIdentityClient, CommunicationTokenCredential};
//!
//! async fn run() -> Result<(), acs_chat_async::Error> {
//!     let connection_string = std::env::var("COMMUNICATION_SAMPLES_CONNECTION_STRING")
//!         .unwrap_or_else(|_| "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>".into());
//!     let identity = CommunicationIdentityClient::from_connection_string(&connection_string, None)?;
//!     let (user, token) = identity
//!         .create_user_and_token(&[CommunicationTokenScope::Chat], None).await?;
//!     println!("user {}, token expires {}", user.id, token.expires_on);
//!
//!     let endpoint = connection_string
//!         .split(';')
//!         .find_map(|part| part.strip_prefix("endpoint="))
//!         .unwrap_or_default();
//!     let credential = CommunicationTokenCredential::from(token);
//!     let client = ChatClient::new(endpoint, credential, None)?;
//!     let thread = client.create_chat_thread("lunch", None).await?.chat_thread;
//!     let sent = client
//!         .get_chat_thread_client(&thread.id)
//!         .send_message("hello", Some(SendMessageOptions::default())).await?;
//!     println!("sent {} to {}", sent.id, thread.id);
//!     Ok(())
//! }
//! ```
//!
//! Reading it back:
//!
//! ```no_run
//! use acs_chat_async::{ChatClient, CommunicationTokenCredential, models::{SendMessageOptions}};
//!
//! use futures_util::TryStreamExt;
//!
//! async fn run() -> Result<(), acs_chat_async::Error> {
//!     let credential = CommunicationTokenCredential::new("<user access token>")?;
//!     let client = ChatClient::new("https://<resource>.communication.azure.com", credential, None)?;
//!     let thread = client.create_chat_thread("lunch", None).await?.chat_thread;
//!     let thread_client = client.get_chat_thread_client(&thread.id);
//!     thread_client.send_message("hello", Some(SendMessageOptions::default())).await?;
//!     let mut messages = thread_client.list_messages(None);
//!     while let Some(message) = messages.try_next().await? {
//!         println!("{:?}", message.content);
//!     }
//!     Ok(())
//! }
//! ```

#![deny(missing_docs)]

mod entra;
mod pager;
mod refresher;
mod transport;

mod rt {
    pub(crate) use crate::pager::{paginate, ItemPager};
    pub(crate) use crate::refresher::{refresh_later, spawn_refresh, Refresher, Signal};
    pub(crate) use crate::transport::Transport;
    pub(crate) use maybe_async::must_be_async as maybe_async;
    pub(crate) use tokio::time::sleep;

    pub(crate) const FACADE: &str = "acs-chat-async";
}

/// The doc example of a shared-source operation, written for this facade: `$call` on a
/// `$receiver`, awaited (the blocking facade's twin does not await).
macro_rules! example {
    ($receiver:literal, $call:literal) => {
        concat!(
            "```no_run\n# use acs_chat_async::{models::*, *};\n# async fn example(",
            $receiver,
            ") -> Result<()> {\nlet outcome = ",
            $call,
            ".await?;\n# let _ = outcome;\n# Ok(())\n# }\n```"
        )
    };
}

/// The doc example of a `*_with_response` operation: the value and the response's ids.
macro_rules! response_example {
    ($receiver:literal, $call:literal) => {
        concat!(
            "```no_run\n# use acs_chat_async::{models::*, *};\n# async fn example(",
            $receiver,
            ") -> Result<()> {\nlet response = ",
            $call,
            ".await?;\nprintln!(\"HTTP {}, MS-CV {:?}, request id {:?}\", response.status(), response.ms_cv(), response.request_id());\nlet value = response.into_value();\n# let _ = value;\n# Ok(())\n# }\n```"
        )
    };
}

/// The doc example of a listing: a stream of items, each a `Result`.
macro_rules! pager_example {
    ($receiver:literal, $call:literal) => {
        concat!(
            "```no_run\n# use acs_chat_async::{models::*, *};\nuse futures_util::TryStreamExt;\n# async fn example(",
            $receiver,
            ") -> Result<()> {\nlet mut items = ",
            $call,
            ";\nwhile let Some(item) = items.try_next().await? {\n    # let _ = item;\n}\n# Ok(())\n# }\n```"
        )
    };
}

#[path = "facade/mod.rs"]
mod facade;

pub use entra::credentials;
pub use facade::*;
pub use pager::{ItemPager, PageStream};

/// The crate README's examples, compiled as doctests so that the quick start cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
