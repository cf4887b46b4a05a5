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
    /// The largest backoff delay. Default 30 s.
    pub max_delay: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_retries: 3,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// Options of `ChatClient`, `ChatThreadClient` and `CommunicationIdentityClient`.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// The REST api-version; `None` for the SDK's default (chat 2025-03-15, identity 2023-10-01).
    pub api_version: Option<String>,
    /// Retry policy.
    pub retry: RetryOptions,
    /// Timeout of one attempt (connect to last byte). Default 60 s.
    pub timeout: Option<Duration>,
    /// Extra CA certificates (PEM) to trust besides the public web roots: a local emulator's CA, a
    /// corporate TLS proxy's CA.
    pub additional_ca_certificates_pem: Vec<String>,
    /// Prepended to `User-Agent` to identify your application.
    pub application_id: Option<String>,
}

/// Options of `ChatClient` (an alias of [`ClientOptions`]).
pub type ChatClientOptions = ClientOptions;
/// Options of `CommunicationIdentityClient` (an alias of [`ClientOptions`]).
pub type CommunicationIdentityClientOptions = ClientOptions;

impl ClientOptions {
    /// The default per-attempt timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

    /// The `User-Agent` sent with every request.
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
    /// Sent as `repeatability-request-id`; the same token returns the same thread. A fresh UUID
    /// is used when `None` (and reused on retries).
    pub idempotency_token: Option<String>,
    /// Thread metadata (2025-03-15).
    pub metadata: Option<Metadata>,
    /// Retention policy (2025-03-15).
    pub retention_policy: Option<ChatRetentionPolicy>,
}

/// Options of `list_chat_threads`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListChatThreadsOptions {
    /// Page size (`maxPageSize`).
    pub results_per_page: Option<u32>,
    /// Only threads with activity at or after this time.
    pub start_time: Option<OffsetDateTime>,
}

/// Options of `list_messages`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListMessagesOptions {
    /// Page size (`maxPageSize`, at most 200).
    pub results_per_page: Option<u32>,
    /// Only messages at or after this time.
    pub start_time: Option<OffsetDateTime>,
}

/// Options of `list_participants`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListParticipantsOptions {
    /// Page size (`maxPageSize`).
    pub results_per_page: Option<u32>,
    /// How many participants to skip.
    pub skip: Option<u32>,
}

/// Options of `list_read_receipts`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListReadReceiptsOptions {
    /// Page size (`maxPageSize`).
    pub results_per_page: Option<u32>,
    /// How many receipts to skip.
    pub skip: Option<u32>,
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
}

/// Options of `update_message`.
#[derive(Debug, Clone, Default)]
pub struct UpdateMessageOptions {
    /// New content.
    pub content: Option<String>,
    /// New metadata.
    pub metadata: Option<Metadata>,
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
}

/// Options of `send_typing_notification`.
#[derive(Debug, Clone, Default)]
pub struct SendTypingNotificationOptions {
    /// The sender's display name.
    pub sender_display_name: Option<String>,
}

/// Options of identity calls that issue a token.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenOptions {
    /// Token lifetime, 60 minutes to 24 hours; `None` for the service default (24 hours).
    pub expires_in: Option<Duration>,
}

/// Options of `CommunicationTokenCredential`.
#[derive(Clone, Default)]
pub struct CommunicationTokenCredentialOptions {
    /// Refresh when fewer than 10 minutes remain instead of 2 (needs a refresher).
    pub proactive_refresh: bool,
    /// The clock used to judge expiry; `None` for the system clock. For tests.
    pub clock: Option<crate::credential::Clock>,
}

impl std::fmt::Debug for CommunicationTokenCredentialOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommunicationTokenCredentialOptions")
            .field("proactive_refresh", &self.proactive_refresh)
            .field("clock", &self.clock.as_ref().map(|_| "custom"))
            .finish()
    }
}
