//! What recordings of the real service showed and the emulator now does the same (some of them
//! from recordings not in `tests/fixtures/recordings`, described in the issue that fixed them):
//! malformed ids, identifier validation, the 1970 `shareHistoryTime`, merged message metadata,
//! whole-second timestamps, `MS-CV` and `api-supported-versions`, error `Content-Type`.

mod common;

use common::*;
use serde_json::json;

fn is_whole_seconds(text: &str) -> bool {
    // 2021-09-07T20:38:12Z
    text.len() == 20 && text.ends_with('Z') && !text.contains('.')
}

#[test]
fn malformed_ids_are_400_before_anything_is_looked_up() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let t = encode(&thread);
    let reply = h.chat(
        &alice,
        "DELETE",
        "/chat/threads/invalid_chat_thread_id",
        None,
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    for (method, body) in [
        ("GET", None),
        ("PATCH", Some(json!({"content": "x"}))),
        ("DELETE", None),
    ] {
        let path = format!("/chat/threads/{t}/messages/invalid_chat_message_id");
        let reply = h.chat(&alice, method, &path, body);
        assert_eq!(reply.status, 400, "{method}: {}", reply.text);
        assert_eq!(
            reply.chat_error(),
            (
                "BadRequest",
                "Value for MessageId (invalid_chat_message_id) is not valid."
            )
        );
    }
    // A well-formed id that does not exist is still 404.
    let reply = h.chat(
        &alice,
        "GET",
        &format!("/chat/threads/{t}/messages/1"),
        None,
    );
    assert_eq!(reply.status, 404, "{}", reply.text);
}

#[test]
fn a_malformed_communication_user_id_is_refused_everywhere() {
    let h = start();
    let alice = h.new_user();
    let bad = participant("8:acs:invalidUserId");
    let create = h.chat(
        &alice,
        "POST",
        "/chat/threads",
        Some(json!({"topic": "t", "participants": [bad]})),
    );
    assert_eq!(create.status, 400, "{}", create.text);
    assert_eq!(
        create.chat_error(),
        (
            "BadRequest",
            "Identifier format is invalid (8:acs:invalidUserId)."
        )
    );
    let thread = h.thread(&alice, &[]);
    let t = encode(&thread);
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{t}/participants/:add"),
        Some(json!({ "participants": [participant("8:acs:invalidUserId")] })),
    );
    assert_eq!(add.status, 400, "{}", add.text);
    let remove = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{t}/participants/:remove"),
        Some(json!({"rawId": "8:acs:invalidUserId", "communicationUser": {"id": "8:acs:invalidUserId"}})),
    );
    assert_eq!(remove.status, 400, "{}", remove.text);
    assert_eq!(
        remove.chat_error(),
        (
            "BadRequest",
            "Identifier format is invalid (8:acs:invalidUserId)."
        )
    );
}

#[test]
fn a_participant_without_share_history_time_shows_1970() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[]);
    let t = encode(&thread);
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{t}/participants/:add"),
        Some(json!({ "participants": [{"communicationIdentifier": {"rawId": bob.id, "communicationUser": {"id": bob.id}}}] })),
    );
    assert_eq!(add.status, 201, "{}", add.text);
    let listed = h.list_all(&alice, &format!("/chat/threads/{t}/participants"));
    for p in &listed {
        assert_eq!(p["shareHistoryTime"], "1970-01-01T00:00:00Z", "{p}");
    }
    let messages = h.list_all(&alice, &messages_path(&thread));
    let added = messages
        .iter()
        .find(|m| {
            m["type"] == "participantAdded"
                && m["content"]["participants"][0]["communicationIdentifier"]["rawId"]
                    == bob.id.as_str()
        })
        .expect("a participantAdded message for bob");
    assert_eq!(
        added["content"]["participants"][0]["shareHistoryTime"],
        "1970-01-01T00:00:00Z"
    );
}

#[test]
fn message_metadata_updates_merge() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let sent = h.chat(
        &alice,
        "POST",
        &messages_path(&thread),
        Some(json!({"content": "hi", "metadata": {"keep": "1", "change": "a", "drop": "x"}})),
    );
    let id = sent.body["id"].as_str().unwrap();
    let path = format!("{}/{id}", messages_path(&thread));
    let patched = h.chat(
        &alice,
        "PATCH",
        &path,
        Some(json!({"metadata": {"change": "b", "drop": "", "new": "n"}})),
    );
    assert_eq!(patched.status, 204, "{}", patched.text);
    let message = h.chat(&alice, "GET", &path, None);
    assert_eq!(
        message.body["metadata"],
        json!({"keep": "1", "change": "b", "new": "n"})
    );
}

#[test]
fn timestamps_headers_and_content_types_are_the_service_s() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let t = encode(&thread);
    let id = h.send(&alice, &thread, "hello");
    h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{t}/readReceipts"),
        Some(json!({ "chatMessageId": id })),
    );
    let got = h.chat(&alice, "GET", &format!("/chat/threads/{t}"), None);
    assert!(
        is_whole_seconds(got.body["createdOn"].as_str().unwrap()),
        "{}",
        got.text
    );
    let message = h.chat(
        &alice,
        "GET",
        &format!("{}/{id}", messages_path(&thread)),
        None,
    );
    assert!(
        is_whole_seconds(message.body["createdOn"].as_str().unwrap()),
        "{}",
        message.text
    );
    let receipts = h.list_all(&alice, &format!("/chat/threads/{t}/readReceipts"));
    assert!(is_whole_seconds(receipts[0]["readOn"].as_str().unwrap()));
    let threads = h.list_all(&alice, "/chat/threads");
    assert!(is_whole_seconds(
        threads[0]["lastMessageReceivedOn"].as_str().unwrap()
    ));
    for p in h.list_all(&alice, &format!("/chat/threads/{t}/participants")) {
        assert!(
            is_whole_seconds(p["shareHistoryTime"].as_str().unwrap()),
            "{p}"
        );
    }
    // Identity keeps seven fractional digits in expiresOn, like the service.
    let user = h.identity(
        acs_chat_core::Method::Post,
        &format!("/identities?api-version={IDENTITY}"),
        Some(json!({"createTokenWithScopes": ["chat"]})),
    );
    let expires = user.body["accessToken"]["expiresOn"].as_str().unwrap();
    assert_eq!(
        expires.split('.').nth(1).map(|f| f.len()),
        Some("0000000+00:00".len()),
        "{expires}"
    );

    // MS-CV on every answer, errors included; api-supported-versions from each API.
    for reply in [
        &got,
        &message,
        &user,
        &h.chat(&alice, "GET", "/chat/threads/invalid", None),
    ] {
        let cv = reply.header("ms-cv").expect("MS-CV");
        let (base, suffix) = cv.split_once('.').unwrap();
        assert_eq!((base.len(), suffix), (22, "0"), "{cv}");
    }
    assert!(got
        .header("api-supported-versions")
        .unwrap()
        .contains("2025-03-15"));
    assert!(user
        .header("api-supported-versions")
        .unwrap()
        .contains("2023-10-01"));
    assert_eq!(
        got.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

/// The chat service answers its 400, 403 and 404 errors in its own envelope (every recording of
/// one in the official SDKs' suites), byte for byte: Pascal-case, two-space indent, CRLF, no
/// `Target`, no `Message` for a malformed thread id. 401 keeps the spec's `{"error": ...}`, and
/// the identity service its own.
#[test]
fn chat_errors_use_the_communication_error_envelope() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let reply = h.chat(
        &alice,
        "DELETE",
        "/chat/threads/invalid_chat_thread_id",
        None,
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.text,
        "{\r\n  \"CommunicationError\": {\r\n    \"Code\": \"BadRequest\",\r\n    \"Details\": []\r\n  }\r\n}"
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));

    let missing = encode("19:00000000000000000000000000000000@thread.v2");
    let reply = h.chat(&alice, "GET", &format!("/chat/threads/{missing}"), None);
    assert_eq!(reply.status, 404, "{}", reply.text);
    assert_eq!(
        reply.chat_error(),
        ("NotFound", "The specified thread id was not found.")
    );
    assert_eq!(reply.body["CommunicationError"]["Details"], json!([]));
    assert!(reply.body["CommunicationError"].get("Target").is_none());

    let thread = encode(&h.thread(&alice, &[]));
    let reply = h.chat(&bob, "GET", &format!("/chat/threads/{thread}"), None);
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(reply.chat_error().0, "Forbidden");

    let reply = h.raw(
        "GET",
        &format!("/chat/threads/{thread}?api-version=2025-03-15"),
        &[("authorization", "Bearer not-a-token".to_string())],
        None,
    );
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["error"]["code"], "Unauthorized",
        "{}",
        reply.text
    );

    let reply = h.identity(
        acs_chat_core::Method::Post,
        "/identities?api-version=2023-10-01",
        Some(json!({"expiresInMinutes": 1})),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["error"]["target"], "ExpiresInMinutes",
        "{}",
        reply.text
    );
}

/// `Location` on every 201 of create-thread (also when replayed for the same
/// `repeatability-request-id`) and send-message, as the service sends it (`19%3A…@thread.v2`),
/// built from the emulator's own endpoint whatever the request's `Host`, `X-Forwarded-Host` or
/// `Forwarded` say; none on add-participants.
#[test]
fn location_on_created_threads_and_messages_comes_from_the_endpoint() {
    let h = start();
    let alice = h.new_user();
    let spoofed = [
        ("authorization", format!("Bearer {}", alice.token)),
        ("content-type", "application/json".to_string()),
        ("x-forwarded-host", "evil.example".to_string()),
        ("x-forwarded-proto", "http".to_string()),
        ("forwarded", "host=evil.example;proto=http".to_string()),
        ("repeatability-request-id", uuid_like()),
    ];
    let body = serde_json::to_vec(&json!({"topic": "t"})).unwrap();
    let created = h.raw(
        "POST",
        "/chat/threads?api-version=2025-03-15",
        &spoofed,
        Some(body.clone()),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["chatThread"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let thread_location = h.location(&id, "");
    assert!(thread_location.contains("@thread.v2"));
    assert_eq!(created.header("location"), Some(thread_location.as_str()));
    // The same create again: the stored 201, with its Location.
    let again = h.raw(
        "POST",
        "/chat/threads?api-version=2025-03-15",
        &spoofed,
        Some(body),
    );
    assert_eq!(
        (again.status, again.text.as_str()),
        (201, created.text.as_str())
    );
    assert_eq!(again.header("location"), Some(thread_location.as_str()));

    let sent = h.raw(
        "POST",
        &format!(
            "/chat/threads/{}/messages?api-version=2025-03-15",
            encode(&id)
        ),
        &spoofed[..5],
        Some(serde_json::to_vec(&json!({"content": "hi"})).unwrap()),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    let message = sent.body["id"].as_str().unwrap();
    assert_eq!(
        sent.header("location"),
        Some(format!("{thread_location}/messages/{message}").as_str())
    );
    for reply in [&created, &again, &sent] {
        assert!(!reply.header("location").unwrap().contains("evil"));
    }

    let bob = h.new_user();
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{}/participants/:add", encode(&id)),
        Some(json!({"participants": [participant(&bob.id)]})),
    );
    assert_eq!(add.status, 201, "{}", add.text);
    assert_eq!(add.header("location"), None);
}

fn uuid_like() -> String {
    format!(
        "{:032x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Editing or deleting a message gives it the thread's next sequenceId and a new version, so it
/// moves to the top of the listing (two recordings of the service, .NET 2021-01 and 2021-06); a
/// deleted message stays listed with `deletedOn`, empty content and no `editedOn`; later
/// messages come after it.
#[test]
fn an_edit_or_a_deletion_moves_the_message_to_the_end_of_the_thread() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let t = encode(&thread);
    let first = h.send(&alice, &thread, "one");
    let second = h.send(&alice, &thread, "two");
    let third = h.send(&alice, &thread, "three");
    let get = |id: &str| {
        h.chat(
            &alice,
            "GET",
            &format!("/chat/threads/{t}/messages/{id}"),
            None,
        )
        .body
    };
    let seq = |m: &serde_json::Value| m["sequenceId"].as_str().unwrap().parse::<u64>().unwrap();
    let before = get(&first);
    assert_eq!(seq(&get(&third)), seq(&get(&second)) + 1);

    let edit = h.chat(
        &alice,
        "PATCH",
        &format!("/chat/threads/{t}/messages/{first}"),
        Some(json!({"content": "one, edited"})),
    );
    assert_eq!(edit.status, 204, "{}", edit.text);
    let edited = get(&first);
    assert_eq!(seq(&edited), seq(&get(&third)) + 1);
    assert_ne!(edited["version"], before["version"]);
    assert_eq!(edited["createdOn"], before["createdOn"]);

    let delete = h.chat(
        &alice,
        "DELETE",
        &format!("/chat/threads/{t}/messages/{second}"),
        None,
    );
    assert_eq!(delete.status, 204, "{}", delete.text);
    let deleted = get(&second);
    assert_eq!(seq(&deleted), seq(&edited) + 1);
    assert_eq!(deleted["content"], json!({"message": ""}));
    assert!(deleted["deletedOn"].is_string() && deleted.get("editedOn").is_none());

    let fourth = h.send(&alice, &thread, "four");
    assert_eq!(seq(&get(&fourth)), seq(&deleted) + 1);
    // Listed by sequenceId, highest first, across pages of 2.
    let listed = h.list_all(&alice, &format!("/chat/threads/{t}/messages?maxPageSize=2"));
    let texts: Vec<&str> = listed
        .iter()
        .filter(|m| m["type"] == "text")
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(texts, [&fourth, &second, &first, &third]);
    let sequences: Vec<u64> = listed.iter().map(seq).collect();
    assert!(sequences.windows(2).all(|w| w[0] > w[1]), "{sequences:?}");
}
