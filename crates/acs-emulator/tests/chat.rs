//! Chat over real HTTPS: the 16 operations, their status codes and the service's rules.

mod common;

use acs_emulator::Limits;
use common::*;
use serde_json::{json, Value};

fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/spec/chat/2025-03-15/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn messages_path(thread: &str) -> String {
    format!("/chat/threads/{}/messages", encode(thread))
}

#[test]
fn create_thread_from_the_official_example() {
    let h = start();
    let alice = h.new_user();
    let mut body =
        example("Threads_CreateChatThread")["parameters"]["createChatThreadRequest"].clone();
    // One participant that is a user of this emulator's resource but does not exist.
    let ghost = format!(
        "{}_00000000-0000-0000-0000-000000000000",
        alice.id.rsplit_once('_').unwrap().0
    );
    body["participants"]
        .as_array_mut()
        .unwrap()
        .push(participant(&ghost));
    let reply = h.chat(&alice, "POST", "/chat/threads", Some(body));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let thread = &reply.body["chatThread"];
    let id = thread["id"].as_str().unwrap();
    assert!(id.starts_with("19:") && id.ends_with("@thread.v2"), "{id}");
    assert!(
        id[3..id.len() - 10].chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(thread["topic"], "Lunch");
    assert_eq!(
        thread["createdByCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    assert_eq!(
        thread["createdByCommunicationIdentifier"]["communicationUser"]["id"],
        alice.id.as_str()
    );
    assert_eq!(
        thread["retentionPolicy"],
        json!({"kind": "threadCreationDate", "deleteThreadAfterDays": 30})
    );
    assert_eq!(
        reply.body["invalidParticipants"][0]["target"],
        ghost.as_str()
    );
    assert_eq!(reply.body["invalidParticipants"][0]["code"], "404");
    assert_eq!(
        reply.header("location"),
        Some(format!("{}/chat/threads/{}", h.emulator.endpoint(), encode(id)).as_str())
    );

    // Creator plus the example's four participants; the ghost was refused.
    let participants = h.list_all(
        &alice,
        &format!("/chat/threads/{}/participants", encode(id)),
    );
    assert_eq!(participants.len(), 5);
    assert!(participants
        .iter()
        .all(|p| p["communicationIdentifier"]["rawId"].is_string()));

    // System messages as the service produces them.
    let messages = h.list_all(&alice, &messages_path(id));
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["topicUpdated", "participantAdded"]);
    assert_eq!(messages[0]["content"]["topic"], "Lunch");
    assert_eq!(
        messages[1]["content"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn repeatability_returns_the_same_thread_to_the_same_caller() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let body = json!({"topic": "once"});
    let send = |user: &User, token: &str| {
        let path = format!("/chat/threads?api-version={CHAT}");
        h.raw(
            "POST",
            &path,
            &[
                ("authorization", format!("Bearer {}", user.token)),
                ("content-type", "application/json".into()),
                ("repeatability-request-id", token.into()),
            ],
            Some(serde_json::to_vec(&body).unwrap()),
        )
    };
    let first = send(&alice, "35dd6e71-251b-5e29-8376-ba93d09c3fbf");
    let again = send(&alice, "35dd6e71-251b-5e29-8376-ba93d09c3fbf");
    assert_eq!(first.status, 201);
    assert_eq!(again.status, 201);
    assert_eq!(first.text, again.text, "same body");
    let other_token = send(&alice, "another");
    assert_ne!(
        other_token.body["chatThread"]["id"],
        first.body["chatThread"]["id"]
    );
    let other_caller = send(&bob, "35dd6e71-251b-5e29-8376-ba93d09c3fbf");
    assert_ne!(
        other_caller.body["chatThread"]["id"],
        first.body["chatThread"]["id"]
    );
    assert_eq!(h.list_all(&alice, "/chat/threads").len(), 2);
}

#[test]
fn only_participants_read_or_write() {
    let h = start();
    let alice = h.new_user();
    let mallory = h.new_user();
    let thread = h.thread(&alice, &[]);
    let message = h.send(&alice, &thread, "secret");
    let t = encode(&thread);
    for (method, path, body) in [
        ("GET", format!("/chat/threads/{t}"), None),
        (
            "PATCH",
            format!("/chat/threads/{t}"),
            Some(json!({"topic": "x"})),
        ),
        ("GET", format!("/chat/threads/{t}/messages"), None),
        (
            "POST",
            format!("/chat/threads/{t}/messages"),
            Some(json!({"content": "hi"})),
        ),
        ("GET", format!("/chat/threads/{t}/messages/{message}"), None),
        ("GET", format!("/chat/threads/{t}/participants"), None),
        (
            "POST",
            format!("/chat/threads/{t}/participants/:add"),
            Some(json!({"participants": [participant(&mallory.id)]})),
        ),
        ("POST", format!("/chat/threads/{t}/typing"), Some(json!({}))),
        (
            "POST",
            format!("/chat/threads/{t}/readReceipts"),
            Some(json!({"chatMessageId": message})),
        ),
        ("GET", format!("/chat/threads/{t}/readReceipts"), None),
        ("DELETE", format!("/chat/threads/{t}"), None),
    ] {
        let reply = h.chat(&mallory, method, &path, body);
        assert_eq!(reply.status, 403, "{method} {path}: {}", reply.text);
        assert_eq!(reply.error_code(), "Forbidden");
    }
    assert!(
        h.list_all(&mallory, "/chat/threads").is_empty(),
        "lists only the caller's threads"
    );
    assert_eq!(h.list_all(&alice, "/chat/threads").len(), 1);

    let unknown = encode("19:00000000000000000000000000000000@thread.v2");
    let reply = h.chat(&alice, "GET", &format!("/chat/threads/{unknown}"), None);
    assert_eq!(reply.status, 404);
    assert_eq!(reply.error_code(), "NotFound");
    assert_eq!(
        h.chat(&alice, "DELETE", &format!("/chat/threads/{unknown}"), None)
            .status,
        204
    );
    assert_eq!(
        h.chat(&alice, "DELETE", &format!("/chat/threads/{t}"), None)
            .status,
        204
    );
    assert_eq!(
        h.chat(&alice, "DELETE", &format!("/chat/threads/{t}"), None)
            .status,
        204,
        "deleting twice"
    );
    assert_eq!(
        h.chat(&alice, "GET", &format!("/chat/threads/{t}"), None)
            .status,
        404
    );
    assert!(h.list_all(&alice, "/chat/threads").is_empty());
}

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
    assert!(sent
        .header("location")
        .unwrap()
        .ends_with(&format!("/messages/{first}")));
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
    assert_eq!(sequences, [4, 3, 2, 1], "newest first, gap-free");
}

#[test]
fn system_messages_follow_topic_and_membership_changes() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[]);
    let t = encode(&thread);
    let topic =
        example("Threads_UpdateChatThreadTopic")["parameters"]["updateChatThreadRequest"].clone();
    assert_eq!(
        h.chat(&alice, "PATCH", &format!("/chat/threads/{t}"), Some(topic))
            .status,
        204
    );
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{t}/participants/:add"),
        Some(json!({"participants": [participant(&bob.id)]})),
    );
    assert_eq!(add.status, 201, "{}", add.text);
    assert!(add.body.get("invalidParticipants").is_none());
    let again = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{t}/participants/:add"),
        Some(json!({"participants": [participant(&bob.id)]})),
    );
    assert_eq!(
        again.status, 201,
        "adding an existing participant changes nothing"
    );
    let remove = json!({"rawId": bob.id, "communicationUser": {"id": bob.id}});
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &format!("/chat/threads/{t}/participants/:remove"),
            Some(remove.clone())
        )
        .status,
        204
    );
    assert_eq!(
        h.chat(
            &alice,
            "POST",
            &format!("/chat/threads/{t}/participants/:remove"),
            Some(remove)
        )
        .status,
        204,
        "removing a non-participant"
    );
    assert_eq!(
        h.chat(&bob, "GET", &format!("/chat/threads/{t}"), None)
            .status,
        403,
        "removed"
    );
    let listed = h.list_all(&bob, "/chat/threads");
    assert_eq!(
        listed.len(),
        1,
        "like the service, a thread the user left stays in their listing"
    );
    assert_eq!(listed[0]["id"], thread.as_str());

    let kinds: Vec<String> = h
        .list_all(&alice, &messages_path(&thread))
        .iter()
        .map(|m| m["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "participantRemoved",
            "participantAdded",
            "topicUpdated",
            "topicUpdated",
            "participantAdded"
        ]
    );
    let props = h.chat(&alice, "GET", &format!("/chat/threads/{t}"), None);
    assert_eq!(props.body["topic"], "Updated Thread Topic");
}

#[test]
fn share_history_time_limits_what_a_new_participant_sees() {
    let h = start();
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "before bob");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let now = acs_chat_core::time_format::format(time::OffsetDateTime::now_utc());
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
fn paging_rules() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    for i in 0..7 {
        h.send(&alice, &thread, &format!("m{i}"));
    }
    // nextLink: absolute, to the emulator, with the request's api-version.
    let first = h.chat_with(
        &alice,
        "GET",
        &format!("{}?maxPageSize=3", messages_path(&thread)),
        "2023-11-07",
        "",
        None,
    );
    assert_eq!(first.status, 200);
    assert_eq!(first.body["value"].as_array().unwrap().len(), 3);
    let link = first.body["nextLink"].as_str().unwrap();
    assert!(
        link.starts_with(h.emulator.endpoint()) && link.contains("api-version=2023-11-07"),
        "{link}"
    );

    // Messages arriving between pages are neither repeated nor skipped.
    h.send(&alice, &thread, "late");
    let mut ids: Vec<String> = first.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let mut next = Some(link.to_string());
    while let Some(link) = next {
        let page = h.raw(
            "GET",
            link.strip_prefix(h.emulator.endpoint()).unwrap(),
            &[("authorization", format!("Bearer {}", alice.token))],
            None,
        );
        assert_eq!(page.status, 200, "{}", page.text);
        ids.extend(
            page.body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string()),
        );
        next = page.body["nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(
        ids.len(),
        9,
        "7 texts + 2 system messages, without the late one"
    );
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());

    // startTime is a lower bound.
    let future = acs_chat_core::time_format::format(
        time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    );
    let none = h.chat(
        &alice,
        "GET",
        &format!("{}?startTime={}", messages_path(&thread), encode(&future)),
        None,
    );
    assert_eq!(none.body["value"].as_array().unwrap().len(), 0);
    let past = acs_chat_core::time_format::format(
        time::OffsetDateTime::now_utc() - time::Duration::hours(1),
    );
    assert_eq!(
        h.list_all(
            &alice,
            &format!(
                "{}?startTime={}&maxPageSize=4",
                messages_path(&thread),
                encode(&past)
            )
        )
        .len(),
        10
    );

    // Page sizes: default and maximum 200; zero or junk is 400; a bad syncState is 400.
    let many = h.chat(
        &alice,
        "GET",
        &format!("{}?maxPageSize=5000", messages_path(&thread)),
        None,
    );
    assert_eq!(many.status, 200);
    assert!(many.body.get("nextLink").is_none());
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("{}?maxPageSize=0", messages_path(&thread)),
            None
        )
        .status,
        400
    );
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("{}?maxPageSize=abc", messages_path(&thread)),
            None
        )
        .status,
        400
    );
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("{}?syncState=!!", messages_path(&thread)),
            None
        )
        .status,
        400
    );

    // skip on participants and read receipts.
    let bob = h.new_user();
    let carol = h.new_user();
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{}/participants/:add", encode(&thread)),
        Some(json!({"participants": [participant(&bob.id), participant(&carol.id)]})),
    );
    assert_eq!(add.status, 201);
    let page = h.chat(
        &alice,
        "GET",
        &format!(
            "/chat/threads/{}/participants?maxPageSize=1&skip=1",
            encode(&thread)
        ),
        None,
    );
    assert_eq!(page.body["value"].as_array().unwrap().len(), 1);
    assert!(page.body["nextLink"].as_str().unwrap().contains("skip=2"));
    assert_eq!(
        h.list_all(
            &alice,
            &format!(
                "/chat/threads/{}/participants?maxPageSize=1",
                encode(&thread)
            )
        )
        .len(),
        3
    );
}

#[test]
fn thread_listing_pages_and_start_time() {
    let h = start();
    let alice = h.new_user();
    let mut created: Vec<String> = (0..5).map(|_| h.thread(&alice, &[])).collect();
    let listed: Vec<String> = h
        .list_all(&alice, "/chat/threads?maxPageSize=2")
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    created.reverse();
    assert_eq!(listed, created, "newest first, across three pages");
    let future = acs_chat_core::time_format::format(
        time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    );
    assert!(h
        .list_all(
            &alice,
            &format!("/chat/threads?startTime={}", encode(&future))
        )
        .is_empty());
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
    assert_eq!(reply.body["error"]["target"], "content");
    assert_eq!(reply.body["error"]["details"][0]["code"], "LimitExceeded");
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
    assert!(reply.body["error"]["details"].is_array());
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
    assert_eq!(reply.body["error"]["target"], "metadata");
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
fn fields_follow_the_api_version() {
    let h = start();
    let alice = h.new_user();
    let body =
        json!({"topic": "meta", "metadata": {"k": "v"}, "retentionPolicy": {"kind": "none"}});
    let created = h.chat(&alice, "POST", "/chat/threads", Some(body));
    assert_eq!(created.status, 201);
    let id = created.body["chatThread"]["id"].as_str().unwrap();
    let path = format!("/chat/threads/{}", encode(id));
    let new = h.chat_with(&alice, "GET", &path, "2025-03-15", "", None);
    assert_eq!(new.body["metadata"], json!({"k": "v"}));
    assert_eq!(new.body["retentionPolicy"], json!({"kind": "none"}));
    for version in ["2021-03-07", "2021-09-07", "2023-11-07", "2024-03-07"] {
        let old = h.chat_with(&alice, "GET", &path, version, "", None);
        assert_eq!(old.status, 200, "{version}");
        assert!(
            old.body.get("metadata").is_none() && old.body.get("retentionPolicy").is_none(),
            "{version}: {}",
            old.text
        );
    }
    let patch = h.chat(&alice, "PATCH", &path, Some(json!({"metadata": {"k": "w"}, "retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": 7}})));
    assert_eq!(patch.status, 204);
    let after = h.chat(&alice, "GET", &path, None);
    assert_eq!(after.body["metadata"]["k"], "w");
    assert_eq!(after.body["retentionPolicy"]["deleteThreadAfterDays"], 7);
    assert_eq!(
        h.chat_with(&alice, "GET", &path, "2020-01-01", "", None)
            .status,
        400
    );
    let missing = h.raw(
        "GET",
        &path,
        &[("authorization", format!("Bearer {}", alice.token))],
        None,
    );
    assert_eq!(missing.status, 400);
    assert_eq!(missing.error_code(), "MissingApiVersionParameter");
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
