//! User access tokens: parsing their expiry and deciding when to refresh.
//!
//! The credential type itself lives in the facades (its refresher is a blocking closure in one and
//! a future in the other); the rules it follows live here.

use crate::error::{Error, Result};
use base64::Engine;
use std::fmt;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// A secret string (token or key) that never appears in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself: only for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A user access token and its expiry (the JWT's `exp`).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The token.
    pub token: Secret,
    /// When it expires.
    pub expires_on: OffsetDateTime,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

impl AccessToken {
    /// Parses a JWT and reads its `exp` claim. The signature is not checked: the service does that.
    pub fn parse(token: &str) -> Result<Self> {
        let token = token.trim();
        let mut parts = token.split('.');
        let (_header, payload) = match (parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(_)) if !p.is_empty() => (h, p),
            _ => {
                return Err(Error::InvalidToken(
                    "expected a JWT of three dot-separated parts".into(),
                ))
            }
        };
        let bytes = decode_base64_any(payload)
            .ok_or_else(|| Error::InvalidToken("the payload is not base64 or base64url".into()))?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| Error::InvalidToken("the payload is not JSON".into()))?;
        let exp = claims
            .get("exp")
            .ok_or_else(|| Error::InvalidToken("the payload has no `exp` claim".into()))?
            .as_f64()
            .ok_or_else(|| Error::InvalidToken("the `exp` claim is not a number".into()))?;
        let expires_on = OffsetDateTime::from_unix_timestamp(exp as i64)
            .map_err(|_| Error::InvalidToken("the `exp` claim is out of range".into()))?;
        Ok(AccessToken {
            token: Secret::new(token),
            expires_on,
        })
    }
}

fn decode_base64_any(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let trimmed = s.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD_NO_PAD.decode(trimmed))
        .ok()
}

/// A source of "now", injectable for tests.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}

/// With a refresher, a token is refreshed on use when fewer than this many minutes remain.
pub const ON_DEMAND_REFRESH_MINUTES: i64 = 2;
/// With proactive refresh, a token is refreshed on use when fewer than this many minutes remain.
pub const PROACTIVE_REFRESH_MINUTES: i64 = 10;

/// Whether a token must be refreshed before use.
pub fn needs_refresh(token: &AccessToken, now: OffsetDateTime, proactive: bool) -> bool {
    let window = if proactive {
        PROACTIVE_REFRESH_MINUTES
    } else {
        ON_DEMAND_REFRESH_MINUTES
    };
    token.expires_on - now < Duration::minutes(window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn jwt(payload: &str, engine: &impl Engine) -> String {
        format!("eyJhbGciOiJub25lIn0.{}.sig", engine.encode(payload))
    }

    #[test]
    fn reads_exp_in_both_alphabets() {
        let t =
            AccessToken::parse(&jwt(r#"{"exp":1700000000,"n":"??>>"}"#, &URL_SAFE_NO_PAD)).unwrap();
        assert_eq!(t.expires_on.unix_timestamp(), 1_700_000_000);
        let t = AccessToken::parse(&jwt(r#"{"exp":1700000001,"n":"??>>"}"#, &STANDARD)).unwrap();
        assert_eq!(t.expires_on.unix_timestamp(), 1_700_000_001);
    }

    #[test]
    fn malformed_tokens_are_typed_errors_without_the_token() {
        let cases = [
            ("", "three"),
            ("abc", "three"),
            ("a.b", "three"),
            ("a.!!!.c", "base64"),
            (&jwt("not json", &URL_SAFE_NO_PAD), "JSON"),
            (&jwt(r#"{"iat":1}"#, &URL_SAFE_NO_PAD), "no `exp`"),
            (&jwt(r#"{"exp":"soon"}"#, &URL_SAFE_NO_PAD), "not a number"),
        ];
        for (token, want) in cases {
            let err = AccessToken::parse(token).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::InvalidToken(_)));
            assert!(text.contains(want), "{text}");
            if token.len() > 5 {
                assert!(!text.contains(token));
            }
        }
    }

    #[test]
    fn debug_hides_the_token() {
        let token = jwt(r#"{"exp":1700000000}"#, &URL_SAFE_NO_PAD);
        let parsed = AccessToken::parse(&token).unwrap();
        assert!(!format!("{parsed:?}").contains(&token));
    }

    #[test]
    fn refresh_windows() {
        let now = OffsetDateTime::from_unix_timestamp(1_000_000).unwrap();
        let at = |mins: i64| AccessToken {
            token: Secret::new("t"),
            expires_on: now + Duration::minutes(mins),
        };
        assert!(!needs_refresh(&at(5), now, false));
        assert!(needs_refresh(&at(1), now, false));
        assert!(needs_refresh(&at(5), now, true));
        assert!(!needs_refresh(&at(11), now, true));
    }
}
