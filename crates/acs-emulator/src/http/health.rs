//! The emulator's own unauthenticated routes for scripts and CI: `GET /health` (answered only
//! by a serving emulator: status, version, uptime, whether the data dir is writable; no secret)
//! and `GET /emulator/ca.pem` (the CA certificate to trust, public by nature), for clients that
//! start before they can read the cert dir.

use crate::api::rest::{ApiError, Reply, Req, Result};
use crate::app::App;

/// `GET /health`: `{"status": "healthy", "version", "uptimeSeconds", "connectionsAccepted",
/// "dataDir": {"writable"} | null}`; 503 `{"status": "degraded", ...}` when the data dir cannot
/// be written.
pub(crate) fn health(app: &App, req: &Req) -> Result<Reply> {
    only_get(req)?;
    let writable = app.store.as_ref().map(|store| store.dir_writable());
    let healthy = writable != Some(false);
    let body = serde_json::json!({
        "status": if healthy { "healthy" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": app.started.elapsed().as_secs(),
        "connectionsAccepted": app
            .connections_accepted
            .load(std::sync::atomic::Ordering::Relaxed),
        "dataDir": writable.map(|writable| serde_json::json!({ "writable": writable })),
    });
    Ok(Reply::json(if healthy { 200 } else { 503 }, &body))
}

/// `GET /emulator/ca.pem`: the CA certificate (PEM); 404 when serving plain HTTP.
pub(crate) fn ca_certificate(ca_pem: Option<&str>, req: &Req) -> Result<Reply> {
    only_get(req)?;
    let pem = ca_pem.ok_or_else(|| {
        ApiError::not_found("This emulator serves plain HTTP: it has no CA certificate.")
    })?;
    Ok(Reply {
        status: 200,
        headers: vec![("content-type", "application/x-pem-file".into())],
        body: bytes::Bytes::from(pem.to_string()),
        changes: Vec::new(),
    })
}

fn only_get(req: &Req) -> Result<()> {
    if req.method == hyper::Method::GET {
        Ok(())
    } else {
        Err(ApiError::new(
            405,
            "MethodNotAllowed",
            "Only GET is allowed here.",
        ))
    }
}
