use crate::identifier::CommunicationIdentifier;
use serde::{Deserialize, Serialize};
use time::serde::rfc3339;
use time::OffsetDateTime;

/// A read receipt: the latest message a participant has read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMessageReadReceipt {
    /// Who read.
    #[serde(rename = "senderCommunicationIdentifier")]
    pub sender: CommunicationIdentifier,
    /// The message read.
    pub chat_message_id: String,
    /// When.
    #[serde(with = "rfc3339")]
    pub read_on: OffsetDateTime,
}
