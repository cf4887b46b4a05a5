//! A successful call's value together with its response's metadata.

use crate::http::Exchange;
use crate::method::ResponseMetadata;

/// What a `*_with_response` operation returns: the value the plain operation returns, and the
/// metadata of the response it came from — the status, the `MS-CV` correlation vector and the
/// request ids a support case asks for, and every response header.
///
/// ```no_run
/// # fn example(response: acs_chat_core::Response<acs_chat_core::SendChatMessageResult>) {
/// println!("MS-CV {:?}, request id {:?}", response.ms_cv(), response.request_id());
/// let sent = response.into_value();
/// # let _ = sent;
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a response holds the call's value"]
pub struct Response<T> {
    value: T,
    metadata: ResponseMetadata,
}

impl<T> Response<T> {
    /// The value (what the plain operation returns).
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, giving up the metadata.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The value and the metadata.
    pub fn into_parts(self) -> (T, ResponseMetadata) {
        (self.value, self.metadata)
    }

    /// The response's metadata.
    pub fn metadata(&self) -> &ResponseMetadata {
        &self.metadata
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.metadata.status
    }

    /// The `MS-CV` correlation vector: the first thing Microsoft support asks for.
    pub fn ms_cv(&self) -> Option<&str> {
        self.metadata.ms_cv.as_deref()
    }

    /// The service's `x-ms-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.metadata.request_id.as_deref()
    }

    /// The `x-ms-client-request-id` this call sent (the caller's or a generated one).
    pub fn client_request_id(&self) -> &str {
        &self.metadata.client_request_id
    }

    /// A response header by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.metadata.header(name)
    }

    /// The value transformed, the metadata kept.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            metadata: self.metadata,
        }
    }
}

/// For the facades: not part of the API.
#[doc(hidden)]
impl<T> Response<T> {
    pub fn new(value: T, metadata: ResponseMetadata) -> Self {
        Response { value, metadata }
    }
}

/// For the facades: not part of the API.
#[doc(hidden)]
impl ResponseMetadata {
    /// The metadata of an exchange's response.
    pub fn of(exchange: &Exchange) -> Self {
        ResponseMetadata {
            operation: exchange.operation,
            status: exchange.response.status,
            ms_cv: exchange.response.ms_cv(),
            request_id: exchange.response.request_id(),
            client_request_id: exchange.client_request_id.clone().unwrap_or_default(),
            attempts: exchange.attempts,
            headers: exchange.response.headers.clone(),
        }
    }
}
