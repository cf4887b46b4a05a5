//! Event Grid chat events: what each change emits, the `GET /emulator/events` feed, and webhook
//! delivery in order.

mod common;
use acs_chat_core::Method;

use acs_emulator::Emulator;
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            e["eventType"]
                .as_str()
                .unwrap()
                .trim_start_matches("Microsoft.Communication.")
                .to_string()
        })
        .collect()
}

#[test]
fn every_change_emits_thread_and_user_events() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let carol = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    let t = encode(&thread);
    let message = h.send(&alice, &thread, "hello");
    assert_eq!(
        h.chat(
            &alice,
            "PATCH",
            &format!("/chat/threads/{t}/messages/{message}"),
            Some(json!({"content": "edited"}))
        )
        .status,
        204
    );
    assert_eq!(
        h.chat(
            &alice,
            "DELETE",
            &format!("/chat/threads/{t}/messages/{message}"),
            None
        )
        .status,
        204
    );
    assert_eq!(
        h.chat(
            &alice,
            "PATCH",
            &format!("/chat/threads/{t}"),
            Some(json!({"topic": "new"}))
        )
        .status,
        204
    );
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{t}/participants/:add"),
        Some(json!({"participants": [participant(&carol.id)]})),
    );
    assert_eq!(add.status, 201);
    let remove = json!({"rawId": carol.id, "communicationUser": {"id": carol.id}});
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &format!("/chat/threads/{t}/participants/:remove"),
            Some(remove)
        )
        .status,
        204
    );
    assert_eq!(
        h.chat(&alice, "DELETE", &format!("/chat/threads/{t}"), None)
            .status,
        204
    );

    let events = h.emulator.events();
    assert_eq!(
        types(&events),
        [
            "ChatThreadCreatedWithUser",
            "ChatThreadCreated",
            "ChatMessageReceived",
            "ChatMessageReceivedInThread",
            "ChatMessageEdited",
            "ChatMessageEditedInThread",
            "ChatMessageDeleted",
            "ChatMessageDeletedInThread",
            "ChatThreadPropertiesUpdatedPerUser",
            "ChatThreadPropertiesUpdated",
            "ChatParticipantAddedToThreadWithUser",
            "ChatParticipantAddedToThreadWithUser",
            "ChatThreadParticipantAdded",
            "ChatParticipantRemovedFromThreadWithUser",
            "ChatParticipantRemovedFromThreadWithUser",
            "ChatThreadParticipantRemoved",
            "ChatThreadWithUserDeleted",
            "ChatThreadDeleted",
        ]
    );
    for event in &events {
        assert_eq!(event["dataVersion"], "1.0");
        assert!(
            event["id"].is_string()
                && event["eventTime"].is_string()
                && event["topic"]
                    .as_str()
                    .unwrap()
                    .contains("Microsoft.Communication")
        );
        assert_eq!(event["data"]["threadId"], thread.as_str());
    }

    let received = &events[2];
    assert_eq!(
        received["subject"],
        format!("thread/{thread}/sender/{}/recipient/{}", alice.id, bob.id)
    );
    assert_eq!(received["data"]["messageBody"], "hello");
    assert_eq!(received["data"]["messageId"], message.as_str());
    assert_eq!(
        received["data"]["senderCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    assert_eq!(
        received["data"]["recipientCommunicationIdentifier"]["rawId"],
        bob.id.as_str()
    );
    assert_eq!(received["data"]["type"], "text");
    assert!(received["data"]["composeTime"].is_string() && received["data"]["version"].is_i64());
    let in_thread = &events[3];
    assert_eq!(
        in_thread["subject"],
        format!("thread/{thread}/sender/{}", alice.id)
    );
    assert!(in_thread["data"]
        .get("recipientCommunicationIdentifier")
        .is_none());
    assert_eq!(events[4]["data"]["messageBody"], "edited");
    assert!(events[4]["data"]["editTime"].is_string());
    assert!(
        events[6]["data"].get("messageBody").is_none()
            && events[6]["data"]["deleteTime"].is_string()
    );
    assert_eq!(events[9]["data"]["properties"]["topic"], "new");
    assert_eq!(
        events[12]["data"]["participantAdded"]["participantCommunicationIdentifier"]["rawId"],
        carol.id.as_str()
    );
    assert_eq!(
        events[12]["data"]["addedByCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    assert_eq!(
        events[15]["data"]["participantRemoved"]["participantCommunicationIdentifier"]["rawId"],
        carol.id.as_str()
    );
    assert_eq!(
        events[17]["data"]["deletedByCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    let created = &events[1]["data"];
    assert_eq!(created["participants"].as_array().unwrap().len(), 2);
    assert_eq!(created["properties"]["topic"], "t");

    // The same feed over HTTP, from an index on: signed with the access key, like identity.
    let unsigned = h.raw("GET", "/emulator/events?since=16", &[], None);
    assert_eq!(unsigned.status, 401, "the feed holds every user's messages");
    let feed = h.identity(Method::Get, "/emulator/events?since=16", None);
    assert_eq!(feed.status, 200);
    assert_eq!(
        types(feed.body.as_array().unwrap()),
        ["ChatThreadWithUserDeleted", "ChatThreadDeleted"]
    );
}

/// One request a webhook received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// A one-request-per-connection subscriber built on the SDK's `events` module: it answers both
/// handshakes (unless `validate` is false), answers 503 to the first `fail_first` deliveries, and
/// reports every request it saw.
fn webhook_receiver(
    validate: bool,
    fail_first: usize,
) -> (u16, std::sync::mpsc::Receiver<Received>) {
    use acs_chat_core::events::{
        abuse_protection_response, parse_webhook, validation_response, WebhookRequest,
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut deliveries = 0;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let method = request_line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            let (mut length, mut content_type, mut origin) = (0, None, None);
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or(("", ""));
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "content-type" => content_type = Some(value.trim().to_string()),
                    "webhook-request-origin" => origin = Some(value.trim().to_string()),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let (status, headers, answer) = if !validate {
                (200, vec![], String::new())
            } else if let Some(headers) = abuse_protection_response(&method, origin.as_deref()) {
                (200, headers, String::new())
            } else {
                match parse_webhook(content_type.as_deref(), &body) {
                    Ok(WebhookRequest::SubscriptionValidation {
                        validation_code, ..
                    }) => (200, vec![], validation_response(&validation_code)),
                    Ok(WebhookRequest::Events(_)) if deliveries < fail_first => {
                        deliveries += 1;
                        (503, vec![], String::new())
                    }
                    Ok(WebhookRequest::Events(_)) => (200, vec![], String::new()),
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
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(answer.as_bytes());
            if tx
                .send(Received {
                    method,
                    content_type,
                    body,
                })
                .is_err()
            {
                return;
            }
        }
    });
    (port, rx)
}

/// The accepted deliveries' events (Event Grid schema), in order, skipping handshakes and
/// deliveries answered 503 (which are sent again).
fn delivered_events(
    bodies: &std::sync::mpsc::Receiver<Received>,
    count: usize,
) -> Vec<acs_chat_core::events::ChatEventEnvelope> {
    use acs_chat_core::events::{parse_webhook, WebhookRequest};
    let mut seen: Vec<acs_chat_core::events::ChatEventEnvelope> = Vec::new();
    while seen.len() < count {
        let received = bodies
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("delivered");
        if received.method != "POST" {
            continue;
        }
        if let Ok(WebhookRequest::Events(events)) =
            parse_webhook(received.content_type.as_deref(), &received.body)
        {
            for event in events {
                // A retried delivery repeats the id: keep the first copy.
                if !seen.iter().any(|e| e.id == event.id) {
                    seen.push(event);
                }
            }
        }
    }
    seen
}

fn emit_six(h: &Harness) {
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    h.send(&alice, &thread, "one");
    h.send(&alice, &thread, "two");
}

#[test]
fn a_webhook_gets_every_event_in_order() {
    let (port, bodies) = webhook_receiver(true, 0);
    let emulator = Emulator::builder()
        .event_webhook(format!("http://127.0.0.1:{port}/api/events"))
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let expected = h.emulator.events();
    assert_eq!(expected.len(), 6);
    let first = bodies
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let validation: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(
        validation[0]["eventType"], "Microsoft.EventGrid.SubscriptionValidationEvent",
        "the handshake comes first"
    );
    let delivered = delivered_events(&bodies, expected.len());
    let ids: Vec<&str> = delivered.iter().map(|e| e.id.as_str()).collect();
    let expected_ids: Vec<&str> = expected.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected_ids);
}

#[test]
fn failed_deliveries_are_retried_in_order() {
    let (port, bodies) = webhook_receiver(true, 3);
    let emulator = Emulator::builder()
        .event_webhook(format!("http://127.0.0.1:{port}/"))
        .event_retry_scale(0.001)
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let expected: Vec<String> = h
        .emulator
        .events()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let delivered: Vec<String> = delivered_events(&bodies, expected.len())
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(
        delivered, expected,
        "every event, in order, after three 503s"
    );
}

#[test]
fn a_subscriber_that_fails_validation_gets_nothing() {
    let (port, bodies) = webhook_receiver(false, 0);
    let emulator = Emulator::builder()
        .event_webhook(format!("http://127.0.0.1:{port}/"))
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let first = bodies
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    assert!(String::from_utf8_lossy(&first.body).contains("SubscriptionValidationEvent"));
    // Nothing else arrives: waiting is the point here, bounded.
    assert!(
        bodies
            .recv_timeout(std::time::Duration::from_secs(2))
            .is_err(),
        "no event after a failed handshake"
    );
}

#[test]
fn cloud_events_subscribers_are_validated_then_served() {
    let (port, bodies) = webhook_receiver(true, 0);
    let emulator = Emulator::builder()
        .event_webhook(format!("http://127.0.0.1:{port}/"))
        .event_schema(acs_emulator::EventSchema::CloudEvents)
        .start()
        .unwrap();
    let h = harness_for(emulator);
    emit_six(&h);
    let first = bodies
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    assert_eq!(
        first.method, "OPTIONS",
        "the abuse-protection handshake comes first"
    );
    let delivered = delivered_events(&bodies, 6);
    assert!(delivered
        .iter()
        .all(|e| !matches!(e.event, acs_chat_core::events::ChatEvent::Unknown { .. })));
    assert_eq!(
        delivered[0].id,
        h.emulator.events()[0]["id"].as_str().unwrap()
    );
}

#[test]
fn a_webhook_must_be_plain_http() {
    let err = Emulator::builder()
        .event_webhook("ftp://example.invalid/x")
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("http://"), "{err}");
}

#[test]
fn every_event_the_emulator_emits_decodes_to_a_typed_sdk_event() {
    use acs_chat_core::events::{parse_webhook, ChatEvent, WebhookRequest};
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let carol = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    let message = h.send(&alice, &thread, "hello");
    let path = format!("{}/{message}", messages_path(&thread));
    assert_eq!(
        h.chat(&alice, "PATCH", &path, Some(json!({"content": "edited"})))
            .status,
        204
    );
    assert_eq!(h.chat(&alice, "DELETE", &path, None).status, 204);
    let thread_path = format!("/chat/threads/{}", encode(&thread));
    assert_eq!(
        h.chat(&alice, "PATCH", &thread_path, Some(json!({"topic": "new"})))
            .status,
        204
    );
    let add = json!({"participants": [participant(&carol.id)]});
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &format!("{thread_path}/participants/:add"),
            Some(add)
        )
        .status,
        201
    );
    let remove = json!({"communicationUser": {"id": carol.id}, "rawId": carol.id});
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &format!("{thread_path}/participants/:remove"),
            Some(remove)
        )
        .status,
        204
    );
    assert_eq!(h.chat(&alice, "DELETE", &thread_path, None).status, 204);

    let feed = h.identity(Method::Get, "/emulator/events", None);
    let WebhookRequest::Events(events) =
        parse_webhook(Some("application/json"), feed.text.as_bytes()).unwrap()
    else {
        panic!("not events");
    };
    let kinds: std::collections::BTreeSet<String> =
        events.iter().map(|e| e.event_type.clone()).collect();
    assert_eq!(
        kinds.len(),
        16,
        "every chat event type is exercised: {kinds:?}"
    );
    for event in &events {
        assert!(
            !matches!(event.event, ChatEvent::Unknown { .. }),
            "{}",
            event.event_type
        );
    }
}
