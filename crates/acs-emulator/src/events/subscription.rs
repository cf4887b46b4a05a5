//! A webhook subscription as Event Grid defines one: destination, schema, filter, retry policy,
//! dead-lettering, output batching and delivery headers, with Event Grid's limits. The same
//! JSON (camelCase) is the `/emulator/subscriptions` API's body and what a data dir keeps.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema webhook deliveries use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EventSchema {
    /// Event Grid schema: a JSON array per POST; validated with a `SubscriptionValidationEvent`
    /// whose code the subscriber echoes as `{"validationResponse": code}`.
    #[default]
    #[serde(alias = "EventGridSchema")]
    EventGrid,
    /// CloudEvents 1.0 (`application/cloudevents+json`, or `application/cloudevents-batch+json`
    /// when batching); validated with the abuse-protection `OPTIONS` request
    /// (`WebHook-Request-Origin` → `WebHook-Allowed-Origin`). Event Grid's own names for the
    /// two (`EventGridSchema`, `CloudEventSchemaV1_0`) are read too.
    #[serde(alias = "CloudEventSchemaV1_0")]
    CloudEvents,
}

/// When Event Grid stops trying an event: after `max_delivery_attempts` attempts (1–30, default
/// 30) or `event_time_to_live_in_minutes` after it was published (1–1440, default 1440),
/// whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryPolicy {
    /// Most delivery attempts of one event, 1–30.
    pub max_delivery_attempts: u32,
    /// Minutes after publication an event is given up, 1–1440.
    pub event_time_to_live_in_minutes: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_delivery_attempts: 30,
            event_time_to_live_in_minutes: 1440,
        }
    }
}

/// A webhook subscription, like an Event Grid event subscription on an ACS resource.
///
/// Delivery follows Event Grid's "message delivery and retry": every new event matching the
/// filter is tried at once, after the subscriber passed its schema's validation handshake (one
/// that fails gets nothing); events are delivered independently, so **order is not guaranteed**
/// and an event can arrive more than once (at least once). The emulator waits 30 s for an
/// answer; an event that fails goes into its own retry queue on the schedule 10 s, 30 s, 1 min,
/// 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h, each delay plus up to 10 % jitter,
/// until its retry policy ends it. A webhook's 400, 401, 403 and 413 are not retried. An event
/// that is given up is dead-lettered when `dead_letter` is set (listed at
/// `GET /emulator/deadletter`, with Event Grid's `deadLetterReason`, `deliveryAttempts`,
/// `lastDeliveryOutcome`, `lastHttpStatusCode`, `publishTime` and `lastDeliveryAttemptTime`),
/// and dropped otherwise. With a data dir, the subscriptions added at run time, the events not
/// yet acknowledged (with their attempt counts and next times) and the dead letters survive a
/// restart.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventSubscription {
    /// Its name (3–64 letters, digits and `-`); empty for a name derived from the rest (the
    /// command-line subscriptions).
    pub name: String,
    /// `http://` or `https://` URL the events are POSTed to. `https://` subscribers must present
    /// a certificate from a public CA or from one given with
    /// [`EmulatorBuilder::event_webhook_ca_pem`](crate::EmulatorBuilder::event_webhook_ca_pem).
    pub endpoint_url: String,
    /// The delivery schema.
    pub schema: EventSchema,
    /// Only these event types are delivered (`ChatMessageReceived` or
    /// `Microsoft.Communication.ChatMessageReceived`); empty delivers every type, like Event
    /// Grid's `includedEventTypes`.
    pub included_event_types: Vec<String>,
    /// When an event is given up.
    pub retry_policy: RetryPolicy,
    /// Keep the events given up (`GET /emulator/deadletter`) instead of dropping them.
    pub dead_letter: bool,
    /// Most events per request, 1–5000 (default 1: an array of one event per request).
    pub max_events_per_batch: u32,
    /// A batch stops growing at this size in kilobytes, 1–1024 (default 64); a larger single
    /// event still goes alone.
    pub preferred_batch_size_in_kilobytes: u32,
    /// Extra headers sent with every delivery (at most 10), like Event Grid's static delivery
    /// attributes.
    pub delivery_headers: BTreeMap<String, String>,
}

impl Default for EventSubscription {
    fn default() -> Self {
        EventSubscription {
            name: String::new(),
            endpoint_url: String::new(),
            schema: EventSchema::EventGrid,
            included_event_types: Vec::new(),
            retry_policy: RetryPolicy::default(),
            dead_letter: false,
            max_events_per_batch: 1,
            preferred_batch_size_in_kilobytes: 64,
            delivery_headers: BTreeMap::new(),
        }
    }
}

/// The URL without its user info and query values (a password, a function key); header values
/// left out (they may be secrets).
impl std::fmt::Debug for EventSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSubscription")
            .field("name", &self.name)
            .field(
                "endpoint_url",
                &crate::support::redact::url(&self.endpoint_url),
            )
            .field("schema", &self.schema)
            .field("included_event_types", &self.included_event_types)
            .field("retry_policy", &self.retry_policy)
            .field("dead_letter", &self.dead_letter)
            .field("max_events_per_batch", &self.max_events_per_batch)
            .field(
                "preferred_batch_size_in_kilobytes",
                &self.preferred_batch_size_in_kilobytes,
            )
            .field(
                "delivery_headers",
                &self.delivery_headers.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Headers a subscription may not set: the delivery's own.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-type",
    "content-length",
    "connection",
    "transfer-encoding",
    "aeg-event-type",
    "aeg-delivery-count",
    "aeg-subscription-name",
    "aeg-metadata-version",
    "aeg-data-version",
];

impl EventSubscription {
    /// Every event type, in the Event Grid schema, to `endpoint_url`.
    pub fn new(endpoint_url: impl Into<String>) -> Self {
        EventSubscription {
            endpoint_url: endpoint_url.into(),
            ..Default::default()
        }
    }

    /// Whether an event of this type (`Microsoft.Communication.X`) is delivered.
    pub(crate) fn accepts(&self, event_type: &str) -> bool {
        let short = event_type
            .strip_prefix("Microsoft.Communication.")
            .unwrap_or(event_type);
        self.included_event_types.is_empty()
            || self.included_event_types.iter().any(|t| {
                let t = t.trim();
                t.eq_ignore_ascii_case(event_type) || t.eq_ignore_ascii_case(short)
            })
    }

    /// Its name, or for an unnamed one a stable name made from where and what it delivers, so
    /// that the same command line finds the same subscription in a data dir.
    pub(crate) fn effective_name(&self) -> String {
        if !self.name.is_empty() {
            return self.name.clone();
        }
        use sha2::{Digest, Sha256};
        let mut types: Vec<String> = self
            .included_event_types
            .iter()
            .map(|t| t.trim().to_ascii_lowercase())
            .collect();
        types.sort();
        let digest = Sha256::digest(format!(
            "{:?} {} {}",
            self.schema,
            self.endpoint_url,
            types.join(",")
        ));
        let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        format!("webhook-{hex}")
    }

    /// Event Grid's limits; the message says what is wrong.
    pub(crate) fn check(&self) -> Result<(), String> {
        let name = self.effective_name();
        if !(3..=64).contains(&name.len())
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!(
                "The subscription name `{name}` must be 3 to 64 letters, digits or hyphens."
            ));
        }
        super::target::Target::parse(&self.endpoint_url).map_err(|e| e.to_string())?;
        let policy = self.retry_policy;
        if !(1..=30).contains(&policy.max_delivery_attempts) {
            return Err("retryPolicy.maxDeliveryAttempts must be from 1 to 30.".into());
        }
        if !(1..=1440).contains(&policy.event_time_to_live_in_minutes) {
            return Err("retryPolicy.eventTimeToLiveInMinutes must be from 1 to 1440.".into());
        }
        if !(1..=5000).contains(&self.max_events_per_batch) {
            return Err("maxEventsPerBatch must be from 1 to 5000.".into());
        }
        if !(1..=1024).contains(&self.preferred_batch_size_in_kilobytes) {
            return Err("preferredBatchSizeInKilobytes must be from 1 to 1024.".into());
        }
        if self.delivery_headers.len() > 10 {
            return Err("At most 10 delivery headers.".into());
        }
        for (header, value) in &self.delivery_headers {
            let lower = header.to_ascii_lowercase();
            let token = !header.is_empty()
                && header
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
            if !token || RESERVED_HEADERS.contains(&lower.as_str()) || lower.starts_with("aeg-") {
                return Err(format!("The delivery header `{header}` cannot be set."));
            }
            if value.bytes().any(|b| b.is_ascii_control()) {
                return Err(format!(
                    "The delivery header `{header}` has a control character."
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_stored_documents_read_with_event_grid_defaults() {
        let old = r#"{"endpointUrl":"http://127.0.0.1:9/x","schema":"CloudEvents","includedEventTypes":["ChatMessageReceived"]}"#;
        let s: EventSubscription = serde_json::from_str(old).unwrap();
        assert_eq!(s.schema, EventSchema::CloudEvents);
        assert_eq!(s.retry_policy, RetryPolicy::default());
        assert_eq!(s.max_events_per_batch, 1);
        assert!(!s.dead_letter);
        assert!(s.check().is_ok());
        assert_eq!(s.effective_name(), s.clone().effective_name());
        assert!(s.effective_name().starts_with("webhook-"));
        let azure: EventSubscription =
            serde_json::from_str(r#"{"endpointUrl":"http://a/","schema":"CloudEventSchemaV1_0"}"#)
                .unwrap();
        assert_eq!(azure.schema, EventSchema::CloudEvents);
    }

    #[test]
    fn limits_are_event_grids() {
        let base = EventSubscription::new("http://127.0.0.1:9/x");
        let mut s = base.clone();
        s.retry_policy.max_delivery_attempts = 31;
        assert!(s.check().is_err());
        let mut s = base.clone();
        s.retry_policy.event_time_to_live_in_minutes = 0;
        assert!(s.check().is_err());
        let mut s = base.clone();
        s.max_events_per_batch = 5001;
        assert!(s.check().is_err());
        let mut s = base.clone();
        s.delivery_headers
            .insert("aeg-event-type".into(), "x".into());
        assert!(s.check().is_err());
        let mut s = base.clone();
        s.name = "a b".into();
        assert!(s.check().is_err());
        let mut s = base;
        s.delivery_headers
            .insert("x-api-key".into(), "secret".into());
        assert!(s.check().is_ok());
        assert!(!format!("{s:?}").contains("secret"));
    }
}
