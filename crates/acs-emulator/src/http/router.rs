//! Request intake and routing: reads the body within limits, picks the API by the first path
//! segment, logs, and renders replies.

use crate::api::rest::{ApiError, Reply, Req};
use crate::app::App;
use crate::delivery::Subscriptions;
use crate::domain::faults::{Fault, Outcome};
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use std::convert::Infallible;
use std::sync::Arc;

/// A response body of either kind: a whole page or an event stream (the console's live view).
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// How a request is answered.
pub(crate) enum Answer {
    Now(hyper::Response<Body>),
    /// After this long (a fault rule's late answer).
    Late(hyper::Response<Body>, std::time::Duration),
    /// Never: the connection is closed (a fault rule's dropped connection).
    Drop,
}

/// The REST API's front door: built once by the server, with the hub and the webhook registry
/// (which only the admin routes use).
pub(crate) struct Router {
    app: Arc<App>,
    subscriptions: Subscriptions,
    /// The CA certificate (PEM) served at `/emulator/ca.pem`; `None` for plain HTTP.
    ca_pem: Option<String>,
}

impl Router {
    pub(crate) fn new(app: Arc<App>, subscriptions: Subscriptions, ca_pem: Option<String>) -> Self {
        Router {
            app,
            subscriptions,
            ca_pem,
        }
    }

    pub(crate) fn app(&self) -> &Arc<App> {
        &self.app
    }

    pub(crate) fn subscriptions(&self) -> &Subscriptions {
        &self.subscriptions
    }

    /// Reads, routes, commits and renders one API request, with what the fault rules (if any)
    /// do to it: a delay first, then a refusal instead of handling it (429, 503, 500), or an
    /// answer that never comes (`Drop`) or comes late (`Late`) after handling it.
    pub(crate) async fn handle(&self, request: hyper::Request<Incoming>) -> Answer {
        let request_id = request.headers().get("x-ms-client-request-id").cloned();
        let req = match self.intake(request).await {
            Ok(req) => req,
            Err(reply) => return Answer::Now(render(reply, request_id).map(BodyExt::boxed)),
        };
        let outcome = if crate::api::is_service_path(&req.segments) {
            let path = req.target.split('?').next().unwrap_or_default();
            self.app.fault_outcome(req.method.as_str(), path)
        } else {
            Outcome::default()
        };
        if !outcome.delay.is_zero() {
            tokio::time::sleep(outcome.delay).await;
        }
        let reply = match outcome.fault {
            Some(Fault::Throttle) => ApiError::new(429, "TooManyRequests", "Rate limit exceeded.")
                .into_reply()
                .header("retry-after", outcome.retry_after_seconds.to_string()),
            Some(Fault::Unavailable) => {
                ApiError::new(503, "ServiceUnavailable", "The service is unavailable.").into_reply()
            }
            Some(Fault::InternalError) => ApiError::new(
                500,
                "InternalServerError",
                "The service encountered an internal error.",
            )
            .into_reply(),
            None | Some(Fault::Drop | Fault::Late) => self.dispatch(&req),
        };
        tracing::debug!(target: "acs_emulator", "{} -> {}", req.target, reply.status);
        let response = render(reply, request_id).map(BodyExt::boxed);
        match outcome.fault {
            Some(Fault::Drop) => Answer::Drop,
            Some(Fault::Late) => Answer::Late(response, outcome.late),
            _ => Answer::Now(response),
        }
    }

    /// Reads a request's body within the size limit and parses its target.
    pub(crate) async fn intake(&self, request: hyper::Request<Incoming>) -> Result<Req, Reply> {
        let (parts, body) = request.into_parts();
        let limit = self.app.limits.max_body_bytes;
        match read_body(body, limit).await {
            Ok(Some(bytes)) => Ok(Req::from_parts(parts, bytes, &self.app.base_url)),
            Ok(None) => Err(ApiError::new(
                413,
                "RequestEntityTooLarge",
                format!("The request body is larger than {limit} bytes."),
            )
            .into_reply()),
            Err(e) => Err(ApiError::bad_request(format!(
                "The request body could not be read: {e}"
            ))
            .into_reply()),
        }
    }

    /// Routes a parsed request to its API and commits what it changed (with a data dir).
    pub(crate) fn dispatch(&self, req: &Req) -> Reply {
        let reply = self.route(req);
        crate::api::commit::commit(&self.app, None, req, reply)
    }

    fn route(&self, req: &Req) -> Reply {
        let app = &*self.app;
        let (result, versions) = match req.segments.first().map(String::as_str) {
            Some("chat") => (
                Ok(crate::api::chat::handle(app, req)),
                Some(crate::api::chat::API_VERSIONS),
            ),
            Some(first @ ("identities" | "teamsUser")) => {
                let versions = if first == "teamsUser" {
                    crate::api::identity::TEAMS_API_VERSIONS
                } else {
                    crate::api::identity::API_VERSIONS
                };
                (
                    crate::api::identity::handle(app, req, versions),
                    Some(versions),
                )
            }
            Some(_) if crate::api::entra::is_authority_path(&req.segments) => {
                (Ok(crate::api::entra::handle(app, req)), None)
            }
            Some("health") if req.segments.len() == 1 => {
                (crate::http::health::health(app, req), None)
            }
            Some("emulator") if req.segments[1..] == ["ca.pem"] => (
                crate::http::health::ca_certificate(self.ca_pem.as_deref(), req),
                None,
            ),
            Some("emulator") => (
                crate::http::admin::handle(app, &self.subscriptions, req),
                None,
            ),
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
}

/// The answer to a request that was not read and handled within the request timeout; the
/// connection closes after it (the rest of the body is never read).
pub(crate) fn request_timed_out() -> hyper::Response<Body> {
    let reply = ApiError::new(
        408,
        "RequestTimeout",
        "The request was not received in time.".to_string(),
    )
    .into_reply()
    .header("connection", "close".to_string());
    render(reply, None).map(BodyExt::boxed)
}

/// A reply as a hyper response, with the service's correlation headers.
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
