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
pub(crate) mod transport;
pub(crate) mod trust;

/// Event Grid chat events for servers: typed events, webhook parsing, the handshakes.
pub use acs_chat_core::events;
/// The service's resources as the clients return and take them (threads, messages,
/// participants, read receipts, identifiers, tokens) and each operation's options, as azure_core
/// SDKs keep them in `models`.
pub mod models {
    pub use acs_chat_core::identifier::{
        CommunicationCloudEnvironment, CommunicationIdentifier, CommunicationUserIdentifier,
        MicrosoftTeamsAppIdentifier, MicrosoftTeamsUserIdentifier, PhoneNumberIdentifier,
        TeamsExtensionUserIdentifier,
    };
    pub use acs_chat_core::method::{
        AddParticipantsOptions, CreateUserOptions, DeleteChatThreadOptions, DeleteMessageOptions,
        DeleteUserOptions, GetMessageOptions, GetPropertiesOptions, GetTokenForTeamsUserOptions,
        RemoveParticipantOptions, RevokeTokensOptions, SendReadReceiptOptions, UpdateTopicOptions,
    };
    pub use acs_chat_core::models::{
        ChatAttachment, ChatAttachmentType, ChatError, ChatMessage, ChatMessageContent,
        ChatMessageReadReceipt, ChatMessageType, ChatParticipant, ChatRetentionPolicy,
        ChatThreadItem, ChatThreadProperties, CommunicationIdentityAccessToken,
        CommunicationTokenScope, CreateChatThreadOutcome, Metadata, RetentionPolicyKind,
        SendChatMessageResult,
    };
    pub use acs_chat_core::options::{
        CreateChatThreadOptions, CreateUserAndTokenOptions, GetTokenOptions,
        ListChatThreadsOptions, ListMessagesOptions, ListParticipantsOptions,
        ListReadReceiptsOptions, SendMessageOptions, SendTypingNotificationOptions,
        UpdateMessageOptions, UpdatePropertiesOptions, IDEMPOTENCY_KEY_METADATA,
    };
}
pub use acs_chat_core::{
    AccessKey, AccessToken, BoxError, ChatClientOptions, ClientMethodOptions, ClientOptions, Clock,
    CommunicationIdentityClientOptions, CommunicationTokenCredentialOptions, ConnectionString,
    ConnectionStringProblem, ContinuationTokenProblem, Error, ErrorKind, Page, ProxyOptions,
    ProxyUrl, RawWireLogging, Response, ResponseHook, ResponseMetadata, Result, RetryOptions,
    Secret, ServiceError, TokenProblem, TransportErrorKind, TransportOptions,
    DEFAULT_CHAT_API_VERSION, DEFAULT_IDENTITY_API_VERSION, ENTRA_ID_SCOPE,
};
pub use chat_client::ChatClient;
pub use chat_thread_client::ChatThreadClient;
pub use identity_client::CommunicationIdentityClient;
pub use token_credential::CommunicationTokenCredential;
pub(crate) use token_credential::WeakCredential;
pub use transport::Transport;
