//! Chat over real HTTPS. Messages, history sharing, read receipts and typing.

mod common;

use acs_emulator::Limits;
use common::*;
use serde_json::json;

#[test]
fn messages_ids_sequence_edit_delete() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    let t = encode(&thread);
    let body = example("Messages_SendChatMessage")["parameters"]["sendChatMessageRequest"].clone();
    let sent = h.chat(&alice, "POST", &messages_path(&thread), Some(body));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let first = sent.body["id"].as_str().unwrap().to_string();
    // As in the spec's example and the service's recordings (not the Python ones: their
    // recorder strips it).
    assert_eq!(
        sent.header("location"),
        Some(h.location(&thread, &format!("/messages/{first}")).as_str())
    );
    let second = h.send(&bob, &thread, "second");
    assert!(
        second.parse::<u64>().unwrap() > first.parse::<u64>().unwrap(),
        "ids increase"
    );
    assert!(
        first.parse::<u64>().unwrap() > 1_600_000_000_000,
        "epoch milliseconds"
    );

    let got = h.chat(
        &bob,
        "GET",
        &format!("/chat/threads/{t}/messages/{first}"),
        None,
    );
    assert_eq!(got.status, 200);
    assert_eq!(
        got.body["content"]["message"],
        "Let's head out for lunch in 15 minutes."
    );
    assert_eq!(got.body["senderDisplayName"], "Jane");
    assert_eq!(got.body["metadata"]["someKey1"], "someValue1");
    assert_eq!(got.body["type"], "text");
    assert_eq!(
        got.body["senderCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    assert_eq!(got.body["version"], first.as_str());

    let update =
        example("Messages_UpdateChatMessage")["parameters"]["updateChatMessageRequest"].clone();
    assert_eq!(
        h.chat(
            &bob,
            "PATCH",
            &format!("/chat/threads/{t}/messages/{first}"),
            Some(update.clone())
        )
        .status,
        403
    );
    assert_eq!(
        h.chat(
            &alice,
            "PATCH",
            &format!("/chat/threads/{t}/messages/{first}"),
            Some(update)
        )
        .status,
        204
    );
    let edited = h.chat(
        &alice,
        "GET",
        &format!("/chat/threads/{t}/messages/{first}"),
        None,
    );
    assert_eq!(edited.body["content"]["message"], "Updated message content");
    assert!(edited.body["editedOn"].is_string());
    assert_ne!(edited.body["version"], first.as_str());

    assert_eq!(
        h.chat(
            &bob,
            "DELETE",
            &format!("/chat/threads/{t}/messages/{first}"),
            None
        )
        .status,
        403
    );
    assert_eq!(
        h.chat(
            &alice,
            "DELETE",
            &format!("/chat/threads/{t}/messages/{first}"),
            None
        )
        .status,
        204
    );
    let deleted = h.chat(
        &alice,
        "GET",
        &format!("/chat/threads/{t}/messages/{first}"),
        None,
    );
    assert!(deleted.body["deletedOn"].is_string(), "{}", deleted.text);
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("/chat/threads/{t}/messages/999"),
            None
        )
        .status,
        404
    );

    let listed = h.list_all(&alice, &messages_path(&thread));
    let sequences: Vec<u64> = listed
        .iter()
        .map(|m| m["sequenceId"].as_str().unwrap().parse().unwrap())
        .collect();
    // Sequence ids 1..4 were the two system messages and two sends; the edit moved the first
    // send to 5, the deletion to 6: listed highest first, as on the service.
    assert_eq!(sequences, [6, 4, 2, 1], "by sequence id, highest first");
}

#[test]
fn share_history_time_limits_what_a_new_participant_sees() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "before bob");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let now = acs_chat_core::time_format::to_rfc3339(time::OffsetDateTime::now_utc()).unwrap();
    let mut p = participant(&bob.id);
    p["shareHistoryTime"] = json!(now);
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{}/participants/:add", encode(&thread)),
        Some(json!({"participants": [p]})),
    );
    assert_eq!(add.status, 201);
    h.send(&alice, &thread, "after bob");
    let seen: Vec<String> = h
        .list_all(&bob, &messages_path(&thread))
        .iter()
        .filter_map(|m| m["content"]["message"].as_str().map(str::to_string))
        .collect();
    assert_eq!(seen, ["after bob"]);
    assert_eq!(
        h.list_all(&alice, &messages_path(&thread))
            .iter()
            .filter(|m| m["type"] == "text")
            .count(),
        2
    );
}

#[test]
fn read_receipts_keep_the_latest_per_sender_and_typing_is_recorded() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    let m1 = h.send(&alice, &thread, "one");
    let m2 = h.send(&alice, &thread, "two");
    let receipts = format!("/chat/threads/{}/readReceipts", encode(&thread));
    for m in [&m2, &m1] {
        assert_eq!(
            h.chat(&bob, "POST", &receipts, Some(json!({"chatMessageId": m})))
                .status,
            200
        );
    }
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &receipts,
            Some(json!({"chatMessageId": m1}))
        )
        .status,
        200
    );
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &receipts,
            Some(json!({"chatMessageId": "42"}))
        )
        .status,
        404
    );
    let listed = h.list_all(&alice, &receipts);
    assert_eq!(listed.len(), 2);
    let bobs = listed
        .iter()
        .find(|r| r["senderCommunicationIdentifier"]["rawId"] == bob.id.as_str())
        .unwrap();
    assert_eq!(
        bobs["chatMessageId"],
        m2.as_str(),
        "an older receipt does not replace a newer one"
    );
    assert!(bobs["readOn"].is_string());

    let typing = format!("/chat/threads/{}/typing", encode(&thread));
    let example = example("Messages_SendTypingNotification")["parameters"]
        ["sendTypingNotificationRequest"]
        .clone();
    let reply = h.chat(&bob, "POST", &typing, Some(example));
    assert_eq!(reply.status, 200);
    assert!(reply.text.is_empty());
    assert_eq!(
        h.raw(
            "POST",
            &format!("{typing}?api-version={CHAT}"),
            &[("authorization", format!("Bearer {}", bob.token))],
            None
        )
        .status,
        200,
        "the body is optional"
    );
    // From 2023-11-07 on, typing takes application/json only.
    assert_eq!(
        h.chat_with(
            &bob,
            "POST",
            &typing,
            "2023-11-07",
            "application/merge-patch+json",
            Some(json!({}))
        )
        .status,
        415
    );
    assert_eq!(
        h.chat_with(
            &bob,
            "POST",
            &typing,
            "2021-09-07",
            "application/merge-patch+json",
            Some(json!({}))
        )
        .status,
        200
    );
}

#[test]
fn large_threads_keep_no_read_receipts_like_the_service() {
    let h = start_with(Limits {
        max_participants_for_read_receipts: 2,
        ..Limits::default()
    });
    let alice = h.new_user();
    let bob = h.new_user();
    let carol = h.new_user();
    let small = h.thread(&alice, &[&bob]);
    let large = h.thread(&alice, &[&bob, &carol]);
    for thread in [&small, &large] {
        let message = h.send(&alice, thread, "read me");
        let receipts = format!("/chat/threads/{}/readReceipts", encode(thread));
        assert_eq!(
            h.chat(
                &bob,
                "POST",
                &receipts,
                Some(json!({"chatMessageId": message}))
            )
            .status,
            200
        );
    }
    assert_eq!(
        h.list_all(
            &alice,
            &format!("/chat/threads/{}/readReceipts", encode(&small))
        )
        .len(),
        1
    );
    assert!(h
        .list_all(
            &alice,
            &format!("/chat/threads/{}/readReceipts", encode(&large))
        )
        .is_empty());
}
