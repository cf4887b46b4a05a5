//! Request intake and routing: reads the body within limits, picks the API by the first path
//! segment, logs, and renders replies.

use crate::http_util::{ApiError, Reply, Req};
use crate::shared::App;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use percent_encoding::percent_decode_str;
use std::sync::Arc;

pub(crate) async fn handle(
    app: &Arc<App>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let request_id = request.headers().get("x-ms-client-request-id").cloned();
    let target = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let reply = match intake(app, request).await {
        Ok(req) => dispatch(app, &req).await,
        Err(reply) => reply,
    };
    tracing::debug!(target: "acs_emulator", "{} -> {}", target, reply.status);
    render(reply, request_id)
}

/// Reads a request's body within the size limit and parses its target.
pub(crate) async fn intake(app: &App, request: hyper::Request<Incoming>) -> Result<Req, Reply> {
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    match read_body(body, app.limits.max_body_bytes).await {
        Ok(Some(bytes)) => Ok(read(app, parts, target, bytes)),
        Ok(None) => Err(ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!(
                "The request body is larger than {} bytes.",
                app.limits.max_body_bytes
            ),
        )
        .into_reply()),
        Err(e) => Err(
            ApiError::bad_request(format!("The request body could not be read: {e}")).into_reply(),
        ),
    }
}

/// Routes a parsed request to its API and commits what it changed (with a data dir).
pub(crate) async fn dispatch(app: &Arc<App>, req: &Req) -> Reply {
    let reply = route(app, req);
    commit(app, req, reply).await
}

/// A reply as a hyper response.
/// The answer to a request that was not read and handled within the request timeout; the
/// connection closes after it (the rest of the body is never read).
pub(crate) fn request_timed_out() -> hyper::Response<crate::console::Body> {
    let reply = ApiError::new(
        408,
        "RequestTimeout",
        "The request was not received in time.".to_string(),
    )
    .into_reply()
    .header("connection", "close".to_string());
    render(reply, None).map(BodyExt::boxed)
}

pub(crate) fn render(
    reply: Reply,
    request_id: Option<hyper::header::HeaderValue>,
) -> hyper::Response<Full<Bytes>> {
    // Every answer of the service carries a correlation vector (`MS-CV`) and a request id, what
    // Microsoft support asks for; the emulator makes them per response, the same shapes.
    let mut response = hyper::Response::builder()
        .status(reply.status)
        .header("ms-cv", correlation_vector())
        .header("x-ms-request-id", uuid::Uuid::new_v4().to_string());
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    if let Some(id) = request_id {
        response = response.header("x-ms-client-request-id", id);
    }
    response.body(Full::new(reply.body)).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::new()));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// A fresh correlation vector as the service writes it: 16 random bytes in base64 without
/// padding, then `.0` (e.g. `LhO9zEyxU0WHZKT/gqsSKg.0`).
fn correlation_vector() -> String {
    use base64::Engine;
    let base =
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
    format!("{base}.0")
}

pub(crate) fn read(
    app: &App,
    parts: hyper::http::request::Parts,
    target: String,
    body: Bytes,
) -> Req {
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let segments = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    let query = crate::http_util::decode_pairs(parts.uri.query().unwrap_or(""), false);
    Req {
        method: parts.method,
        target,
        segments,
        query,
        headers: parts.headers,
        body,
        base_url: app.base_url.clone(),
    }
}

/// With `--data-dir`, a successful write is committed before its reply goes out; if that fails
/// the client is told (500) rather than shown a success that a restart would undo.
async fn commit(app: &Arc<App>, req: &Req, reply: Reply) -> Reply {
    let Some(store) = &app.store else {
        return reply;
    };
    if reply.changes.is_empty() || !(200..300).contains(&reply.status) {
        return reply;
    }
    match store.commit(app, &reply.changes) {
        Ok(()) => {
            app.events.mark_deliverable(store.events_committed());
            reply
        }
        Err(e) => {
            tracing::error!("could not commit {} {}: {e}", req.method, req.target);
            ApiError::new(500, "InternalError", "The change could not be stored.").into_reply()
        }
    }
}

fn route(app: &App, req: &Req) -> Reply {
    let (result, versions) = match req.segments.first().map(String::as_str) {
        Some("chat") => (
            crate::chat::handle(app, req),
            Some(crate::chat::API_VERSIONS),
        ),
        Some(first @ ("identities" | "teamsUser")) => {
            let versions = if first == "teamsUser" {
                crate::identity::TEAMS_API_VERSIONS
            } else {
                crate::identity::API_VERSIONS
            };
            (crate::identity::handle(app, req, versions), Some(versions))
        }
        Some(_) if crate::entra::is_authority_path(&req.segments) => {
            (Ok(crate::entra::handle(app, req)), None)
        }
        Some("emulator") => (crate::admin::handle(app, req), None),
        _ => (
            Err(ApiError::not_found(format!(
                "No route for {} {}.",
                req.method, req.target
            ))),
            None,
        ),
    };
    let reply = result.unwrap_or_else(ApiError::into_reply);
    match versions {
        // As the service does: which api-versions this API answers.
        Some(versions) => reply.header("api-supported-versions", versions.join(", ")),
        None => reply,
    }
}

/// Reads the body; `None` when it is over `limit`. An oversized body is still drained (up to a
/// bound) so the client, which may still be writing, gets the 413 instead of a reset connection.
async fn read_body(mut body: Incoming, limit: usize) -> Result<Option<Bytes>, hyper::Error> {
    let drain_bound = limit.saturating_mul(16).max(64 * 1024 * 1024);
    let mut collected = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            seen += data.len();
            if seen <= limit {
                collected.extend_from_slice(&data);
            } else if seen > drain_bound {
                break;
            }
        }
    }
    Ok((seen <= limit).then(|| Bytes::from(collected)))
}
