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
    webhook: Mutex<Option<UnboundedSender<Value>>>,
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
            webhook: Mutex::new(None),
        }
    }

    pub(crate) fn set_webhook(&self, sender: UnboundedSender<Value>) {
        *self
            .webhook
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(sender);
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
        if let Some(sender) = self
            .webhook
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
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

/// Delivers events to an `http://host[:port]/path` webhook, in order, one POST per event.
pub(crate) async fn deliver(
    url: hyper::Uri,
    mut events: tokio::sync::mpsc::UnboundedReceiver<Value>,
) {
    let host = url.host().unwrap_or("127.0.0.1").to_string();
    let port = url.port_u16().unwrap_or(80);
    let path = url
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    while let Some(event) = events.recv().await {
        if let Err(e) = post(&host, port, &path, &event).await {
            tracing::warn!("event webhook {url}: {e}");
        }
    }
}

async fn post(
    host: &str,
    port: u16,
    path: &str,
    event: &Value,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect((host, port)).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let body = serde_json::to_vec(&[event])?;
    let request = hyper::Request::post(path)
        .header("host", format!("{host}:{port}"))
        .header("content-type", "application/json")
        .header("aeg-event-type", "Notification")
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
    let response = sender.send_request(request).await?;
    if !response.status().is_success() {
        tracing::warn!("event webhook answered {}", response.status());
    }
    Ok(())
}
