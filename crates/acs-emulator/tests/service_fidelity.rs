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
            reply.body["error"]["message"],
            "Value for MessageId (invalid_chat_message_id) is not valid."
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
        create.body["error"]["message"],
        "Identifier format is invalid."
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
        remove.body["error"]["message"],
        "Identifier format is invalid."
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
