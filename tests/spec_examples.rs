//! Every official x-ms-example is a fixture: each response body deserializes into our models with
//! the expected fields, each request body round-trips through our request models unchanged, and a
//! file this test does not know fails it (so a new example cannot slip by).

use acs_chat_core::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

fn parse<T: DeserializeOwned>(file: &str, body: &Value) -> T {
    serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{file}: {e}\n{body}"))
}

/// Deserializes into `T` and serializes back: the JSON must not change.
fn round_trip<T: DeserializeOwned + Serialize>(file: &str, body: &Value) {
    let parsed: T = parse(file, body);
    assert_eq!(
        &serde_json::to_value(parsed).unwrap(),
        body,
        "{file}: request body does not round-trip"
    );
}

fn check_success(file: &str, name: &str, body: Option<&Value>) {
    let no_body = || assert!(body.is_none_or(Value::is_null), "{file}: expected no body");
    let body = || body.unwrap_or_else(|| panic!("{file}: expected a body"));
    match name {
        "Threads_CreateChatThread" | "Threads_CreateChatThreadWithIdempotencyToken" => {
            let r: CreateChatThreadResult = parse(file, body());
            assert_eq!(r.chat_thread.topic, "Lunch");
            assert!(r.chat_thread.id.ends_with("@thread.v2"));
            assert!(matches!(
                r.chat_thread.created_by,
                CommunicationIdentifier::CommunicationUser(_)
            ));
            assert!(r
                .invalid_participants
                .iter()
                .all(|e| e.target.as_deref().is_some_and(|t| t.starts_with("8:acs:"))));
        }
        "Threads_GetChatThread" => {
            let t: ChatThreadProperties = parse(file, body());
            assert!(!t.id.is_empty() && !t.topic.is_empty());
            assert!(t.created_on.year() >= 2020);
        }
        "Threads_ListChatThreadsWithPageSize" => {
            let c: models::Collection<ChatThreadItem> = parse(file, body());
            assert!(!c.value.is_empty() && c.next_link.is_some());
            assert!(c.value.iter().all(|t| t.id.contains("@thread.v2")));
        }
        "Messages_SendChatMessage" => {
            let r: SendChatMessageResult = parse(file, body());
            assert!(r.id.chars().all(|c| c.is_ascii_digit()));
        }
        "Messages_GetChatMessage" => {
            let m: ChatMessage = parse(file, body());
            assert!(!m.sequence_id.is_empty() && !m.version.is_empty());
            assert!(m.content.and_then(|c| c.message).is_some());
        }
        "Messages_ListChatMessagesWithPageSize" => {
            let c: models::Collection<ChatMessage> = parse(file, body());
            assert!(!c.value.is_empty());
            for m in &c.value {
                let content = m.content.clone().unwrap_or_default();
                match &m.kind {
                    ChatMessageType::Text | ChatMessageType::Html => {
                        assert!(content.message.is_some(), "{file}: {m:?}")
                    }
                    ChatMessageType::TopicUpdated => {
                        assert!(content.topic.is_some() && content.initiator.is_some())
                    }
                    ChatMessageType::ParticipantAdded | ChatMessageType::ParticipantRemoved => {
                        assert!(!content.participants.is_empty())
                    }
                    other => panic!("{file}: unexpected type {other:?}"),
                }
            }
            let attachments: Vec<_> = c
                .value
                .iter()
                .filter_map(|m| m.content.as_ref())
                .flat_map(|c| &c.attachments)
                .collect();
            assert!(attachments
                .iter()
                .all(|a| a.attachment_type == ChatAttachmentType::Image));
        }
        "Participants_AddChatParticipants" => {
            let _: AddChatParticipantsResult = parse(file, body());
        }
        "Participants_ListChatParticipantsWithPageSize" => {
            let c: models::Collection<ChatParticipant> = parse(file, body());
            assert!(!c.value.is_empty());
            assert!(c.value.iter().all(|p| !p.identifier.raw_id().is_empty()));
        }
        "Conversations_ListChatReadReceiptsWithPageSize" => {
            let c: models::Collection<ChatMessageReadReceipt> = parse(file, body());
            assert!(!c.value.is_empty());
            assert!(c.value.iter().all(|r| !r.chat_message_id.is_empty()));
        }
        "CreateIdentity" => {
            let r: CommunicationIdentityAccessTokenResult = parse(file, body());
            assert!(r.identity.id.starts_with("8:acs:"));
        }
        "IssueAccessToken" | "ExchangeTeamsUserAccessToken" => {
            // `expires_on` is a timestamp now: the example decodes only if it parses as one.
            let t: CommunicationIdentityAccessToken = parse(file, body());
            assert!(t.expires_on.year() >= 2020, "{file}: {}", t.expires_on);
        }
        "Threads_UpdateChatThreadTopic"
        | "Threads_DeleteChatThread"
        | "Messages_DeleteChatMessage"
        | "Messages_UpdateChatMessage"
        | "Messages_SendTypingNotification"
        | "Conversations_SendChatReadReceipt"
        | "Participants_RemoveChatParticipant"
        | "DeleteIdentity"
        | "RevokeAccessTokens" => no_body(),
        other => panic!("{file}: no fixture check for example `{other}`: add one"),
    }
}

fn check_request(file: &str, parameter: &str, body: &Value) {
    match parameter {
        "createChatThreadRequest" => round_trip::<CreateChatThreadRequest>(file, body),
        "updateChatThreadRequest" => round_trip::<UpdateChatThreadRequest>(file, body),
        "sendChatMessageRequest" => round_trip::<SendChatMessageRequest>(file, body),
        "updateChatMessageRequest" => round_trip::<UpdateChatMessageRequest>(file, body),
        "addChatParticipantsRequest" => round_trip::<AddChatParticipantsRequest>(file, body),
        "participantCommunicationIdentifier" => {
            round_trip::<CommunicationIdentifierModel>(file, body)
        }
        "sendReadReceiptRequest" => round_trip::<SendReadReceiptRequest>(file, body),
        "sendTypingNotificationRequest" => round_trip::<SendTypingNotificationRequest>(file, body),
        "body" if file.contains("IssueAccessToken") => {
            round_trip::<CommunicationIdentityAccessTokenRequest>(file, body)
        }
        "body" if file.contains("CreateIdentity") => {
            round_trip::<CommunicationIdentityCreateRequest>(file, body)
        }
        _ => {}
    }
}

#[test]
fn every_official_example_is_covered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec");
    let folders = [
        "chat/2021-09-07/examples",
        "chat/2025-03-15/examples",
        "identity/2021-03-07/examples",
        "identity/2023-10-01/examples",
    ];
    let mut files = 0;
    let mut responses = 0;
    for folder in folders {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(folder))
            .unwrap_or_else(|e| panic!("{folder}: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let file = path.display().to_string();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let example: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for (parameter, value) in example["parameters"].as_object().unwrap() {
                check_request(&file, parameter, value);
            }
            for (status, response) in example["responses"].as_object().unwrap() {
                let code: u16 = status.parse().unwrap();
                if (200..300).contains(&code) {
                    check_success(&file, &name, response.get("body"));
                } else {
                    let e: CommunicationErrorResponse = parse(&file, &response["body"]);
                    assert!(
                        !e.error.code.is_empty() && !e.error.message.is_empty(),
                        "{file} {status}"
                    );
                }
                responses += 1;
            }
            files += 1;
        }
    }
    // 16 + 17 chat examples, 1 + 5 identity examples.
    assert_eq!(files, 39);
    assert!(responses > 100, "{responses}");
}

#[test]
fn unknown_enum_values_are_kept() {
    let m: ChatMessage = serde_json::from_value(serde_json::json!({
        "id": "1", "type": "richTextCard", "sequenceId": "1", "version": "1",
        "createdOn": "2024-01-01T00:00:00Z",
        "content": {"attachments": [{"id": "a", "attachmentType": "video"}]}
    }))
    .unwrap();
    assert_eq!(m.kind, ChatMessageType::Unknown("richTextCard".into()));
    assert_eq!(serde_json::to_value(&m.kind).unwrap(), "richTextCard");
    assert_eq!(
        m.content.unwrap().attachments[0].attachment_type,
        ChatAttachmentType::Unknown("video".into())
    );
    let p: ChatRetentionPolicy =
        serde_json::from_value(serde_json::json!({"kind": "somethingNew"})).unwrap();
    assert_eq!(p.kind, RetentionPolicyKind::Unknown("somethingNew".into()));
}
