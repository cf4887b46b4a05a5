//! Every official 2025-03-15 x-ms-example, replayed against the emulator: its request body (ids
//! swapped for live ones) must get the example's success status and a body our models read.

mod common;

use acs_chat_core::models::*;
use common::*;
use serde_json::Value;

struct Case {
    file: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
}

const fn case(
    file: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
) -> Case {
    Case {
        file,
        method,
        path,
        body,
    }
}

/// In an order that leaves ids to use: deletes come last. `{t}` and `{m}` are a live thread and message.
const CASES: &[Case] = &[
    case(
        "Threads_CreateChatThread",
        "POST",
        "/chat/threads",
        Some("createChatThreadRequest"),
    ),
    case(
        "Threads_CreateChatThreadWithIdempotencyToken",
        "POST",
        "/chat/threads",
        Some("createChatThreadRequest"),
    ),
    case(
        "Threads_ListChatThreadsWithPageSize",
        "GET",
        "/chat/threads?maxPageSize=5",
        None,
    ),
    case("Threads_GetChatThread", "GET", "/chat/threads/{t}", None),
    case(
        "Threads_UpdateChatThreadTopic",
        "PATCH",
        "/chat/threads/{t}",
        Some("updateChatThreadRequest"),
    ),
    case(
        "Messages_SendChatMessage",
        "POST",
        "/chat/threads/{t}/messages",
        Some("sendChatMessageRequest"),
    ),
    case(
        "Messages_GetChatMessage",
        "GET",
        "/chat/threads/{t}/messages/{m}",
        None,
    ),
    case(
        "Messages_ListChatMessagesWithPageSize",
        "GET",
        "/chat/threads/{t}/messages?maxPageSize=5",
        None,
    ),
    case(
        "Messages_UpdateChatMessage",
        "PATCH",
        "/chat/threads/{t}/messages/{m}",
        Some("updateChatMessageRequest"),
    ),
    case(
        "Messages_SendTypingNotification",
        "POST",
        "/chat/threads/{t}/typing",
        Some("sendTypingNotificationRequest"),
    ),
    case(
        "Conversations_SendChatReadReceipt",
        "POST",
        "/chat/threads/{t}/readReceipts",
        Some("sendReadReceiptRequest"),
    ),
    case(
        "Conversations_ListChatReadReceiptsWithPageSize",
        "GET",
        "/chat/threads/{t}/readReceipts?maxPageSize=2",
        None,
    ),
    case(
        "Participants_AddChatParticipants",
        "POST",
        "/chat/threads/{t}/participants/:add",
        Some("addChatParticipantsRequest"),
    ),
    case(
        "Participants_ListChatParticipantsWithPageSize",
        "GET",
        "/chat/threads/{t}/participants?maxPageSize=2",
        None,
    ),
    case(
        "Participants_RemoveChatParticipant",
        "POST",
        "/chat/threads/{t}/participants/:remove",
        Some("participantCommunicationIdentifier"),
    ),
    case(
        "Messages_DeleteChatMessage",
        "DELETE",
        "/chat/threads/{t}/messages/{m}",
        None,
    ),
    case(
        "Threads_DeleteChatThread",
        "DELETE",
        "/chat/threads/{t}",
        None,
    ),
];

fn decodes(file: &str, body: &Value) {
    let ok = match file {
        "Threads_CreateChatThread" | "Threads_CreateChatThreadWithIdempotencyToken" => {
            serde_json::from_value::<CreateChatThreadResult>(body.clone()).is_ok()
        }
        "Threads_ListChatThreadsWithPageSize" => {
            serde_json::from_value::<Collection<ChatThreadItem>>(body.clone()).is_ok()
        }
        "Threads_GetChatThread" => {
            serde_json::from_value::<ChatThreadProperties>(body.clone()).is_ok()
        }
        "Messages_SendChatMessage" => {
            serde_json::from_value::<SendChatMessageResult>(body.clone()).is_ok()
        }
        "Messages_GetChatMessage" => serde_json::from_value::<ChatMessage>(body.clone()).is_ok(),
        "Messages_ListChatMessagesWithPageSize" => {
            serde_json::from_value::<Collection<ChatMessage>>(body.clone()).is_ok()
        }
        "Conversations_ListChatReadReceiptsWithPageSize" => {
            serde_json::from_value::<Collection<ChatMessageReadReceipt>>(body.clone()).is_ok()
        }
        "Participants_AddChatParticipants" => {
            serde_json::from_value::<AddChatParticipantsResult>(body.clone()).is_ok()
        }
        "Participants_ListChatParticipantsWithPageSize" => {
            serde_json::from_value::<Collection<ChatParticipant>>(body.clone()).is_ok()
        }
        _ => body.is_null(),
    };
    assert!(
        ok,
        "{file}: the emulator's response does not decode: {body}"
    );
}

#[test]
fn every_official_example_request_gets_its_success_status() {
    let folder = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/spec/chat/2025-03-15/examples"
    );
    let mut files: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .collect();
    files.sort();
    let mut covered: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    covered.sort();
    assert_eq!(files, covered, "every example file has a case");

    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let mut message = h.send(&alice, &thread, "first");
    for case in CASES {
        let example: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{folder}/{}.json", case.file)).unwrap(),
        )
        .unwrap();
        let (status, _) = example["responses"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(code, _)| code.starts_with('2'))
            .unwrap();
        let mut body = case.body.map(|name| example["parameters"][name].clone());
        if let Some(receipt) = body.as_mut().and_then(|b| b.get_mut("chatMessageId")) {
            *receipt = Value::String(message.clone());
        }
        let path = case
            .path
            .replace("{t}", &encode(&thread))
            .replace("{m}", &message);
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut headers = vec![("authorization", format!("Bearer {}", alice.token))];
        if let Some(token) = example["parameters"]["idempotency-token"].as_str() {
            headers.push(("repeatability-request-id", token.to_string()));
        }
        if body.is_some() {
            let content_type = example["parameters"]["content-type"]
                .as_str()
                .unwrap_or("application/json");
            headers.push(("content-type", content_type.to_string()));
        }
        let reply = h.raw(
            case.method,
            &format!("{path}{separator}api-version={CHAT}"),
            &headers,
            body.map(|b| serde_json::to_vec(&b).unwrap()),
        );
        assert_eq!(
            reply.status.to_string(),
            *status,
            "{}: {}",
            case.file,
            reply.text
        );
        decodes(case.file, &reply.body);
        if case.file == "Messages_SendChatMessage" {
            message = reply.body["id"].as_str().unwrap().to_string();
        }
    }
}
