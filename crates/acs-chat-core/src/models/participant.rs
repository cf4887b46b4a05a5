use super::Metadata;
use crate::identifier::CommunicationIdentifier;
use serde::{Deserialize, Serialize};
use time::serde::rfc3339;
use time::OffsetDateTime;

/// A participant of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatParticipant {
    /// Who.
    #[serde(rename = "communicationIdentifier")]
    pub identifier: CommunicationIdentifier,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// From when the participant sees the thread's history.
    #[serde(
        default,
        with = "rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub share_history_time: Option<OffsetDateTime>,
    /// Participant metadata (2025-03-15; at most 1 KB in all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl ChatParticipant {
    /// A participant with just an identifier.
    pub fn new(identifier: CommunicationIdentifier) -> Self {
        ChatParticipant {
            identifier,
            display_name: None,
            share_history_time: None,
            metadata: None,
        }
    }

    /// Sets the display name.
    #[must_use]
    pub fn with_display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Sets the share-history time.
    #[must_use]
    pub fn with_share_history_time(mut self, t: OffsetDateTime) -> Self {
        self.share_history_time = Some(t);
        self
    }
}
