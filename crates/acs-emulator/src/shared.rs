//! What every handler shares: the service state, the limits, the keys and the event log.

use crate::config::Limits;
use crate::store::State;
use std::sync::{Mutex, MutexGuard};

pub(crate) struct App {
    state: Mutex<State>,
    pub(crate) limits: Limits,
    /// The resource access key (decoded) that identity requests are signed with.
    pub(crate) access_key: Vec<u8>,
    /// Signs the user tokens this emulator issues.
    pub(crate) token_secret: Vec<u8>,
    /// How long the tokens of the Entra token endpoint live.
    pub(crate) entra_token_lifetime: std::time::Duration,
    /// Tokens whose signature was already checked.
    pub(crate) verified_tokens: crate::tokens::VerifiedTokens,
    /// The resource id in user ids: `8:acs:<resource_id>_<uuid>`.
    pub(crate) resource_id: String,
    /// `scheme://host:port` of this emulator: the base of every link it returns (never the
    /// request's `Host` header, which a client controls).
    pub(crate) base_url: String,
    pub(crate) rate_limiter: crate::rate_limit::RateLimiter,
    pub(crate) events: std::sync::Arc<crate::events::EventLog>,
    /// Where writes are committed (`--data-dir`); `None` keeps everything in memory.
    pub(crate) store: Option<crate::persist::Store>,
    /// Signed-in console sessions.
    pub(crate) console: crate::console::Sessions,
    /// The webhook subscriptions, for the admin routes (set once at bind; the registry holds
    /// this state only weakly).
    pub(crate) subscriptions: std::sync::OnceLock<crate::events::Subscriptions>,
    /// Set when the server stops accepting: open-ended streams end.
    pub(crate) closing: tokio::sync::watch::Sender<bool>,
}

impl App {
    pub(crate) fn new(
        limits: Limits,
        access_key: Vec<u8>,
        base_url: String,
        max_events: usize,
        persisted: Option<(crate::persist::Store, crate::persist::Loaded)>,
    ) -> Self {
        let (state, token_secret, resource_id, store, events) = match persisted {
            Some((store, loaded)) => (
                loaded.state,
                loaded.token_secret,
                loaded.resource_id,
                Some(store),
                loaded.events,
            ),
            None => (
                State::default(),
                uuid::Uuid::new_v4().as_bytes().to_vec(),
                uuid::Uuid::new_v4().to_string(),
                None,
                Vec::new(),
            ),
        };
        let log = crate::events::EventLog::new(&resource_id, max_events, store.is_some());
        log.restore(
            events
                .iter()
                .map(|(index, event)| (*index, crate::events::Event::from_value(event)))
                .collect(),
        );
        App {
            state: Mutex::new(state),
            limits,
            access_key,
            token_secret,
            entra_token_lifetime: crate::entra::DEFAULT_TOKEN_LIFETIME,
            verified_tokens: Default::default(),
            events: std::sync::Arc::new(log),
            resource_id,
            base_url,
            rate_limiter: Default::default(),
            store,
            console: Default::default(),
            subscriptions: std::sync::OnceLock::new(),
            closing: tokio::sync::watch::Sender::new(false),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the whole emulator down with a poisoned lock.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
