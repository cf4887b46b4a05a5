use serde::{Deserialize, Serialize};

/// An error as the service describes it (`CommunicationError`): in error bodies and in
/// `invalidParticipants`, where `code` is an HTTP-like string and `target` the participant's raw id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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

/// The other error envelope the service answers with on some routes (a recorded 404):
/// `{"CommunicationError": {"Code": …, "Message": …, "Target": …, "Details": …}}`, Pascal-case.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PascalErrorResponse {
    #[serde(rename = "CommunicationError")]
    pub(crate) error: PascalError,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PascalError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    details: Vec<PascalError>,
    #[serde(default, alias = "Innererror")]
    inner_error: Option<Box<PascalError>>,
}

impl From<PascalError> for ChatError {
    fn from(e: PascalError) -> ChatError {
        ChatError {
            code: e.code.unwrap_or_default(),
            message: e.message.unwrap_or_default(),
            target: e.target,
            details: e.details.into_iter().map(ChatError::from).collect(),
            inner_error: e.inner_error.map(|inner| Box::new(ChatError::from(*inner))),
        }
    }
}

impl CommunicationErrorResponse {
    /// The error of a JSON error body in either envelope the service uses (`{"error": …}`, the
    /// spec's, or `{"CommunicationError": …}`); `None` for any other body.
    pub fn parse(body: &[u8]) -> Option<ChatError> {
        if let Ok(response) = serde_json::from_slice::<CommunicationErrorResponse>(body) {
            return Some(response.error);
        }
        serde_json::from_slice::<PascalErrorResponse>(body)
            .ok()
            .map(|response| response.error.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_envelopes_are_read_and_anything_else_is_not() {
        let spec = br#"{"error": {"code": "Forbidden", "message": "no", "target": "t"}}"#;
        let e = CommunicationErrorResponse::parse(spec).unwrap();
        assert_eq!(
            (e.code.as_str(), e.target.as_deref()),
            ("Forbidden", Some("t"))
        );
        // As recorded from the service (a 404 of the chat API).
        let pascal = br#"{"CommunicationError": {"Code": "NotFound", "Message": "Thread not found.", "Details": null}}"#;
        let e = CommunicationErrorResponse::parse(pascal).unwrap();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("NotFound", "Thread not found.")
        );
        assert!(e.details.is_empty());
        let nested = br#"{"CommunicationError": {"Code": "A", "Details": [{"Code": "B", "Message": "m"}], "InnerError": {"Code": "C"}}}"#;
        let e = CommunicationErrorResponse::parse(nested).unwrap();
        assert_eq!(e.details[0].code, "B");
        assert_eq!(e.inner_error.unwrap().code, "C");
        for other in [
            &b"{\"message\": \"x\"}"[..],
            b"<html>502</html>",
            b"",
            b"{\"error\": \"text\"}",
        ] {
            assert!(
                CommunicationErrorResponse::parse(other).is_none(),
                "{other:?}"
            );
        }
    }
}
