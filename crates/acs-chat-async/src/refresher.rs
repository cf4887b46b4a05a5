//! The async shape of a token refresher, and how a refresh runs and is waited for.

use crate::CommunicationTokenCredential;
use acs_chat_core::{AccessToken, BoxError, CommunicationTokenCredentialOptions, Error, Result};
use futures_util::future::BoxFuture;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// An async token source: resolves to a fresh token and its expiry (a user's refresher parses
/// its token string; an Entra credential reports the expiry).
pub(crate) type Refresher = Box<dyn Fn() -> BoxFuture<'static, Result<AccessToken>> + Send + Sync>;

/// Runs one refresher call as its own task, so that it completes even when the caller that
/// started it is cancelled, and callers can stop waiting for a refresher that hangs. Without a
/// tokio runtime it runs in place.
/// After `delay`, asks the credential for its token (which refreshes it, being due), as a task
/// of the current runtime; nothing outside a runtime, or if the credential is gone by then.
pub(crate) fn refresh_later(delay: std::time::Duration, credential: crate::facade::WeakCredential) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            tokio::time::sleep(delay).await;
            if let Some(credential) = credential.upgrade() {
                let _ = credential.get_token().await;
            }
        });
    }
}

pub(crate) async fn spawn_refresh(
    refresher: Arc<Refresher>,
    done: impl FnOnce(Result<AccessToken>) + Send + 'static,
) {
    let refresh = async move {
        done(refresher().await);
    };
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(refresh);
        }
        Err(_) => refresh.await,
    }
}

/// Tells waiters which refresh finished last.
pub(crate) struct Signal(tokio::sync::watch::Sender<u64>);

impl Default for Signal {
    fn default() -> Self {
        Signal(tokio::sync::watch::Sender::new(0))
    }
}

impl Signal {
    pub(crate) fn notify(&self, flight: u64) {
        self.0.send_if_modified(|finished| {
            let newer = flight > *finished;
            *finished = (*finished).max(flight);
            newer
        });
    }

    /// Waits until refresh `flight` has finished; `false` when `timeout` passed first.
    pub(crate) async fn wait(&self, flight: u64, timeout: Duration) -> bool {
        let mut finished = self.0.subscribe();
        if *finished.borrow() >= flight {
            return true;
        }
        if tokio::runtime::Handle::try_current().is_err() {
            // No timer without a runtime; the refresh ran in place, so it is not coming.
            return false;
        }
        let done = finished.wait_for(|done| *done >= flight);
        let reached = matches!(tokio::time::timeout(timeout, done).await, Ok(Ok(_)));
        reached
    }
}

impl CommunicationTokenCredential {
    /// A credential with no token yet: its first use awaits `refresher`, and so does every use
    /// when the token is about to expire (like JavaScript's `tokenRefresher` without a
    /// `token`). Nothing is called before the first request.
    pub fn from_refresher<F, Fut>(
        refresher: F,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
    {
        Self::from_source(parsing(refresher), options)
    }

    /// A credential that awaits `refresher` for a new token when the current one is about to
    /// expire. Concurrent requests wait for one refresh: the refresher runs once, not per request
    /// (see the type's documentation). Needs a tokio runtime, like the rest of this crate.
    pub fn with_refresher<F, Fut>(
        token: &str,
        refresher: F,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Result<Self>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
    {
        Self::build(token, Some(parsing(refresher)), options)
    }
}

/// A user's refresher as the credential runs it: its token parsed, its failure a credential
/// error.
fn parsing<F, Fut>(refresher: F) -> Refresher
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
{
    Box::new(move || {
        let refreshed = refresher();
        Box::pin(async move { AccessToken::parse(&refreshed.await.map_err(Error::credential)?) })
    })
}
