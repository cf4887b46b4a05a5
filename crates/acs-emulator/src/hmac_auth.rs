//! HMAC-SHA256 verification of identity requests, against the request-target as received. The
//! string to sign and the content hash are the SDK core's, so that signer and verifier cannot
//! drift apart.

use crate::http_util::{ApiError, Req, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, SystemTime};

/// How far `x-ms-date` may be from the emulator's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

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
