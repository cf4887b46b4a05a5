//! Chat over real HTTPS. Limits, rate limits, bad input, and many concurrent writers.

mod common;

use acs_emulator::Limits;
use common::*;
use serde_json::{json, Value};

#[test]
fn limits_are_enforced_with_details() {
    let h = start_with(Limits {
        max_participants_per_thread: 4,
        max_participants_per_batch: 3,
        ..Limits::default()
    });
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let big = "x".repeat(28 * 1024 + 1);
    let reply = h.chat(
        &alice,
        "POST",
        &messages_path(&thread),
        Some(json!({"content": big})),
    );
    assert_eq!(reply.status, 400);
    // The chat service's envelope; the violated limit, with the field, in its details.
    assert_eq!(reply.chat_error().0, "BadRequest");
    let detail = &reply.body["CommunicationError"]["Details"][0];
    assert_eq!(
        (&detail["Code"], &detail["Target"]),
        (&json!("LimitExceeded"), &json!("content"))
    );
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &messages_path(&thread),
            Some(json!({"content": "x".repeat(28 * 1024)}))
        )
        .status,
        201
    );

    let users: Vec<User> = (0..4).map(|_| h.new_user()).collect();
    let batch: Vec<Value> = users.iter().map(|u| participant(&u.id)).collect();
    let add = format!("/chat/threads/{}/participants/:add", encode(&thread));
    let reply = h.chat(&alice, "POST", &add, Some(json!({"participants": batch})));
    assert_eq!(reply.status, 400, "batch over 3");
    assert!(reply.body["CommunicationError"]["Details"].is_array());
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &add,
            Some(json!({"participants": batch[..3]}))
        )
        .status,
        201
    );
    let reply = h.chat(
        &alice,
        "POST",
        &add,
        Some(json!({"participants": [batch[3].clone()]})),
    );
    assert_eq!(reply.status, 400, "thread over 4: {}", reply.text);

    let metadata: serde_json::Map<String, Value> = (0..40)
        .map(|i| (format!("key{i:02}"), json!("v".repeat(30))))
        .collect();
    let reply = h.chat(
        &alice,
        "POST",
        "/chat/threads",
        Some(json!({"topic": "t", "metadata": metadata})),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["CommunicationError"]["Details"][0]["Target"],
        "metadata"
    );
    let reply = h.chat(
        &alice,
        "POST",
        "/chat/threads",
        Some(json!({"participants": []})),
    );
    assert_eq!(reply.status, 400, "topic is required");
    let reply = h.chat(
        &alice,
        "POST",
        "/chat/threads",
        Some(json!({"topic": "  "})),
    );
    assert_eq!(reply.status, 400);
}

#[test]
fn opt_in_rate_limits_answer_429_with_retry_after() {
    let h = start_with(Limits {
        rate_limits: true,
        ..Limits::default()
    });
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    for i in 0..10 {
        h.send(&alice, &thread, &format!("m{i}"));
    }
    let reply = h.chat(
        &alice,
        "POST",
        &messages_path(&thread),
        Some(json!({"content": "one too many"})),
    );
    assert_eq!(reply.status, 429, "{}", reply.text);
    assert_eq!(reply.error_code(), "TooManyRequests");
    let retry_after: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    let other = h.thread(&alice, &[]);
    h.send(&alice, &other, "another thread has its own budget");
    assert_eq!(
        h.chat(&alice, "GET", &messages_path(&thread), None).status,
        200,
        "reads have their own budget"
    );
}

#[test]
fn bad_input_gets_an_acs_error_body_never_a_500() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let auth = ("authorization", format!("Bearer {}", alice.token));
    let post = |path: &str, content_type: &str, body: &[u8]| {
        h.raw(
            "POST",
            &format!("{path}?api-version={CHAT}"),
            &[auth.clone(), ("content-type", content_type.into())],
            Some(body.to_vec()),
        )
    };
    let malformed = post(
        &messages_path(&thread),
        "application/json",
        b"{\"content\": ",
    );
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.error_code(), "InvalidRequestBody");
    let wrong_type = post(
        &messages_path(&thread),
        "text/plain",
        b"{\"content\": \"hi\"}",
    );
    assert_eq!(wrong_type.status, 415);
    assert_eq!(wrong_type.error_code(), "UnsupportedMediaType");
    let wrong_shape = post(&messages_path(&thread), "application/json", b"[1,2,3]");
    assert_eq!(wrong_shape.status, 400);
    let bad_type = post(
        &messages_path(&thread),
        "application/json",
        br#"{"content": "x", "type": "topicUpdated"}"#,
    );
    assert_eq!(bad_type.status, 400);
    let huge = post(
        &messages_path(&thread),
        "application/json",
        &vec![b' '; 2 * 1024 * 1024],
    );
    assert_eq!(huge.status, 413);
    assert_eq!(huge.error_code(), "RequestEntityTooLarge");
    let unknown = h.raw(
        "GET",
        &format!("/nope?api-version={CHAT}"),
        std::slice::from_ref(&auth),
        None,
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "NotFound");
    let method = h.raw(
        "PUT",
        &format!("/chat/threads?api-version={CHAT}"),
        std::slice::from_ref(&auth),
        None,
    );
    assert_eq!(method.status, 405);
    let no_token = h.raw(
        "GET",
        &format!("/chat/threads?api-version={CHAT}"),
        &[],
        None,
    );
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.error_code(), "Unauthorized");
    let weird_path = h.raw(
        "GET",
        &format!("/chat/threads/%FF%FE/messages/%00?api-version={CHAT}"),
        &[auth],
        None,
    );
    assert!(
        weird_path.status == 404 || weird_path.status == 400,
        "{}",
        weird_path.status
    );
}

/// Deterministic junk: random bytes, truncated JSON and wrong-typed JSON, sent to every route.
#[test]
fn junk_never_gets_a_500() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let message = h.send(&alice, &thread, "x");
    let t = encode(&thread);
    let routes = [
        ("POST", "/chat/threads".to_string()),
        ("PATCH", format!("/chat/threads/{t}")),
        ("POST", format!("/chat/threads/{t}/messages")),
        ("PATCH", format!("/chat/threads/{t}/messages/{message}")),
        ("POST", format!("/chat/threads/{t}/participants/:add")),
        ("POST", format!("/chat/threads/{t}/participants/:remove")),
        ("POST", format!("/chat/threads/{t}/readReceipts")),
        ("POST", format!("/chat/threads/{t}/typing")),
        (
            "GET",
            format!("/chat/threads/{t}/messages?maxPageSize=-1&startTime=yesterday"),
        ),
        (
            "GET",
            "/chat/threads?syncState=%E0%A4%A&maxPageSize=99999999999999999999".to_string(),
        ),
        ("GET", format!("/chat/threads/{t}/participants?skip=-3")),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let samples: Vec<Vec<u8>> = vec![
        br#"{"topic": 5, "participants": "x"}"#.to_vec(),
        br#"{"participants": [{"communicationIdentifier": {}}]}"#.to_vec(),
        br#"{"participants": [{"communicationIdentifier": {"kind": "microsoftTeamsUser"}}]}"#.to_vec(),
        br#"{"content": null, "type": 7, "metadata": {"k": 1}}"#.to_vec(),
        br#"{"chatMessageId": ["a"]}"#.to_vec(),
        br#"{"retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": -1}, "topic": "t"}"#.to_vec(),
        b"null".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
    ];
    let mut checked = 0;
    for (method, path) in &routes {
        let mut bodies = samples.clone();
        for _ in 0..20 {
            let len = (next() % 64) as usize;
            bodies.push((0..len).map(|_| next() as u8).collect());
        }
        for body in bodies {
            let separator = if path.contains('?') { '&' } else { '?' };
            let reply = h.raw(
                method,
                &format!("{path}{separator}api-version={CHAT}"),
                &[
                    ("authorization", format!("Bearer {}", alice.token)),
                    ("content-type", "application/json".into()),
                ],
                Some(body.clone()),
            );
            assert!(
                reply.status < 500,
                "{method} {path} {:?}: {} {}",
                String::from_utf8_lossy(&body),
                reply.status,
                reply.text
            );
            if reply.status >= 400 {
                reply.error_code();
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * (samples.len() + 20));
}

#[test]
fn concurrent_writers_lose_nothing() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    std::thread::scope(|scope| {
        for writer in 0..8 {
            let (h, alice, thread) = (&h, &alice, &thread);
            scope.spawn(move || {
                for i in 0..250 {
                    h.send(alice, thread, &format!("w{writer}-{i}"));
                }
            });
        }
    });
    let messages = h.list_all(&alice, &messages_path(&thread));
    let texts: Vec<&Value> = messages.iter().filter(|m| m["type"] == "text").collect();
    assert_eq!(texts.len(), 2000);
    let mut sequences: Vec<u64> = messages
        .iter()
        .map(|m| m["sequenceId"].as_str().unwrap().parse().unwrap())
        .collect();
    sequences.sort_unstable();
    assert_eq!(
        sequences,
        (1..=2002).collect::<Vec<u64>>(),
        "unique and gap-free"
    );
    let mut contents: Vec<&str> = texts
        .iter()
        .map(|m| m["content"]["message"].as_str().unwrap())
        .collect();
    contents.sort_unstable();
    contents.dedup();
    assert_eq!(contents.len(), 2000);
}
