//! Webhook delivery held to Event Grid's "message delivery and retry": events delivered
//! independently (a failing one holds back no other), the retry schedule, the statuses never
//! retried, retry policies, dead letters, restarts mid-retry, batching, delivery headers and the
//! `/emulator/subscriptions` API.

mod common;

use acs_chat_core::events::validation_response;
use acs_chat_core::Method;
use acs_emulator::{Emulator, EventSubscription, RetryPolicy};
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One delivery request a receiver got.
#[derive(Debug, Clone)]
struct Delivery {
    at: Instant,
    /// `aeg-delivery-count`.
    count: u32,
    headers: Vec<(String, String)>,
    events: Vec<Value>,
    status: u16,
}

type Rule = dyn Fn(&[Value]) -> u16 + Send + Sync;

/// A webhook that passes the Event Grid handshake, answers each delivery with `rule(events)`
/// and records it; one thread per connection (the emulator sends several at once).
struct Receiver {
    port: u16,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    fn start(rule: impl Fn(&[Value]) -> u16 + Send + Sync + 'static) -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let deliveries = Arc::new(Mutex::new(Vec::new()));
        let rule: Arc<Rule> = Arc::new(rule);
        let seen = deliveries.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (rule, seen) = (rule.clone(), seen.clone());
                std::thread::spawn(move || serve(stream, &*rule, &seen));
            }
        });
        Receiver { port, deliveries }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api/events", self.port)
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().unwrap().clone()
    }

    /// The deliveries of the event with this id.
    fn attempts_of(&self, id: &str) -> Vec<Delivery> {
        self.deliveries()
            .into_iter()
            .filter(|d| d.events.iter().any(|e| e["id"] == id))
            .collect()
    }

    /// Waits (at most 20 s) until `done` holds for the deliveries so far.
    fn wait_for(&self, what: &str, done: impl Fn(&[Delivery]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(&self.deliveries()) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn serve(stream: std::net::TcpStream, rule: &Rule, seen: &Mutex<Vec<Delivery>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header == "\r\n" || header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or(("", ""));
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_string());
        if name == "content-length" {
            length = value.parse().unwrap_or(0);
        }
        headers.push((name, value));
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let events: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
    let (status, answer) = if header("aeg-event-type").as_deref() == Some("SubscriptionValidation")
    {
        let code = events[0]["data"]["validationCode"].as_str().unwrap_or("");
        (200, validation_response(code))
    } else {
        let status = rule(&events);
        seen.lock().unwrap().push(Delivery {
            at: Instant::now(),
            count: header("aeg-delivery-count")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
            headers: headers.clone(),
            events,
            status,
        });
        (status, String::new())
    };
    let stream = reader.get_mut();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    );
    let _ = stream.flush();
}

/// A subscription to `receiver` of the message events in threads only (one event per message).
fn in_thread_messages(name: &str, receiver: &Receiver) -> EventSubscription {
    EventSubscription {
        name: name.into(),
        endpoint_url: receiver.url(),
        included_event_types: vec!["ChatMessageReceivedInThread".into()],
        ..Default::default()
    }
}

/// [`in_thread_messages`], dead-lettering, with this retry policy.
fn dead_lettering(
    name: &str,
    receiver: &Receiver,
    attempts: u32,
    minutes: u32,
) -> EventSubscription {
    EventSubscription {
        dead_letter: true,
        retry_policy: RetryPolicy {
            max_delivery_attempts: attempts,
            event_time_to_live_in_minutes: minutes,
        },
        ..in_thread_messages(name, receiver)
    }
}

fn body_of(event: &Value) -> &str {
    event["data"]["messageBody"].as_str().unwrap_or("")
}

/// An emulator with retry delays at `scale` of Event Grid's and a fixed jitter seed.
fn emulator(scale: f64) -> Emulator {
    Emulator::builder()
        .event_retry_scale(scale)
        .event_retry_seed(7)
        .start()
        .unwrap()
}

fn wait_dead_letters(h: &Harness, name: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let letters = h.emulator.dead_lettered_events(Some(name));
        if letters.len() >= n {
            return letters;
        }
        assert!(Instant::now() < deadline, "no {n} dead letters for {name}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn one_failing_event_holds_back_no_other_and_is_retried_on_the_schedule_then_dead_lettered() {
    let receiver = Receiver::start(|events| {
        if events.iter().any(|e| body_of(e) == "poison") {
            503
        } else {
            200
        }
    });
    let scale = 0.002;
    let h = harness_for(emulator(scale));
    h.emulator
        .add_event_subscription(dead_lettering("poisoned", &receiver, 5, 1440))
        .unwrap();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let poison = h.send(&alice, &thread, "poison");
    // Each later message: published, then delivered within a second, the poison's retries
    // notwithstanding.
    for n in 0..10 {
        let body = format!("message {n}");
        let published = Instant::now();
        let id = h.send(&alice, &thread, &body);
        receiver.wait_for(&body, |ds| {
            ds.iter()
                .any(|d| d.status == 200 && d.events.iter().any(|e| e["data"]["messageId"] == id))
        });
        let arrived = receiver
            .deliveries()
            .into_iter()
            .find(|d| d.events.iter().any(|e| e["data"]["messageId"] == id))
            .unwrap()
            .at;
        assert!(
            arrived.duration_since(published) < Duration::from_secs(1),
            "{body} took {:?}",
            arrived.duration_since(published)
        );
    }
    let letters = wait_dead_letters(&h, "poisoned", 1);
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(letter["data"]["messageId"], poison);
    assert_eq!(letter["deadLetterReason"], "MaxDeliveryAttemptsExceeded");
    assert_eq!(letter["deliveryAttempts"], 5);
    assert_eq!(letter["lastHttpStatusCode"], 503);
    assert_eq!(letter["lastDeliveryOutcome"], "Busy");
    assert_eq!(letter["subscription"], "poisoned");
    assert!(letter["publishTime"].is_string() && letter["lastDeliveryAttemptTime"].is_string());

    let id = letter["id"].as_str().unwrap();
    let attempts = receiver.attempts_of(id);
    assert_eq!(attempts.len(), 5, "{attempts:?}");
    assert_eq!(
        attempts.iter().map(|a| a.count).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4],
        "aeg-delivery-count counts the attempts before"
    );
    // Never earlier than the schedule (10 s, 30 s, 1 min, 5 min at this scale).
    for (gap, secs) in attempts.windows(2).zip([10.0, 30.0, 60.0, 300.0]) {
        let waited = gap[1].at.duration_since(gap[0].at);
        assert!(
            waited >= Duration::from_secs_f64(secs * scale * 0.95),
            "waited {waited:?} before a retry due after {secs} s x {scale}"
        );
    }
    // Every other event came once.
    for n in 0..10 {
        let body = format!("message {n}");
        let got = receiver
            .deliveries()
            .iter()
            .filter(|d| d.events.iter().any(|e| body_of(e) == body))
            .count();
        assert_eq!(got, 1, "{body}");
    }
    // The same dead letter over HTTP.
    let reply = h.identity(
        Method::Get,
        "/emulator/deadletter?subscription=poisoned",
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["value"][0]["id"], id);
}

#[test]
fn webhook_refusals_are_tried_once_then_dead_lettered_or_dropped() {
    for status in [400u16, 401, 403, 413] {
        let receiver = Receiver::start(move |_| status);
        let h = harness_for(emulator(0.001));
        h.emulator
            .add_event_subscription(dead_lettering("kept", &receiver, 30, 1440))
            .unwrap();
        let dropped_receiver = Receiver::start(move |_| status);
        h.emulator
            .add_event_subscription(in_thread_messages("dropped", &dropped_receiver))
            .unwrap();
        let alice = h.new_user();
        let thread = h.thread(&alice, &[]);
        h.send(&alice, &thread, "refused");

        let letters = wait_dead_letters(&h, "kept", 1);
        let expected_reason = match status {
            400 => "UndeliverableDueToHttpBadRequest",
            401 => "UndeliverableDueToHttpUnauthorized",
            403 => "UndeliverableDueToHttpForbidden",
            _ => "UndeliverableDueToHttpRequestEntityTooLarge",
        };
        assert_eq!(letters[0]["deadLetterReason"], expected_reason, "{status}");
        assert_eq!(letters[0]["deliveryAttempts"], 1, "{status}");
        assert_eq!(letters[0]["lastHttpStatusCode"], status, "{status}");
        // The other subscription drops it: counted, not kept.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let view = h.identity(Method::Get, "/emulator/subscriptions/dropped", None);
            if view.body["deliveryState"]["dropped"] == 1 {
                break;
            }
            assert!(Instant::now() < deadline, "{status}: {}", view.text);
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(h.emulator.dead_lettered_events(Some("dropped")).is_empty());
        // Well past the first retry's time (10 s x 0.001): still one attempt each.
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(receiver.deliveries().len(), 1, "{status}");
        assert_eq!(dropped_receiver.deliveries().len(), 1, "{status}");
    }
}

#[test]
fn the_time_to_live_ends_an_event_before_its_attempts_do() {
    let receiver = Receiver::start(|_| 500);
    // 1 minute to live at 0.002: 120 ms; the retries at 20, 60, 120 ms... pass it by the third.
    let h = harness_for(emulator(0.002));
    h.emulator
        .add_event_subscription(dead_lettering("short-lived", &receiver, 30, 1))
        .unwrap();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "mortal");
    let letters = wait_dead_letters(&h, "short-lived", 1);
    assert_eq!(letters[0]["deadLetterReason"], "TimeToLiveExceeded");
    let attempts = letters[0]["deliveryAttempts"].as_u64().unwrap();
    assert!((1..30).contains(&attempts), "{attempts}");
    assert_eq!(letters[0]["lastDeliveryOutcome"], "GenericError");
}

#[test]
fn retries_go_on_after_a_restart_on_the_same_data_dir() {
    let dir = std::env::temp_dir().join(format!(
        "acs-emulator-retry-restart-{}",
        acs_chat_core::http::new_request_id()
    ));
    let failures = Arc::new(Mutex::new(1u32));
    let left = failures.clone();
    let receiver = Receiver::start(move |_| {
        let mut left = left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            503
        } else {
            200
        }
    });
    // The retry is due 10 s x 0.2 = 2 s after the first attempt: the restart comes well before
    // it (a stop waits for in-flight requests, so it is not instant).
    let build = || {
        Emulator::builder()
            .data_dir(&dir)
            .event_retry_scale(0.2)
            .event_retry_seed(1)
    };
    let h = harness_for(build().start().unwrap());
    h.emulator
        .add_event_subscription(in_thread_messages("durable", &receiver))
        .unwrap();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "survivor");
    receiver.wait_for("the first attempt", |ds| !ds.is_empty());
    drop(h);
    assert_eq!(receiver.deliveries().len(), 1, "stopped before the retry");

    // Second run: the kept subscription, not validated again, retries the event where it was.
    let h = harness_for(build().start().unwrap());
    receiver.wait_for("the event delivered", |ds| {
        ds.iter().any(|d| d.status == 200)
    });
    let attempts = receiver.deliveries();
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(
        attempts.iter().map(|a| a.count).collect::<Vec<_>>(),
        [0, 1],
        "the attempt count goes on across the restart"
    );
    assert!(
        attempts[1].at.duration_since(attempts[0].at) >= Duration::from_secs_f64(10.0 * 0.2 * 0.95),
        "the retry kept its due time across the restart"
    );
    assert!(attempts.iter().all(|a| body_of(&a.events[0]) == "survivor"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        receiver.deliveries().len(),
        2,
        "acknowledged: not sent again"
    );
    drop(h);

    // Third run: nothing left to send.
    let h = harness_for(build().start().unwrap());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(receiver.deliveries().len(), 2);
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batches_hold_up_to_max_events_per_batch_and_delivery_headers_are_sent() {
    let receiver = Receiver::start(|_| 200);
    let h = harness_for(emulator(0.001));
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let mut subscription = in_thread_messages("batched", &receiver);
    subscription.max_events_per_batch = 3;
    subscription
        .delivery_headers
        .insert("x-api-key".into(), "hunter2".into());
    h.emulator.add_event_subscription(subscription).unwrap();
    for n in 0..9 {
        h.send(&alice, &thread, &format!("b{n}"));
    }
    receiver.wait_for("nine events", |ds| {
        ds.iter().map(|d| d.events.len()).sum::<usize>() >= 9
    });
    let deliveries = receiver.deliveries();
    assert!(deliveries.iter().all(|d| (1..=3).contains(&d.events.len())));
    assert!(deliveries.iter().all(|d| d
        .headers
        .contains(&("x-api-key".to_string(), "hunter2".to_string()))));
    assert!(deliveries.iter().all(|d| d
        .headers
        .contains(&("aeg-subscription-name".to_string(), "BATCHED".to_string()))));
    // The API shows the header's name, never its value.
    let view = h.identity(Method::Get, "/emulator/subscriptions/batched", None);
    assert_eq!(view.body["deliveryHeaders"]["x-api-key"], "<redacted>");
    assert!(!view.text.contains("hunter2"));
}

#[test]
fn subscriptions_are_managed_over_http_and_kept_in_the_data_dir() {
    let dir = std::env::temp_dir().join(format!(
        "acs-emulator-subscription-api-{}",
        acs_chat_core::http::new_request_id()
    ));
    let receiver = Receiver::start(|_| 200);
    let h = harness_for(Emulator::builder().data_dir(&dir).start().unwrap());
    let path = "/emulator/subscriptions/api-made";
    let body = json!({
        "endpointUrl": receiver.url(),
        "includedEventTypes": ["ChatMessageReceivedInThread"],
        "retryPolicy": {"maxDeliveryAttempts": 3, "eventTimeToLiveInMinutes": 60},
        "deadLetter": true,
    });
    let created = h.with_entra("PUT", path, Some(body.clone()));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["name"], "api-made");
    assert_eq!(created.body["retryPolicy"]["maxDeliveryAttempts"], 3);
    let again = h.with_entra("PUT", path, Some(body.clone()));
    assert_eq!(again.status, 200, "the same again: unchanged");
    let listed = h.identity(Method::Get, "/emulator/subscriptions", None);
    assert_eq!(listed.body["value"].as_array().unwrap().len(), 1);

    // Event Grid's limits, and no anonymous access.
    let mut bad = body.clone();
    bad["retryPolicy"]["maxDeliveryAttempts"] = json!(31);
    let refused = h.with_entra("PUT", "/emulator/subscriptions/too-many", Some(bad));
    assert_eq!(refused.status, 400, "{}", refused.text);
    let anonymous = h.raw("GET", "/emulator/subscriptions", &[], None);
    assert_eq!(anonymous.status, 401);

    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "via the API");
    receiver.wait_for("the event", |ds| !ds.is_empty());
    drop(h);

    // Kept: listed again after a restart, delivering, not validated again.
    let h = harness_for(Emulator::builder().data_dir(&dir).start().unwrap());
    let view = h.identity(Method::Get, path, None);
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(view.body["deliveryState"]["provisioningState"], "Succeeded");
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "after the restart");
    receiver.wait_for("the second event", |ds| ds.len() >= 2);

    // Deleted: 204, then 404, and nothing more is delivered.
    assert_eq!(h.identity(Method::Delete, path, None).status, 204);
    assert_eq!(h.identity(Method::Get, path, None).status, 404);
    assert_eq!(h.identity(Method::Delete, path, None).status, 404);
    h.send(&alice, &thread, "nobody listens");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.deliveries().len(), 2);
    drop(h);
    let h = harness_for(Emulator::builder().data_dir(&dir).start().unwrap());
    let listed = h.identity(Method::Get, "/emulator/subscriptions", None);
    assert_eq!(listed.body["value"], json!([]), "deleted for good");
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}
