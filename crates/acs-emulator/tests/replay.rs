//! The emulator against recordings of the real service (`tests/fixtures/recordings/` at the
//! workspace root: the official Python SDKs' live-test recordings, chat 2021-09-07 and identity
//! 2022-10-01). Every step is replayed on a fresh emulator — ids mapped onto the emulator's,
//! identity requests HMAC-signed, chat with emulator tokens — and compared with what Azure
//! answered: status, the keys and JSON types of the body (recursively), error `code` and
//! `target` (in either envelope), `Content-Type`, and whether `MS-CV` and
//! `x-ms-client-request-id` are there. Values (ids, times, MS-CV's value) differ by nature and are
//! not compared. `Location` is compared only where a recording kept it: the Python SDKs' test
//! recorder strips it from every response (`FILTER_HEADERS + ['location']` in their
//! `tests/_shared/testcase.py`), so its absence there says nothing about the service, which sends
//! it on create-thread and send-message (the other SDKs' recordings, the spec's examples; see
//! `service_fidelity.rs`).

mod common;

use acs_chat_core::auth::sign_request;
use acs_chat_core::{Endpoint, HttpRequest, Method};
use common::*;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/recordings")
}

/// Every recording, as (name like `python-chat/test_x`, entries).
fn recordings() -> Vec<(String, Vec<Value>)> {
    let mut found = Vec::new();
    for folder in ["python-chat", "python-identity"] {
        let mut files: Vec<_> = std::fs::read_dir(recordings_dir().join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for path in files {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let name = format!("{folder}/{}", path.file_stem().unwrap().to_string_lossy());
            found.push((name, doc["Entries"].as_array().unwrap().clone()));
        }
    }
    found
}

/// The JSON type tree of a value: what is compared of a body.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shape(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => json!("null"),
    }
}

/// A recorded body as JSON (`null` for none).
fn recorded_body(entry: &Value) -> Value {
    match &entry["ResponseBody"] {
        Value::String(text) if text.is_empty() => Value::Null,
        other => other.clone(),
    }
}

/// What is compared of one response.
#[derive(Debug, PartialEq)]
struct Observed {
    status: u16,
    shape: Value,
    error: Option<(Value, Value)>,
    content_type: Option<String>,
    /// `None` where the recording has no `Location` (its recorder strips it).
    location: Option<bool>,
    ms_cv: bool,
    client_request_id: bool,
}

fn observe(status: u16, headers: &dyn Fn(&str) -> Option<String>, body: &Value) -> Observed {
    let error = (status >= 400).then(|| match body.get("CommunicationError") {
        Some(error) => (error["Code"].clone(), error["Target"].clone()),
        None => (
            body["error"]["code"].clone(),
            body["error"]["target"].clone(),
        ),
    });
    Observed {
        status,
        shape: shape(body),
        error,
        content_type: headers("content-type"),
        location: Some(headers("location").is_some()),
        ms_cv: headers("ms-cv").is_some(),
        client_request_id: headers("x-ms-client-request-id").is_some(),
    }
}

/// Which user each `sanitized` identifier and each call stands for (`callers.json`).
struct Callers {
    users: HashMap<usize, Vec<String>>,
    callers: HashMap<usize, String>,
}

fn callers(name: &str) -> Callers {
    let all: Value = serde_json::from_str(
        &std::fs::read_to_string(recordings_dir().join("callers.json")).unwrap(),
    )
    .unwrap();
    let entry = &all[name];
    let table = |key: &str| -> HashMap<usize, Value> {
        entry[key]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.parse().unwrap(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    Callers {
        users: table("sanitized_users")
            .into_iter()
            .map(|(k, v)| {
                let names = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap().to_string());
                (k, names.collect())
            })
            .collect(),
        callers: table("callers")
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap().to_string()))
            .collect(),
    }
}

/// Replaces each `sanitized` user id in `body` (in order of appearance, an identifier's `rawId`
/// and `communicationUser.id` together) with the user `names` gives, else with `default`.
fn map_users(body: &mut Value, names: &[String], users: &HashMap<String, User>, default: &str) {
    fn walk(value: &mut Value, next: &mut dyn FnMut() -> String) {
        match value {
            Value::Object(map) => {
                if map.get("rawId").is_some_and(|v| v == "sanitized") {
                    let id = next();
                    map.insert("rawId".into(), json!(id));
                    if let Some(user) = map.get_mut("communicationUser") {
                        user["id"] = json!(id);
                    }
                    return;
                }
                for v in map.values_mut() {
                    walk(v, next);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, next)),
            _ => {}
        }
    }
    let mut index = 0;
    walk(body, &mut || {
        let name = names.get(index).map(String::as_str).unwrap_or(default);
        index += 1;
        users[name].id.clone()
    });
}

/// Recorded ids (threads, messages) mapped onto the emulator's, in order of first appearance.
#[derive(Default)]
struct Ids {
    threads: HashMap<String, String>,
    created_threads: Vec<String>,
    messages: HashMap<String, String>,
    sent_messages: Vec<String>,
    /// The identity recordings' `sanitized` user.
    identity_user: Option<String>,
}

impl Ids {
    fn thread(&mut self, recorded: &str) -> String {
        if let Some(id) = self.threads.get(recorded) {
            return id.clone();
        }
        let id = self
            .created_threads
            .get(self.threads.len())
            .cloned()
            .unwrap_or_else(|| recorded.to_string());
        self.threads.insert(recorded.to_string(), id.clone());
        id
    }

    fn message(&mut self, recorded: &str) -> String {
        if let Some(id) = self.messages.get(recorded) {
            return id.clone();
        }
        let id = self
            .sent_messages
            .get(self.messages.len())
            .cloned()
            .unwrap_or_else(|| recorded.to_string());
        self.messages.insert(recorded.to_string(), id.clone());
        id
    }

    /// The recorded path with its ids replaced, segment by segment.
    fn path(&mut self, path: &str) -> String {
        let segments: Vec<&str> = path.split('/').collect();
        let mut out = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            let decoded = percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .to_string();
            let mapped = match (
                i.checked_sub(1).and_then(|p| segments.get(p)),
                decoded.as_str(),
            ) {
                (Some(&"threads"), id) => encode(&self.thread(id)),
                (Some(&"messages"), id) => encode(&self.message(id)),
                (Some(&"identities"), "sanitized") => {
                    encode(self.identity_user.as_deref().unwrap_or("sanitized"))
                }
                _ => segment.to_string(),
            };
            out.push(mapped);
        }
        out.join("/")
    }
}

/// Steps not compared, and why.
fn not_comparable(uri: &str) -> Option<&'static str> {
    uri.contains("/teamsUser/:exchangeAccessToken").then_some(
        "the Teams token exchange needs a Teams user's Entra token (the emulator's Teams route is issue 20)",
    )
}

struct Outcome {
    compared: usize,
    skipped: Vec<String>,
    mismatches: Vec<String>,
}

fn replay(name: &str, entries: &[Value]) -> Outcome {
    let h = start();
    let who = callers(name);
    let mut users = HashMap::new();
    let is_chat = name.starts_with("python-chat/");
    if is_chat {
        users.insert("A".to_string(), h.new_user());
        users.insert("B".to_string(), h.new_user());
    }
    let mut ids = Ids::default();
    let mut outcome = Outcome {
        compared: 0,
        skipped: Vec::new(),
        mismatches: Vec::new(),
    };
    for (index, entry) in entries.iter().enumerate() {
        let uri = entry["RequestUri"].as_str().unwrap();
        let method = entry["RequestMethod"].as_str().unwrap();
        if let Some(why) = not_comparable(uri) {
            outcome
                .skipped
                .push(format!("{name}[{index}] {method} {uri}: {why}"));
            continue;
        }
        let after_host = &uri[uri.find(".azure.com").unwrap() + ".azure.com".len()..];
        let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
        let path_and_query = format!("{}?{query}", ids.path(path));
        let mut body = entry["RequestBody"].clone();
        if let Value::String(text) = &body {
            body = serde_json::from_str(text).unwrap_or(Value::Null);
        }
        if is_chat {
            let names = who.users.get(&index).cloned().unwrap_or_default();
            map_users(&mut body, &names, &users, "A");
            // A receipt for `sanitized` is for the message sent last.
            if body.get("chatMessageId").is_some_and(|v| v == "sanitized") {
                body["chatMessageId"] =
                    json!(ids.sent_messages.last().cloned().unwrap_or_default());
            }
        }
        let recorded_headers = entry["RequestHeaders"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut headers: Vec<(&str, String)> = Vec::new();
        for (name, value) in &recorded_headers {
            let name = match name.to_ascii_lowercase().as_str() {
                "content-type" => "content-type",
                "repeatability-request-id" => "repeatability-request-id",
                "x-ms-client-request-id" => "x-ms-client-request-id",
                _ => continue,
            };
            headers.push((name, value.as_str().unwrap_or_default().to_string()));
        }
        let bytes = (!body.is_null()).then(|| serde_json::to_vec(&body).unwrap());
        let reply = if is_chat {
            let caller = who.callers.get(&index).map(String::as_str).unwrap_or("A");
            headers.push(("authorization", format!("Bearer {}", users[caller].token)));
            h.raw(method, &path_and_query, &headers, bytes)
        } else {
            let mut request = HttpRequest {
                operation: "replay",
                method: match method {
                    "POST" => Method::Post,
                    "DELETE" => Method::Delete,
                    "PATCH" => Method::Patch,
                    _ => Method::Get,
                },
                url: Endpoint::parse(h.emulator.endpoint())
                    .unwrap()
                    .url::<&str>(&path_and_query, &[]),
                headers: vec![],
                body: bytes.clone().map(Into::into),
                expected_status: 0,
                replay: acs_chat_core::http::Replay::Safe,
            };
            sign_request(&mut request, &h.key(), std::time::SystemTime::now()).unwrap();
            for (name, value) in &request.headers {
                if name != "accept" {
                    headers.push((name.as_str(), value.clone()));
                }
            }
            h.raw(method, &path_and_query, &headers, bytes)
        };
        // Learn the emulator's ids for later steps.
        if let Some(id) = reply.body["chatThread"]["id"].as_str() {
            if !ids.created_threads.iter().any(|t| t == id) {
                ids.created_threads.push(id.to_string());
            }
        }
        if method == "POST" && path.ends_with("/messages") {
            if let Some(id) = reply.body["id"].as_str() {
                ids.sent_messages.push(id.to_string());
            }
        }
        if let Some(id) = reply.body["identity"]["id"].as_str() {
            ids.identity_user.get_or_insert_with(|| id.to_string());
        }
        let recorded_headers: HashMap<String, String> = entry["ResponseHeaders"]
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
        let expected = observe(
            entry["StatusCode"].as_u64().unwrap() as u16,
            &|name| recorded_headers.get(name).cloned(),
            &recorded_body(entry),
        );
        let body = if reply.text.is_empty() {
            Value::Null
        } else {
            reply.body.clone()
        };
        let mut got = observe(
            reply.status,
            &|name| reply.header(name).map(str::to_string),
            &body,
        );
        let mut expected = expected;
        if expected.location == Some(false) {
            expected.location = None;
            got.location = None;
        }
        outcome.compared += 1;
        if got != expected {
            outcome.mismatches.push(format!(
                "{name}[{index}] {method} {path_and_query}\n  service:  {expected:?}\n  emulator: {got:?}"
            ));
        }
    }
    outcome
}

#[test]
fn every_recorded_step_of_the_real_service_matches() {
    let all = recordings();
    assert!(
        all.len() >= 21,
        "the recordings are in tests/fixtures/recordings"
    );
    let (mut compared, mut skipped, mut mismatches) = (0, Vec::new(), Vec::new());
    for (name, entries) in &all {
        let outcome = replay(name, entries);
        compared += outcome.compared;
        skipped.extend(outcome.skipped);
        mismatches.extend(outcome.mismatches);
    }
    for step in &skipped {
        println!("not compared: {step}");
    }
    println!(
        "{} recordings, {compared} steps compared, {} match, {} not compared",
        all.len(),
        compared - mismatches.len(),
        skipped.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} steps differ from the service:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
