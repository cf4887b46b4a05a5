//! The one shared source of both facades. `acs-chat-blocking` and `acs-chat-async` each compile
//! it once; their `rt` module supplies what differs (transport, pager, mutex, sleep, refresher
//! shape, and which maybe-async flavour `#[maybe_async]` means).

mod assertions;
mod chat_client;
mod chat_core;
mod chat_thread_client;
mod identity_client;
mod pipeline;
mod token_credential;
pub(crate) mod trust;

/// The sans-IO core, for advanced use (request builders, decoders, retry schedule). Not named
/// `core`, which would shadow the `core` crate for `use <facade>::*`.
pub use acs_chat_core as sansio;
/// Event Grid chat events for servers: typed events, webhook parsing, the handshakes.
pub use acs_chat_core::events;
pub use acs_chat_core::{
    identifier::*, method::*, models::*, options::*, AccessKey, AccessToken, BoxError, Clock,
    ConnectionString, Error, Page, Result, ServiceError, TransportErrorKind,
    DEFAULT_CHAT_API_VERSION, DEFAULT_IDENTITY_API_VERSION,
};
pub use chat_client::ChatClient;
pub use chat_thread_client::ChatThreadClient;
pub use identity_client::CommunicationIdentityClient;
pub use token_credential::CommunicationTokenCredential;
