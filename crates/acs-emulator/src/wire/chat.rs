//! Chat resources and request bodies (REST api-versions 2021-03-07 … 2025-03-15). Times are
//! kept to the nanosecond (stored as given); the views cut them to whole seconds, as the
//! service writes them.

use super::string_enum::string_enum;
use super::{Identifier, Metadata};
use serde::{Deserialize, Deserializer, Serialize};
use time::serde::rfc3339;
use time::OffsetDateTime;

string_enum!(MessageType {
    Text = "text",
    Html = "html",
    TopicUpdated = "topicUpdated",
    ParticipantAdded = "participantAdded",
    ParticipantRemoved = "participantRemoved",
});

string_enum!(RetentionKind {
    ThreadCreationDate = "threadCreationDate",
    None = "none",
});

/// `null` read as an empty list (the service writes both).
fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Participant {
    #[serde(rename = "communicationIdentifier")]
    pub(crate) identifier: Identifier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) display_name: Option<String>,
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) share_history_time: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
}

impl Participant {
    pub(crate) fn new(identifier: Identifier) -> Self {
        Participant {
            identifier,
            display_name: None,
            share_history_time: None,
            metadata: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RetentionPolicy {
    pub(crate) kind: RetentionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) delete_thread_after_days: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) topic: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_empty"
    )]
    pub(crate) participants: Vec<Participant>,
    #[serde(
        default,
        rename = "initiatorCommunicationIdentifier",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) initiator: Option<Identifier>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Message {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: MessageType,
    pub(crate) sequence_id: String,
    pub(crate) version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) content: Option<MessageContent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sender_display_name: Option<String>,
    #[serde(with = "rfc3339")]
    pub(crate) created_on: OffsetDateTime,
    #[serde(
        default,
        rename = "senderCommunicationIdentifier",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) sender: Option<Identifier>,
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) deleted_on: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) edited_on: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
}

/// `ChatThreadProperties`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThreadProperties {
    pub(crate) id: String,
    pub(crate) topic: String,
    #[serde(with = "rfc3339")]
    pub(crate) created_on: OffsetDateTime,
    #[serde(rename = "createdByCommunicationIdentifier")]
    pub(crate) created_by: Identifier,
    #[serde(with = "rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub(crate) deleted_on: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retention_policy: Option<RetentionPolicy>,
}

/// `ChatThreadItem`, a row of the thread listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThreadItem {
    pub(crate) id: String,
    pub(crate) topic: String,
    #[serde(with = "rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub(crate) deleted_on: Option<OffsetDateTime>,
    #[serde(with = "rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub(crate) last_message_received_on: Option<OffsetDateTime>,
}

/// `ChatMessageReadReceipt`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadReceipt {
    #[serde(rename = "senderCommunicationIdentifier")]
    pub(crate) sender: Identifier,
    pub(crate) chat_message_id: String,
    #[serde(with = "rfc3339")]
    pub(crate) read_on: OffsetDateTime,
}

/// `CommunicationError`: in error bodies and `invalidParticipants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub(crate) struct CommunicationError {
    pub(crate) code: String,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) details: Vec<CommunicationError>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateThreadRequest {
    pub(crate) topic: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) participants: Option<Vec<Participant>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retention_policy: Option<RetentionPolicy>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateThreadRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retention_policy: Option<RetentionPolicy>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendMessageRequest {
    pub(crate) content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sender_display_name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<MessageType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateMessageRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AddParticipantsRequest {
    pub(crate) participants: Vec<Participant>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendReadReceiptRequest {
    pub(crate) chat_message_id: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TypingRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sender_display_name: Option<String>,
}
