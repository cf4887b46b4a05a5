//! Every response body the real service gave in `tests/fixtures/recordings/` decodes with the
//! SDK's decoders: a success into the operation's model, an error into a typed error that keeps
//! the service's code and message.

use acs_chat_core::http::Exchange;
use acs_chat_core::models::*;
use acs_chat_core::requests::{decode_empty, decode_json, decode_page, ChatRequests};
use acs_chat_core::{Endpoint, Error, HttpResponse};
use serde_json::Value;
use std::path::Path;

fn entries() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recordings");
    let mut all = Vec::new();
    for folder in ["python-chat", "python-identity"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for (i, entry) in doc["Entries"].as_array().unwrap().iter().enumerate() {
                let name = format!("{}[{i}]", path.file_stem().unwrap().to_string_lossy());
                all.push((name, entry.clone()));
            }
        }
    }
    all
}

fn exchange(entry: &Value, expected_status: u16) -> Exchange {
    let body = match &entry["ResponseBody"] {
        Value::Null => Vec::new(),
        Value::String(text) => text.as_bytes().to_vec(),
        other => serde_json::to_vec(other).unwrap(),
    };
    let headers = entry["ResponseHeaders"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        v.as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Exchange {
        operation: "recording",
        expected_status,
        response: HttpResponse {
            status: entry["StatusCode"].as_u64().unwrap() as u16,
            headers,
            body,
        },
        attempts: 1,
        client_request_id: None,
        replay: acs_chat_core::http::Replay::Safe,
    }
}

/// Decodes one recorded answer as the SDK would for its route; what it decoded to, for the log.
fn decode(entry: &Value) -> Result<&'static str, Error> {
    let uri = entry["RequestUri"].as_str().unwrap();
    let method = entry["RequestMethod"].as_str().unwrap();
    let path = uri
        .split("azure.com")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let endpoint = Endpoint::parse("https://sanitized.communication.azure.com").unwrap();
    let chat = ChatRequests::new(endpoint, None);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let thread = segments.get(2).map(|s| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .to_string()
    });
    let thread = thread.as_deref().unwrap_or("19:x@thread.v2");
    let ok = |status| exchange(entry, status);
    match (method, segments.as_slice()) {
        ("POST", ["chat", "threads"]) => {
            decode_json::<CreateChatThreadResult>(ok(201)).map(|_| "CreateChatThreadResult")
        }
        ("GET", ["chat", "threads"]) => {
            let link = chat.list_chat_threads(&Default::default())?;
            decode_page::<ChatThreadItem>(ok(200), &link).map(|_| "Page<ChatThreadItem>")
        }
        ("POST", [.., "messages"]) => {
            decode_json::<SendChatMessageResult>(ok(201)).map(|_| "SendChatMessageResult")
        }
        ("GET", [.., "messages", _]) => decode_json::<ChatMessage>(ok(200)).map(|_| "ChatMessage"),
        ("PATCH", [.., "messages", _]) => decode_empty(ok(204)).map(|_| "()"),
        ("POST", [.., "participants", ":add"]) => {
            decode_json::<AddChatParticipantsResult>(ok(201)).map(|_| "AddChatParticipantsResult")
        }
        ("POST", [.., "participants", ":remove"]) => decode_empty(ok(204)).map(|_| "()"),
        ("GET", [.., "participants"]) => {
            let link = chat.list_participants(thread, &Default::default())?;
            decode_page::<ChatParticipant>(ok(200), &link).map(|_| "Page<ChatParticipant>")
        }
        ("POST", [.., "readReceipts"]) | ("POST", [.., "typing"]) => {
            decode_empty(ok(200)).map(|_| "()")
        }
        ("GET", [.., "readReceipts"]) => {
            let link = chat.list_read_receipts(thread, &Default::default())?;
            decode_page::<ChatMessageReadReceipt>(ok(200), &link)
                .map(|_| "Page<ChatMessageReadReceipt>")
        }
        ("POST", ["identities"]) => decode_json::<CommunicationIdentityAccessTokenResult>(ok(201))
            .map(|_| "CommunicationIdentityAccessTokenResult"),
        ("POST", ["identities", _, ":issueAccessToken"])
        | ("POST", ["teamsUser", ":exchangeAccessToken"]) => {
            decode_json::<CommunicationIdentityAccessToken>(ok(200))
                .map(|_| "CommunicationIdentityAccessToken")
        }
        ("POST", ["identities", _, ":revokeAccessTokens"]) | ("DELETE", ["identities", _]) => {
            decode_empty(ok(204)).map(|_| "()")
        }
        other => panic!("no decoder for {other:?}"),
    }
}

#[test]
fn every_recorded_body_decodes_into_its_model_or_a_typed_error() {
    let (mut models, mut errors) = (0, 0);
    for (name, entry) in entries() {
        let status = entry["StatusCode"].as_u64().unwrap();
        match decode(&entry) {
            Ok(model) if status < 400 => {
                models += 1;
                println!("{name}: {status} -> {model}");
            }
            Err(Error::Service(e)) if status >= 400 => {
                errors += 1;
                let recorded = &entry["ResponseBody"]["error"];
                assert_eq!(e.status as u64, status, "{name}");
                assert_eq!(
                    e.code.as_deref(),
                    recorded["code"].as_str(),
                    "{name}: the code is kept"
                );
                assert_eq!(
                    e.message.as_deref(),
                    recorded["message"].as_str(),
                    "{name}: the message is kept"
                );
                assert_eq!(e.target.as_deref(), recorded["target"].as_str(), "{name}");
                assert!(e.raw_body.is_none(), "{name}");
            }
            other => panic!("{name}: {status} decoded to {other:?}"),
        }
    }
    assert!(
        models >= 40 && errors >= 5,
        "{models} models, {errors} errors"
    );
}

/// The other envelope one recorded 404 used (from a recording not in the fixtures, quoted here).
#[test]
fn the_communication_error_envelope_keeps_its_code_and_message() {
    let entry = serde_json::json!({
        "StatusCode": 404,
        "ResponseHeaders": {"Content-Type": "application/json"},
        "ResponseBody": {"CommunicationError": {"Code": "NotFound", "Message": "The thread does not exist.", "Details": []}}
    });
    let err = decode_json::<ChatMessage>(exchange(&entry, 200)).unwrap_err();
    assert_eq!(err.code(), Some("NotFound"));
    assert_eq!(err.status(), Some(404));
    assert!(
        err.to_string().contains("The thread does not exist."),
        "{err}"
    );
    // JSON without either envelope keeps its text.
    let entry = serde_json::json!({"StatusCode": 502, "ResponseBody": {"message": "upstream"}});
    let err = decode_json::<ChatMessage>(exchange(&entry, 200)).unwrap_err();
    assert_eq!(err.code(), None);
    assert_eq!(
        err.as_service_error().unwrap().raw_body.as_deref(),
        Some(r#"{"message":"upstream"}"#)
    );
}
