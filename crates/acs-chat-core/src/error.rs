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

/// What broadly went wrong: the question most callers ask of an [`Error`] (see
/// [`Error::kind`]). It may grow: match it with a wildcard arm.
///
/// ```
/// use acs_chat_core::{Error, ErrorKind};
///
/// fn advice(error: &Error) -> &'static str {
///     match error.kind() {
///         ErrorKind::Authentication | ErrorKind::Credential => "get a new token",
///         ErrorKind::Forbidden => "the user is not a participant",
///         ErrorKind::NotFound => "no such thread or message",
///         ErrorKind::Throttled => "slow down",
///         ErrorKind::Connection | ErrorKind::Timeout => "check the network",
///         _ => "see the error",
///     }
/// }
/// # let _ = advice;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// HTTP 401: the token or signature was refused (expired, revoked, for another resource).
    Authentication,
    /// HTTP 403: authenticated, but not allowed (e.g. not a participant of the thread).
    Forbidden,
    /// HTTP 404: the thread, message or user does not exist.
    NotFound,
    /// HTTP 409 or 412: the request conflicts with the resource's state.
    Conflict,
    /// HTTP 429: too many requests; [`Error::retry_after`] says how long to wait.
    Throttled,
    /// Any other HTTP 4xx: the service refused the request as invalid.
    BadRequest,
    /// HTTP 5xx: the service failed.
    ServerError,
    /// No connection, or it broke: the request may or may not have reached the service
    /// ([`Error::is_retryable`] says whether sending it again is safe).
    Connection,
    /// No answer in time: an attempt's timeout, the operation's budget, HTTP 408.
    Timeout,
    /// The token credential could not produce a token (refresher failure or timeout, a
    /// malformed token).
    Credential,
    /// Something the caller gave was refused before anything was sent: an endpoint, a connection
    /// string, an argument, a continuation token.
    InvalidInput,
    /// The service answered with something this SDK cannot use (a body it cannot decode, one too
    /// large, a link that loops).
    InvalidResponse,
    /// The client's own configuration prevents sending: TLS set-up, or logging that would
    /// record a credential.
    Configuration,
}

impl ErrorKind {
    /// The kind of an HTTP error status.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            409 | 412 => ErrorKind::Conflict,
            429 => ErrorKind::Throttled,
            400..=499 => ErrorKind::BadRequest,
            500..=599 => ErrorKind::ServerError,
            _ => ErrorKind::InvalidResponse,
        }
    }
}

/// Why an access token was refused ([`Error::InvalidToken`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenProblem {
    /// It is not a JWT: three dot-separated parts.
    #[error("expected a JWT of three dot-separated parts")]
    NotAJwt,
    /// Its payload is not base64 or base64url.
    #[error("the payload is not base64 or base64url")]
    PayloadNotBase64,
    /// Its payload is not JSON.
    #[error("the payload is not JSON")]
    PayloadNotJson,
    /// Its payload has no `exp` claim.
    #[error("the payload has no `exp` claim")]
    NoExpiry,
    /// Its `exp` claim is not a number.
    #[error("the `exp` claim is not a number")]
    ExpiryNotANumber,
    /// Its `exp` claim is not a representable time.
    #[error("the `exp` claim is out of range")]
    ExpiryOutOfRange,
    /// It has expired, and no refresh produced a new one.
    #[error("the token has expired and no refresh succeeded")]
    Expired,
}

/// Why a connection string or access key was refused ([`Error::InvalidConnectionString`]).
/// Never quotes the string: it holds the access key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionStringProblem {
    /// Segment `n` (1-based) is not `key=value`.
    #[error("segment {0} is not of the form key=value")]
    NotKeyValue(usize),
    /// There is no `endpoint=`.
    #[error("`endpoint=` is missing")]
    MissingEndpoint,
    /// There is no `accesskey=`.
    #[error("`accesskey=` is missing")]
    MissingAccessKey,
    /// The access key is not base64.
    #[error("the access key is not valid base64")]
    AccessKeyNotBase64,
    /// The access key is empty.
    #[error("the access key is empty")]
    AccessKeyEmpty,
}

/// Every error this SDK returns.
///
/// Most callers need only [`Error::kind`], [`Error::status`] and [`Error::is_retryable`]; the
/// variants carry the details. `Display` describes this error only; the underlying cause, if
/// any, is its [`source`](std::error::Error::source) (so `anyhow` and `eyre` print each once).
///
/// ```no_run
/// use acs_chat_core::{Error, ErrorKind};
///
/// fn report(error: &Error) {
///     match error.kind() {
///         ErrorKind::Throttled => eprintln!("throttled; wait {:?}", error.retry_after()),
///         ErrorKind::NotFound => eprintln!("gone: {error}"),
///         _ if error.is_retryable() => eprintln!("safe to try again: {error}"),
///         _ => eprintln!("failed: {error} (MS-CV {:?})", error.as_service_error().and_then(|e| e.ms_cv.as_deref())),
///     }
/// }
/// # let _ = report;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with a status other than the operation's success status.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// The request could not be sent or its response not read.
    #[error("{operation}: transport error ({kind:?}) after {attempts} attempt(s)")]
    #[non_exhaustive]
    Transport {
        /// The SDK operation, e.g. `ChatClient.create_chat_thread`.
        operation: &'static str,
        /// What failed.
        kind: TransportErrorKind,
        /// How many attempts were made.
        attempts: u32,
        /// Whether sending the request again cannot act twice ([`Error::is_retryable`]).
        retryable: bool,
        /// The transport's own error.
        #[source]
        source: BoxError,
    },
    /// The service answered with the success status but a body this SDK cannot read.
    #[error("{operation}: cannot decode the {status} response body")]
    #[non_exhaustive]
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
    #[non_exhaustive]
    InvalidEndpoint {
        /// The endpoint as given (user info removed).
        endpoint: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A token or access key would travel over plain HTTP to a host that is not loopback.
    #[error("refusing to send credentials over plain http to `{host}`: use https (plain http is allowed only for loopback hosts such as a local emulator)")]
    #[non_exhaustive]
    InsecureEndpoint {
        /// The host of the endpoint.
        host: String,
    },
    /// A user access token is malformed (not a JWT with a numeric `exp`), or expired with no
    /// refresh to replace it.
    #[error("invalid access token: {problem}")]
    #[non_exhaustive]
    InvalidToken {
        /// What is wrong with it.
        problem: TokenProblem,
    },
    /// The token refresher (or another token source) failed. Callers that waited for the same
    /// refresh share this error.
    #[error("the token refresher failed")]
    #[non_exhaustive]
    Credential {
        /// The refresher's error.
        #[source]
        source: BoxError,
    },
    /// The token refresher did not answer within the refresh timeout, and the current token has
    /// expired.
    #[error("token refresher did not answer within {timeout:?}")]
    #[non_exhaustive]
    CredentialTimeout {
        /// The refresh timeout.
        timeout: Duration,
    },
    /// A response body was larger than the configured cap; it was not read further and the
    /// request was not retried.
    #[error("{operation}: the response body exceeds {limit} bytes")]
    #[non_exhaustive]
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
    #[non_exhaustive]
    Timeout {
        /// The SDK operation.
        operation: &'static str,
        /// The budget (`RetryOptions::max_total_elapsed`).
        budget: Duration,
        /// How many attempts were started.
        attempts: u32,
        /// Whether sending the request again cannot act twice ([`Error::is_retryable`]).
        retryable: bool,
    },
    /// A listing's next link or continuation token named a page already fetched: following it
    /// would loop forever, so the listing ends here.
    #[error("{operation}: the service returned a next link to a page already fetched; the listing stops")]
    #[non_exhaustive]
    RepeatedContinuationToken {
        /// The SDK operation.
        operation: &'static str,
    },
    /// A continuation token (from the caller) or next link (from the service) was refused before
    /// anything was sent: it does not resume this listing on this client's endpoint.
    #[error("{operation}: continuation token refused: {problem}")]
    #[non_exhaustive]
    InvalidContinuationToken {
        /// The SDK operation of the listing.
        operation: &'static str,
        /// What is wrong with it.
        problem: ContinuationTokenProblem,
    },
    /// Not sent, because logging that is switched on would record the credential: the blocking
    /// facade's HTTP library (ureq-proto) logs every byte it writes at `log` level TRACE under
    /// the target named here, and has no switch for it. See the blocking crate's "Logging"
    /// documentation and `ClientOptions::raw_wire_logging`.
    #[error("{operation}: not sent: the log target `{target}` is enabled at TRACE and would record the raw request, its credential included; filter it out (e.g. RUST_LOG=trace,ureq_proto=debug)")]
    #[non_exhaustive]
    SecretsWouldBeLogged {
        /// The SDK operation.
        operation: &'static str,
        /// The `log` target that records raw requests.
        target: &'static str,
    },
    /// A connection string or access key is malformed.
    #[error("invalid connection string: {problem}")]
    #[non_exhaustive]
    InvalidConnectionString {
        /// What is wrong with it.
        problem: ConnectionStringProblem,
    },
    /// An argument was rejected before any request was sent.
    #[error("{operation}: invalid argument: {message}")]
    #[non_exhaustive]
    InvalidArgument {
        /// The SDK operation.
        operation: &'static str,
        /// What is wrong (and which argument or field).
        message: String,
    },
    /// The service answered with the success status but without something the operation needs.
    #[error("{operation}: unexpected response: {message}")]
    #[non_exhaustive]
    UnexpectedResponse {
        /// The SDK operation.
        operation: &'static str,
        /// What was missing or wrong.
        message: String,
    },
    /// TLS configuration failed (e.g. a bad additional CA certificate).
    #[error("TLS configuration failed: {context}")]
    #[non_exhaustive]
    Tls {
        /// What was being configured.
        context: &'static str,
        /// The TLS library's error.
        #[source]
        source: BoxError,
    },
}

// Errors cross threads and tasks, and live in `anyhow::Error` / `Box<dyn Error + Send + Sync>`.
const _: () = {
    const fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<Error>();
};

impl Error {
    /// What broadly went wrong.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Service(e) => ErrorKind::from_status(e.status),
            Error::Transport { kind, .. } => match kind {
                TransportErrorKind::Timeout => ErrorKind::Timeout,
                _ => ErrorKind::Connection,
            },
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::InvalidToken { .. }
            | Error::Credential { .. }
            | Error::CredentialTimeout { .. } => ErrorKind::Credential,
            Error::InvalidEndpoint { .. }
            | Error::InsecureEndpoint { .. }
            | Error::InvalidConnectionString { .. }
            | Error::InvalidArgument { .. }
            | Error::InvalidContinuationToken { .. } => ErrorKind::InvalidInput,
            Error::Decode { .. }
            | Error::UnexpectedResponse { .. }
            | Error::ResponseTooLarge { .. }
            | Error::RepeatedContinuationToken { .. } => ErrorKind::InvalidResponse,
            Error::Tls { .. } | Error::SecretsWouldBeLogged { .. } => ErrorKind::Configuration,
        }
    }

    /// The HTTP status of the response the error came from, if there was one.
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

    /// Whether making the same call again later could succeed **and cannot act twice**:
    /// throttling (429, never processed), a failure before the request reached the service (a
    /// refused connection, a credential timeout), and, for operations that are safe to repeat
    /// (reads, deletes, updates, a thread create with its idempotency key), timeouts, transport
    /// failures and 408/5xx answers. A timed-out or failed `send_message` is *not* retryable: the
    /// message may have been stored (send it again with the same
    /// `SendMessageOptions::idempotency_key` to be safe).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.retryable,
            Error::Transport { retryable, .. } | Error::Timeout { retryable, .. } => *retryable,
            Error::CredentialTimeout { .. } => true,
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
}

/// Constructors for the facades (the variants are `#[non_exhaustive]`, so other crates cannot
/// write them). Not part of the API.
#[doc(hidden)]
impl Error {
    pub fn transport(
        operation: &'static str,
        kind: TransportErrorKind,
        attempts: u32,
        retryable: bool,
        source: BoxError,
    ) -> Self {
        Error::Transport {
            operation,
            kind,
            attempts,
            retryable,
            source,
        }
    }

    pub fn timeout(
        operation: &'static str,
        budget: Duration,
        attempts: u32,
        retryable: bool,
    ) -> Self {
        Error::Timeout {
            operation,
            budget,
            attempts,
            retryable,
        }
    }

    pub fn invalid_endpoint(endpoint: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidEndpoint {
            endpoint: endpoint.into(),
            reason: reason.into(),
        }
    }

    pub fn invalid_argument(operation: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            operation,
            message: message.into(),
        }
    }

    pub fn unexpected_response(operation: &'static str, message: impl Into<String>) -> Self {
        Error::UnexpectedResponse {
            operation,
            message: message.into(),
        }
    }

    pub fn response_too_large(operation: &'static str, limit: u64) -> Self {
        Error::ResponseTooLarge { operation, limit }
    }

    pub fn secrets_would_be_logged(operation: &'static str, target: &'static str) -> Self {
        Error::SecretsWouldBeLogged { operation, target }
    }

    pub fn credential(source: impl Into<BoxError>) -> Self {
        Error::Credential {
            source: source.into(),
        }
    }

    pub fn credential_timeout(timeout: Duration) -> Self {
        Error::CredentialTimeout { timeout }
    }

    pub fn tls(context: &'static str, source: impl Into<BoxError>) -> Self {
        Error::Tls {
            context,
            source: source.into(),
        }
    }

    pub fn invalid_token(problem: TokenProblem) -> Self {
        Error::InvalidToken { problem }
    }

    pub fn invalid_connection_string(problem: ConnectionStringProblem) -> Self {
        Error::InvalidConnectionString { problem }
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
    /// Every response header, names in lower case (responses carry no credential).
    pub headers: Vec<(String, String)>,
    /// The wait the service asked for (`retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After`),
    /// at most `u32::MAX` seconds. When it is longer than `RetryOptions::max_delay`
    /// or the time left in the operation's budget the SDK does not wait: read it here.
    pub retry_after: Option<Duration>,
    /// Whether sending the same request again cannot act twice ([`Error::is_retryable`]).
    pub(crate) retryable: bool,
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
            Error::InvalidToken { problem } => Error::InvalidToken { problem: *problem },
            _ => Error::credential(self.clone()),
        }
    }
}

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            // Shown as the source of another `Error::Credential`: stand for the refresher's own
            // error, not say "refresher failed" twice.
            Error::Credential { source } => fmt::Display::fmt(source, f),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl std::error::Error for SharedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            // This error already displays the refresher's error: its cause is that one's cause.
            Error::Credential { source } => source.source(),
            other => other.source(),
        }
    }
}
