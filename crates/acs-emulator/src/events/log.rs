//! The event log: every chat event in publication order, the newest `capacity` kept in memory
//! (`GET /emulator/events`, `Emulator::events`), and how far subscriptions may deliver.
//!
//! Thread-level events go once per thread; user-level events once per participant other than the
//! one who acted (the sender does not receive user-level events).

use serde_json::{json, Value};
use std::sync::Mutex;
use time::OffsetDateTime;

pub(crate) struct EventLog {
    log: Mutex<Retained>,
    topic: String,
    /// The index up to which events may be delivered: every published one in memory; with a
    /// data dir, only committed ones (a delivered event must not vanish in a crash).
    deliverable: tokio::sync::watch::Sender<usize>,
    durable: bool,
}

/// The newest events, at most `capacity`; `dropped` counts the older ones, so that indices (the
/// `since` of the feed) keep counting from the first event ever published.
struct Retained {
    events: std::collections::VecDeque<Value>,
    dropped: usize,
    capacity: usize,
}

impl EventLog {
    pub(crate) fn new(resource_id: &str, capacity: usize, durable: bool) -> Self {
        EventLog {
            log: Mutex::new(Retained {
                events: std::collections::VecDeque::new(),
                dropped: 0,
                capacity,
            }),
            topic: format!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.Communication/communicationServices/{resource_id}"
            ),
            deliverable: tokio::sync::watch::Sender::new(0),
            durable,
        }
    }

    /// Lets subscriptions deliver events up to (not including) index `upto`.
    pub(crate) fn mark_deliverable(&self, upto: usize) {
        self.deliverable.send_if_modified(|current| {
            let advance = upto > *current;
            if advance {
                *current = upto;
            }
            advance
        });
    }

    /// Watches the deliverable index.
    pub(crate) fn deliverable(&self) -> tokio::sync::watch::Receiver<usize> {
        self.deliverable.subscribe()
    }

    /// Retained events with indices in `from..upto`, at most `max`.
    pub(crate) fn indexed_range(
        &self,
        from: usize,
        upto: usize,
        max: usize,
    ) -> Vec<(usize, Value)> {
        let log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let first = log.dropped;
        log.events
            .iter()
            .enumerate()
            .skip(from.saturating_sub(first))
            .map(|(i, e)| (first + i, e))
            .take_while(|(i, _)| *i < upto)
            .take(max)
            .map(|(i, e)| (i, e.clone()))
            .collect()
    }

    /// How many events were ever published (the index of the next one).
    pub(crate) fn total(&self) -> usize {
        let log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        log.dropped + log.events.len()
    }

    /// Retained events from index `since` on, with their indices.
    pub(crate) fn indexed_since(&self, since: usize) -> Vec<(usize, Value)> {
        let log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let first = log.dropped;
        log.events
            .iter()
            .enumerate()
            .map(|(i, e)| (first + i, e))
            .filter(|(i, _)| *i >= since)
            .map(|(i, e)| (i, e.clone()))
            .collect()
    }

    /// Puts back stored events (in index order) after a restart.
    pub(crate) fn restore(&self, events: Vec<(usize, Value)>) {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((first, _)) = events.first() {
            log.dropped = *first;
        }
        for (_, event) in events {
            log.events.push_back(event);
        }
        let total = log.dropped + log.events.len();
        drop(log);
        // What was stored was committed.
        self.mark_deliverable(total);
    }

    /// Retained events from index `since` on (indices count every event ever published).
    pub(crate) fn since(&self, since: usize) -> Vec<Value> {
        let log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let skip = since.saturating_sub(log.dropped);
        log.events.iter().skip(skip).cloned().collect()
    }

    fn publish(&self, event_type: &str, subject: String, data: Value) {
        let event = json!({
            "id": acs_chat_core::http::new_request_id(),
            "topic": self.topic,
            "subject": subject,
            "data": data,
            "eventType": format!("Microsoft.Communication.{event_type}"),
            "dataVersion": "1.0",
            "metadataVersion": "1",
            "eventTime": crate::chat::notify::format(OffsetDateTime::now_utc()),
        });
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.capacity == 0 {
            log.dropped += 1;
        } else {
            if log.events.len() == log.capacity {
                log.events.pop_front();
                log.dropped += 1;
            }
            log.events.push_back(event);
        }
        if !self.durable {
            self.mark_deliverable(log.dropped + log.events.len());
        }
    }

    /// One thread-level event, and one user-level event per recipient (`data` plus
    /// `recipientCommunicationIdentifier`, subject plus `/recipient/<rawId>`).
    pub(crate) fn publish_pair(
        &self,
        pair: EventPair<'_>,
        data: Value,
        recipients: &[acs_chat_core::CommunicationIdentifier],
    ) {
        for recipient in recipients {
            let mut per_user = data.clone();
            per_user["recipientCommunicationIdentifier"] =
                serde_json::to_value(recipient).unwrap_or_default();
            self.publish(
                pair.user_event,
                format!("{}/recipient/{}", pair.user_subject, recipient.raw_id()),
                per_user,
            );
        }
        self.publish(pair.thread_event, pair.thread_subject.to_string(), data);
    }
}

/// The thread-level and user-level names and subjects of one change.
pub(crate) struct EventPair<'a> {
    pub(crate) thread_event: &'a str,
    pub(crate) thread_subject: String,
    pub(crate) user_event: &'a str,
    pub(crate) user_subject: String,
}

impl<'a> EventPair<'a> {
    /// Both levels under the same subject.
    pub(crate) fn new(thread_event: &'a str, user_event: &'a str, subject: String) -> Self {
        EventPair {
            thread_event,
            user_event,
            thread_subject: subject.clone(),
            user_subject: subject,
        }
    }
}
