//! The emulator's dead-letter destination: events given up by subscriptions with `deadLetter`,
//! each the original event (Event Grid schema) plus Event Grid's dead-letter fields, listed at
//! `GET /emulator/deadletter` and, with a data dir, kept across restarts.

use super::policy::{Attempt, GiveUp};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Mutex;
use time::OffsetDateTime;

/// Dead letters kept in memory, per emulator (the oldest go first).
const CAPACITY: usize = 10_000;

/// What Event Grid adds to a dead-lettered event.
pub(crate) struct Fate<'a> {
    pub(crate) give_up: GiveUp,
    pub(crate) attempts: u32,
    pub(crate) last: &'a Attempt,
    pub(crate) published_ms: i64,
    pub(crate) last_attempt_ms: i64,
}

/// The dead-letter document of `event_json`: the event's own fields, then `deadLetterReason`,
/// `deliveryAttempts`, `lastDeliveryOutcome`, `lastHttpStatusCode`, `publishTime`,
/// `lastDeliveryAttemptTime`.
pub(crate) fn document(event_json: &str, fate: &Fate<'_>) -> String {
    let mut event: Value = serde_json::from_str(event_json).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut event {
        let time = |ms: i64| {
            let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
            Value::String(crate::wire::text::rfc3339(t))
        };
        fields.insert("deadLetterReason".into(), fate.give_up.reason().into());
        fields.insert("deliveryAttempts".into(), fate.attempts.into());
        fields.insert("lastDeliveryOutcome".into(), fate.last.outcome().into());
        fields.insert(
            "lastHttpStatusCode".into(),
            fate.last.status().map_or(Value::Null, Value::from),
        );
        fields.insert("publishTime".into(), time(fate.published_ms));
        fields.insert("lastDeliveryAttemptTime".into(), time(fate.last_attempt_ms));
    }
    event.to_string()
}

/// Every subscription's dead letters: (subscription, document), oldest first.
#[derive(Default)]
pub(crate) struct DeadLetters(Mutex<VecDeque<(String, String)>>);

impl DeadLetters {
    pub(crate) fn push(&self, subscription: &str, doc: String) {
        let mut letters = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if letters.len() >= CAPACITY {
            letters.pop_front();
        }
        letters.push_back((subscription.to_string(), doc));
    }

    /// Those of `subscription` (all without), as JSON values with a `subscription` field.
    pub(crate) fn list(&self, subscription: Option<&str>) -> Vec<Value> {
        let letters = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        letters
            .iter()
            .filter(|(name, _)| subscription.is_none_or(|s| s == name))
            .map(|(name, doc)| {
                let mut value: Value = serde_json::from_str(doc).unwrap_or(Value::Null);
                if let Value::Object(fields) = &mut value {
                    fields.insert("subscription".into(), name.clone().into());
                }
                value
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_letter_is_the_event_plus_event_grids_fields() {
        let doc = document(
            r#"{"id":"e1","eventType":"Microsoft.Communication.ChatMessageReceived","data":{}}"#,
            &Fate {
                give_up: GiveUp::Undeliverable(400),
                attempts: 1,
                last: &Attempt::Status(400),
                published_ms: 1_700_000_000_000,
                last_attempt_ms: 1_700_000_000_500,
            },
        );
        let value: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(value["id"], "e1");
        assert_eq!(
            value["deadLetterReason"],
            "UndeliverableDueToHttpBadRequest"
        );
        assert_eq!(value["deliveryAttempts"], 1);
        assert_eq!(value["lastDeliveryOutcome"], "BadRequest");
        assert_eq!(value["lastHttpStatusCode"], 400);
        assert!(value["publishTime"]
            .as_str()
            .unwrap()
            .starts_with("2023-11-14T22:13:20"));
        let letters = DeadLetters::default();
        letters.push("a", doc.clone());
        letters.push("b", doc);
        assert_eq!(letters.list(Some("a")).len(), 1);
        assert_eq!(letters.list(None).len(), 2);
        assert_eq!(letters.list(Some("b"))[0]["subscription"], "b");
    }
}
