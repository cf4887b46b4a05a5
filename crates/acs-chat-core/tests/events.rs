//! Chat events: every event type decodes to its typed variant in both delivery schemas; the
//! handshakes answer as Event Grid and CloudEvents expect. The samples follow the field lists of
//! the Event Grid documentation for ACS chat events (`communication-services-chat-events`).

use acs_chat_core::events::*;
use serde_json::{json, Value};

fn user(id: &str) -> Value {
    json!({"rawId": id, "communicationUser": {"id": id}})
}

fn message_data(user_level: bool, kind: &str) -> Value {
    let mut data = json!({
        "messageId": "1613694358927", "senderCommunicationIdentifier": user("8:acs:sender"),
        "senderDisplayName": "Jhon", "composeTime": "2021-02-19T00:25:58.927Z", "type": "Text",
        "version": 1613694358927i64, "threadId": "19:6d20c2f921cd402ead7d1b31b0d030cd@thread.v2",
        "transactionId": "oh+LGB2dUUadMcTAdRWQxQ.1.1.1.1.1827536918.1.7",
    });
    if kind != "deleted" {
        data["messageBody"] = json!("Welcome to Azure Communication Services");
        data["metadata"] = json!({"key": "value"});
    }
    if kind == "edited" {
        data["editTime"] = json!("2021-02-19T00:28:20.784Z");
    }
    if kind == "deleted" {
        data["deleteTime"] = json!("2021-02-19T00:43:10.14Z");
    }
    if user_level {
        data["recipientCommunicationIdentifier"] = user("8:acs:recipient");
    } else {
        data["version"] = json!("1613694358927");
    }
    data
}

fn participant(id: &str) -> Value {
    json!({"displayName": "Bob", "participantCommunicationIdentifier": user(id), "metadata": {"k": "v"}})
}

fn thread_data(user_level: bool, kind: &str) -> Value {
    let mut data = json!({
        "createTime": "2021-02-20T00:31:54.365Z", "version": 1613694358927i64,
        "threadId": "19:e07c8ddc5bc14d2e9a2c8c2f8d1b7c4c@thread.v2", "transactionId": "tr",
    });
    match kind {
        "created" => {
            data["createdByCommunicationIdentifier"] = user("8:acs:creator");
            data["properties"] =
                json!({"topic": "Chat about new communication services", "metadata": {"k": "v"}});
            data["participants"] = json!([participant("8:acs:a"), participant("8:acs:b")]);
        }
        "deleted" => {
            data["deletedByCommunicationIdentifier"] = user("8:acs:creator");
            data["deleteTime"] = json!("2021-02-20T00:32:03.0546585Z");
        }
        _ => {
            data["editedByCommunicationIdentifier"] = user("8:acs:editor");
            data["editTime"] = json!("2021-02-20T00:32:03.0546585Z");
            data["properties"] = json!({"topic": "Communication in Azure"});
            data["metadata"] = json!({"k": "v"});
            data["retentionPolicy"] =
                json!({"kind": "threadCreationDate", "deleteThreadAfterDays": 40});
        }
    }
    if user_level {
        data["recipientCommunicationIdentifier"] = user("8:acs:recipient");
    }
    data
}

fn membership_data(user_level: bool, added: bool) -> Value {
    let mut data = json!({
        "time": "2021-02-20T00:54:42.8622365Z", "createTime": "2021-02-20T00:54:42.8622365Z",
        "version": 1613782482, "threadId": "19:t@thread.v2", "transactionId": "tr",
    });
    if added {
        data["addedByCommunicationIdentifier"] = user("8:acs:adder");
        data["participantAdded"] = participant("8:acs:new");
    } else {
        data["removedByCommunicationIdentifier"] = user("8:acs:remover");
        data["participantRemoved"] = participant("8:acs:gone");
    }
    if user_level {
        data["recipientCommunicationIdentifier"] = user("8:acs:recipient");
    }
    data
}

/// Every ACS chat event type with a sample `data`.
fn samples() -> Vec<(&'static str, Value)> {
    vec![
        ("ChatMessageReceived", message_data(true, "received")),
        ("ChatMessageEdited", message_data(true, "edited")),
        ("ChatMessageDeleted", message_data(true, "deleted")),
        (
            "ChatMessageReceivedInThread",
            message_data(false, "received"),
        ),
        ("ChatMessageEditedInThread", message_data(false, "edited")),
        ("ChatMessageDeletedInThread", message_data(false, "deleted")),
        ("ChatThreadCreatedWithUser", thread_data(true, "created")),
        ("ChatThreadWithUserDeleted", thread_data(true, "deleted")),
        (
            "ChatThreadPropertiesUpdatedPerUser",
            thread_data(true, "updated"),
        ),
        ("ChatThreadCreated", thread_data(false, "created")),
        ("ChatThreadDeleted", thread_data(false, "deleted")),
        ("ChatThreadPropertiesUpdated", thread_data(false, "updated")),
        (
            "ChatParticipantAddedToThreadWithUser",
            membership_data(true, true),
        ),
        (
            "ChatParticipantRemovedFromThreadWithUser",
            membership_data(true, false),
        ),
        ("ChatThreadParticipantAdded", membership_data(false, true)),
        (
            "ChatThreadParticipantRemoved",
            membership_data(false, false),
        ),
    ]
}

fn event_grid(event_type: &str, data: &Value) -> Value {
    json!({
        "id": format!("id-{event_type}"), "topic": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Communication/communicationServices/r",
        "subject": "thread/19:t@thread.v2/sender/8:acs:sender/recipient/8:acs:recipient", "data": data,
        "eventType": format!("Microsoft.Communication.{event_type}"), "dataVersion": "1.0",
        "metadataVersion": "1", "eventTime": "2021-02-19T00:25:59.9436666Z",
    })
}

fn cloud_event(event_type: &str, data: &Value) -> Value {
    json!({
        "id": format!("id-{event_type}"), "source": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Communication/communicationServices/r",
        "subject": "thread/19:t@thread.v2/sender/8:acs:sender", "data": data,
        "type": format!("Microsoft.Communication.{event_type}"), "specversion": "1.0",
        "time": "2021-02-19T00:25:59.9436666Z",
    })
}

fn events_of(request: WebhookRequest) -> Vec<ChatEventEnvelope> {
    match request {
        WebhookRequest::Events(events) => events,
        other => panic!("expected events, got {other:?}"),
    }
}

fn assert_typed(envelope: &ChatEventEnvelope) {
    assert!(
        !matches!(envelope.event, ChatEvent::Unknown { .. }),
        "{} stayed Unknown",
        envelope.event_type
    );
    assert!(
        envelope.event_time.is_some() && envelope.source.is_some() && envelope.subject.is_some()
    );
}

#[test]
fn every_chat_event_type_decodes_in_the_event_grid_schema() {
    let samples = samples();
    let body = Value::Array(samples.iter().map(|(t, d)| event_grid(t, d)).collect());
    let events =
        events_of(parse_webhook(Some("application/json"), body.to_string().as_bytes()).unwrap());
    assert_eq!(events.len(), 16);
    for envelope in &events {
        assert_typed(envelope);
    }
    match &events[0].event {
        ChatEvent::MessageReceived(m) => {
            assert_eq!(
                m.message_body.as_deref(),
                Some("Welcome to Azure Communication Services")
            );
            assert_eq!(m.version.as_deref(), Some("1613694358927"));
            assert_eq!(
                m.recipient_communication_identifier
                    .as_ref()
                    .map(|r| r.raw_id())
                    .as_deref(),
                Some("8:acs:recipient")
            );
            assert_eq!(m.created_on.map(|t| t.millisecond()), Some(927));
        }
        other => panic!("{other:?}"),
    }
    match &events[9].event {
        ChatEvent::ThreadCreated(t) => {
            assert_eq!(t.participants.len(), 2);
            assert_eq!(
                t.properties.as_ref().and_then(|p| p.topic.as_deref()),
                Some("Chat about new communication services")
            );
        }
        other => panic!("{other:?}"),
    }
    match &events[8].event {
        ChatEvent::ThreadPropertiesUpdatedPerUser(t) => {
            assert_eq!(
                t.retention_policy
                    .as_ref()
                    .and_then(|p| p.delete_thread_after_days),
                Some(40)
            );
        }
        other => panic!("{other:?}"),
    }
    match &events[13].event {
        ChatEvent::ParticipantRemovedFromThreadWithUser(p) => {
            assert_eq!(
                p.participant_removed
                    .as_ref()
                    .map(|x| x.participant_communication_identifier.raw_id())
                    .as_deref(),
                Some("8:acs:gone")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_chat_event_type_decodes_as_cloud_events() {
    let samples = samples();
    let batch = Value::Array(samples.iter().map(|(t, d)| cloud_event(t, d)).collect());
    let events = events_of(
        parse_webhook(
            Some("application/cloudevents-batch+json; charset=utf-8"),
            batch.to_string().as_bytes(),
        )
        .unwrap(),
    );
    assert_eq!(events.len(), 16);
    events.iter().for_each(assert_typed);
    let (t, d) = &samples[0];
    let single = parse_webhook(
        Some("application/cloudevents+json"),
        cloud_event(t, d).to_string().as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        &events_of(single)[0].event,
        ChatEvent::MessageReceived(_)
    ));
}

#[test]
fn the_subscription_handshakes() {
    let validation = json!([{
        "id": "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66", "topic": "/subscriptions/s", "subject": "",
        "data": {"validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", "validationUrl": "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/x/validate?id=1&t=2&apiVersion=2018-05-01-preview&token=t"},
        "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent", "eventTime": "2018-01-25T22:12:19.4556811Z",
        "metadataVersion": "1", "dataVersion": "1",
    }]);
    match parse_webhook(Some("application/json"), validation.to_string().as_bytes()).unwrap() {
        WebhookRequest::SubscriptionValidation {
            validation_code,
            validation_url,
        } => {
            assert_eq!(validation_code, "512d38b6-c7b8-40c8-89fe-f46f9e9622b6");
            assert!(validation_url.unwrap().starts_with("https://"));
            let answer: Value =
                serde_json::from_str(&validation_response(&validation_code)).unwrap();
            assert_eq!(
                answer,
                json!({"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"})
            );
        }
        other => panic!("{other:?}"),
    }
    let allowed = abuse_protection_response("OPTIONS", Some("eventgrid.azure.net")).unwrap();
    assert!(allowed.contains(&("WebHook-Allowed-Origin", "eventgrid.azure.net".to_string())));
    assert!(abuse_protection_response("POST", Some("eventgrid.azure.net")).is_none());
    assert!(abuse_protection_response("OPTIONS", None).is_none());
}

#[test]
fn unknown_types_are_kept_and_bad_bodies_are_typed_errors() {
    let body = json!([event_grid("ChatSomethingNew", &json!({"x": 1}))]);
    let events = events_of(parse_webhook(None, body.to_string().as_bytes()).unwrap());
    match &events[0].event {
        ChatEvent::Unknown { event_type, data } => {
            assert_eq!(event_type, "Microsoft.Communication.ChatSomethingNew");
            assert_eq!(data["x"], 1);
        }
        other => panic!("{other:?}"),
    }
    for bad in [&b"not json"[..], b"{}", b"42", br#"[{"id":"1"}]"#] {
        assert!(matches!(
            parse_webhook(Some("application/json"), bad),
            Err(acs_chat_core::Error::InvalidArgument { .. })
        ));
    }
    let wrong = json!([event_grid("ChatMessageReceived", &json!({"messageId": 5}))]);
    assert!(parse_webhook(None, wrong.to_string().as_bytes()).is_err());
}
