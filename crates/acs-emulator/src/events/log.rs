//! The event log: every chat event in publication order, the newest `capacity` kept in memory
//! (`GET /emulator/events`, `Emulator::events`), and how far subscriptions may deliver.
//!
//! Thread-level events go once per thread; user-level events once per participant other than the
//! one who acted (the sender does not receive user-level events).

use serde_json::Value;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// One published event, serialized once (Event Grid schema): the log, the feed, deliveries,
/// the console and the data dir all use the same text. A tree of `Value`s per event cost the
/// emulator a fifth of its CPU per send (built, cloned per recipient, dropped on eviction).
#[derive(Debug)]
pub(crate) struct Event {
    /// `Microsoft.Communication.<Type>`.
    pub(crate) event_type: String,
    /// `data.threadId`.
    pub(crate) thread_id: Option<String>,
    /// The whole event as JSON.
    pub(crate) json: String,
}

impl Event {
    /// An event read back (a data dir) or made elsewhere.
    pub(crate) fn from_value(value: &Value) -> Self {
        Event {
            event_type: value["eventType"].as_str().unwrap_or_default().to_string(),
            thread_id: value["data"]["threadId"].as_str().map(str::to_string),
            json: value.to_string(),
        }
    }

    /// The event as a JSON tree (for the rare readers that need fields).
    pub(crate) fn value(&self) -> Value {
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }
}

/// A JSON string literal.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

/// Appends `text` as a JSON string literal (the escapes serde_json writes). Runs of bytes that
/// need no escape are copied whole: a char-by-char push was the emulator's top function.
fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Every byte matched above is ASCII, so `i` is a char boundary.
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            use std::fmt::Write;
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

pub(crate) struct EventLog {
    log: Mutex<Retained>,
    /// The `topic` of every event, as a JSON string literal.
    topic_json: String,
    /// The index up to which events may be delivered: every published one in memory; with a
    /// data dir, only committed ones (a delivered event must not vanish in a crash).
    deliverable: tokio::sync::watch::Sender<usize>,
    durable: bool,
}

/// The newest events, at most `capacity`; `dropped` counts the older ones, so that indices (the
/// `since` of the feed) keep counting from the first event ever published.
struct Retained {
    events: std::collections::VecDeque<Arc<Event>>,
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
            topic_json: quoted(&format!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.Communication/communicationServices/{resource_id}"
            )),
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
    ) -> Vec<(usize, Arc<Event>)> {
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
    pub(crate) fn indexed_since(&self, since: usize) -> Vec<(usize, Arc<Event>)> {
        self.indexed_range(since, usize::MAX, usize::MAX)
    }

    /// Puts back stored events (in index order) after a restart.
    pub(crate) fn restore(&self, events: Vec<(usize, Event)>) {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((first, _)) = events.first() {
            log.dropped = *first;
        }
        for (_, event) in events {
            log.events.push_back(Arc::new(event));
        }
        let total = log.dropped + log.events.len();
        drop(log);
        // What was stored was committed.
        self.mark_deliverable(total);
    }

    /// Retained events from index `since` on (indices count every event ever published).
    pub(crate) fn since(&self, since: usize) -> Vec<Value> {
        self.indexed_since(since)
            .into_iter()
            .map(|(_, e)| e.value())
            .collect()
    }

    /// The same, as one JSON array.
    pub(crate) fn json_since(&self, since: usize) -> String {
        let events = self.indexed_since(since);
        let mut out =
            String::with_capacity(2 + events.iter().map(|(_, e)| e.json.len() + 1).sum::<usize>());
        out.push('[');
        for (i, (_, event)) in events.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&event.json);
        }
        out.push(']');
        out
    }

    fn publish(&self, event_type: &str, subject: &str, data_json: &str, thread_id: Option<&str>) {
        let event_type = format!("Microsoft.Communication.{event_type}");
        // One buffer sized up front: `format!` grew it by doubling, a tenth of the emulator's
        // CPU per send under 64 in flight went to those reallocations.
        let mut json = String::with_capacity(
            256 + self.topic_json.len() + subject.len() + data_json.len() + event_type.len(),
        );
        json.push_str("{\"id\":");
        push_quoted(&mut json, &crate::wire::text::new_id());
        json.push_str(",\"topic\":");
        json.push_str(&self.topic_json);
        json.push_str(",\"subject\":");
        push_quoted(&mut json, subject);
        json.push_str(",\"data\":");
        json.push_str(data_json);
        json.push_str(",\"eventType\":");
        push_quoted(&mut json, &event_type);
        json.push_str(",\"dataVersion\":\"1.0\",\"metadataVersion\":\"1\",\"eventTime\":");
        push_quoted(
            &mut json,
            &crate::wire::text::rfc3339(OffsetDateTime::now_utc()),
        );
        json.push('}');
        let event = Arc::new(Event {
            event_type,
            thread_id: thread_id.map(str::to_string),
            json,
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
        data: &impl serde::Serialize,
        thread_id: &str,
        recipients: &[crate::wire::Identifier],
    ) {
        let thread_id = Some(thread_id);
        let data_json = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
        // `data` is an object with fields: the recipient goes in before its closing brace.
        let open = data_json.strip_suffix('}').unwrap_or("{");
        for recipient in recipients {
            let recipient_json = serde_json::to_string(recipient).unwrap_or_else(|_| "null".into());
            let comma = if open.len() > 1 { "," } else { "" };
            let per_user =
                format!("{open}{comma}\"recipientCommunicationIdentifier\":{recipient_json}}}");
            self.publish(
                pair.user_event,
                &format!("{}/recipient/{}", pair.user_subject, recipient.raw_id()),
                &per_user,
                thread_id,
            );
        }
        self.publish(
            pair.thread_event,
            &pair.thread_subject,
            &data_json,
            thread_id,
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_writes_what_serde_json_writes() {
        let mut samples: Vec<String> = (0u32..0x80)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b"))
            .collect();
        samples.extend(
            [
                "",
                "plain",
                "19:abc@thread.v2",
                "quote \" and \\ back",
                "line\nbreak\ttab\r",
                "é ✓ 𝄞 \u{7f} \u{2028}",
            ]
            .map(str::to_string),
        );
        for text in samples {
            let ours = quoted(&text);
            assert_eq!(ours, serde_json::to_string(&text).unwrap(), "{text:?}");
            let back: String = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, text);
        }
    }
}
