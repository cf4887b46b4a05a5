//! Request bodies, exactly as the service takes them.

use super::{ChatError, ChatMessageType, ChatParticipant, ChatRetentionPolicy, Metadata};
use crate::identifier::CommunicationIdentifier;
use serde::{Deserialize, Serialize};

/// Body of `POST /chat/threads`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateChatThreadRequest {
    /// The topic (required).
    pub topic: String,
    /// Initial participants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<ChatParticipant>>,
    /// Thread metadata (2025-03-15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Retention policy (2025-03-15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<ChatRetentionPolicy>,
}

/// Body of `PATCH /chat/threads/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateChatThreadRequest {
    /// New topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// New metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// New retention policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<ChatRetentionPolicy>,
}

/// Body of `POST .../messages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendChatMessageRequest {
    /// The content (required).
    pub content: String,
    /// The sender's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_display_name: Option<String>,
    /// The type (`text` or `html`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ChatMessageType>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// Body of `PATCH .../messages/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateChatMessageRequest {
    /// New content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// New metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// Body of `POST .../participants/:add`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddChatParticipantsRequest {
    /// The participants to add.
    pub participants: Vec<ChatParticipant>,
}

/// Result of `POST .../participants/:add`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AddChatParticipantsResult {
    /// Participants that could not be added.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::null_as_empty"
    )]
    pub invalid_participants: Vec<ChatError>,
}

/// Body of `POST .../readReceipts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendReadReceiptRequest {
    /// The message read.
    pub chat_message_id: String,
}

/// Body of `POST .../typing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SendTypingNotificationRequest {
    /// The sender's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_display_name: Option<String>,
}

/// Pairs each refused participant with its error by matching the error's `target` to the raw id.
pub fn pair_invalid_participants(
    requested: &[ChatParticipant],
    errors: Vec<ChatError>,
) -> Vec<(ChatParticipant, ChatError)> {
    errors
        .into_iter()
        .map(|error| {
            let participant = requested
                .iter()
                .find(|p| Some(p.identifier.raw_id()) == error.target)
                .cloned()
                .unwrap_or_else(|| {
                    ChatParticipant::new(CommunicationIdentifier::from_raw_id(
                        error.target.as_deref().unwrap_or_default(),
                    ))
                });
            (participant, error)
        })
        .collect()
}
