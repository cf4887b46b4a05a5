//! The one error type of the SDK.

use crate::models::ChatError;
use std::fmt;

/// A boxed error from a transport, a refresher callback or another foreign source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of transport failure happened; decides whether a retry is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The connection could not be made: the request never reached the service.
    Connect,
    /// The request or the response timed out.
    Timeout,
    /// Anything else (TLS, I/O while reading, protocol).
    Other,
}

/// Every error this SDK returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with a status other than the operation's success status.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// The request could not be sent or its response not read.
    #[error("{operation}: transport error ({kind:?}) after {attempts} attempt(s): {source}")]
    Transport {
        /// The SDK operation, e.g. `ChatClient.create_chat_thread`.
        operation: &'static str,
        /// What failed.
        kind: TransportErrorKind,
        /// How many attempts were made.
        attempts: u32,
        /// The transport's own error.
        #[source]
        source: BoxError,
    },
    /// The service answered with the success status but a body this SDK cannot read.
    #[error("{operation}: cannot decode the {status} response body: {source}")]
    Decode {
        /// The SDK operation.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The endpoint URL is not usable.
    #[error("invalid endpoint `{endpoint}`: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A token or access key would travel over plain HTTP to a host that is not loopback.
    #[error("refusing to send credentials over plain http to `{host}`: use https (plain http is allowed only for loopback hosts such as a local emulator)")]
    InsecureEndpoint {
        /// The host of the endpoint.
        host: String,
    },
    /// A user access token is malformed (not a JWT with a numeric `exp`).
    #[error("invalid access token: {0}")]
    InvalidToken(String),
    /// The token refresher failed.
    #[error("token refresher failed: {0}")]
    Credential(#[source] BoxError),
    /// A connection string is malformed.
    #[error("invalid connection string: {0}")]
    InvalidConnectionString(String),
    /// An argument was rejected before any request was sent.
    #[error("{operation}: invalid argument: {message}")]
    InvalidArgument {
        /// The SDK operation.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The service answered with the success status but without something the operation needs.
    #[error("{operation}: unexpected response: {message}")]
    UnexpectedResponse {
        /// The SDK operation.
        operation: &'static str,
        /// What was missing or wrong.
        message: String,
    },
    /// TLS configuration failed (e.g. a bad additional CA certificate).
    #[error("TLS configuration: {0}")]
    Tls(String),
}

impl Error {
    /// The HTTP status of a service error, if this is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Service(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The service's error code (e.g. `Forbidden`), if this is a service error that carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.code.as_deref(),
            _ => None,
        }
    }

    /// Whether retrying the same request later could succeed (throttling, outages, timeouts).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => matches!(e.status, 408 | 429 | 500 | 502 | 503 | 504),
            Error::Transport { .. } => true,
            _ => false,
        }
    }

    /// The service error, if this is one.
    pub fn as_service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn invalid(operation: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            operation,
            message: message.into(),
        }
    }
}

/// An error response from the service: the HTTP status plus the ACS error body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServiceError {
    /// The SDK operation, e.g. `ChatThreadClient.send_message`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// `error.code`, e.g. `Forbidden`.
    pub code: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.target`.
    pub target: Option<String>,
    /// `error.details`.
    pub details: Vec<ChatError>,
    /// `error.innererror`.
    pub inner_error: Option<ChatError>,
    /// The body as text when it is not an ACS JSON error body (e.g. an HTML page from a proxy).
    pub raw_body: Option<String>,
    /// How many attempts were made (more than one when retries were exhausted).
    pub attempts: u32,
    /// The `x-ms-client-request-id` of the request, for support cases.
    pub client_request_id: Option<String>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: service returned HTTP {}",
            self.operation, self.status
        )?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        } else if let Some(raw) = &self.raw_body {
            let excerpt: String = raw.chars().take(200).collect();
            write!(f, ": {}", excerpt.trim())?;
        }
        if let Some(target) = &self.target {
            write!(f, " [target: {target}]")?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}
