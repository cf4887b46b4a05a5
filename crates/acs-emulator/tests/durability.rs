//! `--data-dir`: every write answered 2xx survives a restart and `kill -9`; a newer schema is
//! refused, never rewritten.

mod common;

use acs_chat_core::auth::sign_request;
use acs_chat_core::{AccessKey, HttpRequest, Method};
use common::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

const BIN: &str = env!("CARGO_BIN_EXE_acs-emulator");

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("acs-durability-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A harness on an emulator with `dir` as its data dir.
fn durable(dir: &std::path::Path) -> Harness {
    harness_for(
        acs_emulator::Emulator::builder()
            .data_dir(dir)
            .start()
            .unwrap(),
    )
}

#[test]
fn state_survives_a_clean_restart() {
    let dir = temp_dir("restart");
    let first = acs_emulator::Emulator::builder()
        .data_dir(&dir)
        .start()
        .unwrap();
    let connection_string = first.connection_string();
    let h = harness_for(first);
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    let kept = h.send(&alice, &thread, "kept");
    let edited = h.send(&alice, &thread, "before");
    let patched = h.chat(
        &alice,
        "PATCH",
        &format!("{}/{edited}", messages_path(&thread)),
        Some(json!({"content": "after"})),
    );
    assert_eq!(patched.status, 204);
    let revoked = h.identity(
        Method::Post,
        &format!(
            "/identities/{}/:revokeAccessTokens?api-version=2023-10-01",
            encode(&bob.id)
        ),
        None,
    );
    assert_eq!(revoked.status, 204);
    let Harness { emulator, .. } = h;
    Arc::try_unwrap(emulator).ok().unwrap().shutdown();

    let second = acs_emulator::Emulator::builder()
        .data_dir(&dir)
        .start()
        .unwrap();
    assert_eq!(
        second.connection_string().split(";accesskey=").nth(1),
        connection_string.split(";accesskey=").nth(1),
        "the access key is kept"
    );
    let h = harness_for(second);
    let messages = h.list_all(&alice, &messages_path(&thread));
    let text = |id: &str| {
        messages
            .iter()
            .find(|m| m["id"] == id)
            .map(|m| m["content"]["message"].clone())
    };
    assert_eq!(
        text(&kept),
        Some(json!("kept")),
        "alice's token still works, her message is there"
    );
    assert_eq!(text(&edited), Some(json!("after")), "edits are kept");
    let refused = h.chat(&bob, "GET", &messages_path(&thread), None);
    assert_eq!(refused.status, 401, "bob's revoked token stays revoked");
    let next = h.send(&alice, &thread, "after restart");
    let sequences: Vec<i64> = h
        .list_all(&alice, &messages_path(&thread))
        .iter()
        .map(|m| m["sequenceId"].as_str().unwrap().parse().unwrap())
        .collect();
    // Listed highest first; the restart kept each message's sequence id (the edit moved one to
    // the end) and the next send continues after the highest.
    assert!(sequences.windows(2).all(|w| w[0] > w[1]), "{sequences:?}");
    assert_eq!(sequences[0], *sequences.iter().max().unwrap());
    assert_eq!(
        sequences.len() as i64 + 1,
        sequences[0],
        "one sequence id per send, plus the edit's"
    );
    assert!(next.parse::<i64>().unwrap() > edited.parse::<i64>().unwrap());
    let Harness { emulator, .. } = h;
    Arc::try_unwrap(emulator).ok().unwrap().shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = temp_dir("schema");
    acs_emulator::Emulator::builder()
        .data_dir(&dir)
        .start()
        .unwrap()
        .shutdown();
    let db = dir.join("acs-emulator.sqlite3");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let err = acs_emulator::Emulator::builder()
        .data_dir(&dir)
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("schema version 99"), "{err}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the data dir is not rewritten"
    );
}

/// Schema 1 keyed threads, messages and repeatability records by their ids; schema 2 appends
/// them under keys that only grow. A version 1 data dir (made here by turning a fresh one back
/// into version 1's tables) opens with everything in it, upgraded.
#[test]
fn a_schema_1_data_dir_is_upgraded_with_everything_in_it() {
    let dir = temp_dir("upgrade");
    let h = durable(&dir);
    let alice = h.new_user();
    let bob = h.new_user();
    let first = h.thread(&alice, &[&bob]);
    let second = h.thread(&bob, &[]);
    let kept = h.send(&alice, &first, "kept");
    let edited = h.send(&alice, &first, "before");
    let patched = h.chat(
        &alice,
        "PATCH",
        &format!("{}/{edited}", messages_path(&first)),
        Some(json!({"content": "after"})),
    );
    assert_eq!(patched.status, 204);
    let before = h.list_all(&alice, &messages_path(&first));
    let Harness { emulator, .. } = h;
    Arc::try_unwrap(emulator).ok().unwrap().shutdown();

    let db = dir.join("acs-emulator.sqlite3");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "BEGIN;
             CREATE TABLE t1 (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
             INSERT INTO t1 SELECT id, doc FROM threads;
             DROP TABLE threads; ALTER TABLE t1 RENAME TO threads;
             CREATE TABLE m1 (thread_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
                 PRIMARY KEY (thread_id, seq));
             INSERT INTO m1 SELECT thread_id, seq, doc FROM messages;
             DROP TABLE messages; ALTER TABLE m1 RENAME TO messages;
             CREATE TABLE r1 (caller TEXT NOT NULL, token TEXT NOT NULL, thread_id TEXT NOT NULL,
                 body BLOB NOT NULL, PRIMARY KEY (caller, token));
             INSERT INTO r1 SELECT * FROM repeatability;
             DROP TABLE repeatability; ALTER TABLE r1 RENAME TO repeatability;
             UPDATE meta SET value = '1' WHERE key = 'schema_version';
             COMMIT;",
        )
        .unwrap();

    let h = durable(&dir);
    assert_eq!(
        h.list_all(&alice, &messages_path(&first)),
        before,
        "every message, the edit included"
    );
    let threads: Vec<Value> = h.list_all(&bob, "/chat/threads");
    let ids: HashSet<&str> = threads.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(ids, HashSet::from([first.as_str(), second.as_str()]));
    let next = h.send(&alice, &first, "after the upgrade");
    assert!(next.parse::<i64>().unwrap() > kept.parse::<i64>().unwrap());
    let Harness { emulator, .. } = h;
    Arc::try_unwrap(emulator).ok().unwrap().shutdown();
    let version: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, acs_emulator::SCHEMA_VERSION.to_string());
    let _ = std::fs::remove_dir_all(&dir);
}

struct Child {
    process: std::process::Child,
    endpoint: String,
    key: AccessKey,
}

fn spawn(dir: &std::path::Path) -> Child {
    let mut process = Command::new(BIN)
        .args(["--port", "0", "--plain-http", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(process.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let parsed = acs_chat_core::ConnectionString::parse(line.trim()).unwrap();
    Child {
        process,
        endpoint: parsed.endpoint.trim_end_matches('/').to_string(),
        key: parsed.access_key,
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .into()
}

fn identity_post(child: &Child, path: &str, body: Value) -> Value {
    let mut request = HttpRequest {
        operation: "test",
        method: Method::Post,
        url: acs_chat_core::Endpoint::parse(&child.endpoint)
            .unwrap()
            .url::<&str>(path, &[]),
        headers: vec![("content-type".into(), "application/json".into())],
        body: Some(serde_json::to_vec(&body).unwrap().into()),
        expected_status: 0,
        replay: acs_chat_core::http::Replay::Safe,
    };
    sign_request(&mut request, &child.key, SystemTime::now()).unwrap();
    let mut builder = ureq::http::Request::builder()
        .method("POST")
        .uri(request.url.as_str());
    for (n, v) in &request.headers {
        builder = builder.header(n, v);
    }
    let mut response = agent()
        .run(builder.body(request.body.unwrap().to_vec()).unwrap())
        .unwrap();
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

fn chat(
    child_endpoint: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value), ureq::Error> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(format!(
            "{child_endpoint}{path}{separator}api-version=2025-03-15"
        ))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.map(|b| b.to_string()).unwrap_or_default())
        .unwrap();
    let mut response = agent().run(request)?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

#[test]
fn every_acknowledged_write_survives_kill_9() {
    let dir = temp_dir("kill");
    let child = spawn(&dir);
    let created = identity_post(
        &child,
        "/identities?api-version=2023-10-01",
        json!({"createTokenWithScopes": ["chat"]}),
    );
    let token = created["accessToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, thread) = chat(
        &child.endpoint,
        &token,
        "POST",
        "/chat/threads",
        Some(json!({"topic": "durable"})),
    )
    .unwrap();
    assert_eq!(status, 201);
    let thread = encode(thread["chatThread"]["id"].as_str().unwrap());
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (endpoint, token, thread, acknowledged) = (
                child.endpoint.clone(),
                token.clone(),
                thread.clone(),
                acknowledged.clone(),
            );
            std::thread::spawn(move || {
                for i in 0..100_000 {
                    let content = format!("w{w}-{i}");
                    match chat(
                        &endpoint,
                        &token,
                        "POST",
                        &format!("/chat/threads/{thread}/messages"),
                        Some(json!({"content": content})),
                    ) {
                        Ok((201, body)) => acknowledged
                            .lock()
                            .unwrap()
                            .push((body["id"].as_str().unwrap().to_string(), content)),
                        // Killed mid-request: unacknowledged, so it may or may not be stored.
                        _ => return,
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 300 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut process = child.process;
    process.kill().unwrap(); // SIGKILL
    process.wait().unwrap();
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let restarted = spawn(&dir);
    let mut stored = Vec::new();
    let mut next = Some(format!("/chat/threads/{thread}/messages?maxPageSize=200"));
    while let Some(path) = next {
        let (status, page) = chat(&restarted.endpoint, &token, "GET", &path, None).unwrap();
        assert_eq!(
            status, 200,
            "the token issued before the crash is accepted: {page}"
        );
        stored.extend(page["value"].as_array().unwrap().iter().cloned());
        next = page["nextLink"].as_str().map(|link| {
            link[restarted.endpoint.len()..]
                .split("&api-version")
                .next()
                .unwrap()
                .to_string()
        });
    }
    let texts: Vec<(String, String)> = stored
        .iter()
        .filter(|m| m["type"] == "text")
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                m["content"]["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let unique: HashSet<&(String, String)> = texts.iter().collect();
    assert_eq!(unique.len(), texts.len(), "no message is stored twice");
    for pair in &acknowledged {
        assert!(
            unique.contains(pair),
            "acknowledged {pair:?} was lost ({} acknowledged, {} stored)",
            acknowledged.len(),
            texts.len()
        );
    }
    let mut sequences: Vec<i64> = stored
        .iter()
        .map(|m| m["sequenceId"].as_str().unwrap().parse().unwrap())
        .collect();
    sequences.sort();
    assert_eq!(
        sequences,
        (1..=stored.len() as i64).collect::<Vec<_>>(),
        "gap-free sequence ids"
    );
    let (status, _) = chat(
        &restarted.endpoint,
        &token,
        "POST",
        &format!("/chat/threads/{thread}/messages"),
        Some(json!({"content": "after"})),
    )
    .unwrap();
    assert_eq!(status, 201);
    let mut process = restarted.process;
    let _ = process.kill();
    let _ = process.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_emulator_on_the_same_data_dir_is_refused() {
    let dir = temp_dir("locked");
    let first = acs_emulator::Emulator::builder()
        .plain_http(true)
        .data_dir(&dir)
        .start()
        .unwrap();
    let second = acs_emulator::Emulator::builder()
        .plain_http(true)
        .data_dir(&dir)
        .start();
    let err = second.expect_err("two emulators on one data dir");
    assert!(err.to_string().contains("another acs-emulator"), "{err}");
    // The first one is unaffected, and once it stops the dir can be used again.
    first.shutdown();
    let again = acs_emulator::Emulator::builder()
        .plain_http(true)
        .data_dir(&dir)
        .start()
        .unwrap();
    again.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn the_data_dir_and_its_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("private");
    // An older data dir, made world-readable: opening it tightens it.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let emulator = acs_emulator::Emulator::builder()
        .data_dir(&dir)
        .start()
        .unwrap();
    let h = harness_for(emulator);
    h.new_user();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "the data dir");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert!(files >= 2, "the database and its lock at least");
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_commit_log_stays_small_under_a_steady_load() {
    let dir = temp_dir("steady");
    let h = durable(&dir);
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    // The applier deletes segments while this reads the folder: a file gone meanwhile is skipped.
    let segments = || -> Vec<(String, u64)> {
        std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
            .filter_map(|e| {
                let len = e.metadata().ok()?.len();
                Some((e.file_name().to_string_lossy().into_owned(), len))
            })
            .collect()
    };
    // The size of one send's record: after a checkpoint the log holds nothing else.
    h.emulator.checkpoint().unwrap();
    h.send(&alice, &thread, "steady");
    let record: u64 = segments().iter().map(|(_, len)| len).sum();
    assert!(record > 0, "a send is in the log before it is applied");
    let (mut most_segments, mut most_bytes, mut sent) = (0, 0, 1u64);
    let start = std::time::Instant::now();
    // Writes without a pause for a while (15 apply periods of 200 ms): applied segments go
    // while the load goes on.
    while start.elapsed() < std::time::Duration::from_millis(3000) {
        h.send(&alice, &thread, "steady");
        sent += 1;
        let now = segments();
        most_segments = most_segments.max(now.len());
        most_bytes = most_bytes.max(now.iter().map(|(_, len)| len).sum::<u64>());
    }
    println!(
        "{sent} sends of {record} bytes, at most {most_segments} segments, {most_bytes} bytes"
    );
    assert!(most_segments <= 3, "segments pile up: {:?}", segments());
    // The log holds what came in the last period or two, never most of what was sent.
    assert!(
        sent > 100 && most_bytes < sent * record / 2,
        "{most_bytes} bytes in the log after {sent} sends of {record} bytes"
    );
    drop(h);
    // A clean stop applies everything and leaves one empty segment.
    let left = segments();
    assert!(
        left.len() <= 1 && left.iter().all(|(_, len)| *len == 0),
        "{left:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
