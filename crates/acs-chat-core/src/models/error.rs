use serde::{Deserialize, Serialize};

/// An error as the service describes it (`CommunicationError`): in error bodies and in
/// `invalidParticipants`, where `code` is an HTTP-like string and `target` the participant's raw id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ChatError {
    /// The error code.
    #[serde(default)]
    pub code: String,
    /// The error message.
    #[serde(default)]
    pub message: String,
    /// The target of the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Further details.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::null_as_empty"
    )]
    pub details: Vec<ChatError>,
    /// The inner error.
    #[serde(
        default,
        rename = "innererror",
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<Box<ChatError>>,
}

/// The error body: `{ "error": { ... } }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommunicationErrorResponse {
    /// The error.
    pub error: ChatError,
}
