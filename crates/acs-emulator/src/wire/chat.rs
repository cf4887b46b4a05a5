//! Chat resources and request bodies (REST api-versions 2021-03-07 … 2025-03-15). `Message` and
//! `Participant` are what the emulator reads and stores, times to the nanosecond; what it answers
//! (`MessageView`, `ParticipantView`, `ThreadProperties`, `ThreadItem`, `ReadReceipt`) writes
//! times in whole seconds, as the service does, straight from the time values.

use super::identifier::Identifier;
use super::string_enum::string_enum;
use super::text::seconds;
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

/// Metadata of threads, participants and messages: string keys and values.
pub(crate) type Metadata = std::collections::BTreeMap<String, String>;

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

/// A participant as the chat service answers it: whole seconds, `shareHistoryTime` shown as
/// `1970-01-01T00:00:00Z` when none was given (both recorded), metadata only from 2025-03-15.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParticipantView<'a> {
    #[serde(rename = "communicationIdentifier")]
    identifier: &'a Identifier,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(with = "seconds")]
    share_history_time: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
}

impl<'a> ParticipantView<'a> {
    pub(crate) fn new(p: &'a Participant, with_metadata: bool) -> Self {
        ParticipantView {
            identifier: &p.identifier,
            display_name: p.display_name.as_deref(),
            share_history_time: p.share_history_time.unwrap_or(OffsetDateTime::UNIX_EPOCH),
            metadata: p.metadata.as_ref().filter(|_| with_metadata),
        }
    }
}

/// `ChatMessageContent` as answered.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageContentView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    participants: Vec<ParticipantView<'a>>,
    #[serde(
        rename = "initiatorCommunicationIdentifier",
        skip_serializing_if = "Option::is_none"
    )]
    initiator: Option<&'a Identifier>,
}

/// `ChatMessage` as answered (whole seconds; the participants of membership system messages as
/// [`ParticipantView`]).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageView<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a MessageType,
    sequence_id: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<MessageContentView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_display_name: Option<&'a str>,
    #[serde(with = "seconds")]
    created_on: OffsetDateTime,
    #[serde(
        rename = "senderCommunicationIdentifier",
        skip_serializing_if = "Option::is_none"
    )]
    sender: Option<&'a Identifier>,
    #[serde(with = "seconds::option", skip_serializing_if = "Option::is_none")]
    deleted_on: Option<OffsetDateTime>,
    #[serde(with = "seconds::option", skip_serializing_if = "Option::is_none")]
    edited_on: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
}

impl<'a> MessageView<'a> {
    /// `with_metadata`: whether participants show their metadata (from 2025-03-15).
    pub(crate) fn new(m: &'a Message, with_metadata: bool) -> Self {
        MessageView {
            id: &m.id,
            kind: &m.kind,
            sequence_id: &m.sequence_id,
            version: &m.version,
            content: m.content.as_ref().map(|c| MessageContentView {
                message: c.message.as_deref(),
                topic: c.topic.as_deref(),
                participants: c
                    .participants
                    .iter()
                    .map(|p| ParticipantView::new(p, with_metadata))
                    .collect(),
                initiator: c.initiator.as_ref(),
            }),
            sender_display_name: m.sender_display_name.as_deref(),
            created_on: m.created_on,
            sender: m.sender.as_ref(),
            deleted_on: m.deleted_on,
            edited_on: m.edited_on,
            metadata: m.metadata.as_ref(),
        }
    }
}

/// A page of a listing: `{"value": [...], "nextLink"?: ...}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Collection<T> {
    pub(crate) value: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_link: Option<String>,
}

/// `ChatThreadProperties`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThreadProperties {
    pub(crate) id: String,
    pub(crate) topic: String,
    #[serde(with = "seconds")]
    pub(crate) created_on: OffsetDateTime,
    #[serde(rename = "createdByCommunicationIdentifier")]
    pub(crate) created_by: Identifier,
    #[serde(with = "seconds::option", skip_serializing_if = "Option::is_none")]
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
    #[serde(with = "seconds::option", skip_serializing_if = "Option::is_none")]
    pub(crate) deleted_on: Option<OffsetDateTime>,
    #[serde(with = "seconds::option", skip_serializing_if = "Option::is_none")]
    pub(crate) last_message_received_on: Option<OffsetDateTime>,
}

/// `ChatMessageReadReceipt`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadReceipt {
    #[serde(rename = "senderCommunicationIdentifier")]
    pub(crate) sender: Identifier,
    pub(crate) chat_message_id: String,
    #[serde(with = "seconds")]
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

/// The chat service's error body: `{"CommunicationError": {"Code", "Message"?, "Details"}}`.
#[derive(Debug, Serialize)]
pub(crate) struct ChatErrorBody<'a> {
    #[serde(rename = "CommunicationError")]
    error: PascalError<'a>,
}

/// No `Target` on the error itself (the service writes none); the emulator's own details (a
/// violated limit) name the field in theirs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct PascalError<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    details: Vec<PascalError<'a>>,
}

impl<'a> PascalError<'a> {
    fn details(details: &'a [CommunicationError]) -> Vec<Self> {
        details
            .iter()
            .map(|d| PascalError {
                code: &d.code,
                message: &d.message,
                target: d.target.as_deref(),
                details: PascalError::details(&d.details),
            })
            .collect()
    }
}

impl<'a> ChatErrorBody<'a> {
    pub(crate) fn new(code: &'a str, message: &'a str, details: &'a [CommunicationError]) -> Self {
        ChatErrorBody {
            error: PascalError {
                code,
                message,
                target: None,
                details: PascalError::details(details),
            },
        }
    }
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

#[derive(Debug, Clone, Serialize, Deserialize)]
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
