//! The emulator's webhook subscriptions: added from the command line, the builder, the
//! library API or `PUT /emulator/subscriptions/{name}`; listed, replaced and deleted at run
//! time; each delivered by its own task (`worker`) the way Event Grid delivers.

use super::webhook_client::WebhookClient;
use super::worker::{Status, Worker};
use crate::events::dead_letter::DeadLetters;
use crate::events::policy::{Clock, Jitter};
use crate::events::subscription::EventSubscription;
use crate::events::target::Target;
use crate::events::EventLog;
use crate::persist::Store;
use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

/// A subscription being delivered.
struct Running {
    subscription: EventSubscription,
    /// Added at run time (kept in a data dir), not from the command line.
    kept: bool,
    status: Arc<Status>,
    stop: tokio::sync::watch::Sender<bool>,
}

/// What [`Subscriptions::put`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Put {
    Created,
    Replaced,
    Unchanged,
}

/// The subscriptions and what delivers them. Cheap to clone (one registry). It and its tasks
/// hold the event log they deliver from and the store they record in, not the hub: the router
/// hands the registry to the admin routes, so nothing below points back up to it.
#[derive(Clone)]
pub(crate) struct Subscriptions {
    shared: Arc<Shared>,
}

struct Shared {
    events: Arc<EventLog>,
    store: Option<Arc<Store>>,
    client: Arc<WebhookClient>,
    runtime: tokio::runtime::Handle,
    clock: Clock,
    seed: Option<u64>,
    dead_letters: Arc<DeadLetters>,
    running: Mutex<BTreeMap<String, Running>>,
}

impl Subscriptions {
    /// Call from within the emulator's runtime. `seed` fixes the retry jitter (tests).
    pub(crate) fn new(
        events: &Arc<EventLog>,
        store: Option<&Arc<Store>>,
        ca_pems: &[String],
        retry_scale: f64,
        seed: Option<u64>,
    ) -> io::Result<Self> {
        let dead_letters = Arc::new(DeadLetters::default());
        if let Some(store) = store {
            for (subscription, doc) in store.dead_letters()? {
                dead_letters.push(&subscription, doc);
            }
        }
        let subscriptions = Subscriptions {
            shared: Arc::new(Shared {
                events: events.clone(),
                store: store.cloned(),
                client: Arc::new(WebhookClient::new(ca_pems)?),
                runtime: tokio::runtime::Handle::current(),
                clock: Clock { scale: retry_scale },
                seed,
                dead_letters,
                running: Mutex::new(BTreeMap::new()),
            }),
        };
        Ok(subscriptions)
    }

    /// The event log they deliver from.
    pub(crate) fn events(&self) -> &Arc<EventLog> {
        &self.shared.events
    }

    /// The store they record delivery in (with a data dir).
    pub(crate) fn store(&self) -> Option<&Arc<Store>> {
        self.shared.store.as_ref()
    }

    fn running(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Running>> {
        self.shared
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds or replaces a subscription. The same subscription again changes nothing; another
    /// one under a taken name replaces it (keeping its queue when the endpoint and schema stay,
    /// starting over with a new handshake otherwise). `kept`: added at run time, so a data dir
    /// keeps it.
    pub(crate) fn put(&self, subscription: EventSubscription, kept: bool) -> io::Result<Put> {
        subscription
            .check()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let target = Target::parse(&subscription.endpoint_url)?;
        let store = self.store();
        let name = subscription.effective_name();
        let mut running = self.running();
        let put = match running.get(&name) {
            Some(old) if old.subscription == subscription => return Ok(Put::Unchanged),
            Some(old) => {
                let _ = old.stop.send(true);
                let same_place = old.subscription.endpoint_url == subscription.endpoint_url
                    && old.subscription.schema == subscription.schema;
                if !same_place {
                    if let Some(store) = store {
                        store.forget_subscription(&name)?;
                    }
                }
                Put::Replaced
            }
            None => Put::Created,
        };
        if kept {
            if let Some(store) = store {
                let doc = serde_json::to_string(&subscription).map_err(io::Error::other)?;
                store.save_subscription(&name, &doc)?;
            }
        }
        let resume = match store {
            Some(store) => store.delivery_cursor(&name)?,
            None => None,
        };
        // Taken now, not when the task first runs: events published from here on are its own.
        let start = *self.shared.events.deliverable().borrow();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let status = Arc::new(Status::default());
        let worker = Worker {
            events: self.shared.events.clone(),
            store: store.cloned(),
            client: self.shared.client.clone(),
            target,
            subscription: subscription.clone(),
            name: name.clone(),
            clock: self.shared.clock,
            jitter: Jitter::new(self.shared.seed.unwrap_or_else(rand_seed)),
            status: status.clone(),
            dead_letters: self.shared.dead_letters.clone(),
            stop: stopped,
        };
        self.shared.runtime.spawn(worker.run(resume, start));
        running.insert(
            name,
            Running {
                subscription,
                kept,
                status,
                stop,
            },
        );
        Ok(put)
    }

    /// Deletes a subscription: delivery stops, its queue is dropped (its dead letters stay).
    pub(crate) fn delete(&self, name: &str) -> io::Result<bool> {
        let Some(old) = self.running().remove(name) else {
            return Ok(false);
        };
        let _ = old.stop.send(true);
        if let Some(store) = self.store() {
            store.forget_subscription(name)?;
        }
        Ok(true)
    }

    /// Every subscription with its delivery state, by name.
    pub(crate) fn list(&self) -> Vec<serde_json::Value> {
        self.running()
            .iter()
            .map(|(name, running)| view(name, running))
            .collect()
    }

    /// One subscription with its delivery state.
    pub(crate) fn get(&self, name: &str) -> Option<serde_json::Value> {
        self.running().get(name).map(|running| view(name, running))
    }

    /// The dead letters of `subscription` (of all without).
    pub(crate) fn dead_letters(&self, subscription: Option<&str>) -> Vec<serde_json::Value> {
        self.shared.dead_letters.list(subscription)
    }

    /// Starts the subscriptions a data dir kept from run-time adds.
    pub(crate) fn resume_kept(&self) -> io::Result<()> {
        let Some(store) = self.store() else {
            return Ok(());
        };
        for doc in store.stored_subscriptions()? {
            match serde_json::from_str::<EventSubscription>(&doc) {
                Ok(subscription) => {
                    self.put(subscription, true)?;
                }
                Err(e) => tracing::warn!("a stored event subscription could not be read: {e}"),
            }
        }
        Ok(())
    }
}

/// A subscription as the admin API shows it: secrets out (the URL's query values and user
/// info, the delivery headers' values), its delivery state in.
fn view(name: &str, running: &Running) -> serde_json::Value {
    let mut value = serde_json::to_value(&running.subscription).unwrap_or_default();
    value["name"] = name.into();
    value["endpointUrl"] = crate::support::redact::url(&running.subscription.endpoint_url).into();
    if let Some(headers) = value["deliveryHeaders"].as_object_mut() {
        for header in headers.values_mut() {
            *header = "<redacted>".into();
        }
    }
    value["runtimeAdded"] = running.kept.into();
    value["deliveryState"] = running.status.view();
    value
}

/// A seed for the jitter when none is given.
fn rand_seed() -> u64 {
    let id = uuid::Uuid::new_v4();
    let (high, low) = id.as_u64_pair();
    high ^ low
}
