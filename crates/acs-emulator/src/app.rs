//! The hub every handler shares: the service state, the limits, the keys, the event log and the
//! store. It sits below everything that uses it and holds nothing from above: the console's
//! sessions belong to the server, the webhook registry to the router and the delivery tasks.

use crate::domain::faults::{FaultRules, Outcome, Random};
use crate::domain::state::State;
use crate::domain::Limits;
use crate::events::EventLog;
use crate::persist::Store;
use std::sync::{Arc, Mutex, MutexGuard};

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
    pub(crate) verified_tokens: crate::domain::tokens::VerifiedTokens,
    /// The resource id in user ids: `8:acs:<resource_id>_<uuid>`.
    pub(crate) resource_id: String,
    /// `scheme://host:port` of this emulator: the base of every link it returns (never the
    /// request's `Host` header, which a client controls).
    pub(crate) base_url: String,
    pub(crate) rate_limiter: crate::domain::rate_limit::RateLimiter,
    pub(crate) events: Arc<EventLog>,
    /// Where writes are committed (`--data-dir`); `None` keeps everything in memory.
    pub(crate) store: Option<Arc<Store>>,
    /// Set when the server stops accepting: open-ended streams end.
    pub(crate) closing: tokio::sync::watch::Sender<bool>,
    /// When it started (`GET /health`'s uptime).
    pub(crate) started: std::time::Instant,
    /// TCP connections accepted since the start (`GET /health`): how many connections a client
    /// or a test suite opened.
    pub(crate) connections_accepted: std::sync::atomic::AtomicU64,
    /// The fault rules in force, with the random source their choices draw from.
    faults: Mutex<(FaultRules, Random, Vec<u64>)>,
}

/// What the server decides at start, for [`App::new`].
pub(crate) struct Settings {
    pub(crate) limits: Limits,
    pub(crate) access_key: Vec<u8>,
    pub(crate) base_url: String,
    pub(crate) max_events: usize,
    pub(crate) entra_token_lifetime: std::time::Duration,
}

impl App {
    pub(crate) fn new(
        settings: Settings,
        persisted: Option<(Store, crate::persist::Loaded)>,
    ) -> Self {
        let (state, token_secret, resource_id, store, events) = match persisted {
            Some((store, loaded)) => (
                loaded.state,
                loaded.token_secret,
                loaded.resource_id,
                Some(Arc::new(store)),
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
        let log = EventLog::new(&resource_id, settings.max_events, store.is_some());
        log.restore(
            events
                .iter()
                .map(|(index, event)| (*index, crate::events::Event::from_value(event)))
                .collect(),
        );
        App {
            state: Mutex::new(state),
            limits: settings.limits,
            access_key: settings.access_key,
            token_secret,
            entra_token_lifetime: settings.entra_token_lifetime,
            verified_tokens: Default::default(),
            events: Arc::new(log),
            resource_id,
            base_url: settings.base_url,
            rate_limiter: Default::default(),
            store,
            closing: tokio::sync::watch::Sender::new(false),
            started: std::time::Instant::now(),
            connections_accepted: std::sync::atomic::AtomicU64::new(0),
            faults: Mutex::new((FaultRules::default(), Random::new(0), Vec::new())),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the whole emulator down with a poisoned lock.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A user access token of this emulator (see [`crate::domain::tokens::user_token`]).
    pub(crate) fn user_token(
        &self,
        user_id: &str,
        generation: u64,
        scopes: &[crate::wire::TokenScope],
        life: time::Duration,
    ) -> crate::wire::AccessToken {
        crate::domain::tokens::user_token(
            &self.token_secret,
            &self.resource_id,
            user_id,
            generation,
            scopes,
            life,
        )
    }

    /// The fault rules in force.
    pub(crate) fn faults(&self) -> FaultRules {
        self.lock_faults().0.clone()
    }

    /// Replaces the fault rules (checked by the caller); their `seed`, or a random one, restarts
    /// the random choices, and the `times` counts start again.
    pub(crate) fn set_faults(&self, rules: FaultRules) {
        let seed = rules
            .seed
            .unwrap_or_else(|| uuid::Uuid::new_v4().as_u64_pair().0);
        let used = vec![0; rules.rules.len()];
        *self.lock_faults() = (rules, Random::new(seed), used);
    }

    /// What the fault rules do to `method path` (nothing without rules).
    pub(crate) fn fault_outcome(&self, method: &str, path: &str) -> Outcome {
        let mut faults = self.lock_faults();
        let (rules, random, used) = &mut *faults;
        if rules.rules.is_empty() {
            return Outcome::default();
        }
        rules.decide(method, path, used, || random.next_f64())
    }

    fn lock_faults(&self) -> MutexGuard<'_, (FaultRules, Random, Vec<u64>)> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
