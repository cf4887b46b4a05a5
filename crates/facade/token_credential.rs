//! `CommunicationTokenCredential`: a user access token, optionally refreshed, shared by clients.

use crate::rt::{self, maybe_async};
use acs_chat_core::credential::{needs_refresh, system_clock};
use acs_chat_core::{AccessToken, Clock, CommunicationTokenCredentialOptions, Result};
use std::fmt;
use std::sync::Arc;

/// A user access token for chat, cheap to clone and safe to share between clients and tasks.
///
/// Built from a token string with [`CommunicationTokenCredential::new`] (used until the service
/// rejects it), or with a refresher (`with_refresher`) that is called when fewer than 2 minutes
/// remain (10 minutes with `proactive_refresh`). Concurrent callers of an expiring credential wait
/// for one refresh: the refresher is called once, not once per caller.
#[derive(Clone)]
pub struct CommunicationTokenCredential {
    inner: Arc<Inner>,
}

struct Inner {
    // Held across the refresh: concurrent callers queue here and find the fresh token.
    current: rt::Mutex<AccessToken>,
    refresher: Option<rt::Refresher>,
    proactive: bool,
    clock: Clock,
}

impl fmt::Debug for CommunicationTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunicationTokenCredential")
            .field("token", &"<redacted>")
            .field("refreshes", &self.inner.refresher.is_some())
            .field("proactive_refresh", &self.inner.proactive)
            .finish()
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
        let options = options.unwrap_or_default();
        Ok(CommunicationTokenCredential {
            inner: Arc::new(Inner {
                current: rt::Mutex::new(AccessToken::parse(token)?),
                refresher,
                proactive: options.proactive_refresh,
                clock: options.clock.unwrap_or_else(system_clock),
            }),
        })
    }
}

#[maybe_async]
impl CommunicationTokenCredential {
    /// The current token, refreshed first if it is about to expire and a refresher was given.
    pub async fn get_token(&self) -> Result<AccessToken> {
        let mut current = self.inner.current.lock().await;
        if let Some(refresher) = &self.inner.refresher {
            if needs_refresh(&current, (self.inner.clock)(), self.inner.proactive) {
                let fresh = rt::refresh(refresher).await?;
                *current = AccessToken::parse(&fresh)?;
            }
        }
        Ok(current.clone())
    }
}
