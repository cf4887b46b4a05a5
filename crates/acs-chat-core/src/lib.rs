//! Sans-IO core of the `acs-chat` SDK for Azure Communication Services (ACS) Chat and Identity.
//!
//! This crate performs no I/O. It holds:
//! - the REST models ([`models`]) and communication identifiers ([`identifier`]),
//! - credential parsing ([`credential`]) and connection strings / HMAC signing ([`auth`]),
//! - request builders that produce a neutral [`HttpRequest`] and decoders that take an
//!   [`HttpResponse`] ([`requests`]),
//! - the paging state machine ([`paging`]), the retry schedule ([`retry`]),
//! - the one [`Error`] type.
//!
//! The blocking (`acs-chat-blocking`, ureq) and async (`acs-chat-async`, reqwest) facades move the
//! bytes; everything that decides *what* to send and *what it means* lives here.
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
//! Enums that may grow (`CommunicationIdentifier`, `TransportErrorKind`, `Method`, `Error`) need a
//! wildcard arm:
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

pub mod auth;
pub mod credential;
pub mod endpoint;
pub mod error;
pub mod events;
pub mod http;
pub mod identifier;
pub mod method;
pub mod models;
pub mod options;
pub mod paging;
pub mod requests;
pub mod retry;
pub mod time_format;

pub use auth::{AccessKey, ConnectionString};
pub use credential::{AccessToken, Clock, Secret};
pub use endpoint::{Endpoint, EndpointUrl, PageLink};
pub use error::{
    BoxError, ContinuationTokenProblem, Error, Result, ServiceError, TransportErrorKind,
};
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
pub use paging::{Page, PageState};

/// The default chat REST api-version sent by this SDK.
pub const DEFAULT_CHAT_API_VERSION: &str = "2025-03-15";
/// The default identity REST api-version sent by this SDK.
pub const DEFAULT_IDENTITY_API_VERSION: &str = "2023-10-01";
/// This SDK's version, as sent in `User-Agent`.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The crate README's examples, compiled as doctests so that the quick start cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
