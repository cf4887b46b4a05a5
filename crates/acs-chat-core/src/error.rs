//! The one error type of the SDK.

use crate::models::ChatError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A boxed error from a transport, a refresher callback or another foreign source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of transport failure happened; decides whether a retry is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made: the request never reached the service.
    Connect,
    /// The request or the response timed out.
    Timeout,
    /// Anything else (TLS, I/O while reading, protocol).
    Other,
}

impl TransportErrorKind {
    /// Whether the request may have reached the service (everything but a failed connect).
    pub fn may_have_been_sent(self) -> bool {
        self != TransportErrorKind::Connect
    }
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
        /// What the decoder reported (a JSON error, as a boxed error so that no dependency's
        /// type is part of this API).
        #[source]
        source: BoxError,
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
    /// The token refresher failed. Callers that waited for the same refresh share this error.
    #[error("token refresher failed: {0}")]
    Credential(#[source] BoxError),
    /// The token refresher did not answer within the refresh timeout, and the current token has
    /// expired.
    #[error("token refresher did not answer within {timeout:?}")]
    CredentialTimeout {
        /// The refresh timeout.
        timeout: Duration,
    },
    /// A response body was larger than the configured cap; it was not read further and the
    /// request was not retried.
    #[error("{operation}: the response body exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The SDK operation.
        operation: &'static str,
        /// The cap, in bytes (`ClientOptions::max_response_body_bytes`).
        limit: u64,
    },
    /// The operation used up `RetryOptions::max_total_elapsed` before any attempt could finish.
    #[error(
        "{operation}: no outcome within the operation budget of {budget:?} ({attempts} attempt(s))"
    )]
    Timeout {
        /// The SDK operation.
        operation: &'static str,
        /// The budget (`RetryOptions::max_total_elapsed`).
        budget: Duration,
        /// How many attempts were started.
        attempts: u32,
    },
    /// A listing's next link or continuation token named a page already fetched: following it
    /// would loop forever, so the listing ends here.
    #[error("{operation}: the service returned a next link to a page already fetched; the listing stops")]
    RepeatedContinuationToken {
        /// The SDK operation.
        operation: &'static str,
    },
    /// A continuation token (from the caller) or next link (from the service) was refused before
    /// anything was sent: it does not resume this listing on this client's endpoint.
    #[error("{operation}: continuation token refused: {problem}")]
    InvalidContinuationToken {
        /// The SDK operation of the listing.
        operation: &'static str,
        /// What is wrong with it.
        problem: ContinuationTokenProblem,
    },
    /// Not sent, because logging that is switched on would record the credential: the blocking
    /// facade's HTTP library (ureq-proto) logs every byte it writes at `log` level TRACE under
    /// the target named here, and has no switch for it.
    #[error("{operation}: not sent: the log target `{target}` is enabled at TRACE and would record the raw request, its credential included; filter it out (e.g. RUST_LOG=trace,ureq_proto=debug)")]
    SecretsWouldBeLogged {
        /// The SDK operation.
        operation: &'static str,
        /// The `log` target that records raw requests.
        target: &'static str,
    },
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
    /// Statuses follow [`crate::retry::RETRYABLE_STATUSES`], the list the retry policy uses.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => crate::retry::is_retryable_status(e.status),
            Error::Transport { .. } | Error::Timeout { .. } | Error::CredentialTimeout { .. } => {
                true
            }
            _ => false,
        }
    }

    /// The SDK operation the error belongs to, when it belongs to one.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Service(e) => Some(e.operation),
            Error::Transport { operation, .. }
            | Error::Decode { operation, .. }
            | Error::InvalidArgument { operation, .. }
            | Error::UnexpectedResponse { operation, .. }
            | Error::ResponseTooLarge { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::RepeatedContinuationToken { operation }
            | Error::InvalidContinuationToken { operation, .. }
            | Error::SecretsWouldBeLogged { operation, .. } => Some(operation),
            _ => None,
        }
    }

    /// How long the service asked to wait before trying again (`Retry-After` and friends), if
    /// this is a service error that said so.
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_service_error().and_then(|e| e.retry_after)
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

/// Why a continuation token or next link was refused ([`Error::InvalidContinuationToken`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContinuationTokenProblem {
    /// It is not an http(s) URL (nor a path).
    #[error("it is not a URL of a page")]
    NotAUrl,
    /// It names another listing (another route, another thread) than the one it was given to.
    #[error("it names another listing (`{found}`), not `{expected}`")]
    OtherListing {
        /// The path of the listing it was given to, after the endpoint.
        expected: String,
        /// The path it names (at most 200 characters of it).
        found: String,
    },
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
    /// The `MS-CV` correlation vector of the response: the first thing Microsoft support asks
    /// for.
    pub ms_cv: Option<String>,
    /// The service's `x-ms-request-id` of the response.
    pub request_id: Option<String>,
    /// The response headers the SDK keeps ([`crate::http::RESPONSE_HEADERS_READ`]: retry hints
    /// and ids, never a secret), names in lower case.
    pub headers: Vec<(String, String)>,
    /// The wait the service asked for (`retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After`),
    /// at most [`crate::retry::MAX_RETRY_AFTER`]. When it is longer than `RetryOptions::max_delay`
    /// or the time left in the operation's budget the SDK does not wait: read it here.
    pub retry_after: Option<Duration>,
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
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {wait:?})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// One error shared by several callers (the outcome of one token refresh).
#[derive(Debug, Clone)]
pub struct SharedError(Arc<Error>);

impl SharedError {
    /// Shares an error.
    pub fn new(error: Error) -> Self {
        SharedError(Arc::new(error))
    }

    /// The shared error.
    pub fn get(&self) -> &Error {
        &self.0
    }

    /// A fresh `Error` for one more caller.
    pub fn to_error(&self) -> Error {
        match &*self.0 {
            Error::CredentialTimeout { timeout } => Error::CredentialTimeout { timeout: *timeout },
            Error::InvalidToken(message) => Error::InvalidToken(message.clone()),
            _ => Error::Credential(Box::new(self.clone())),
        }
    }
}

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            // Shown inside another `Error::Credential`: do not say "refresher failed" twice.
            Error::Credential(source) => fmt::Display::fmt(source, f),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl std::error::Error for SharedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
