//! Event Grid chat events (`Microsoft.Communication.*`, EventGrid schema, dataVersion 1.0): kept in
//! an in-memory log (`GET /emulator/events`, `Emulator::events`) and, with `--event-webhook`,
//! POSTed in order to an `http://` subscriber, one event per request body (an array, as Event Grid
//! delivers).
//!
//! Thread-level events go once per thread; user-level events once per participant other than the
//! one who acted (the sender does not receive user-level events).

use serde_json::{json, Value};
use std::sync::Mutex;
use time::OffsetDateTime;
use tokio::sync::mpsc::UnboundedSender;

pub(crate) struct EventLog {
    log: Mutex<Retained>,
    topic: String,
    webhooks: Mutex<Vec<UnboundedSender<Value>>>,
}

/// The newest events, at most `capacity`; `dropped` counts the older ones, so that indices (the
/// `since` of the feed) keep counting from the first event ever published.
struct Retained {
    events: std::collections::VecDeque<Value>,
    dropped: usize,
    capacity: usize,
}

impl EventLog {
    pub(crate) fn new(resource_id: &str, capacity: usize) -> Self {
        EventLog {
            log: Mutex::new(Retained {
                events: std::collections::VecDeque::new(),
                dropped: 0,
                capacity,
            }),
            topic: format!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.Communication/communicationServices/{resource_id}"
            ),
            webhooks: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn add_webhook(&self, sender: UnboundedSender<Value>) {
        self.webhooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(sender);
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
        for sender in self
            .webhooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            let _ = sender.send(event.clone());
        }
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.capacity == 0 {
            log.dropped += 1;
            return;
        }
        if log.events.len() == log.capacity {
            log.events.pop_front();
            log.dropped += 1;
        }
        log.events.push_back(event);
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

/// Event Grid's retry delays, in order; after them, hourly.
const RETRY_SCHEDULE: [u64; 6] = [10, 30, 60, 300, 600, 1800];
/// Event Grid's default most delivery attempts.
const MAX_ATTEMPTS: u32 = 30;

/// Delivers events to an `http://host[:port]/path` subscriber, in order: first the validation
/// handshake (a subscriber that fails it gets nothing), then one event per POST, each retried on
/// Event Grid's schedule (scaled by `scale`) until it is accepted, refused for good (400, 403,
/// 413) or out of attempts.
pub(crate) async fn deliver(
    url: hyper::Uri,
    schema: crate::config::EventSchema,
    scale: f64,
    mut events: tokio::sync::mpsc::UnboundedReceiver<Value>,
) {
    let target = Target::of(&url);
    if let Err(e) = validate(&target, schema).await {
        tracing::warn!("event webhook {url} failed validation ({e}): it gets no events");
        while events.recv().await.is_some() {}
        return;
    }
    while let Some(event) = events.recv().await {
        let (content_type, body) = match schema {
            crate::config::EventSchema::EventGrid => {
                ("application/json", serde_json::to_vec(&[&event]))
            }
            crate::config::EventSchema::CloudEvents => (
                "application/cloudevents+json; charset=utf-8",
                serde_json::to_vec(&cloud_event(&event)),
            ),
        };
        let Ok(body) = body else { continue };
        for attempt in 1..=MAX_ATTEMPTS {
            let outcome = target
                .send(
                    "POST",
                    &[
                        ("content-type", content_type),
                        ("aeg-event-type", "Notification"),
                    ],
                    body.clone(),
                )
                .await;
            match outcome {
                Ok((status, _, _)) if (200..300).contains(&status) => break,
                Ok((status @ (400 | 403 | 413), _, _)) => {
                    tracing::warn!(
                        "event webhook {url} refused an event with {status}: not retried"
                    );
                    break;
                }
                Ok((status, _, _)) => tracing::debug!("event webhook {url} answered {status}"),
                Err(e) => tracing::debug!("event webhook {url}: {e}"),
            }
            if attempt == MAX_ATTEMPTS {
                tracing::warn!(
                    "event webhook {url}: an event was dropped after {MAX_ATTEMPTS} attempts"
                );
                break;
            }
            let secs = RETRY_SCHEDULE
                .get(attempt as usize - 1)
                .copied()
                .unwrap_or(3600);
            tokio::time::sleep(std::time::Duration::from_secs_f64(secs as f64 * scale)).await;
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

/// The validation handshake of the schema.
async fn validate(
    target: &Target,
    schema: crate::config::EventSchema,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    match schema {
        crate::config::EventSchema::EventGrid => {
            let code = acs_chat_core::http::new_request_id();
            let validation = json!([{
                "id": acs_chat_core::http::new_request_id(),
                "topic": "",
                "subject": "",
                "data": {"validationCode": code},
                "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
                "eventTime": crate::chat::notify::format(OffsetDateTime::now_utc()),
                "metadataVersion": "1",
                "dataVersion": "1",
            }]);
            let (status, _, body) = target
                .send(
                    "POST",
                    &[
                        ("content-type", "application/json"),
                        ("aeg-event-type", "SubscriptionValidation"),
                    ],
                    serde_json::to_vec(&validation)?,
                )
                .await?;
            let answer: Value = serde_json::from_slice(&body).unwrap_or_default();
            if status == 200 && answer["validationResponse"] == code.as_str() {
                Ok(())
            } else {
                Err(format!("answered {status} without the validation code").into())
            }
        }
        crate::config::EventSchema::CloudEvents => {
            let origin = "acs-emulator.local";
            let (status, headers, _) = target
                .send("OPTIONS", &[("webhook-request-origin", origin)], Vec::new())
                .await?;
            let allowed = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("webhook-allowed-origin"))
                .map(|(_, v)| v.as_str());
            if (200..300).contains(&status) && matches!(allowed, Some(o) if o == origin || o == "*")
            {
                Ok(())
            } else {
                Err(format!("answered {status} without WebHook-Allowed-Origin").into())
            }
        }
    }
}

/// Where a webhook lives.
struct Target {
    host: String,
    port: u16,
    path: String,
}

impl Target {
    fn of(url: &hyper::Uri) -> Self {
        Target {
            host: url.host().unwrap_or("127.0.0.1").to_string(),
            port: url.port_u16().unwrap_or(80),
            path: url
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
        }
    }

    /// One request on a fresh connection: (status, headers, body). Bounded by 30 s.
    async fn send(
        &self,
        method: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), Box<dyn std::error::Error + Send + Sync>>
    {
        use http_body_util::BodyExt;
        let exchange = async {
            let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            let mut request = hyper::Request::builder()
                .method(method)
                .uri(self.path.as_str())
                .header("host", format!("{}:{}", self.host, self.port));
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let request = request.body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
            let response = sender.send_request(request).await?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect();
            let body = response.into_body().collect().await?.to_bytes().to_vec();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, headers, body))
        };
        tokio::time::timeout(std::time::Duration::from_secs(30), exchange)
            .await
            .map_err(|_| "the webhook did not answer within 30 s")?
    }
}
