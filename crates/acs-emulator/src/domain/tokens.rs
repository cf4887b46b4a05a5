//! User access tokens: JWTs shaped like real ACS tokens, signed (HS256) by the emulator. The
//! signing and checking here also serve the emulator's Entra tokens (`entra.rs`).

use crate::wire::{AccessToken, TokenScope};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};

/// `2023-10-10T21:39:39.3244584+00:00`, the service's format.
fn expires_on_text(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}+00:00",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 100
    )
}

/// A user access token for `user_id` of resource `resource_id`, signed with `secret`, that
/// lives `life` from now; `generation` is the user's revocation count (revoking tokens bumps it).
pub(crate) fn user_token(
    secret: &[u8],
    resource_id: &str,
    user_id: &str,
    generation: u64,
    scopes: &[TokenScope],
    life: Duration,
) -> AccessToken {
    let now = OffsetDateTime::now_utc();
    let expires = now + life;
    let claims = Claims {
        skypeid: user_id.trim_start_matches("8:").to_string(),
        scp: 1792,
        csi: now.unix_timestamp().to_string(),
        exp: expires.unix_timestamp(),
        rgn: "emulator".into(),
        acs_scope: scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(","),
        resource_id: resource_id.to_string(),
        resource_location: "emulator".into(),
        iat: now.unix_timestamp(),
        generation,
        pad: String::new(),
    };
    AccessToken {
        token: mint(&claims, secret),
        expires_on: expires_on_text(expires.replace_nanosecond(0).unwrap_or(expires)),
    }
}

/// The claims of an emulator token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Claims {
    pub(crate) skypeid: String,
    pub(crate) scp: u32,
    pub(crate) csi: String,
    pub(crate) exp: i64,
    pub(crate) rgn: String,
    pub(crate) acs_scope: String,
    pub(crate) resource_id: String,
    pub(crate) resource_location: String,
    pub(crate) iat: i64,
    /// The user's token generation when issued: revoking tokens bumps it.
    #[serde(rename = "gen")]
    pub(crate) generation: u64,
    /// Filler that keeps `-` and `_` out of the payload segment (see `mint`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) pad: String,
}

impl Claims {
    /// The user id these claims belong to.
    pub(crate) fn user_id(&self) -> String {
        format!("8:{}", self.skypeid)
    }

    /// The scopes granted.
    pub(crate) fn scopes(&self) -> impl Iterator<Item = &str> {
        self.acs_scope.split(',').map(str::trim)
    }
}

const HEADER: &str = r#"{"alg":"HS256","kid":"acs-emulator","typ":"JWT"}"#;

/// Signs claims. The official Python SDK decodes the payload with *standard* base64 and silently
/// drops `-` and `_`, so the payload segment is re-made with growing filler until it has neither.
pub(crate) fn mint(claims: &Claims, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(HEADER);
    let mut claims = claims.clone();
    let mut payload = String::new();
    for filler in 0..64 {
        claims.pad = "x".repeat(filler);
        payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
        if !payload.contains(['-', '_']) {
            break;
        }
    }
    signed(&header, &payload, secret)
}

/// `header.payload.signature` for base64url segments.
pub(crate) fn signed(header: &str, payload: &str, secret: &[u8]) -> String {
    let signing_input = format!("{header}.{payload}");
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(sign(secret, &signing_input))
    )
}

/// HMAC-SHA256 of `input` under `secret`.
pub(crate) fn sign(secret: &[u8], input: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Checks the signature (constant time) and decodes the claims; `None` for anything forged or
/// malformed. Expiry and revocation are the caller's to check.
pub(crate) fn verify<T: serde::de::DeserializeOwned>(token: &str, secret: &[u8]) -> Option<T> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (_, payload) = signing_input.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Tokens whose signature was checked, with their claims. A client sends one token on every
/// request, and checking it (base64, HMAC-SHA256, JSON) was about 5 % of the emulator's CPU per
/// send. Only the signature check is remembered: expiry and revocation are looked at on every
/// request by the caller.
#[derive(Default)]
pub(crate) struct VerifiedTokens {
    seen: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Claims>>>,
}

impl VerifiedTokens {
    /// Tokens remembered at most; past that the memory starts over.
    const CAPACITY: usize = 4096;

    /// `verify`, remembering tokens that pass.
    pub(crate) fn verify(&self, token: &str, secret: &[u8]) -> Option<std::sync::Arc<Claims>> {
        let lock = || {
            self.seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(claims) = lock().get(token) {
            return Some(claims.clone());
        }
        let claims = std::sync::Arc::new(verify::<Claims>(token, secret)?);
        let mut seen = lock();
        if seen.len() >= Self::CAPACITY {
            seen.clear();
        }
        seen.insert(token.to_string(), claims.clone());
        Some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(i: usize) -> Claims {
        Claims {
            skypeid: format!("acs:res_{i:08}-aaaa-bbbb-cccc-dddddddddddd"),
            scp: 1792,
            csi: "1700000000".into(),
            exp: 1_700_000_000 + i as i64,
            rgn: "emulator".into(),
            acs_scope: "chat,voip".into(),
            resource_id: "res".into(),
            resource_location: "emulator".into(),
            iat: 1_700_000_000,
            generation: 0,
            pad: String::new(),
        }
    }

    #[test]
    fn payloads_never_hold_base64url_only_characters_and_verify() {
        for i in 0..300 {
            let token = mint(&claims(i), b"secret");
            let payload = token.split('.').nth(1).unwrap();
            assert!(!payload.contains(['-', '_']), "{payload}");
            let back: Claims = verify(&token, b"secret").unwrap();
            assert_eq!(back.exp, claims(i).exp);
            assert!(verify::<Claims>(&token, b"other").is_none());
        }
        let token = mint(&claims(1), b"secret");
        let forged = token.replacen('.', ".e", 1);
        assert!(verify::<Claims>(&forged, b"secret").is_none());
    }

    #[test]
    fn remembered_tokens_are_only_those_that_verify() {
        let verified = VerifiedTokens::default();
        let token = mint(&claims(1), b"secret");
        let forged = token.replacen('.', ".e", 1);
        for _ in 0..3 {
            assert_eq!(
                verified.verify(&token, b"secret").as_deref(),
                Some(&claims(1))
            );
            assert!(verified.verify(&forged, b"secret").is_none());
        }
        assert_eq!(verified.seen.lock().unwrap().len(), 1);
        for i in 0..VerifiedTokens::CAPACITY + 10 {
            let token = mint(&claims(i), b"secret");
            assert_eq!(
                verified.verify(&token, b"secret").unwrap().exp,
                claims(i).exp
            );
        }
        assert!(verified.seen.lock().unwrap().len() <= VerifiedTokens::CAPACITY);
    }
}
