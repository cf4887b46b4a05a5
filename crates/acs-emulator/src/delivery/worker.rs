//! One subscription's delivery task: after the validation handshake, it takes every new event
//! of the log into the subscription's retry queue (due at once), sends whatever is due, at most
//! [`MAX_IN_FLIGHT`] requests at a time, each on its own task, and files each answer back: done,
//! retried on Event Grid's schedule, or given up (dead-lettered or dropped). No event waits for
//! another's retries. With a data dir every step is kept (`persist::deliveries`).

use super::webhook_client::{AnswerTimeout, WebhookClient};
use crate::events::dead_letter::{self, DeadLetters, Fate};
use crate::events::policy::{Attempt, Clock, Jitter, Next};
use crate::events::retry_queue::{Queued, RetryQueue};
use crate::events::subscription::{EventSchema, EventSubscription};
use crate::events::target::Target;
use crate::events::EventLog;
use crate::events::QueuedRow;
use crate::persist::Store;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Requests in flight at once per subscription, at most.
pub(crate) const MAX_IN_FLIGHT: usize = 16;
/// Events read from the log at a time.
const CHUNK: usize = 256;

/// Where a subscription stands, for `GET /emulator/subscriptions` and the console.
#[derive(Default)]
pub(crate) struct Status {
    /// `Validating`, `Succeeded` (delivering) or `Failed` (the handshake failed).
    pub(crate) state: Mutex<&'static str>,
    pub(crate) queued: AtomicUsize,
    pub(crate) in_flight: AtomicUsize,
    pub(crate) delivered: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) attempts: AtomicU64,
}

impl Status {
    fn set_state(&self, state: &'static str) {
        *self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = state;
    }

    pub(crate) fn view(&self) -> serde_json::Value {
        let state = *self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        serde_json::json!({
            "provisioningState": state,
            "queued": self.queued.load(Ordering::Relaxed),
            "inFlight": self.in_flight.load(Ordering::Relaxed),
            "delivered": self.delivered.load(Ordering::Relaxed),
            "deadLettered": self.dead_lettered.load(Ordering::Relaxed),
            "dropped": self.dropped.load(Ordering::Relaxed),
            "attempts": self.attempts.load(Ordering::Relaxed),
        })
    }
}

/// What a running delivery task needs.
pub(crate) struct Worker {
    pub(crate) events: Arc<EventLog>,
    pub(crate) store: Option<Arc<Store>>,
    pub(crate) client: Arc<WebhookClient>,
    pub(crate) target: Target,
    pub(crate) subscription: EventSubscription,
    pub(crate) name: String,
    pub(crate) clock: Clock,
    pub(crate) jitter: Jitter,
    pub(crate) status: Arc<Status>,
    pub(crate) dead_letters: Arc<DeadLetters>,
    /// Becomes `true` (or closes) when the subscription is deleted or replaced.
    pub(crate) stop: tokio::sync::watch::Receiver<bool>,
}

/// One batch's attempt, back from its task.
struct Landed {
    batch: Vec<Queued>,
    attempt: Attempt,
    at_ms: i64,
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

impl Worker {
    /// Delivers until stopped. `resume` is where a data dir says the subscription got (it was
    /// validated then); otherwise it is validated and takes the events from `start` on.
    pub(crate) async fn run(mut self, resume: Option<usize>, start: usize) {
        let url = crate::support::redact::url(&self.subscription.endpoint_url);
        let mut cursor = match resume {
            Some(next) => next,
            None => {
                self.status.set_state("Validating");
                let handshake = super::handshake::validate(
                    &self.client,
                    &self.target,
                    self.subscription.schema,
                );
                let outcome = tokio::select! {
                    outcome = handshake => outcome,
                    _ = self.stop.changed() => return,
                };
                if let Err(e) = outcome {
                    tracing::warn!(
                        "event webhook {url} failed validation ({e}): it gets no events"
                    );
                    self.status.set_state("Failed");
                    return;
                }
                self.keep(&[], start);
                start
            }
        };
        self.status.set_state("Succeeded");
        let mut queue = RetryQueue::default();
        if let Some(store) = &self.store {
            match store.queued_events(&self.name) {
                Ok(rows) => rows.into_iter().for_each(|row| queue.insert(row.into())),
                Err(e) => tracing::warn!("event webhook {url}: its queue could not be read: {e}"),
            }
        }
        let (landed_tx, mut landed) = tokio::sync::mpsc::unbounded_channel::<Landed>();
        let mut deliverable = self.events.deliverable();
        loop {
            let upto = *deliverable.borrow_and_update();
            if cursor < upto {
                cursor = self.take_new(&mut queue, cursor, upto);
            }
            let now = now_ms();
            while queue.in_flight() < MAX_IN_FLIGHT {
                let batch = queue.take_due(
                    now,
                    self.subscription.max_events_per_batch as usize,
                    self.subscription.preferred_batch_size_in_kilobytes as usize * 1024,
                );
                if batch.is_empty() {
                    break;
                }
                self.send(batch, landed_tx.clone());
            }
            self.status.queued.store(queue.len(), Ordering::Relaxed);
            self.status
                .in_flight
                .store(queue.in_flight(), Ordering::Relaxed);
            let wait = match queue.next_due_ms() {
                Some(due) if queue.in_flight() < MAX_IN_FLIGHT => {
                    Duration::from_millis((due - now).max(0) as u64)
                }
                _ => Duration::from_secs(3600),
            };
            tokio::select! {
                changed = deliverable.changed() => if changed.is_err() { return },
                Some(first) = landed.recv() => {
                    self.file(&mut queue, first);
                    while let Ok(more) = landed.try_recv() {
                        self.file(&mut queue, more);
                    }
                }
                _ = tokio::time::sleep(wait) => {}
                _ = self.stop.changed() => return,
            }
        }
    }

    /// Queues the accepted events of `cursor..upto` (due now); the new cursor.
    fn take_new(&self, queue: &mut RetryQueue, mut cursor: usize, upto: usize) -> usize {
        let url = crate::support::redact::url(&self.subscription.endpoint_url);
        while cursor < upto {
            let chunk = self.events.indexed_range(cursor, upto, CHUNK);
            let first = chunk.first().map_or(upto, |(index, _)| *index);
            if first > cursor {
                tracing::warn!(
                    "event webhook {url}: {} events were dropped from the log (--max-events) before delivery",
                    first - cursor
                );
            }
            let now = now_ms();
            let mut rows = Vec::new();
            for (index, event) in &chunk {
                if !self.subscription.accepts(&event.event_type) {
                    continue;
                }
                rows.push(QueuedRow {
                    index: *index,
                    attempts: 0,
                    due_ms: now,
                    published_ms: now,
                    doc: event.json.clone(),
                });
            }
            cursor = chunk.last().map_or(upto, |(index, _)| index + 1);
            self.keep(&rows, cursor);
            rows.into_iter().for_each(|row| queue.insert(row.into()));
        }
        cursor
    }

    /// With a data dir: queues `rows` and moves the cursor, together.
    fn keep(&self, rows: &[QueuedRow], cursor: usize) {
        if let Some(store) = &self.store {
            if let Err(e) = store.take_events(&self.name, rows, cursor) {
                tracing::warn!(
                    "event webhook {}: could not store its progress: {e}",
                    crate::support::redact::url(&self.subscription.endpoint_url)
                );
            }
        }
    }

    /// Sends one batch on its own task; its answer comes back on `landed`.
    fn send(&self, batch: Vec<Queued>, landed: tokio::sync::mpsc::UnboundedSender<Landed>) {
        let (content_type, body) = self.body(&batch);
        let delivery_count = (batch[0].attempts - 1).to_string();
        let subscription_name = self.name.to_ascii_uppercase();
        let mut headers: Vec<(String, String)> = vec![
            ("content-type".into(), content_type.into()),
            ("aeg-event-type".into(), "Notification".into()),
            ("aeg-delivery-count".into(), delivery_count),
            ("aeg-subscription-name".into(), subscription_name),
            ("aeg-metadata-version".into(), "1".into()),
            ("aeg-data-version".into(), "1.0".into()),
        ];
        headers.extend(
            self.subscription
                .delivery_headers
                .iter()
                .map(|(n, v)| (n.clone(), v.clone())),
        );
        self.status.attempts.fetch_add(1, Ordering::Relaxed);
        let client = self.client.clone();
        let target = self.target.clone();
        tokio::spawn(async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let attempt = match client.send(&target, "POST", &headers, body).await {
                Ok((status, _, _)) if (200..300).contains(&status) => Attempt::Delivered,
                Ok((status, _, _)) => Attempt::Status(status),
                Err(e) => Attempt::NoAnswer {
                    timed_out: e.downcast_ref::<AnswerTimeout>().is_some(),
                },
            };
            let _ = landed.send(Landed {
                batch,
                attempt,
                at_ms: now_ms(),
            });
        });
    }

    /// A batch's request body in the subscription's schema.
    fn body(&self, batch: &[Queued]) -> (&'static str, bytes::Bytes) {
        let joined = |parts: Vec<String>| format!("[{}]", parts.join(","));
        match self.subscription.schema {
            EventSchema::EventGrid => (
                "application/json",
                joined(batch.iter().map(|q| q.json.to_string()).collect()).into(),
            ),
            EventSchema::CloudEvents => {
                let cloud = |q: &Queued| {
                    let value = serde_json::from_str(&q.json).unwrap_or_default();
                    super::handshake::cloud_event(&value).to_string()
                };
                if batch.len() == 1 {
                    (
                        "application/cloudevents+json; charset=utf-8",
                        cloud(&batch[0]).into(),
                    )
                } else {
                    (
                        "application/cloudevents-batch+json; charset=utf-8",
                        joined(batch.iter().map(cloud).collect()).into(),
                    )
                }
            }
        }
    }

    /// Files a batch's answer: each of its events done, retried or given up.
    fn file(&mut self, queue: &mut RetryQueue, landed: Landed) {
        queue.landed();
        let url = crate::support::redact::url(&self.subscription.endpoint_url);
        let store = self.store.as_ref();
        for queued in landed.batch {
            let next = self.clock.after(
                &self.subscription.retry_policy,
                &landed.attempt,
                queued.attempts,
                queued.published_ms,
                landed.at_ms,
                &mut self.jitter,
            );
            let kept = match next {
                Next::Done => {
                    queue.remove(queued.index);
                    self.status.delivered.fetch_add(1, Ordering::Relaxed);
                    store.map(|s| s.finish_event(&self.name, queued.index, None))
                }
                Next::RetryAt(due_ms) => {
                    tracing::debug!(
                        "event webhook {url}: attempt {} came to {:?}; next in {} ms",
                        queued.attempts,
                        landed.attempt,
                        due_ms - landed.at_ms
                    );
                    queue.retry_at(queued.index, due_ms);
                    store.map(|s| s.reschedule(&self.name, queued.index, queued.attempts, due_ms))
                }
                Next::GiveUp(give_up) => {
                    queue.remove(queued.index);
                    let letter = self.subscription.dead_letter.then(|| {
                        dead_letter::document(
                            &queued.json,
                            &Fate {
                                give_up,
                                attempts: queued.attempts,
                                last: &landed.attempt,
                                published_ms: queued.published_ms,
                                last_attempt_ms: landed.at_ms,
                            },
                        )
                    });
                    let verb = if letter.is_some() {
                        "dead-lettered"
                    } else {
                        "dropped"
                    };
                    tracing::warn!(
                        "event webhook {url}: an event was {verb} ({}) after {} attempt(s)",
                        give_up.reason(),
                        queued.attempts
                    );
                    let kept =
                        store.map(|s| s.finish_event(&self.name, queued.index, letter.as_deref()));
                    match letter {
                        Some(doc) => {
                            self.dead_letters.push(&self.name, doc);
                            self.status.dead_lettered.fetch_add(1, Ordering::Relaxed);
                        }
                        None => {
                            self.status.dropped.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    kept
                }
            };
            if let Some(Err(e)) = kept {
                tracing::warn!("event webhook {url}: could not store a delivery's outcome: {e}");
            }
        }
        self.status.queued.store(queue.len(), Ordering::Relaxed);
        self.status
            .in_flight
            .store(queue.in_flight(), Ordering::Relaxed);
    }
}
