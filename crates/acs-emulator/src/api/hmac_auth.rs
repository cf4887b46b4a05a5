//! HMAC-SHA256 authentication of identity requests: `verify` against the request-target as
//! received, and `sign` for the console's own in-process calls. Both use the SDK core's string to
//! sign and content hash (the one thing the emulator takes from the SDK), so that the SDK's signer
//! and this verifier cannot drift apart.

use crate::api::rest::{ApiError, Req, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, SystemTime};

/// How far `x-ms-date` may be from the emulator's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The headers that sign a request to `target` (path and query) on `host` with the access key
/// `key`, dated `now`: `x-ms-date`, `x-ms-content-sha256` and `authorization`.
pub(crate) fn sign(
    method: &str,
    target: &str,
    host: &str,
    body: &[u8],
    key: &[u8],
    now: SystemTime,
) -> [(&'static str, String); 3] {
    let date = httpdate::fmt_http_date(now);
    let hash = acs_chat_core::auth::content_hash(body);
    let string_to_sign = acs_chat_core::auth::string_to_sign(method, target, &date, host, &hash);
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    let authorization = format!(
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
    );
    [
        ("x-ms-date", date),
        ("x-ms-content-sha256", hash),
        ("authorization", authorization),
    ]
}

pub(crate) fn verify(req: &Req, key: &[u8]) -> Result<()> {
    let fail = |why: &str| {
        Err(ApiError::unauthorized(format!(
            "HMAC authentication failed: {why}"
        )))
    };
    let Some(auth) = req.header("authorization") else {
        return fail("no Authorization header");
    };
    let Some(params) = auth.strip_prefix("HMAC-SHA256 ") else {
        return fail("the Authorization scheme is not HMAC-SHA256");
    };
    let mut signed_headers = None;
    let mut signature = None;
    for part in params.trim().split('&') {
        match part.split_once('=') {
            Some(("SignedHeaders", v)) => signed_headers = Some(v.to_ascii_lowercase()),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    if signed_headers.as_deref() != Some("x-ms-date;host;x-ms-content-sha256") {
        return fail("SignedHeaders must be x-ms-date;host;x-ms-content-sha256");
    }
    let Some(signature) = signature.and_then(|s| STANDARD.decode(s).ok()) else {
        return fail("no valid Signature");
    };
    let Some(date) = req.header("x-ms-date").or_else(|| req.header("date")) else {
        return fail("no x-ms-date header");
    };
    let Ok(sent) = httpdate::parse_http_date(date) else {
        return fail("x-ms-date is not an HTTP date");
    };
    let now = SystemTime::now();
    let skew = now
        .duration_since(sent)
        .or_else(|_| sent.duration_since(now))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return fail("x-ms-date is more than 15 minutes from the server's clock");
    }
    let hash = acs_chat_core::auth::content_hash(&req.body);
    if req.header("x-ms-content-sha256") != Some(hash.as_str()) {
        return fail("x-ms-content-sha256 does not match the body");
    }
    let Some(host) = req.header("host") else {
        return fail("no Host header");
    };
    // Clients sign the target as they send it (percent-encoded or not): try it as received first.
    let decoded = percent_encoding::percent_decode_str(&req.target)
        .decode_utf8_lossy()
        .into_owned();
    for target in [req.target.as_str(), decoded.as_str()] {
        let string_to_sign =
            acs_chat_core::auth::string_to_sign(req.method.as_str(), target, date, host, &hash);
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(string_to_sign.as_bytes());
        if mac.verify_slice(&signature).is_ok() {
            return Ok(());
        }
    }
    fail("the signature does not match")
}
