//! Event Grid chat events for servers, sans-IO: typed models of every ACS chat event, parsing of a
//! webhook request in both delivery schemas (Event Grid and CloudEvents 1.0), and the two
//! subscription handshakes as pure functions any HTTP framework can call.
//!
//! ```
//! use acs_chat_core::events::{parse_webhook, validation_response, ChatEvent, WebhookRequest};
//!
//! let body = br#"[{"id":"1","topic":"t","subject":"thread/19:a@thread.v2/sender/8:acs:x",
//!   "eventType":"Microsoft.Communication.ChatMessageReceived","eventTime":"2021-02-19T00:25:58Z",
//!   "dataVersion":"1.0","data":{"threadId":"19:a@thread.v2","messageId":"1","messageBody":"hi",
//!   "senderCommunicationIdentifier":{"rawId":"8:acs:x","communicationUser":{"id":"8:acs:x"}}}}]"#;
//! match parse_webhook(Some("application/json"), body)? {
//!     WebhookRequest::SubscriptionValidation { validation_code, .. } => {
//!         let _answer = validation_response(&validation_code); // 200 with this JSON body
//!     }
//!     WebhookRequest::Events(events) => {
//!         for event in events {
//!             if let ChatEvent::MessageReceived(message) = event.event {
//!                 assert_eq!(message.message_body.as_deref(), Some("hi"));
//!             }
//!         }
//!     }
//!     _ => {} // `WebhookRequest` may grow
//! }
//! # Ok::<(), acs_chat_core::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::identifier::CommunicationIdentifier;
use crate::models::{ChatMessageType, ChatRetentionPolicy, Metadata};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use time::serde::rfc3339;
use time::OffsetDateTime;

const OP: &str = "events::parse_webhook";

/// A participant as chat events describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatEventParticipant {
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Who.
    pub participant_communication_identifier: CommunicationIdentifier,
    /// From when the participant sees history.
    #[serde(default, with = "rfc3339::option")]
    pub share_history_time: Option<OffsetDateTime>,
    /// Participant metadata.
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

/// Thread properties carried by thread events.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatEventThreadProperties {
    /// The topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// Thread metadata.
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

/// `data` of the message events (received, edited, deleted; per user or in thread).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMessageEventData {
    /// The thread.
    #[serde(default)]
    pub thread_id: String,
    /// The message.
    #[serde(default)]
    pub message_id: String,
    /// The sender.
    #[serde(default)]
    pub sender_communication_identifier: Option<CommunicationIdentifier>,
    /// The sender's display name.
    #[serde(default)]
    pub sender_display_name: Option<String>,
    /// The recipient (user-level events only).
    #[serde(default)]
    pub recipient_communication_identifier: Option<CommunicationIdentifier>,
    /// When the message was sent (`composeTime`), as `ChatMessage::created_on`.
    #[serde(default, rename = "composeTime", with = "rfc3339::option")]
    pub created_on: Option<OffsetDateTime>,
    /// When it was edited (`editTime`, edited events), as `ChatMessage::edited_on`.
    #[serde(default, rename = "editTime", with = "rfc3339::option")]
    pub edited_on: Option<OffsetDateTime>,
    /// When it was deleted (`deleteTime`, deleted events), as `ChatMessage::deleted_on`.
    #[serde(default, rename = "deleteTime", with = "rfc3339::option")]
    pub deleted_on: Option<OffsetDateTime>,
    /// The message type (`type`: `Text`, `Html`, ... — events capitalise it), as
    /// `ChatMessage::kind`.
    #[serde(default, rename = "type")]
    pub kind: Option<ChatMessageType>,
    /// The message body (not on deleted events).
    #[serde(default)]
    pub message_body: Option<String>,
    /// Message metadata.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The message version (a number in some samples, a string in others).
    #[serde(default, deserialize_with = "number_or_string")]
    pub version: Option<String>,
    /// The transaction id (a correlation vector).
    #[serde(default)]
    pub transaction_id: Option<String>,
}

/// `data` of the thread events (created, deleted, properties updated; per user or thread-level).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatThreadEventData {
    /// The thread.
    #[serde(default)]
    pub thread_id: String,
    /// Who created it (created events).
    #[serde(default)]
    pub created_by_communication_identifier: Option<CommunicationIdentifier>,
    /// Who deleted it (deleted events).
    #[serde(default)]
    pub deleted_by_communication_identifier: Option<CommunicationIdentifier>,
    /// Who changed it (properties-updated events).
    #[serde(default)]
    pub edited_by_communication_identifier: Option<CommunicationIdentifier>,
    /// The recipient (user-level events only).
    #[serde(default)]
    pub recipient_communication_identifier: Option<CommunicationIdentifier>,
    /// Topic and metadata.
    #[serde(default)]
    pub properties: Option<ChatEventThreadProperties>,
    /// The participants (created events).
    #[serde(default, deserialize_with = "crate::models::null_as_empty")]
    pub participants: Vec<ChatEventParticipant>,
    /// Thread metadata (properties-updated events).
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The retention policy (newer events).
    #[serde(default)]
    pub retention_policy: Option<ChatRetentionPolicy>,
    /// When the thread was created (`createTime`), as `ChatThreadProperties::created_on`.
    #[serde(default, rename = "createTime", with = "rfc3339::option")]
    pub created_on: Option<OffsetDateTime>,
    /// When it was deleted (`deleteTime`), as `ChatThreadProperties::deleted_on`.
    #[serde(default, rename = "deleteTime", with = "rfc3339::option")]
    pub deleted_on: Option<OffsetDateTime>,
    /// When it was changed (`editTime`).
    #[serde(default, rename = "editTime", with = "rfc3339::option")]
    pub edited_on: Option<OffsetDateTime>,
    /// The thread version.
    #[serde(default, deserialize_with = "number_or_string")]
    pub version: Option<String>,
    /// The transaction id.
    #[serde(default)]
    pub transaction_id: Option<String>,
}

/// `data` of the membership events (participant added or removed; per user or thread-level).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatParticipantEventData {
    /// The thread.
    #[serde(default)]
    pub thread_id: String,
    /// When it happened.
    #[serde(default, with = "rfc3339::option")]
    pub time: Option<OffsetDateTime>,
    /// Who added (added events).
    #[serde(default)]
    pub added_by_communication_identifier: Option<CommunicationIdentifier>,
    /// Who removed (removed events).
    #[serde(default)]
    pub removed_by_communication_identifier: Option<CommunicationIdentifier>,
    /// The participant added.
    #[serde(default)]
    pub participant_added: Option<ChatEventParticipant>,
    /// The participant removed.
    #[serde(default)]
    pub participant_removed: Option<ChatEventParticipant>,
    /// The recipient (user-level events only).
    #[serde(default)]
    pub recipient_communication_identifier: Option<CommunicationIdentifier>,
    /// When the thread was created (`createTime`).
    #[serde(default, rename = "createTime", with = "rfc3339::option")]
    pub created_on: Option<OffsetDateTime>,
    /// The thread version.
    #[serde(default, deserialize_with = "number_or_string")]
    pub version: Option<String>,
    /// The transaction id.
    #[serde(default)]
    pub transaction_id: Option<String>,
}

/// One ACS chat event. User-level events (`...WithUser`, `...PerUser`, and the plain message
/// events) go once per recipient other than the actor; thread-level ones once per thread.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// `ChatMessageReceived` (user-level).
    MessageReceived(ChatMessageEventData),
    /// `ChatMessageEdited` (user-level).
    MessageEdited(ChatMessageEventData),
    /// `ChatMessageDeleted` (user-level).
    MessageDeleted(ChatMessageEventData),
    /// `ChatMessageReceivedInThread`.
    MessageReceivedInThread(ChatMessageEventData),
    /// `ChatMessageEditedInThread`.
    MessageEditedInThread(ChatMessageEventData),
    /// `ChatMessageDeletedInThread`.
    MessageDeletedInThread(ChatMessageEventData),
    /// `ChatThreadCreatedWithUser` (user-level).
    ThreadCreatedWithUser(ChatThreadEventData),
    /// `ChatThreadWithUserDeleted` (user-level).
    ThreadWithUserDeleted(ChatThreadEventData),
    /// `ChatThreadPropertiesUpdatedPerUser` (user-level).
    ThreadPropertiesUpdatedPerUser(ChatThreadEventData),
    /// `ChatThreadCreated`.
    ThreadCreated(ChatThreadEventData),
    /// `ChatThreadDeleted`.
    ThreadDeleted(ChatThreadEventData),
    /// `ChatThreadPropertiesUpdated`.
    ThreadPropertiesUpdated(ChatThreadEventData),
    /// `ChatParticipantAddedToThreadWithUser` (user-level).
    ParticipantAddedToThreadWithUser(ChatParticipantEventData),
    /// `ChatParticipantRemovedFromThreadWithUser` (user-level).
    ParticipantRemovedFromThreadWithUser(ChatParticipantEventData),
    /// `ChatThreadParticipantAdded`.
    ThreadParticipantAdded(ChatParticipantEventData),
    /// `ChatThreadParticipantRemoved`.
    ThreadParticipantRemoved(ChatParticipantEventData),
    /// An event type this SDK does not know (added later, or not a chat event), kept raw.
    Unknown {
        /// The event type as sent.
        event_type: String,
        /// The `data` as sent.
        data: Value,
    },
}

impl ChatEvent {
    /// Decodes `data` by event type (with or without the `Microsoft.Communication.` prefix).
    pub fn decode(event_type: &str, data: Value) -> Result<Self> {
        let short = event_type
            .strip_prefix("Microsoft.Communication.")
            .unwrap_or(event_type);
        fn typed<T: serde::de::DeserializeOwned>(event_type: &str, data: Value) -> Result<T> {
            serde_json::from_value(data).map_err(|e| {
                Error::invalid_argument(OP, format!("`{event_type}` data does not decode: {e}"))
            })
        }
        Ok(match short {
            "ChatMessageReceived" => Self::MessageReceived(typed(short, data)?),
            "ChatMessageEdited" => Self::MessageEdited(typed(short, data)?),
            "ChatMessageDeleted" => Self::MessageDeleted(typed(short, data)?),
            "ChatMessageReceivedInThread" => Self::MessageReceivedInThread(typed(short, data)?),
            "ChatMessageEditedInThread" => Self::MessageEditedInThread(typed(short, data)?),
            "ChatMessageDeletedInThread" => Self::MessageDeletedInThread(typed(short, data)?),
            "ChatThreadCreatedWithUser" => Self::ThreadCreatedWithUser(typed(short, data)?),
            "ChatThreadWithUserDeleted" => Self::ThreadWithUserDeleted(typed(short, data)?),
            "ChatThreadPropertiesUpdatedPerUser" => {
                Self::ThreadPropertiesUpdatedPerUser(typed(short, data)?)
            }
            "ChatThreadCreated" => Self::ThreadCreated(typed(short, data)?),
            "ChatThreadDeleted" => Self::ThreadDeleted(typed(short, data)?),
            "ChatThreadPropertiesUpdated" => Self::ThreadPropertiesUpdated(typed(short, data)?),
            "ChatParticipantAddedToThreadWithUser" => {
                Self::ParticipantAddedToThreadWithUser(typed(short, data)?)
            }
            "ChatParticipantRemovedFromThreadWithUser" => {
                Self::ParticipantRemovedFromThreadWithUser(typed(short, data)?)
            }
            "ChatThreadParticipantAdded" => Self::ThreadParticipantAdded(typed(short, data)?),
            "ChatThreadParticipantRemoved" => Self::ThreadParticipantRemoved(typed(short, data)?),
            _ => Self::Unknown {
                event_type: event_type.to_string(),
                data,
            },
        })
    }
}

/// One delivered event: the envelope fields common to both schemas, and the typed event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatEventEnvelope {
    /// The event id (deduplicate on it: deliveries are at least once).
    pub id: String,
    /// `thread/{threadId}/sender/{rawId}/recipient/{rawId}` and the like.
    pub subject: Option<String>,
    /// The event type as sent (e.g. `Microsoft.Communication.ChatMessageReceived`).
    pub event_type: String,
    /// When the event happened.
    pub event_time: Option<OffsetDateTime>,
    /// The resource: Event Grid's `topic` or CloudEvents' `source`.
    pub source: Option<String>,
    /// The typed event.
    pub event: ChatEvent,
}

/// What a webhook request asks of the server.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookRequest {
    /// Event Grid's subscription validation: answer 200 with [`validation_response`].
    SubscriptionValidation {
        /// The code to echo back.
        validation_code: String,
        /// The URL that validates the subscription when fetched (manual validation).
        validation_url: Option<String>,
    },
    /// Events to handle.
    Events(Vec<ChatEventEnvelope>),
}

/// Parses a webhook POST: an Event Grid schema array (`application/json`), one CloudEvent
/// (`application/cloudevents+json`) or a CloudEvents batch (`application/cloudevents-batch+json`,
/// or a JSON array of objects with `specversion`).
pub fn parse_webhook(content_type: Option<&str>, body: &[u8]) -> Result<WebhookRequest> {
    let content_type = content_type.unwrap_or("").to_ascii_lowercase();
    let json: Value = serde_json::from_slice(body)
        .map_err(|e| Error::invalid_argument(OP, format!("the body is not JSON: {e}")))?;
    let items = match json {
        Value::Array(items) => items,
        single @ Value::Object(_) if content_type.starts_with("application/cloudevents+json") => {
            vec![single]
        }
        Value::Object(_) => {
            return Err(Error::invalid_argument(
                OP,
                "a single event object needs content type application/cloudevents+json",
            ))
        }
        _ => return Err(Error::invalid_argument(OP, "expected an array of events")),
    };
    let mut events = Vec::with_capacity(items.len());
    for mut item in items {
        let cloud = item.get("specversion").is_some();
        let field =
            |item: &Value, name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
        let event_type = field(&item, if cloud { "type" } else { "eventType" })
            .ok_or_else(|| Error::invalid_argument(OP, "an event has no type"))?;
        let data = item.get_mut("data").map(Value::take).unwrap_or(Value::Null);
        if event_type == "Microsoft.EventGrid.SubscriptionValidationEvent" {
            let validation_code = data
                .get("validationCode")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Error::invalid_argument(OP, "a validation event has no validationCode")
                })?
                .to_string();
            let validation_url = data
                .get("validationUrl")
                .and_then(Value::as_str)
                .map(str::to_string);
            return Ok(WebhookRequest::SubscriptionValidation {
                validation_code,
                validation_url,
            });
        }
        let event_time = field(&item, if cloud { "time" } else { "eventTime" })
            .and_then(|t| crate::time_format::parse(&t).ok());
        events.push(ChatEventEnvelope {
            id: field(&item, "id").unwrap_or_default(),
            subject: field(&item, "subject"),
            source: field(&item, if cloud { "source" } else { "topic" }),
            event: ChatEvent::decode(&event_type, data)?,
            event_type,
            event_time,
        });
    }
    Ok(WebhookRequest::Events(events))
}

/// The JSON body that completes Event Grid's subscription validation (send it with 200).
pub fn validation_response(validation_code: &str) -> String {
    serde_json::json!({ "validationResponse": validation_code }).to_string()
}

/// CloudEvents' abuse protection: for an `OPTIONS` request carrying `WebHook-Request-Origin`, the
/// headers of the 200 answer that allow deliveries from that origin; `None` for anything else.
pub fn abuse_protection_response(
    method: &str,
    request_origin: Option<&str>,
) -> Option<Vec<(&'static str, String)>> {
    match (method.eq_ignore_ascii_case("OPTIONS"), request_origin) {
        (true, Some(origin)) if !origin.trim().is_empty() => Some(vec![
            ("WebHook-Allowed-Origin", origin.trim().to_string()),
            ("WebHook-Allowed-Rate", "*".to_string()),
        ]),
        _ => None,
    }
}

fn number_or_string<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}
