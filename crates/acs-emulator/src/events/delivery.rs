//! Webhook subscriptions, delivered like Event Grid's: validation handshake first, then the
//! events of the log in order, one per request, each retried on Event Grid's schedule.

use super::webhook_client::{Target, WebhookClient};
use crate::config::{EventSchema, EventSubscription};
use crate::shared::App;
use serde_json::{json, Value};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Event Grid's retry delays in seconds, in order; after them, hourly.
const RETRY_SCHEDULE: [u64; 6] = [10, 30, 60, 300, 600, 1800];
/// Event Grid's default most delivery attempts.
const MAX_ATTEMPTS: u32 = 30;
/// Events read from the log at a time.
const CHUNK: usize = 256;

/// Starts subscriptions on the emulator's runtime, at bind time or later.
#[derive(Clone)]
pub(crate) struct Subscriptions {
    app: Arc<App>,
    client: Arc<WebhookClient>,
    runtime: tokio::runtime::Handle,
    retry_scale: f64,
    /// The keys of the subscriptions delivering now: one task per subscription.
    running: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl Subscriptions {
    /// The state they deliver from.
    pub(crate) fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Call from within the emulator's runtime.
    pub(crate) fn new(app: Arc<App>, ca_pems: &[String], retry_scale: f64) -> io::Result<Self> {
        Ok(Subscriptions {
            app,
            client: Arc::new(WebhookClient::new(ca_pems)?),
            runtime: tokio::runtime::Handle::current(),
            retry_scale,
            running: Default::default(),
        })
    }

    /// The event log the subscriptions read.
    pub(crate) fn log(&self) -> Arc<super::EventLog> {
        self.app.events.clone()
    }

    /// Starts delivering to `subscription`: from where a data dir says it got to, or else from
    /// the next event published.
    pub(crate) fn add(&self, subscription: EventSubscription) -> io::Result<()> {
        let target = Target::parse(&subscription.endpoint_url)?;
        let key = subscription.key();
        let new = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.clone());
        if !new {
            // Given twice (on the command line and kept from a run-time add): one delivery.
            return Ok(());
        }
        let resume = match &self.app.store {
            Some(store) => store.delivery_cursor(&key)?,
            None => None,
        };
        // Taken now, not when the task first runs: events published from here on are its own.
        let start = *self.app.events.deliverable().borrow();
        let delivery = Delivery {
            app: self.app.clone(),
            client: self.client.clone(),
            target,
            subscription,
            key: key.clone(),
            retry_scale: self.retry_scale,
        };
        let running = self.running.clone();
        self.runtime.spawn(async move {
            delivery.run(resume, start).await;
            // Ended (a failed handshake): adding it again starts it again.
            running
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&key);
        });
        Ok(())
    }
}

impl Subscriptions {
    /// [`Self::add`], and with a data dir the subscription is kept for the next start.
    pub(crate) fn add_kept(&self, subscription: EventSubscription) -> io::Result<()> {
        Target::parse(&subscription.endpoint_url)?;
        if let Some(store) = &self.app.store {
            let doc = serde_json::to_string(&subscription).map_err(io::Error::other)?;
            store.save_subscription(&subscription.key(), &doc)?;
        }
        self.add(subscription)
    }

    /// Starts the subscriptions a data dir kept from run-time adds.
    pub(crate) fn resume_kept(&self) -> io::Result<()> {
        let Some(store) = &self.app.store else {
            return Ok(());
        };
        for doc in store.stored_subscriptions()? {
            match serde_json::from_str::<EventSubscription>(&doc) {
                Ok(subscription) => self.add(subscription)?,
                Err(e) => tracing::warn!("a stored event subscription could not be read: {e}"),
            }
        }
        Ok(())
    }
}

struct Delivery {
    app: Arc<App>,
    client: Arc<WebhookClient>,
    target: Target,
    subscription: EventSubscription,
    key: String,
    retry_scale: f64,
}

impl Delivery {
    async fn run(self, resume: Option<usize>, start: usize) {
        let url = crate::redact::url(&self.subscription.endpoint_url);
        let mut next = match resume {
            // Validated before the restart, as an Event Grid subscription stays validated.
            Some(next) => next,
            None => {
                if let Err(e) = self.validate().await {
                    tracing::warn!(
                        "event webhook {url} failed validation ({e}): it gets no events"
                    );
                    return;
                }
                self.save(start);
                start
            }
        };
        let mut deliverable = self.app.events.deliverable();
        loop {
            let upto = *deliverable.borrow_and_update();
            while next < upto {
                let chunk = self.app.events.indexed_range(next, upto, CHUNK);
                let Some(&(first, _)) = chunk.first() else {
                    tracing::warn!(
                        "event webhook {url}: {} events were dropped from the log (--max-events) before delivery",
                        upto - next
                    );
                    next = upto;
                    break;
                };
                if first > next {
                    tracing::warn!(
                        "event webhook {url}: {} events were dropped from the log (--max-events) before delivery",
                        first - next
                    );
                }
                for (index, event) in chunk {
                    if self.subscription.accepts(&event.event_type) {
                        self.deliver(&event).await;
                        self.save(index + 1);
                    }
                    next = index + 1;
                }
            }
            self.save(next);
            if deliverable.changed().await.is_err() {
                return;
            }
        }
    }

    /// Remembers (with a data dir) that every event before `next` was dealt with.
    fn save(&self, next: usize) {
        if let Some(store) = &self.app.store {
            if let Err(e) = store.save_delivery_cursor(&self.key, next) {
                tracing::warn!(
                    "event webhook {}: could not store its progress: {e}",
                    crate::redact::url(&self.subscription.endpoint_url)
                );
            }
        }
    }

    /// One event, retried until accepted, refused for good or out of attempts.
    async fn deliver(&self, event: &super::Event) {
        let url = crate::redact::url(&self.subscription.endpoint_url);
        let (content_type, body) = match self.subscription.schema {
            EventSchema::EventGrid => ("application/json", format!("[{}]", event.json)),
            EventSchema::CloudEvents => (
                "application/cloudevents+json; charset=utf-8",
                cloud_event(&event.value()).to_string(),
            ),
        };
        let body = bytes::Bytes::from(body);
        for attempt in 1..=MAX_ATTEMPTS {
            let outcome = self
                .client
                .send(
                    &self.target,
                    "POST",
                    &[
                        ("content-type", content_type),
                        ("aeg-event-type", "Notification"),
                        ("aeg-delivery-count", &(attempt - 1).to_string()),
                    ],
                    body.clone(),
                )
                .await;
            match outcome {
                Ok((status, _, _)) if (200..300).contains(&status) => return,
                Ok((status @ (400 | 403 | 413), _, _)) => {
                    tracing::warn!(
                        "event webhook {url} refused an event with {status}: not retried"
                    );
                    return;
                }
                Ok((status, _, _)) => tracing::debug!("event webhook {url} answered {status}"),
                Err(e) => tracing::debug!("event webhook {url}: {e}"),
            }
            if attempt == MAX_ATTEMPTS {
                tracing::warn!(
                    "event webhook {url}: an event was dropped after {MAX_ATTEMPTS} attempts"
                );
                return;
            }
            let secs = RETRY_SCHEDULE
                .get(attempt as usize - 1)
                .copied()
                .unwrap_or(3600);
            tokio::time::sleep(Duration::from_secs_f64(secs as f64 * self.retry_scale)).await;
        }
    }

    /// The validation handshake of the subscription's schema.
    async fn validate(&self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        match self.subscription.schema {
            EventSchema::EventGrid => {
                let code = crate::wire::text::new_id();
                let validation = json!([{
                    "id": crate::wire::text::new_id(),
                    "topic": "",
                    "subject": "",
                    "data": {"validationCode": code},
                    "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
                    "eventTime": crate::chat::notify::format(OffsetDateTime::now_utc()),
                    "metadataVersion": "1",
                    "dataVersion": "1",
                }]);
                let (status, _, body) = self
                    .client
                    .send(
                        &self.target,
                        "POST",
                        &[
                            ("content-type", "application/json"),
                            ("aeg-event-type", "SubscriptionValidation"),
                        ],
                        serde_json::to_vec(&validation)?.into(),
                    )
                    .await?;
                let answer: Value = serde_json::from_slice(&body).unwrap_or_default();
                if status == 200 && answer["validationResponse"] == code.as_str() {
                    Ok(())
                } else {
                    Err(format!("answered {status} without the validation code").into())
                }
            }
            EventSchema::CloudEvents => {
                let origin = "acs-emulator.local";
                let (status, headers, _) = self
                    .client
                    .send(
                        &self.target,
                        "OPTIONS",
                        &[("webhook-request-origin", origin)],
                        bytes::Bytes::new(),
                    )
                    .await?;
                let allowed = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("webhook-allowed-origin"))
                    .map(|(_, v)| v.as_str());
                if (200..300).contains(&status)
                    && matches!(allowed, Some(o) if o == origin || o == "*")
                {
                    Ok(())
                } else {
                    Err(format!("answered {status} without WebHook-Allowed-Origin").into())
                }
            }
        }
    }
}

/// An event of the log (Event Grid schema) as a CloudEvent.
fn cloud_event(event: &Value) -> Value {
    json!({
        "specversion": "1.0",
        "id": event["id"],
        "source": event["topic"],
        "subject": event["subject"],
        "type": event["eventType"],
        "time": event["eventTime"],
        "datacontenttype": "application/json",
        "data": event["data"],
    })
}
