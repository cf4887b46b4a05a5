//! The blocking shape of a token refresher, and how a refresh runs and is waited for.

use crate::CommunicationTokenCredential;
use acs_chat_core::{AccessToken, BoxError, CommunicationTokenCredentialOptions, Error, Result};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// A blocking token source: returns a fresh token and its expiry (a user's refresher parses its
/// token string; an Entra credential reports the expiry).
pub(crate) type Refresher = Box<dyn Fn() -> Result<AccessToken> + Send + Sync>;

/// Runs one refresher call on its own thread, so that callers can stop waiting for a refresher
/// that hangs (a blocking call cannot be cancelled).
/// After `delay`, asks the credential for its token (which refreshes it, being due), on a thread
/// of its own; nothing if the credential is gone by then.
pub(crate) fn refresh_later(delay: Duration, credential: crate::facade::WeakCredential) {
    let _ = std::thread::Builder::new()
        .name("acs-chat-proactive-refresh".into())
        .spawn(move || {
            std::thread::sleep(delay);
            if let Some(credential) = credential.upgrade() {
                let _ = credential.get_token();
            }
        });
}

pub(crate) fn spawn_refresh(
    refresher: Arc<Refresher>,
    done: impl FnOnce(Result<AccessToken>) + Send + 'static,
) {
    let done = Arc::new(Mutex::new(Some(done)));
    let on_thread = done.clone();
    let spawned = std::thread::Builder::new()
        .name("acs-chat-token-refresh".into())
        .spawn(move || {
            let outcome = refresher();
            if let Some(done) = take(&on_thread) {
                done(outcome);
            }
        });
    if let Err(e) = spawned {
        if let Some(done) = take(&done) {
            done(Err(Error::credential(e)));
        }
    }
}

fn take<T>(slot: &Mutex<Option<T>>) -> Option<T> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Tells waiters which refresh finished last.
#[derive(Default)]
pub(crate) struct Signal {
    finished: Mutex<u64>,
    changed: Condvar,
}

impl Signal {
    pub(crate) fn notify(&self, flight: u64) {
        let mut finished = self.finished.lock().unwrap_or_else(PoisonError::into_inner);
        *finished = (*finished).max(flight);
        self.changed.notify_all();
    }

    /// Waits until refresh `flight` has finished; `false` when `timeout` passed first.
    pub(crate) fn wait(&self, flight: u64, timeout: Duration) -> bool {
        let finished = self.finished.lock().unwrap_or_else(PoisonError::into_inner);
        let (finished, _) = self
            .changed
            .wait_timeout_while(finished, timeout, |done| *done < flight)
            .unwrap_or_else(PoisonError::into_inner);
        *finished >= flight
    }
}

impl CommunicationTokenCredential {
    /// A credential with no token yet: its first use calls `refresher`, and so does every use
    /// when the token is about to expire (like JavaScript's `tokenRefresher` without a
    /// `token`). Nothing is called before the first request.
    pub fn from_refresher<F>(
        refresher: F,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Self
    where
        F: Fn() -> Result<String, BoxError> + Send + Sync + 'static,
    {
        Self::from_source(parsing(refresher), options)
    }

    /// A credential that calls `refresher` for a new token when the current one is about to
    /// expire (one call however many threads are waiting; see the type's documentation).
    pub fn with_refresher<F>(
        token: &str,
        refresher: F,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Result<Self>
    where
        F: Fn() -> Result<String, BoxError> + Send + Sync + 'static,
    {
        Self::build(token, Some(parsing(refresher)), options)
    }
}

/// A user's refresher as the credential runs it: its token parsed, its failure a credential
/// error.
fn parsing<F>(refresher: F) -> Refresher
where
    F: Fn() -> Result<String, BoxError> + Send + Sync + 'static,
{
    Box::new(move || AccessToken::parse(&refresher().map_err(Error::credential)?))
}
