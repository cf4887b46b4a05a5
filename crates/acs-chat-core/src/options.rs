//! Client and per-method options: pub fields plus `Default`, one trailing `Option<_>` per method.

use crate::models::{ChatMessageType, ChatParticipant, ChatRetentionPolicy, Metadata};
use std::time::Duration;
use time::OffsetDateTime;

/// How failed requests are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryOptions {
    /// Retries after the first attempt (so `max_retries + 1` attempts at most). Default 3.
    pub max_retries: u32,
    /// The first backoff delay, doubled per retry. Default 200 ms.
    pub initial_delay: Duration,
    /// The longest wait between attempts, whether backoff or a server's `Retry-After`. A server
    /// asking for a longer wait ends the call with its error, which carries the requested wait in
    /// [`ServiceError::retry_after`](crate::ServiceError::retry_after). Default 30 s.
    pub max_delay: Duration,
    /// The most time one operation may take in all: every attempt, the sleeps between them and
    /// waiting for a token refresh. Each attempt's timeout is cut to what is left; a wait that
    /// would end past it ends the call instead. Default 2 minutes.
    pub max_total_elapsed: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_retries: 3,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            max_total_elapsed: Duration::from_secs(120),
        }
    }
}

/// Transport and retry options shared by every client (like azure_core's `ClientOptions`); each
/// client's own options wrap them in `client_options`.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Retry policy.
    pub retry: RetryOptions,
    /// Timeout of one attempt (connect to last byte). Default 60 s.
    pub timeout: Option<Duration>,
    /// Extra CA certificates (PEM) to trust besides the public web roots: a local emulator's CA, a
    /// corporate TLS proxy's CA.
    pub additional_ca_certificates_pem: Vec<String>,
    /// Also trust the operating system's certificate store (on Linux the system bundle, or the
    /// file named by `SSL_CERT_FILE` / the folder named by `SSL_CERT_DIR`), read once per process,
    /// when the first client or transport is built. Default `true`.
    pub trust_os_certificates: bool,
    /// Prepended to `User-Agent` to identify your application.
    pub application_id: Option<String>,
    /// The largest success response body read, in bytes; a larger one is an
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) and is not retried. `None` for
    /// [`ClientOptions::DEFAULT_MAX_RESPONSE_BODY_BYTES`] (64 MiB). Error bodies are always read
    /// to at most [`ClientOptions::MAX_ERROR_BODY_BYTES`] and truncated.
    pub max_response_body_bytes: Option<u64>,
    /// Accept a plain `http://` endpoint whose host is not loopback. Default `false`: a bearer
    /// token or HMAC signature would cross the network in clear text, so such an endpoint is an
    /// [`Error::InsecureEndpoint`](crate::Error::InsecureEndpoint). Loopback hosts (a local
    /// emulator) are always allowed. The counterpart of azure-core Python's `enforce_https=False`.
    pub allow_insecure_http: bool,
    /// What the blocking facade does when the application's logger would record its HTTP
    /// library's raw byte dump (ureq-proto's `log` target `ureq_proto::util` at TRACE), which
    /// includes the `Authorization` header. Default [`RawWireLogging::Refuse`]. The async facade
    /// has no such dump and ignores it.
    pub raw_wire_logging: RawWireLogging,
    /// An HTTP transport to use instead of building one: a facade's `Transport`, made once and
    /// shared by every client given it (one connection pool, one TLS configuration, one trust
    /// store for all the users a server acts for). `None` builds one for the client. With a
    /// transport, the settings that belong to it are the ones it was built with
    /// (`additional_ca_certificates_pem`, `trust_os_certificates`, `max_response_body_bytes`,
    /// `raw_wire_logging` and the per-attempt `timeout` cap); the others stay the client's.
    pub transport: Option<TransportOptions>,
    /// The HTTP proxy: by default the one `HTTPS_PROXY` / `ALL_PROXY` name (with `NO_PROXY`),
    /// loopback hosts always direct. A transport setting.
    pub proxy: crate::proxy::ProxyOptions,
}

/// A facade's HTTP transport, for [`ClientOptions::transport`] (like azure_core's
/// `TransportOptions`): made from `acs_chat_blocking::Transport` or `acs_chat_async::Transport`
/// with `.into()`. Cheap to clone; every clone is the same transport.
#[derive(Clone)]
pub struct TransportOptions {
    transport: std::sync::Arc<dyn std::any::Any + Send + Sync>,
    facade: &'static str,
}

impl std::fmt::Debug for TransportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TransportOptions({})", self.facade)
    }
}

/// For the facades: not part of the API.
#[doc(hidden)]
impl TransportOptions {
    pub fn new<T: std::any::Any + Send + Sync>(
        facade: &'static str,
        transport: std::sync::Arc<T>,
    ) -> Self {
        TransportOptions { transport, facade }
    }

    /// The facade's transport, if `T` is its type.
    pub fn get<T: std::any::Any + Send + Sync>(&self) -> Option<std::sync::Arc<T>> {
        self.transport.clone().downcast::<T>().ok()
    }

    /// The facade that made it.
    pub fn facade(&self) -> &'static str {
        self.facade
    }
}

/// What to do when a transport's raw byte dump is being logged ([`ClientOptions::raw_wire_logging`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawWireLogging {
    /// Send nothing: every call fails with
    /// [`Error::SecretsWouldBeLogged`](crate::Error::SecretsWouldBeLogged), and the client logs
    /// one `error!` (target `acs_chat_blocking`) naming the fix — filter the target out, e.g.
    /// `RUST_LOG=trace,ureq_proto=debug`.
    #[default]
    Refuse,
    /// Send anyway, and let the log record the raw requests, **bearer tokens and HMAC signatures
    /// included**: for a debugging session with throwaway credentials only. The client logs one
    /// `warn!` saying so.
    Allow,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            retry: RetryOptions::default(),
            timeout: None,
            additional_ca_certificates_pem: Vec::new(),
            trust_os_certificates: true,
            application_id: None,
            max_response_body_bytes: None,
            allow_insecure_http: false,
            raw_wire_logging: RawWireLogging::Refuse,
            transport: None,
            proxy: crate::proxy::ProxyOptions::FromEnvironment,
        }
    }
}

/// Options of `ChatClient` and `ChatThreadClient`.
#[derive(Debug, Clone, Default)]
pub struct ChatClientOptions {
    /// Transport and retry options.
    pub client_options: ClientOptions,
    /// The chat REST api-version; `None` for [`crate::DEFAULT_CHAT_API_VERSION`].
    pub api_version: Option<String>,
    /// Give every `send_message` without an `idempotency_key` a fresh one (a UUID), so that a send
    /// whose outcome is unknown is looked up before it is sent again: exactly-once sends at the
    /// cost of a listing after ambiguous failures. Default `false`.
    pub generate_idempotency_keys: bool,
}

/// Options of `CommunicationIdentityClient`.
#[derive(Debug, Clone, Default)]
pub struct CommunicationIdentityClientOptions {
    /// Transport and retry options.
    pub client_options: ClientOptions,
    /// The identity REST api-version; `None` for [`crate::DEFAULT_IDENTITY_API_VERSION`].
    pub api_version: Option<String>,
    /// How a client made `with_token_credential` caches its Microsoft Entra token: refreshed
    /// when fewer than 2 minutes remain (10 with `proactive_refresh`), the clock that judges it,
    /// and how long callers wait for the credential. Unused with an access key.
    pub token_credential_options: CommunicationTokenCredentialOptions,
}

impl ClientOptions {
    /// The default per-attempt timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default cap on a success response body.
    pub const DEFAULT_MAX_RESPONSE_BODY_BYTES: u64 = 64 * 1024 * 1024;
    /// How much of an error response body is read; the rest is dropped.
    pub const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

    /// The cap on a response body of `status`: `(limit, truncate)`. Error bodies are truncated
    /// at the limit; a success body over it is an error. For the transports; not part of the API.
    #[doc(hidden)]
    pub fn body_limit(&self, status: u16) -> (u64, bool) {
        if status >= 400 {
            (Self::MAX_ERROR_BODY_BYTES, true)
        } else {
            (
                self.max_response_body_bytes
                    .unwrap_or(Self::DEFAULT_MAX_RESPONSE_BODY_BYTES),
                false,
            )
        }
    }

    /// The `User-Agent` sent with every request. For the pipeline; not part of the API.
    #[doc(hidden)]
    pub fn user_agent(&self, facade: &str) -> String {
        let sdk = format!(
            "azsdk-rust-communication-chat/{} ({facade}; rust)",
            crate::SDK_VERSION
        );
        match &self.application_id {
            Some(app) if !app.trim().is_empty() => format!("{} {sdk}", app.trim()),
            _ => sdk,
        }
    }
}

/// Options of `create_chat_thread`.
#[derive(Debug, Clone, Default)]
pub struct CreateChatThreadOptions {
    /// Initial participants (the creator is always one).
    pub participants: Option<Vec<ChatParticipant>>,
    /// Sent as `repeatability-request-id`; the same key returns the same thread. A fresh UUID
    /// is used when `None` (and reused on retries).
    pub idempotency_key: Option<String>,
    /// Thread metadata (2025-03-15).
    pub metadata: Option<Metadata>,
    /// Retention policy (2025-03-15).
    pub retention_policy: Option<ChatRetentionPolicy>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `list_chat_threads`.
#[derive(Debug, Clone, Default)]
pub struct ListChatThreadsOptions {
    /// Page size (`maxPageSize`).
    pub results_per_page: Option<u32>,
    /// Only threads with activity at or after this time.
    pub start_time: Option<OffsetDateTime>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `list_messages`.
#[derive(Debug, Clone, Default)]
pub struct ListMessagesOptions {
    /// Page size (`maxPageSize`, at most 200).
    pub results_per_page: Option<u32>,
    /// Only messages at or after this time.
    pub start_time: Option<OffsetDateTime>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `list_participants`.
#[derive(Debug, Clone, Default)]
pub struct ListParticipantsOptions {
    /// Page size (`maxPageSize`).
    pub results_per_page: Option<u32>,
    /// How many participants to skip.
    pub skip: Option<u32>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `list_read_receipts`.
#[derive(Debug, Clone, Default)]
pub struct ListReadReceiptsOptions {
    /// Page size (`maxPageSize`).
    pub results_per_page: Option<u32>,
    /// How many receipts to skip.
    pub skip: Option<u32>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `send_message`.
#[derive(Debug, Clone, Default)]
pub struct SendMessageOptions {
    /// `text` (the default) or `html`.
    pub chat_message_type: Option<ChatMessageType>,
    /// The sender's display name.
    pub sender_display_name: Option<String>,
    /// Message metadata.
    pub metadata: Option<Metadata>,
    /// A string you choose (e.g. a UUID) that makes this send exactly-once: it is stored in the
    /// message's metadata under [`IDEMPOTENCY_KEY_METADATA`], and after an ambiguous failure
    /// (timeout, connection lost after the request was written, 408 or 5xx) the SDK looks for a
    /// message carrying it and returns that message's id instead of sending again. Without a key
    /// an ambiguous failure is returned (or, for 500/503/504, retried as azure-core does, which
    /// can duplicate the message).
    pub idempotency_key: Option<String>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// The metadata key under which `send_message` stores its idempotency key.
pub const IDEMPOTENCY_KEY_METADATA: &str = "acsChatIdempotencyKey";

/// Options of `update_message`.
#[derive(Debug, Clone, Default)]
pub struct UpdateMessageOptions {
    /// New content.
    pub content: Option<String>,
    /// New metadata.
    pub metadata: Option<Metadata>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `update_properties`.
#[derive(Debug, Clone, Default)]
pub struct UpdatePropertiesOptions {
    /// New topic.
    pub topic: Option<String>,
    /// New thread metadata (2025-03-15).
    pub metadata: Option<Metadata>,
    /// New retention policy (2025-03-15).
    pub retention_policy: Option<ChatRetentionPolicy>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `send_typing_notification`.
#[derive(Debug, Clone, Default)]
pub struct SendTypingNotificationOptions {
    /// The sender's display name.
    pub sender_display_name: Option<String>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `CommunicationIdentityClient::create_user_and_token`.
#[derive(Debug, Clone, Default)]
pub struct CreateUserAndTokenOptions {
    /// Token lifetime, 60 minutes to 24 hours; `None` for the service default (24 hours).
    pub expires_in: Option<Duration>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `CommunicationIdentityClient::get_token`.
#[derive(Debug, Clone, Default)]
pub struct GetTokenOptions {
    /// Token lifetime, 60 minutes to 24 hours; `None` for the service default (24 hours).
    pub expires_in: Option<Duration>,
    /// Per-call options: timeout, client request id, headers, response hook.
    pub method_options: crate::method::ClientMethodOptions,
}

/// Options of `CommunicationTokenCredential`.
#[derive(Clone, Default)]
pub struct CommunicationTokenCredentialOptions {
    /// Refresh ahead, in the background, when 10 minutes remain (on a thread of its own in the
    /// blocking facade, a task of the current runtime in the async one), and on use when fewer
    /// than 10 minutes remain instead of 2. Needs a refresher.
    pub proactive_refresh: bool,
    /// The clock used to judge expiry; `None` for the system clock. For tests.
    pub clock: Option<crate::clock::Clock>,
    /// How long callers wait for one refresher call before it counts as failed. `None` for
    /// [`crate::credential::DEFAULT_REFRESH_TIMEOUT`] (30 s).
    pub refresh_timeout: Option<Duration>,
}

impl std::fmt::Debug for CommunicationTokenCredentialOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommunicationTokenCredentialOptions")
            .field("proactive_refresh", &self.proactive_refresh)
            .field("clock", &self.clock.as_ref().map(|_| "custom"))
            .field("refresh_timeout", &self.refresh_timeout)
            .finish()
    }
}
