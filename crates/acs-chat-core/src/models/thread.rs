use super::{ChatError, ChatParticipant, Metadata};
use crate::identifier::CommunicationIdentifier;
use serde::{Deserialize, Serialize};
use time::serde::rfc3339;
use time::OffsetDateTime;

/// A thread's properties (`ChatThreadProperties`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatThreadProperties {
    /// The thread id, `19:...@thread.v2`.
    pub id: String,
    /// The topic.
    pub topic: String,
    /// When the thread was created.
    #[serde(with = "rfc3339")]
    pub created_on: OffsetDateTime,
    /// Who created the thread.
    #[serde(rename = "createdByCommunicationIdentifier")]
    pub created_by: CommunicationIdentifier,
    /// When the thread was deleted.
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted_on: Option<OffsetDateTime>,
    /// Thread metadata (2025-03-15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// The retention policy (2025-03-15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<ChatRetentionPolicy>,
}

/// A thread in a listing (`ChatThreadItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatThreadItem {
    /// The thread id.
    pub id: String,
    /// The topic.
    pub topic: String,
    /// When the thread was deleted.
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted_on: Option<OffsetDateTime>,
    /// When the last message arrived.
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_message_received_on: Option<OffsetDateTime>,
}

/// The result of `create_chat_thread` on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateChatThreadResult {
    /// The created (or, for a repeated idempotency token, the existing) thread.
    pub chat_thread: ChatThreadProperties,
    /// Participants that could not be added.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::null_as_empty"
    )]
    pub invalid_participants: Vec<ChatError>,
}

impl CreateChatThreadResult {
    /// What `create_chat_thread` returns for this result, `requested` being the participants it
    /// asked for: each refused one paired with its error.
    pub fn into_outcome(self, requested: &[ChatParticipant]) -> CreateChatThreadOutcome {
        CreateChatThreadOutcome {
            chat_thread: self.chat_thread,
            errors: super::pair_invalid_participants(requested, self.invalid_participants),
        }
    }
}

/// What `create_chat_thread` returns: the thread and the participants that failed with their errors.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[must_use = "participants that could not be added are in `errors`, not an `Err`"]
pub struct CreateChatThreadOutcome {
    /// The thread.
    pub chat_thread: ChatThreadProperties,
    /// `(participant, error)` for each participant the service refused; empty when all were added.
    pub errors: Vec<(ChatParticipant, ChatError)>,
}

extensible_enum! {
    /// The kind of a retention policy.
    RetentionPolicyKind {
        /// Delete the thread a number of days after its creation.
        ThreadCreationDate = "threadCreationDate",
        /// Keep the thread.
        None = "none",
    }
}

/// A thread retention policy (2025-03-15), polymorphic on `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatRetentionPolicy {
    /// The kind.
    pub kind: RetentionPolicyKind,
    /// Days after creation when the thread is deleted (`threadCreationDate` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_thread_after_days: Option<i32>,
}

impl ChatRetentionPolicy {
    /// Delete the thread `days` days after it was created.
    pub fn thread_creation_date(days: i32) -> Self {
        ChatRetentionPolicy {
            kind: RetentionPolicyKind::ThreadCreationDate,
            delete_thread_after_days: Some(days),
        }
    }

    /// No retention policy: the thread is kept.
    pub fn none() -> Self {
        ChatRetentionPolicy {
            kind: RetentionPolicyKind::None,
            delete_thread_after_days: None,
        }
    }
}
