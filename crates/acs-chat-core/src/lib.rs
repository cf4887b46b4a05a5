//! The core of the `acs-chat` SDK for Azure Communication Services (ACS) Chat and Identity: what
//! both facades share and re-export.
//!
//! Most users want a facade instead: `acs-chat-blocking` (ureq) or `acs-chat-async` (reqwest +
//! tokio), which re-export everything documented here. This crate's documented API is:
//! - the service's models ([`models`]), communication identifiers ([`identifier`]) and Event
//!   Grid chat events ([`events`]),
//! - client and per-operation options, with [`ClientMethodOptions`] in each,
//! - credentials as values ([`AccessToken`], [`Secret`], [`ConnectionString`], [`AccessKey`]),
//! - [`Response`] with its [`ResponseMetadata`], [`Page`],
//! - the one [`Error`] type, with [`ErrorKind`].
//!
//! It performs no I/O: it also holds the request builders, decoders, retry schedule, paging and
//! token-refresh state machines the facades are built from. Those are `#[doc(hidden)]` and not
//! covered by semantic versioning: the facades depend on this crate with an exact version
//! (`=x.y.z`), so an internal change can never break a published facade.
//!
//! # Room to grow
//!
//! Adding a field to an options struct or a service model, or a variant to an enum the service
//! may extend, is not a breaking change, as long as code is written the way these examples are
//! (they are compiled as tests):
//!
//! Options are built from `Default`, so a new field takes its default:
//!
//! ```
//! use acs_chat_core::{ClientMethodOptions, SendMessageOptions};
//! let options = SendMessageOptions {
//!     sender_display_name: Some("Alice".into()),
//!     method_options: ClientMethodOptions {
//!         timeout: Some(std::time::Duration::from_secs(5)),
//!         ..Default::default()
//!     },
//!     ..Default::default()
//! };
//! # let _ = options;
//! ```
//!
//! Service models are `#[non_exhaustive]`: read their fields, never list them all. Naming every
//! field of a response does not compile outside this crate:
//!
//! ```compile_fail,E0638
//! fn read(result: acs_chat_core::SendChatMessageResult) {
//!     let acs_chat_core::SendChatMessageResult { id } = result;
//! }
//! ```
//!
//! ```
//! fn read(result: acs_chat_core::SendChatMessageResult) -> String {
//!     let acs_chat_core::SendChatMessageResult { id, .. } = result;
//!     id
//! }
//! ```
//!
//! Inputs are made with constructors (`ChatParticipant::new`, `CommunicationUserIdentifier::new`,
//! `ChatRetentionPolicy::thread_creation_date`), not struct literals:
//!
//! ```compile_fail,E0639
//! let user = acs_chat_core::CommunicationUserIdentifier { id: "8:acs:1".into() };
//! ```
//!
//! Enums that may grow (`CommunicationIdentifier`, `TransportErrorKind`, `ErrorKind`, `Error`)
//! need a wildcard arm:
//!
//! ```compile_fail,E0004
//! fn kind(k: acs_chat_core::TransportErrorKind) -> u8 {
//!     match k {
//!         acs_chat_core::TransportErrorKind::Connect => 0,
//!         acs_chat_core::TransportErrorKind::Timeout => 1,
//!         acs_chat_core::TransportErrorKind::Other => 2,
//!     }
//! }
//! ```

#![deny(missing_docs)]

#[macro_use]
mod extensible;

// The supported API: the models, identifiers and events modules, and the root's re-exports.
pub mod events;
pub mod identifier;
pub mod models;

// The machinery both facades are built from: request builders, decoders, the pipeline's retry
// schedule and refresh state machine, the endpoint rule. Public so that the facades (which pin
// this crate with `=`) and the emulator can use it; hidden, and outside semver: an internal
// may change in any release of this crate.
#[doc(hidden)]
pub mod auth;
#[doc(hidden)]
pub mod clock;
#[doc(hidden)]
pub mod credential;
#[doc(hidden)]
pub mod endpoint;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod http;
#[doc(hidden)]
pub mod method;
#[doc(hidden)]
pub mod options;
#[doc(hidden)]
pub mod paging;
#[doc(hidden)]
pub mod proxy;
#[doc(hidden)]
pub mod requests;
mod response;
#[doc(hidden)]
pub mod retry;
#[doc(hidden)]
pub mod time_format;

pub use auth::{AccessKey, ConnectionString};
pub use clock::Clock;
pub use credential::{AccessToken, Secret, TokenRequestOptions, ENTRA_ID_SCOPE};
#[doc(hidden)]
pub use endpoint::{Endpoint, EndpointUrl, PageLink};
pub use error::{
    BoxError, ConnectionStringProblem, ContinuationTokenProblem, Error, ErrorKind, Result,
    ServiceError, TokenProblem, TransportErrorKind,
};
#[doc(hidden)]
pub use http::{HttpRequest, HttpResponse, Method};
pub use identifier::*;
pub use method::{
    AddParticipantsOptions, CreateUserOptions, DeleteChatThreadOptions, DeleteMessageOptions,
    DeleteUserOptions, GetMessageOptions, GetPropertiesOptions, GetTokenForTeamsUserOptions,
    RemoveParticipantOptions, RevokeTokensOptions, SendReadReceiptOptions, UpdateTopicOptions,
};
pub use method::{ClientMethodOptions, ResponseHook, ResponseMetadata};
pub use models::*;
pub use options::*;
pub use paging::Page;
#[doc(hidden)]
pub use paging::PageState;
pub use proxy::{ProxyOptions, ProxyUrl};
pub use response::Response;

/// The default chat REST api-version sent by this SDK.
pub const DEFAULT_CHAT_API_VERSION: &str = "2025-03-15";
/// The default identity REST api-version sent by this SDK.
pub const DEFAULT_IDENTITY_API_VERSION: &str = "2023-10-01";
/// This SDK's version, as sent in `User-Agent`.
#[doc(hidden)]
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The crate README's examples, compiled as doctests so that the quick start cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
