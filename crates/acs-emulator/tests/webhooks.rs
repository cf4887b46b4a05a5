//! Webhook subscriptions, held to Event Grid's behaviour: validation first, every event (in no
//! guaranteed order: events are compared as sets), retries, filters by type, `https://` with a
//! configured CA, and progress kept across restarts. Event Grid's retry policy, dead letters and
//! the subscription API: `delivery_policy.rs`.

mod common;

use acs_chat_core::events::{
    abuse_protection_response, parse_webhook, validation_response, ChatEvent, ChatEventEnvelope,
    WebhookRequest,
};
use acs_emulator::{Emulator, EventSchema, EventSubscription};
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

/// One request a webhook received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    content_type: Option<String>,
    aeg_event_type: Option<String>,
    body: Vec<u8>,
}

/// A subscriber built on the SDK's `events` module, one request per connection.
struct Subscriber {
    port: u16,
    requests: Receiver<Received>,
    /// Deliveries still to answer with 503.
    failures: Arc<AtomicUsize>,
}

impl Subscriber {
    /// Answers both handshakes (unless `validate` is false) and every delivery with 200, except
    /// the first `fail_first`, answered 503. With `tls`, speaks HTTPS.
    fn start(
        validate: bool,
        fail_first: usize,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Subscriber {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, requests) = std::sync::mpsc::channel();
        let failures = Arc::new(AtomicUsize::new(fail_first));
        let left = failures.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let outcome = match &tls {
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config.clone()) else {
                            return;
                        };
                        serve_one(
                            rustls::StreamOwned::new(connection, stream),
                            validate,
                            &left,
                        )
                    }
                    None => serve_one(stream, validate, &left),
                };
                // A failed TLS handshake (an untrusted certificate) is not a request.
                if let Some(received) = outcome {
                    if tx.send(received).is_err() {
                        return;
                    }
                }
            }
        });
        Subscriber {
            port,
            requests,
            failures,
        }
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}/api/events", self.port)
    }

    fn next(&self) -> Received {
        self.requests
            .recv_timeout(Duration::from_secs(20))
            .expect("a request within 20 s")
    }

    /// The accepted deliveries' events, in order, skipping handshakes and deliveries answered
    /// 503 (which are sent again).
    fn events(&self, count: usize) -> Vec<ChatEventEnvelope> {
        self.events_and_handshakes(count).0
    }

    /// [`Self::events`], and how many validation handshakes came meanwhile.
    fn events_and_handshakes(&self, count: usize) -> (Vec<ChatEventEnvelope>, usize) {
        let mut seen: Vec<ChatEventEnvelope> = Vec::new();
        let mut handshakes = 0;
        while seen.len() < count {
            let received = self.next();
            if received.method != "POST"
                || received.aeg_event_type.as_deref() == Some("SubscriptionValidation")
            {
                handshakes += 1;
                continue;
            }
            if let Ok(WebhookRequest::Events(events)) =
                parse_webhook(received.content_type.as_deref(), &received.body)
            {
                for event in events {
                    if !seen.iter().any(|e| e.id == event.id) {
                        seen.push(event);
                    }
                }
            }
        }
        (seen, handshakes)
    }

    /// Nothing more arrives within `wait` (a bounded wait is the point of such a check).
    fn assert_quiet(&self, wait: Duration) {
        if let Ok(extra) = self.requests.recv_timeout(wait) {
            panic!(
                "unexpected request: {} {}",
                extra.method,
                String::from_utf8_lossy(&extra.body)
            );
        }
    }
}

fn serve_one(
    stream: impl Read + Write,
    validate: bool,
    failures: &AtomicUsize,
) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let method = request_line.split_whitespace().next()?.to_string();
    let (mut length, mut content_type, mut origin, mut aeg_event_type) = (0, None, None, None);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or(("", ""));
        let value = Some(value.trim().to_string());
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value?.parse().ok()?,
            "content-type" => content_type = value,
            "webhook-request-origin" => origin = value,
            "aeg-event-type" => aeg_event_type = value,
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (status, headers, answer) = if !validate {
        (200, vec![], String::new())
    } else if let Some(headers) = abuse_protection_response(&method, origin.as_deref()) {
        (200, headers, String::new())
    } else {
        match parse_webhook(content_type.as_deref(), &body) {
            Ok(WebhookRequest::SubscriptionValidation {
                validation_code, ..
            }) => (200, vec![], validation_response(&validation_code)),
            Ok(WebhookRequest::Events(_))
                if failures
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok() =>
            {
                (503, vec![], String::new())
            }
            Ok(_) => (200, vec![], String::new()),
            Err(_) => (400, vec![], String::new()),
        }
    };
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        answer.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let stream = reader.get_mut();
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(answer.as_bytes());
    let _ = stream.flush();
    Some(Received {
        method,
        content_type,
        aeg_event_type,
        body,
    })
}

/// Two users, a thread, two messages: six events (thread created, thread created with Bob, and
/// per message: received by Bob, received in thread).
fn emit_six(h: &Harness) {
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    h.send(&alice, &thread, "one");
    h.send(&alice, &thread, "two");
}

/// The events' ids, sorted: delivery order is not guaranteed.
fn ids(events: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// The delivered events' ids, sorted.
fn delivered_ids(events: &[ChatEventEnvelope]) -> Vec<String> {
    let mut ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    ids
}

#[test]
fn a_webhook_gets_every_event() {
    let subscriber = Subscriber::start(true, 0, None);
    let emulator = Emulator::builder()
        .event_webhook(subscriber.url("http"))
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let expected = h.emulator.events();
    assert_eq!(expected.len(), 6);
    let first = subscriber.next();
    let validation: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(
        validation[0]["eventType"], "Microsoft.EventGrid.SubscriptionValidationEvent",
        "the handshake comes first"
    );
    assert_eq!(
        first.aeg_event_type.as_deref(),
        Some("SubscriptionValidation")
    );
    assert_eq!(delivered_ids(&subscriber.events(6)), ids(&expected));
}

#[test]
fn failed_deliveries_are_retried() {
    let subscriber = Subscriber::start(true, 3, None);
    let emulator = Emulator::builder()
        .event_webhook(subscriber.url("http"))
        .event_retry_scale(0.001)
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let expected = ids(&h.emulator.events());
    assert_eq!(
        delivered_ids(&subscriber.events(expected.len())),
        expected,
        "every event, after three 503s"
    );
}

#[test]
fn a_subscriber_that_fails_validation_gets_nothing() {
    let subscriber = Subscriber::start(false, 0, None);
    let emulator = Emulator::builder()
        .event_webhook(subscriber.url("http"))
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let first = subscriber.next();
    assert!(String::from_utf8_lossy(&first.body).contains("SubscriptionValidationEvent"));
    subscriber.assert_quiet(Duration::from_secs(2));
}

#[test]
fn cloud_events_subscribers_are_validated_then_served() {
    let subscriber = Subscriber::start(true, 0, None);
    let emulator = Emulator::builder()
        .event_webhook(subscriber.url("http"))
        .event_schema(EventSchema::CloudEvents)
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    assert_eq!(
        subscriber.next().method,
        "OPTIONS",
        "the abuse-protection handshake comes first"
    );
    let delivered = subscriber.events(6);
    assert!(delivered
        .iter()
        .all(|e| !matches!(e.event, ChatEvent::Unknown { .. })));
    assert_eq!(delivered_ids(&delivered), ids(&h.emulator.events()));
}

#[test]
fn a_webhook_must_be_http_or_https() {
    let err = Emulator::builder()
        .event_webhook("ftp://example.invalid/x")
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("https://"), "{err}");
}

#[test]
fn subscriptions_filter_by_event_type_side_by_side() {
    let only_messages = Subscriber::start(true, 0, None);
    let everything = Subscriber::start(true, 0, None);
    let emulator = Emulator::builder()
        .event_subscription(EventSubscription {
            endpoint_url: only_messages.url("http"),
            schema: EventSchema::CloudEvents,
            included_event_types: vec![
                "ChatMessageReceived".into(),
                "Microsoft.Communication.ChatThreadCreated".into(),
            ],
            ..Default::default()
        })
        .event_subscription(EventSubscription::new(everything.url("http")))
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let all = h.emulator.events();
    let wanted: Vec<Value> = all
        .iter()
        .filter(|e| {
            matches!(
                e["eventType"].as_str(),
                Some("Microsoft.Communication.ChatMessageReceived")
                    | Some("Microsoft.Communication.ChatThreadCreated")
            )
        })
        .cloned()
        .collect();
    assert_eq!(wanted.len(), 3, "{all:?}");
    assert_eq!(
        delivered_ids(&everything.events(all.len())),
        ids(&all),
        "an unfiltered subscription gets every type"
    );
    assert_eq!(
        delivered_ids(&only_messages.events(wanted.len())),
        ids(&wanted)
    );
    only_messages.assert_quiet(Duration::from_millis(500));
}

#[test]
fn a_subscription_added_while_running_gets_the_events_from_then_on() {
    let subscriber = Subscriber::start(true, 0, None);
    let h = harness_for(Emulator::builder().start().unwrap());
    emit_six(&h);
    h.emulator
        .add_event_subscription(EventSubscription::new(subscriber.url("http")))
        .unwrap();
    assert_eq!(
        subscriber.next().aeg_event_type.as_deref(),
        Some("SubscriptionValidation")
    );
    emit_six(&h);
    let after: Vec<Value> = h.emulator.events()[6..].to_vec();
    assert_eq!(delivered_ids(&subscriber.events(6)), ids(&after));
    subscriber.assert_quiet(Duration::from_millis(500));
}

/// A certificate for 127.0.0.1 signed by a fresh CA: (server config, CA PEM).
fn https_identity() -> (Arc<rustls::ServerConfig>, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    (Arc::new(config), ca_cert.pem())
}

#[test]
fn https_subscribers_are_trusted_through_the_configured_ca() {
    let (config, ca_pem) = https_identity();
    let subscriber = Subscriber::start(true, 0, Some(config));
    let emulator = Emulator::builder()
        .event_webhook(subscriber.url("https"))
        .event_webhook_ca_pem(ca_pem)
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    assert_eq!(
        delivered_ids(&subscriber.events(6)),
        ids(&h.emulator.events())
    );
}

#[test]
fn an_https_subscriber_with_an_untrusted_certificate_gets_nothing() {
    let (config, _) = https_identity();
    let subscriber = Subscriber::start(true, 0, Some(config));
    let emulator = Emulator::builder()
        .event_webhook(subscriber.url("https"))
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    // The handshake fails in TLS, so the subscriber never sees a request.
    subscriber.assert_quiet(Duration::from_secs(2));
}

#[test]
fn deliveries_go_on_after_a_restart_on_the_same_data_dir() {
    let dir = std::env::temp_dir().join(format!(
        "acs-emulator-webhooks-{}",
        acs_chat_core::http::new_request_id()
    ));
    let subscriber = Subscriber::start(true, usize::MAX, None);
    let build = || {
        Emulator::builder()
            .data_dir(&dir)
            .event_webhook(subscriber.url("http"))
            .event_retry_scale(0.001)
    };

    // First run: validated, then every delivery refused with 503 (and retried).
    let h = harness_for(build().start().unwrap());
    emit_six(&h);
    let pending = ids(&h.emulator.events());
    assert_eq!(
        subscriber.next().aeg_event_type.as_deref(),
        Some("SubscriptionValidation")
    );
    let refused = subscriber.next();
    assert_eq!(refused.aeg_event_type.as_deref(), Some("Notification"));
    drop(h);
    while subscriber.requests.try_recv().is_ok() {}

    // Second run: no second handshake; the six pending events, then new ones.
    subscriber.failures.store(0, Ordering::SeqCst);
    let h = harness_for(build().start().unwrap());
    let (delivered, handshakes) = subscriber.events_and_handshakes(6);
    assert_eq!(
        handshakes, 0,
        "a validated subscription is not validated again"
    );
    assert_eq!(
        delivered_ids(&delivered),
        pending,
        "what the first run could not deliver"
    );
    emit_six(&h);
    let fresh = ids(&h.emulator.events()[6..]);
    assert_eq!(delivered_ids(&subscriber.events(6)), fresh);
    subscriber.assert_quiet(Duration::from_millis(500));
    drop(h);

    // Third run: everything was delivered; nothing is sent again.
    let _h = harness_for(build().start().unwrap());
    subscriber.assert_quiet(Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_subscription_added_at_run_time_is_kept_in_the_data_dir() {
    let dir = std::env::temp_dir().join(format!(
        "acs-emulator-kept-subscription-{}",
        acs_chat_core::http::new_request_id()
    ));
    let subscriber = Subscriber::start(true, 0, None);
    let subscription = EventSubscription {
        endpoint_url: subscriber.url("http"),
        schema: EventSchema::CloudEvents,
        included_event_types: vec!["ChatMessageReceived".into()],
        ..Default::default()
    };

    // First run: added while running, validated, one event delivered.
    let h = harness_for(Emulator::builder().data_dir(&dir).start().unwrap());
    h.emulator
        .add_event_subscription(subscription.clone())
        .unwrap();
    // Added twice: still one delivery.
    h.emulator.add_event_subscription(subscription).unwrap();
    emit_six(&h);
    let (first, handshakes) = subscriber.events_and_handshakes(2);
    assert_eq!(handshakes, 1);
    assert_eq!(first.len(), 2);
    drop(h);
    while subscriber.requests.try_recv().is_ok() {}

    // Second run, nothing given: the kept subscription delivers the new events, no handshake.
    let h = harness_for(Emulator::builder().data_dir(&dir).start().unwrap());
    emit_six(&h);
    let wanted: Vec<String> = h.emulator.events()[6..]
        .iter()
        .filter(|e| e["eventType"] == "Microsoft.Communication.ChatMessageReceived")
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    // Delivery is at least once: the first run's last event may come again (its 200 can be lost
    // in the shutdown), never anything else.
    let earlier = delivered_ids(&first);
    let mut after: Vec<String> = Vec::new();
    while after.len() < wanted.len() {
        let received = subscriber.next();
        assert_ne!(
            received.method, "OPTIONS",
            "kept subscriptions stay validated"
        );
        let Ok(WebhookRequest::Events(events)) =
            parse_webhook(received.content_type.as_deref(), &received.body)
        else {
            panic!("not events");
        };
        for event in events {
            if !earlier.contains(&event.id) && !after.contains(&event.id) {
                after.push(event.id);
            }
        }
    }
    after.sort();
    let mut wanted = wanted;
    wanted.sort();
    assert_eq!(after, wanted);
    subscriber.assert_quiet(Duration::from_millis(500));
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}
