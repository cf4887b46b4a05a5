//! Event Grid chat events: what each change emits and the `GET /emulator/events` feed (webhook
//! delivery: tests/webhooks.rs).

mod common;
use acs_chat_core::Method;

use common::*;
use serde_json::{json, Value};

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
