//! User access tokens: parsing their expiry and deciding when to refresh.
//!
//! The credential type itself lives in the facades (its refresher is a blocking closure in one and
//! a future in the other); the rules it follows live here.

use crate::error::{Error, Result, TokenProblem};
use base64::Engine;
use std::fmt;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// A secret string (token or key) that never appears in `Debug` or `Display`. Cheap to clone:
/// every request reads the current token, and copying ~480 bytes each time showed in profiles.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(Arc::from(s.into()))
    }

    /// The secret itself: only for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// On the wire a secret is its string: identity responses carry issued tokens as JSON strings.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
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
    /// A token and its expiry as a credential source reports them (an Entra token from
    /// azure_identity, say), without parsing the token.
    pub fn new(token: impl Into<String>, expires_on: OffsetDateTime) -> Self {
        AccessToken {
            token: Secret::new(token),
            expires_on,
        }
    }

    /// Parses a JWT and reads its `exp` claim. The signature is not checked: the service does that.
    pub fn parse(token: &str) -> Result<Self> {
        let token = token.trim();
        let mut parts = token.split('.');
        let (_header, payload) = match (parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(_)) if !p.is_empty() => (h, p),
            _ => return Err(Error::invalid_token(TokenProblem::NotAJwt)),
        };
        let bytes = decode_base64_any(payload)
            .ok_or(Error::invalid_token(TokenProblem::PayloadNotBase64))?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| Error::invalid_token(TokenProblem::PayloadNotJson))?;
        let exp = claims
            .get("exp")
            .ok_or(Error::invalid_token(TokenProblem::NoExpiry))?
            .as_f64()
            .ok_or(Error::invalid_token(TokenProblem::ExpiryNotANumber))?;
        let expires_on = OffsetDateTime::from_unix_timestamp(exp as i64)
            .map_err(|_| Error::invalid_token(TokenProblem::ExpiryOutOfRange))?;
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

/// Options of one token request of a token credential (`credentials::TokenCredential`), like
/// azure_core's `TokenRequestOptions`: empty today, room for claims or a tenant later. Made with
/// `Default`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenRequestOptions {}

/// The Microsoft Entra ID scope of Azure Communication Services: what an Entra credential is asked
/// for when it authenticates `CommunicationIdentityClient` (the double slash is the service's: the
/// resource `https://communication.azure.com/` plus `/.default`).
pub const ENTRA_ID_SCOPE: &str = "https://communication.azure.com//.default";

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

/// How long callers wait for one refresher call by default.
pub const DEFAULT_REFRESH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// After a failed refresh, no new refresh starts for this long (doubled per failure, up to
/// [`MAX_REFRESH_BACKOFF`]); callers with an expired token get the failure meanwhile.
pub const FIRST_REFRESH_BACKOFF: std::time::Duration = std::time::Duration::from_secs(1);
/// The longest pause between failed refreshes.
pub const MAX_REFRESH_BACKOFF: std::time::Duration = std::time::Duration::from_secs(30);

/// What a caller of `get_token` should do next.
#[derive(Debug)]
pub enum RefreshPlan {
    /// Use this token.
    Use(AccessToken),
    /// Start refresh number `flight` (call the refresher, then [`RefreshState::finish`]) and wait
    /// for it like the others.
    Start {
        /// The refresh to start.
        flight: u64,
    },
    /// Wait until refresh `flight` finishes, then plan again.
    Wait {
        /// The refresh to wait for.
        flight: u64,
    },
    /// The last refresh failed, the token has expired, and the next refresh is not due yet.
    Fail(Error),
}

/// The single-flight refresh state of one credential: at most one refresher call runs; callers
/// whose token is still valid keep using it meanwhile; callers that need the new token share the
/// outcome of that one call, failures included; after a failure the next call backs off.
#[derive(Debug)]
pub struct RefreshState {
    current: AccessToken,
    running: Option<u64>,
    started: u64,
    failures: u32,
    last_error: Option<crate::error::SharedError>,
    next_attempt: Option<std::time::Instant>,
}

impl RefreshState {
    /// The state of a credential holding `token`.
    pub fn new(token: AccessToken) -> Self {
        RefreshState {
            current: token,
            running: None,
            started: 0,
            failures: 0,
            last_error: None,
            next_attempt: None,
        }
    }

    /// The token held now.
    pub fn current(&self) -> &AccessToken {
        &self.current
    }

    /// Decides what a caller does. `leader_of` is the refresh this caller started, if any: its
    /// starter waits for it even while the old token is valid, as the Python SDK's does.
    pub fn plan(
        &mut self,
        now: OffsetDateTime,
        instant: std::time::Instant,
        proactive: bool,
        leader_of: Option<u64>,
    ) -> RefreshPlan {
        if !needs_refresh(&self.current, now, proactive) {
            return RefreshPlan::Use(self.current.clone());
        }
        let valid = self.current.expires_on > now;
        if let Some(flight) = self.running {
            return if valid && leader_of != Some(flight) {
                RefreshPlan::Use(self.current.clone())
            } else {
                RefreshPlan::Wait { flight }
            };
        }
        if leader_of.is_some() || self.next_attempt.is_some_and(|at| instant < at) {
            // Our own refresh just failed, or the last one did and the next is not due.
            return match (valid, &self.last_error) {
                (true, _) => RefreshPlan::Use(self.current.clone()),
                (false, Some(error)) => RefreshPlan::Fail(error.to_error()),
                (false, None) => RefreshPlan::Fail(Error::invalid_token(TokenProblem::Expired)),
            };
        }
        self.started += 1;
        self.running = Some(self.started);
        RefreshPlan::Start {
            flight: self.started,
        }
    }

    /// Records the outcome of refresh `flight`. A late success of a refresh already given up on
    /// is still kept when its token lasts longer than the one held.
    pub fn finish(
        &mut self,
        flight: u64,
        outcome: Result<AccessToken>,
        instant: std::time::Instant,
    ) {
        let current_flight = self.running == Some(flight);
        match outcome {
            Ok(token) => {
                if current_flight || token.expires_on > self.current.expires_on {
                    self.current = token;
                    self.failures = 0;
                    self.last_error = None;
                    self.next_attempt = None;
                }
            }
            Err(error) if current_flight => {
                self.failures = self.failures.saturating_add(1);
                let pause = FIRST_REFRESH_BACKOFF
                    .saturating_mul(1u32 << (self.failures - 1).min(16))
                    .min(MAX_REFRESH_BACKOFF);
                self.next_attempt = Some(instant + pause);
                self.last_error = Some(crate::error::SharedError::new(error));
            }
            Err(_) => {}
        }
        if current_flight {
            self.running = None;
        }
    }
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
            assert!(matches!(err, Error::InvalidToken { .. }));
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
