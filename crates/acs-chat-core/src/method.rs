//! The per-call part every operation's options embed (`method_options`), like azure_core's
//! `ClientMethodOptions`, and what a call's response hook is shown.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What every operation's options hold in `method_options`.
///
/// ```
/// use acs_chat_core::{ClientMethodOptions, GetPropertiesOptions, ResponseHook};
/// use std::time::Duration;
///
/// let options = GetPropertiesOptions {
///     method_options: ClientMethodOptions {
///         timeout: Some(Duration::from_secs(5)),
///         client_request_id: Some("7f0c6f7e-0000-4000-8000-000000000001".into()),
///         on_response: Some(ResponseHook::new(|response| {
///             println!("{} MS-CV {:?}", response.status, response.ms_cv);
///         })),
///         ..Default::default()
///     },
/// };
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
pub struct ClientMethodOptions {
    /// The most this call may take, every retry and wait included; at most the client's
    /// `RetryOptions::max_total_elapsed`. `None` for that.
    pub timeout: Option<Duration>,
    /// The `x-ms-client-request-id` to send on every attempt of this call (visible ASCII, at
    /// most 256 characters); a fresh UUID when `None`. It is logged, and echoed by the service.
    pub client_request_id: Option<String>,
    /// Extra request headers. Names the SDK sets itself (authorization, signing, ids, content,
    /// host, user agent, repeatability) are refused with [`crate::Error::InvalidArgument`].
    pub headers: Vec<(String, String)>,
    /// Called with the final response of this call when one arrived (a success or an error
    /// status; not after a transport failure, nor for a keyed send settled by looking the
    /// message up), before it is decoded: for cross-cutting telemetry. (One call's `MS-CV` and request ids: its `*_with_response`
    /// twin.)
    pub on_response: Option<ResponseHook>,
}

impl fmt::Debug for ClientMethodOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be anything a caller chose to send: names only.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientMethodOptions")
            .field("timeout", &self.timeout)
            .field("client_request_id", &self.client_request_id)
            .field("headers", &names)
            .field("on_response", &self.on_response.is_some())
            .finish()
    }
}

/// A callback shown each call's final response ([`ClientMethodOptions::on_response`]), like
/// Python's `raw_response_hook` and JavaScript's `onResponse`.
#[derive(Clone)]
pub struct ResponseHook(Arc<dyn Fn(&ResponseMetadata) + Send + Sync>);

impl ResponseHook {
    /// Wraps `f`.
    pub fn new(f: impl Fn(&ResponseMetadata) + Send + Sync + 'static) -> Self {
        ResponseHook(Arc::new(f))
    }

    /// Calls it (the pipeline does). Not part of the API.
    #[doc(hidden)]
    pub fn call(&self, response: &ResponseMetadata) {
        (self.0)(response)
    }
}

impl fmt::Debug for ResponseHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseHook")
    }
}

/// A response's status, the ids a support case needs and its headers: what
/// [`Response::metadata`](crate::Response::metadata) holds and a response hook is shown. No body
/// and no request header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMetadata {
    /// The SDK operation, e.g. `ChatThreadClient.send_message`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The `MS-CV` correlation vector.
    pub ms_cv: Option<String>,
    /// The service's `x-ms-request-id`.
    pub request_id: Option<String>,
    /// The `x-ms-client-request-id` this call sent.
    pub client_request_id: String,
    /// The attempts made.
    pub attempts: u32,
    /// Every response header, names in lower case. (Responses carry no credential; logs show
    /// only the status and ids.)
    pub headers: Vec<(String, String)>,
}

impl ResponseMetadata {
    /// A response header by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Request headers the SDK writes itself: a caller's `headers` may not name them.
const RESERVED: &[&str] = &[
    "authorization",
    "host",
    "content-type",
    "content-length",
    "transfer-encoding",
    "x-ms-date",
    "x-ms-content-sha256",
    "x-ms-client-request-id",
    "user-agent",
    "repeatability-request-id",
    "repeatability-first-sent",
    "connection",
];

impl ClientMethodOptions {
    /// Checks the caller's request id and headers: a clear error instead of a header a transport
    /// would refuse, or one that would replace the SDK's own. For the pipeline; not part of the
    /// API.
    #[doc(hidden)]
    pub fn validate(&self, operation: &'static str) -> crate::Result<()> {
        let visible = |v: &str| v.bytes().all(|b| (0x20..0x7f).contains(&b));
        if let Some(id) = &self.client_request_id {
            if id.is_empty() || id.len() > 256 || !visible(id) {
                return Err(crate::Error::invalid_argument(
                    operation,
                    "the client request id must be 1 to 256 visible ASCII characters",
                ));
            }
        }
        for (name, value) in &self.headers {
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            let reason = if !token {
                Some("is not a header name")
            } else if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                Some("is set by the SDK")
            } else if !visible(value) {
                Some("has a value with characters other than visible ASCII")
            } else {
                None
            };
            if let Some(reason) = reason {
                let name: String = name.chars().take(64).collect();
                return Err(crate::Error::invalid_argument(
                    operation,
                    format!("header {name:?} {reason}"),
                ));
            }
        }
        Ok(())
    }
}

/// Option structs of operations that take nothing but the per-call part.
macro_rules! method_only_options {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Default)]
        pub struct $name {
            /// Per-call options: timeout, client request id, headers, response hook.
            pub method_options: ClientMethodOptions,
        }
    )*};
}

method_only_options! {
    /// Options of `ChatThreadClient::get_properties`.
    GetPropertiesOptions;
    /// Options of `ChatThreadClient::update_topic`.
    UpdateTopicOptions;
    /// Options of `ChatThreadClient::get_message`.
    GetMessageOptions;
    /// Options of `ChatThreadClient::delete_message`.
    DeleteMessageOptions;
    /// Options of `ChatClient::delete_chat_thread`.
    DeleteChatThreadOptions;
    /// Options of `ChatThreadClient::add_participants`.
    AddParticipantsOptions;
    /// Options of `ChatThreadClient::remove_participant`.
    RemoveParticipantOptions;
    /// Options of `ChatThreadClient::send_read_receipt`.
    SendReadReceiptOptions;
    /// Options of `CommunicationIdentityClient::create_user`.
    CreateUserOptions;
    /// Options of `CommunicationIdentityClient::revoke_tokens`.
    RevokeTokensOptions;
    /// Options of `CommunicationIdentityClient::delete_user`.
    DeleteUserOptions;
    /// Options of `CommunicationIdentityClient::get_token_for_teams_user`.
    GetTokenForTeamsUserOptions;
}
