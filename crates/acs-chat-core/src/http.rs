//! Neutral HTTP request and response values exchanged between core and the facades.

use crate::endpoint::EndpointUrl;

/// HTTP methods the ACS REST API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Whether a request may be sent again when it is unknown whether an attempt took effect (a
/// timeout, a connection lost after the request was written, a 5xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Sending it twice acts like sending it once: GET, DELETE, PATCH, a create with a
    /// `repeatability-request-id`, adding participants, typing notifications, read receipts.
    Safe,
    /// A second send may act twice (a message without an idempotency key, a new identity). Only
    /// retried where azure-core retries a POST: 500, 503, 504, or a retryable status with
    /// `Retry-After`; never after a transport failure past connecting.
    Unsafe,
    /// A second send may act twice, but the caller can look up whether the first attempt took
    /// effect before sending again (a message send with an idempotency key).
    Reconcile,
}

/// A request built by core, sent by a facade's transport. Its `Debug` shows the body's length,
/// not the body: a body can carry a credential (the Teams user's Entra token of
/// `get_token_for_teams_user`).
#[derive(Clone)]
pub struct HttpRequest {
    /// The SDK operation, for error messages.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL, path segments already percent-encoded. An [`EndpointUrl`]: only the
    /// endpoint can make one, so a request never names another host.
    pub url: EndpointUrl,
    /// Header names in lower case. Authorization is added by the pipeline, per attempt.
    pub headers: Vec<(String, String)>,
    /// The body bytes, if any (reference-counted: retries and transports share them).
    pub body: Option<bytes::Bytes>,
    /// The status that means success for this operation.
    pub expected_status: u16,
    /// Whether the request may be repeated after an ambiguous failure.
    pub replay: Replay,
}

/// Headers whose values `HttpRequest`'s `Debug` shows: the ones the SDK sets that carry no
/// secret. Every other value (`authorization`, `x-ms-content-sha256`, whatever a caller adds
/// through `ClientMethodOptions::headers`) shows as `<redacted>`.
const HEADERS_SHOWN: &[&str] = &[
    "accept",
    "content-type",
    "user-agent",
    "x-ms-date",
    "x-ms-client-request-id",
    "repeatability-request-id",
];

/// Header names with their values where [`HEADERS_SHOWN`] allows, for `Debug`.
struct RedactedHeaders<'a>(&'a [(String, String)]);

impl std::fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, value)| {
                let shown = HEADERS_SHOWN.contains(&name.to_ascii_lowercase().as_str());
                (
                    name.as_str(),
                    if shown { value.as_str() } else { "<redacted>" },
                )
            }))
            .finish()
    }
}

/// Shows header names, and values only of the SDK's own non-secret headers: a signed request
/// carries its HMAC signature and content hash, and callers' extra headers may carry secrets.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_bytes", &self.body.as_ref().map(bytes::Bytes::len))
            .field("expected_status", &self.expected_status)
            .field("replay", &self.replay)
            .finish()
    }
}

impl HttpRequest {
    pub(crate) fn new(
        operation: &'static str,
        method: Method,
        url: EndpointUrl,
        expected_status: u16,
    ) -> Self {
        HttpRequest {
            operation,
            method,
            url,
            headers: {
                // Room for what requests add (content type, repeatability id and date).
                let mut headers = Vec::with_capacity(4);
                headers.push(("accept".into(), "application/json".into()));
                headers
            },
            body: None,
            expected_status,
            replay: match method {
                Method::Post => Replay::Unsafe,
                Method::Get | Method::Delete | Method::Patch => Replay::Safe,
            },
        }
    }

    pub(crate) fn replay(mut self, replay: Replay) -> Self {
        self.replay = replay;
        self
    }

    pub(crate) fn json_body(
        mut self,
        content_type: &str,
        body: &impl serde::Serialize,
    ) -> crate::error::Result<Self> {
        // Every map key is a string, so only a value can fail: a timestamp outside 0000..=9999.
        let bytes = serde_json::to_vec(body).map_err(|e| {
            crate::error::Error::invalid_argument(
                self.operation,
                format!("cannot serialize the body: {e}"),
            )
        })?;
        self.headers
            .push(("content-type".into(), content_type.into()));
        self.body = Some(bytes.into());
        Ok(self)
    }

    /// Sets a header, replacing any header of the same name.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_ascii_lowercase(), value.into()));
    }

    /// The value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// The `Host` a request to `url` (an absolute http(s) URL, such as an
/// [`EndpointUrl`]'s text) carries: the host, lowercase, and the port unless it is the scheme's
/// default. The HMAC signature covers exactly this value, and a transport that sets `Host` itself
/// must send the same one. `None` for a URL that [`Endpoint::parse`](crate::Endpoint::parse)
/// would refuse for its scheme or authority (another scheme, a non-ASCII or malformed host, a
/// bad port): no request URL this crate makes is one.
pub fn host_header(url: &str) -> Option<String> {
    crate::endpoint::host_header(url)
}

/// Response headers as [`HttpResponse::headers`] holds them: all of them, names in lower case,
/// values as text. (Responses carry no credential; logs show only the status and ids.)
pub fn response_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| {
            let (name, value) = header_pair(name, value);
            (name.to_ascii_lowercase(), value)
        })
        .collect()
}

/// A response read by a facade's transport, decoded by core.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// Response headers, names in lower case (all of them: they are the response metadata
    /// callers read).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The `MS-CV` correlation vector, as owned text (for errors and response metadata).
    pub fn ms_cv(&self) -> Option<String> {
        self.header("ms-cv").map(str::to_string)
    }

    /// The service's `x-ms-request-id`, as owned text.
    pub fn request_id(&self) -> Option<String> {
        self.header("x-ms-request-id").map(str::to_string)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A fresh random id (UUID v4 form) for `x-ms-client-request-id` and `repeatability-request-id`.
/// Drawn from a per-thread generator seeded once: unique, not secret, and without a `getrandom`
/// system call per request.
pub fn new_request_id() -> String {
    uuid_v4(fastrand::u128(..).to_le_bytes())
}

/// Random bytes as an RFC 4122 version 4 UUID: the version nibble set to 4 and the variant bits
/// to `10`, written lowercase and hyphenated (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`), as
/// `uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()` writes it.
fn uuid_v4(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut id = String::with_capacity(36);
    for (i, b) in bytes.into_iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    id
}

/// A response header as core stores it: the name (already lower case from the `http` crate) and
/// the value as text, lossily when it is not UTF-8. Transports call this for every header.
pub fn header_pair(name: &str, value: &[u8]) -> (String, String) {
    let value = match std::str::from_utf8(value) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(value).into_owned(),
    };
    (name.to_owned(), value)
}

/// Why a transport could not produce a response.
#[derive(Debug)]
pub enum SendError {
    /// Connecting, writing or reading failed.
    Transport(crate::error::TransportErrorKind, crate::error::BoxError),
    /// The response body exceeded this many bytes (a success body; error bodies are truncated).
    TooLarge(u64),
    /// Not sent: the transport's own logging at this `log` target is enabled and would record
    /// the request's raw bytes, its credential included.
    SecretsWouldBeLogged(&'static str),
}

/// What the pipeline hands to a decoder: the response plus what it needs for error context.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The SDK operation.
    pub operation: &'static str,
    /// The success status of the operation.
    pub expected_status: u16,
    /// The response of the last attempt.
    pub response: HttpResponse,
    /// How many attempts were made.
    pub attempts: u32,
    /// The `x-ms-client-request-id` sent.
    pub client_request_id: Option<String>,
    /// Whether the request was safe to send again (decides `Error::is_retryable`).
    pub replay: Replay,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, by hand.
    fn is_uuid_v4(s: &str) -> bool {
        let hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
        s.len() == 36
            && s.bytes().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                14 => c == b'4',
                19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
                _ => hex(c),
            })
    }

    #[test]
    fn request_ids_are_uuid_v4() {
        let (a, b) = (new_request_id(), new_request_id());
        assert!(is_uuid_v4(&a), "{a}");
        assert!(is_uuid_v4(&b), "{b}");
        assert_ne!(a, b);
        for _ in 0..1000 {
            let id = new_request_id();
            assert!(is_uuid_v4(&id), "{id}");
        }
        // The bytes in order, version and variant set, as the `uuid` crate wrote them.
        let bytes: [u8; 16] = std::array::from_fn(|i| u8::try_from(i).unwrap_or_default());
        assert_eq!(uuid_v4(bytes), "00010203-0405-4607-8809-0a0b0c0d0e0f");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert!(!is_uuid_v4("00000000-0000-4000-c000-000000000000"));
        assert!(!is_uuid_v4("00000000-0000-5000-8000-000000000000"));
        assert!(!is_uuid_v4("00000000-0000-4000-8000-00000000000A"));
    }

    #[test]
    fn host_header_is_host_and_port_unless_the_default() {
        for (url, host) in [
            (
                "https://contoso.communication.azure.com/chat",
                Some("contoso.communication.azure.com"),
            ),
            ("https://Contoso.Example:443/chat", Some("contoso.example")),
            (
                "https://127.0.0.1:8443/chat/threads?api-version=1",
                Some("127.0.0.1:8443"),
            ),
            ("http://localhost:80/", Some("localhost")),
            ("http://localhost:443/", Some("localhost:443")),
            ("https://[::1]:9000/x", Some("[::1]:9000")),
            ("https://[0::1]/x", Some("[::1]")),
            ("https://h.example/@evil.example", Some("h.example")),
            ("https://ÄÖ.example/x", None),
            ("ftp://h.example/", None),
            ("/chat/threads", None),
        ] {
            assert_eq!(host_header(url).as_deref(), host, "{url}");
        }
    }
}
