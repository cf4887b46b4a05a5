//! Turning an [`Exchange`] into a value or a typed error.

use crate::endpoint::PageLink;
use crate::error::{Error, Result, ServiceError};
use crate::http::Exchange;
use crate::method::ResponseMetadata;
use crate::models::{Collection, CommunicationErrorResponse};
use crate::paging::Page;
use crate::response::Response;
use serde::de::DeserializeOwned;

/// Checks the status and returns the exchange, or the service error it carries.
pub fn check_status(exchange: Exchange) -> Result<Exchange> {
    if exchange.response.status == exchange.expected_status {
        Ok(exchange)
    } else {
        Err(service_error(&exchange))
    }
}

/// Decodes a JSON success body.
pub fn decode_json<T: DeserializeOwned>(exchange: Exchange) -> Result<T> {
    parse_body(check_status(exchange)?)
}

/// The JSON body of an exchange whose status was checked.
fn parse_body<T: DeserializeOwned>(exchange: Exchange) -> Result<T> {
    serde_json::from_slice(&exchange.response.body).map_err(|source| Error::Decode {
        operation: exchange.operation,
        status: exchange.response.status,
        source: Box::new(source),
    })
}

/// Decodes a success without a body.
pub fn decode_empty(exchange: Exchange) -> Result<()> {
    check_status(exchange).map(|_| ())
}

/// [`decode_json`], with the response's metadata.
pub fn decode_json_response<T: DeserializeOwned>(exchange: Exchange) -> Result<Response<T>> {
    let exchange = check_status(exchange)?;
    let metadata = ResponseMetadata::of(&exchange);
    parse_body(exchange).map(|value| Response::new(value, metadata))
}

/// [`decode_empty`], with the response's metadata.
pub fn decode_empty_response(exchange: Exchange) -> Result<Response<()>> {
    let exchange = check_status(exchange)?;
    Ok(Response::new((), ResponseMetadata::of(&exchange)))
}

/// Decodes the page `link` asked for; its `nextLink` becomes an absolute continuation token
/// through [`PageLink::follow`] (the same listing, on the same endpoint, or an error).
pub fn decode_page<T: DeserializeOwned>(exchange: Exchange, link: &PageLink) -> Result<Page<T>> {
    let exchange = check_status(exchange)?;
    let metadata = ResponseMetadata::of(&exchange);
    let collection: Collection<T> = parse_body(exchange)?;
    let continuation_token = match collection.next_link.as_deref().map(str::trim) {
        Some(next) if !next.is_empty() => Some(link.follow(next)?.url().to_string()),
        _ => None,
    };
    Ok(Page {
        items: collection.value,
        continuation_token,
        metadata: Some(metadata),
    })
}

/// Builds the error for a non-success status: the ACS error body when there is one, the raw text
/// otherwise (an HTML page from a gateway, an empty body).
pub fn service_error(exchange: &Exchange) -> Error {
    let response = &exchange.response;
    let parsed = CommunicationErrorResponse::parse(&response.body);
    let mut error = ServiceError {
        operation: exchange.operation,
        status: response.status,
        code: None,
        message: None,
        target: None,
        details: Vec::new(),
        inner_error: None,
        raw_body: None,
        attempts: exchange.attempts,
        client_request_id: exchange.client_request_id.clone(),
        ms_cv: response.ms_cv(),
        request_id: response.request_id(),
        headers: response.headers.clone(),
        retry_after: crate::retry::retry_after(response, std::time::SystemTime::now()),
        retryable: crate::retry::caller_may_resend_after_status(exchange.replay, response.status),
    };
    match parsed {
        Some(e) => {
            error.code = Some(e.code).filter(|c| !c.is_empty());
            error.message = Some(e.message).filter(|m| !m.is_empty());
            error.target = e.target;
            error.details = e.details;
            error.inner_error = e.inner_error.map(|b| *b);
        }
        None => {
            let text = String::from_utf8_lossy(&response.body).into_owned();
            error.raw_body = Some(text);
        }
    }
    Error::Service(Box::new(error))
}
