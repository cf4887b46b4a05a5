//! One subscription's events not yet acknowledged, each with its own attempt count and due
//! time, with no I/O: new events are due at once, and one event's retries never hold back
//! another's. The delivery task takes due events into flight (bounded), and files each
//! attempt's result back.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// An event waiting for delivery, in flight, or between attempts.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    /// Its index in the event log (unique per event, so it keys the queue and the data dir).
    pub(crate) index: usize,
    /// The event (Event Grid schema JSON).
    pub(crate) json: Arc<str>,
    /// Attempts made so far.
    pub(crate) attempts: u32,
    /// When the next attempt is due (ms since the epoch).
    pub(crate) due_ms: i64,
    /// When it was published (ms since the epoch): the time to live counts from here.
    pub(crate) published_ms: i64,
}

/// A queued event as a data dir keeps it (the document as JSON text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueuedRow {
    pub(crate) index: usize,
    pub(crate) attempts: u32,
    pub(crate) due_ms: i64,
    pub(crate) published_ms: i64,
    pub(crate) doc: String,
}

impl From<QueuedRow> for Queued {
    fn from(row: QueuedRow) -> Self {
        Queued {
            index: row.index,
            json: Arc::from(row.doc),
            attempts: row.attempts,
            due_ms: row.due_ms,
            published_ms: row.published_ms,
        }
    }
}

/// The queue: events by index, the waiting ones by due time.
#[derive(Debug, Default)]
pub(crate) struct RetryQueue {
    events: BTreeMap<usize, Queued>,
    /// (due, index) of the events not in flight.
    waiting: BTreeSet<(i64, usize)>,
    in_flight: usize,
}

impl RetryQueue {
    /// Adds an event (new, or read back from a data dir); an index already queued is ignored.
    pub(crate) fn insert(&mut self, queued: Queued) {
        if self.events.contains_key(&queued.index) {
            return;
        }
        self.waiting.insert((queued.due_ms, queued.index));
        self.events.insert(queued.index, queued);
    }

    /// Events queued (waiting or in flight).
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// When the earliest waiting event is due.
    pub(crate) fn next_due_ms(&self) -> Option<i64> {
        self.waiting.first().map(|(due, _)| *due)
    }

    /// Takes up to `max_events` due events (at most `max_bytes` of JSON, but always one) into
    /// flight, earliest due first, as one batch; empty when none is due.
    pub(crate) fn take_due(
        &mut self,
        now_ms: i64,
        max_events: usize,
        max_bytes: usize,
    ) -> Vec<Queued> {
        let mut batch: Vec<Queued> = Vec::new();
        let mut bytes = 0;
        while batch.len() < max_events.max(1) {
            let Some(&(due, index)) = self.waiting.first() else {
                break;
            };
            if due > now_ms {
                break;
            }
            let size = self.events[&index].json.len();
            if !batch.is_empty() && bytes + size > max_bytes {
                break;
            }
            self.waiting.remove(&(due, index));
            let mut queued = self.events[&index].clone();
            queued.attempts += 1;
            if let Some(entry) = self.events.get_mut(&index) {
                entry.attempts = queued.attempts;
            }
            bytes += size;
            batch.push(queued);
        }
        if !batch.is_empty() {
            self.in_flight += 1;
        }
        batch
    }

    /// A batch's attempt is over: call once per batch taken.
    pub(crate) fn landed(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The event is done with (delivered or given up): out of the queue.
    pub(crate) fn remove(&mut self, index: usize) -> Option<Queued> {
        let queued = self.events.remove(&index)?;
        self.waiting.remove(&(queued.due_ms, index));
        Some(queued)
    }

    /// The event waits until `due_ms` for its next attempt.
    pub(crate) fn retry_at(&mut self, index: usize, due_ms: i64) {
        if let Some(queued) = self.events.get_mut(&index) {
            self.waiting.remove(&(queued.due_ms, index));
            queued.due_ms = due_ms;
            self.waiting.insert((due_ms, index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(index: usize, due_ms: i64) -> Queued {
        Queued {
            index,
            json: Arc::from(format!("{{\"id\":\"{index}\"}}")),
            attempts: 0,
            due_ms,
            published_ms: 0,
        }
    }

    #[test]
    fn a_retrying_event_does_not_hold_back_the_others() {
        let mut queue = RetryQueue::default();
        for index in 0..3 {
            queue.insert(event(index, 0));
        }
        let first = queue.take_due(0, 1, usize::MAX);
        assert_eq!(first[0].index, 0);
        assert_eq!(first[0].attempts, 1);
        queue.landed();
        queue.retry_at(0, 10_000);
        // Event 0 waits for its retry; 1 and 2 go now.
        let next: Vec<usize> = (0..2)
            .flat_map(|_| queue.take_due(1, 1, usize::MAX))
            .map(|q| q.index)
            .collect();
        assert_eq!(next, vec![1, 2]);
        assert_eq!(queue.in_flight(), 2);
        assert!(queue.take_due(1, 1, usize::MAX).is_empty());
        assert_eq!(queue.next_due_ms(), Some(10_000));
        let retried = queue.take_due(10_000, 1, usize::MAX);
        assert_eq!((retried[0].index, retried[0].attempts), (0, 2));
        queue.remove(1);
        queue.remove(2);
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn batches_stop_at_the_event_count_or_the_size_but_hold_at_least_one() {
        let mut queue = RetryQueue::default();
        for index in 0..10 {
            queue.insert(event(index, 0));
        }
        assert_eq!(queue.take_due(0, 4, usize::MAX).len(), 4);
        let size = event(0, 0).json.len();
        assert_eq!(queue.take_due(0, 100, 2 * size).len(), 2);
        assert_eq!(queue.take_due(0, 100, 1).len(), 1);
        queue.insert(event(4, 0));
        assert_eq!(
            queue.len(),
            10,
            "an index already queued is not added twice"
        );
    }
}
