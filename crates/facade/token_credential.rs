//! `CommunicationTokenCredential`: a user access token, optionally refreshed, shared by clients.

use crate::rt::{self, maybe_async};
use acs_chat_core::clock::system_clock;
use acs_chat_core::credential::{
    RefreshPlan, RefreshState, DEFAULT_REFRESH_TIMEOUT, PROACTIVE_REFRESH_MINUTES,
};
use acs_chat_core::{AccessToken, Clock, CommunicationTokenCredentialOptions, Error, Result};
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

/// A user access token for chat, cheap to clone and safe to share between clients and tasks.
///
/// Built from a token string with [`CommunicationTokenCredential::new`] (used until the service
/// rejects it), or with a refresher (`with_refresher`, `from_refresher`) that is called when
/// fewer than 2 minutes remain. With `proactive_refresh` it is also called in the background
/// when 10 minutes remain (like the Python SDK's), so a request seldom waits for a token. At most one refresher call runs at a time:
/// callers whose token is still valid keep using it meanwhile, and callers that need the new token
/// wait for that one call (at most `refresh_timeout`, default 30 s) and share its outcome, failure
/// included. After a failure the next refresh waits 1 s, doubling up to 30 s.
#[derive(Clone)]
pub struct CommunicationTokenCredential {
    inner: Arc<Inner>,
}

struct Inner {
    // Never held across a wait or a refresher call.
    state: Mutex<RefreshState>,
    refreshed: rt::Signal,
    refresher: Option<Arc<rt::Refresher>>,
    proactive: bool,
    clock: Clock,
    refresh_timeout: Duration,
    /// With `proactive`: the expiry (Unix seconds) of the token a background refresh is
    /// scheduled for, so that each token gets one.
    scheduled_for: AtomicI64,
}

/// A credential that does not keep it alive: what a scheduled background refresh holds.
pub(crate) struct WeakCredential(Weak<Inner>);

impl WeakCredential {
    /// The credential, if a client or a clone still holds it.
    pub(crate) fn upgrade(&self) -> Option<CommunicationTokenCredential> {
        self.0
            .upgrade()
            .map(|inner| CommunicationTokenCredential { inner })
    }
}

impl fmt::Debug for CommunicationTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunicationTokenCredential")
            .field("token", &"<redacted>")
            .field("refreshes", &self.inner.refresher.is_some())
            .field("proactive_refresh", &self.inner.proactive)
            .field("refresh_timeout", &self.inner.refresh_timeout)
            .finish()
    }
}

/// The token the identity service issued (`create_user_and_token`, `get_token`), never
/// refreshed; its expiry is the service's `expires_on`, so nothing is parsed.
impl From<acs_chat_core::models::CommunicationIdentityAccessToken>
    for CommunicationTokenCredential
{
    fn from(token: acs_chat_core::models::CommunicationIdentityAccessToken) -> Self {
        let token = AccessToken {
            token: token.token,
            expires_on: token.expires_on,
        };
        Self::starting_with(token, None, None)
    }
}

impl CommunicationTokenCredential {
    /// A credential for a token string (a JWT with an `exp` claim), never refreshed.
    pub fn new(token: &str) -> Result<Self> {
        Self::build(token, None, None)
    }

    pub(crate) fn build(
        token: &str,
        refresher: Option<rt::Refresher>,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Result<Self> {
        Ok(Self::starting_with(
            AccessToken::parse(token)?,
            refresher,
            options,
        ))
    }

    /// A credential that has no token yet: its first use asks `source`. The identity client
    /// keeps its Entra token in one, for the same single-flight refresh.
    pub(crate) fn from_source(
        source: rt::Refresher,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Self {
        let none_yet = AccessToken::new("", time::OffsetDateTime::UNIX_EPOCH);
        Self::starting_with(none_yet, Some(source), options)
    }

    fn starting_with(
        token: AccessToken,
        refresher: Option<rt::Refresher>,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Self {
        let options = options.unwrap_or_default();
        CommunicationTokenCredential {
            inner: Arc::new(Inner {
                state: Mutex::new(RefreshState::new(token)),
                refreshed: rt::Signal::default(),
                refresher: refresher.map(Arc::new),
                proactive: options.proactive_refresh,
                clock: options.clock.unwrap_or_else(system_clock),
                refresh_timeout: options.refresh_timeout.unwrap_or(DEFAULT_REFRESH_TIMEOUT),
                scheduled_for: AtomicI64::new(i64::MIN),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, RefreshState> {
        // A panic elsewhere cannot leave the state half-written: every update is one assignment.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// With proactive refresh, schedules (once per token) a background refresh for when `token`
    /// has `PROACTIVE_REFRESH_MINUTES` left by the credential's clock.
    fn refresh_ahead(&self, token: &AccessToken) {
        if !self.inner.proactive || self.inner.refresher.is_none() {
            return;
        }
        let expiry = token.expires_on.unix_timestamp();
        if self.inner.scheduled_for.swap(expiry, Ordering::AcqRel) == expiry {
            return;
        }
        let due = token.expires_on
            - time::Duration::minutes(PROACTIVE_REFRESH_MINUTES)
            - (self.inner.clock)();
        let delay = Duration::try_from(due).unwrap_or(Duration::ZERO);
        rt::refresh_later(delay, WeakCredential(Arc::downgrade(&self.inner)));
    }

    fn finish(&self, flight: u64, outcome: Result<AccessToken>) {
        self.state().finish(flight, outcome, Instant::now());
        self.inner.refreshed.notify(flight);
    }
}

#[maybe_async]
impl CommunicationTokenCredential {
    /// The current token, refreshed first if it is about to expire and a refresher was given.
    pub async fn get_token(&self) -> Result<AccessToken> {
        self.get_token_within(self.inner.refresh_timeout).await
    }

    /// [`get_token`](Self::get_token), waiting for a refresh at most `budget` (less than the
    /// refresh timeout when the operation has less time left).
    pub(crate) async fn get_token_within(&self, budget: Duration) -> Result<AccessToken> {
        let Some(refresher) = &self.inner.refresher else {
            return Ok(self.state().current().clone());
        };
        let deadline = Instant::now() + budget.min(self.inner.refresh_timeout);
        let mut leader_of = None;
        loop {
            let plan = self.state().plan(
                (self.inner.clock)(),
                Instant::now(),
                self.inner.proactive,
                leader_of,
            );
            let flight = match plan {
                RefreshPlan::Use(token) => {
                    self.refresh_ahead(&token);
                    return Ok(token);
                }
                RefreshPlan::Fail(error) => return Err(error),
                RefreshPlan::Start { flight } => {
                    leader_of = Some(flight);
                    let this = self.clone();
                    rt::spawn_refresh(refresher.clone(), move |outcome| {
                        this.finish(flight, outcome)
                    })
                    .await;
                    flight
                }
                RefreshPlan::Wait { flight } => flight,
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if self.inner.refreshed.wait(flight, left).await {
                continue;
            }
            let timeout = self.inner.refresh_timeout;
            if budget < timeout {
                // This operation's budget ran out, not the refresh's: others may still get it.
                let state = self.state();
                return if state.current().expires_on > (self.inner.clock)() {
                    Ok(state.current().clone())
                } else {
                    Err(Error::credential_timeout(budget))
                };
            }
            // The refresh is overdue: give up on it for every caller (a late answer is kept).
            self.state().finish(
                flight,
                Err(Error::credential_timeout(timeout)),
                Instant::now(),
            );
            self.inner.refreshed.notify(flight);
            leader_of = Some(flight);
        }
    }
}
