//! Chat over real HTTPS. Threads: creation, idempotency, who may read or write, api-version fields, system messages.

mod common;

use common::*;
use serde_json::json;

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
    // As in the spec's example and the service's recordings (not the Python ones: their
    // recorder strips it).
    let id = reply.body["chatThread"]["id"].as_str().unwrap();
    assert_eq!(reply.header("location"), Some(h.location(id, "").as_str()));

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
    // Still listed, marked deleted (the spec's listing example).
    let listed = h.list_all(&alice, "/chat/threads");
    assert_eq!(listed.len(), 1);
    assert!(listed[0]["deletedOn"].is_string(), "{listed:?}");
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
    let patch = h.chat(&alice, "PATCH", &path, Some(json!({"metadata": {"k": "w"}, "retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": 45}})));
    assert_eq!(patch.status, 204);
    let after = h.chat(&alice, "GET", &path, None);
    assert_eq!(after.body["metadata"]["k"], "w");
    assert_eq!(after.body["retentionPolicy"]["deleteThreadAfterDays"], 45);
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
fn retention_days_follow_the_documented_range() {
    let h = start();
    let alice = h.new_user();
    for (days, status) in [(1, 400), (29, 400), (30, 201), (90, 201), (91, 400)] {
        let reply = h.chat(
            &alice,
            "POST",
            "/chat/threads",
            Some(json!({"topic": "t", "retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": days}})),
        );
        assert_eq!(reply.status, status, "{days} days: {}", reply.text);
    }
}

#[test]
fn deleted_threads_stay_listed_with_deleted_on() {
    let h = start();
    let alice = h.new_user();
    let kept = h.thread(&alice, &[]);
    let gone = h.thread(&alice, &[]);
    let deleted = h.chat(
        &alice,
        "DELETE",
        &format!("/chat/threads/{}", encode(&gone)),
        None,
    );
    assert_eq!(deleted.status, 204);
    let items = h.list_all(&alice, "/chat/threads");
    assert_eq!(items.len(), 2, "{items:?}");
    let item = |id: &str| items.iter().find(|t| t["id"] == id).unwrap().clone();
    assert!(item(&gone)["deletedOn"].is_string(), "{items:?}");
    assert!(item(&kept).get("deletedOn").is_none());
}
