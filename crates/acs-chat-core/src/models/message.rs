use super::{ChatParticipant, Metadata};
use crate::identifier::CommunicationIdentifier;
use serde::{Deserialize, Serialize};
use time::serde::rfc3339;
use time::OffsetDateTime;

extensible_enum! {
    /// The type of a message.
    ChatMessageType {
        /// Plain text.
        Text = "text",
        /// HTML.
        Html = "html",
        /// System: the topic changed.
        TopicUpdated = "topicUpdated",
        /// System: participants were added.
        ParticipantAdded = "participantAdded",
        /// System: participants were removed.
        ParticipantRemoved = "participantRemoved",
    }
}

extensible_enum! {
    /// The type of an attachment.
    ChatAttachmentType {
        /// An image.
        Image = "image",
        /// A file (2024-03-07 on).
        File = "file",
    }
}

/// A message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMessage {
    /// The message id (an epoch-millisecond string).
    pub id: String,
    /// The type.
    #[serde(rename = "type")]
    pub kind: ChatMessageType,
    /// The per-thread sequence id (a decimal string).
    pub sequence_id: String,
    /// The version (an epoch-millisecond string).
    pub version: String,
    /// The content; absent for deleted messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ChatMessageContent>,
    /// The sender's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_display_name: Option<String>,
    /// When the message was created.
    #[serde(with = "rfc3339")]
    pub created_on: OffsetDateTime,
    /// The sender; absent on system messages.
    #[serde(
        default,
        rename = "senderCommunicationIdentifier",
        skip_serializing_if = "Option::is_none"
    )]
    pub sender: Option<CommunicationIdentifier>,
    /// When the message was deleted.
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted_on: Option<OffsetDateTime>,
    /// When the message was last edited.
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub edited_on: Option<OffsetDateTime>,
    /// Message metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// The content of a message: which fields are set depends on its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMessageContent {
    /// Text or HTML (`text`, `html`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The new topic (`topicUpdated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Participants added or removed (`participantAdded`, `participantRemoved`).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::null_as_empty"
    )]
    pub participants: Vec<ChatParticipant>,
    /// Attachments (2023-11-07 on).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::null_as_empty"
    )]
    pub attachments: Vec<ChatAttachment>,
    /// Who caused a system message.
    #[serde(
        default,
        rename = "initiatorCommunicationIdentifier",
        skip_serializing_if = "Option::is_none"
    )]
    pub initiator: Option<CommunicationIdentifier>,
}

/// An attachment of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatAttachment {
    /// The attachment id.
    pub id: String,
    /// The type.
    pub attachment_type: ChatAttachmentType,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where to get it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where to get a preview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
}

/// The result of `send_message`: the new message's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendChatMessageResult {
    /// The message id.
    pub id: String,
}

impl SendChatMessageResult {
    /// The result of a send that stored message `id` (for test doubles of a client).
    pub fn new(id: impl Into<String>) -> Self {
        SendChatMessageResult { id: id.into() }
    }
}
