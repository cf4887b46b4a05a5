//! Request intake: reads the body within limits, routes, logs, and renders replies.

use crate::config::Limits;
use crate::http_util::{ApiError, Reply, Req};
use crate::store::State;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use percent_encoding::percent_decode_str;
use std::sync::{Mutex, MutexGuard};

pub(crate) struct App {
    state: Mutex<State>,
    pub(crate) limits: Limits,
    /// The resource access key (decoded) that identity requests are signed with.
    pub(crate) access_key: Vec<u8>,
    /// Signs the user tokens this emulator issues.
    pub(crate) token_secret: Vec<u8>,
    /// The resource id in user ids: `8:acs:<resource_id>_<uuid>`.
    pub(crate) resource_id: String,
    pub(crate) scheme: &'static str,
    pub(crate) rate_limiter: crate::rate_limit::RateLimiter,
    pub(crate) events: std::sync::Arc<crate::events::EventLog>,
}

impl App {
    pub(crate) fn new(limits: Limits, access_key: Vec<u8>, scheme: &'static str) -> Self {
        let resource_id = uuid::Uuid::new_v4().to_string();
        App {
            state: Mutex::new(State::default()),
            limits,
            access_key,
            token_secret: uuid::Uuid::new_v4().as_bytes().to_vec(),
            events: std::sync::Arc::new(crate::events::EventLog::new(&resource_id)),
            resource_id,
            scheme,
            rate_limiter: Default::default(),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the whole emulator down with a poisoned lock.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) async fn handle(
        &self,
        request: hyper::Request<Incoming>,
    ) -> hyper::Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let request_id = parts.headers.get("x-ms-client-request-id").cloned();
        let target = parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let reply = match read_body(body, self.limits.max_body_bytes).await {
            Ok(Some(bytes)) => {
                let req = self.read(parts, target.clone(), bytes);
                self.route(&req)
            }
            Ok(None) => ApiError::new(
                413,
                "RequestEntityTooLarge",
                format!(
                    "The request body is larger than {} bytes.",
                    self.limits.max_body_bytes
                ),
            )
            .into_reply(),
            Err(e) => ApiError::bad_request(format!("The request body could not be read: {e}"))
                .into_reply(),
        };
        tracing::info!(target: "acs_emulator", "{} -> {}", target, reply.status);
        let mut response = hyper::Response::builder().status(reply.status);
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

    fn read(&self, parts: hyper::http::request::Parts, target: String, body: Bytes) -> Req {
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let segments = parts
            .uri
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        let query = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(pair), String::new()),
            })
            .collect();
        let host = parts
            .headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "127.0.0.1".into());
        Req {
            method: parts.method,
            target,
            segments,
            query,
            headers: parts.headers,
            body,
            base_url: format!("{}://{host}", self.scheme),
        }
    }

    /// `GET /emulator/events[?since=N]`: the Event Grid events emitted so far (no auth: a local
    /// inspection endpoint, not part of ACS).
    fn admin(&self, req: &Req) -> crate::http_util::Result<Reply> {
        match (
            req.method.as_str(),
            req.segments.get(1).map(String::as_str),
            req.segments.len(),
        ) {
            ("GET", Some("events"), 2) => {
                let since = req.query("since").and_then(|s| s.parse().ok()).unwrap_or(0);
                Ok(Reply::json(200, &self.events.since(since)))
            }
            _ => Err(ApiError::not_found(format!(
                "No route for {} {}.",
                req.method, req.target
            ))),
        }
    }

    fn route(&self, req: &Req) -> Reply {
        let result = match req.segments.first().map(String::as_str) {
            Some("chat") => crate::chat::handle(self, req),
            Some("identities") => crate::identity::handle(self, req),
            Some("emulator") => self.admin(req),
            _ => Err(ApiError::not_found(format!(
                "No route for {} {}.",
                req.method, req.target
            ))),
        };
        result.unwrap_or_else(ApiError::into_reply)
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
