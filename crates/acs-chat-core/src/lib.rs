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
    DeleteUserOptions, GetMessageOptions, GetPropertiesOptions, RemoveParticipantOptions,
    RevokeTokensOptions, SendReadReceiptOptions, UpdateTopicOptions,
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
