//! Seed data (`--seed FILE`, `EmulatorBuilder::seed_json`): the example file creates what it says
//! and a seeded user's token lists its threads; a data dir keeps one seeding; a bad file stops
//! the start naming the line or the JSON path and seeds nothing.

mod common;

use common::*;
use serde_json::Value;

fn example() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seed.example.json")).unwrap()
}

fn user(seeded: &Value, name: &str) -> User {
    User {
        id: seeded["users"][name]["id"].as_str().unwrap().to_string(),
        token: seeded["users"][name]["token"].as_str().unwrap().to_string(),
    }
}

#[test]
fn the_example_seed_creates_what_it_says() {
    let emulator = acs_emulator::Emulator::builder()
        .seed_json(example())
        .start()
        .unwrap();
    let seeded = emulator.info().seeded.clone().expect("seeded");
    let resource_prefix = "8:acs:";
    let h = harness_for(emulator);
    let (alice, bob, carol) = (
        user(&seeded, "alice"),
        user(&seeded, "bob"),
        user(&seeded, "carol"),
    );
    assert!(alice.id.starts_with(resource_prefix) && alice.id.ends_with("_alice"));
    assert!(bob.id.ends_with("_bob-0001"), "the fixed id: {}", bob.id);

    let titles = |u: &User| -> Vec<String> {
        h.list_all(u, "/chat/threads")
            .iter()
            .map(|t| t["topic"].as_str().unwrap().to_string())
            .collect()
    };
    let mut alices = titles(&alice);
    alices.sort();
    assert_eq!(alices, ["General", "Support"]);
    assert_eq!(titles(&carol), ["General"]);

    let general = seeded["threads"]["general"]["id"].as_str().unwrap();
    let messages = h.list_all(&bob, &messages_path(general));
    let texts: Vec<(&str, &str)> = messages
        .iter()
        .filter(|m| m["type"] == "text" || m["type"] == "html")
        .map(|m| {
            (
                m["type"].as_str().unwrap(),
                m["content"]["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(texts, [("html", "<b>Hi</b> all"), ("text", "Welcome!")]);
    let participants = h.list_all(
        &alice,
        &format!("/chat/threads/{}/participants", encode(general)),
    );
    let bob_listed = participants
        .iter()
        .find(|p| p["communicationIdentifier"]["rawId"] == bob.id.as_str())
        .unwrap();
    assert_eq!(bob_listed["displayName"], "Bob");
    let receipts = h.list_all(
        &alice,
        &format!("/chat/threads/{}/readReceipts", encode(general)),
    );
    assert_eq!(receipts.len(), 1);
    assert_eq!(
        receipts[0]["chatMessageId"],
        seeded["threads"]["general"]["messages"][1]
    );
}

#[test]
fn a_data_dir_is_seeded_once() {
    let dir = fresh_dir("seed");
    let start = || {
        acs_emulator::Emulator::builder()
            .data_dir(&dir)
            .seed_json(example())
            .start()
            .unwrap()
    };
    let first = start();
    let seeded = first.info().seeded.clone().unwrap();
    first.shutdown();
    let second = start();
    let again = second.info().seeded.clone().unwrap();
    assert_eq!(
        again["threads"], seeded["threads"],
        "the same threads, not new ones"
    );
    let h = harness_for(second);
    let alice = user(&again, "alice");
    assert_eq!(
        h.list_all(&alice, "/chat/threads").len(),
        2,
        "not seeded twice"
    );
    drop(h);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_seed_stops_the_start_naming_where_and_seeds_nothing() {
    for (seed, expected) in [
        (
            r#"{"users": [{"name": "alice"}], "threads": [{"name": "t", "topic": "T", "createdBy": "alice", "participants": ["zoe"]}]}"#,
            "threads[0].participants[0]: no user named `zoe`",
        ),
        (
            r#"{"users": [{"name": "alice"}], "threads": [{"name": "t", "topic": "T", "createdBy": "alice", "messages": [{"from": "alice", "content": "x"}], "readReceipts": [{"user": "alice", "message": 3}]}]}"#,
            "threads[0].readReceipts[0].message",
        ),
        (
            r#"{"users": [{"name": "alice", "id": "8:acs:not-a-guid_x"}]}"#,
            "users[0].id",
        ),
        (
            "{\"users\": [\n  {\"name\": \"alice\", \"nickname\": \"al\"}]}",
            "unknown field `nickname`",
        ),
        ("{\"users\": [\n  {\"name\": \"alice\",, }]}", "line 2"),
    ] {
        let err = acs_emulator::Emulator::builder()
            .seed_json(seed)
            .start()
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        assert!(
            err.to_string().contains(expected),
            "{expected} not in: {err}"
        );
    }
}

#[test]
fn the_binary_names_the_seed_file() {
    let dir = fresh_dir("seed-bin");
    let bad = dir.join("seed.json");
    std::fs::write(
        &bad,
        r#"{"threads": [{"name": "t", "topic": "T", "createdBy": "nobody"}]}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_acs-emulator"))
        .args(["--port", "0", "--seed"])
        .arg(&bad)
        .arg("--cert-dir")
        .arg(dir.join("certs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "--seed {}: threads[0].createdBy: no user named `nobody`",
            bad.display()
        )),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_seed_file_can_set_fault_rules() {
    let seed = r#"{"users": [{"name": "alice"}],
                   "faults": {"rules": [{"route": "GET /chat/threads", "fault": "throttle", "times": 1}]}}"#;
    let emulator = acs_emulator::Emulator::builder()
        .seed_json(seed)
        .start()
        .unwrap();
    let alice = user(&emulator.info().seeded.clone().unwrap(), "alice");
    let h = harness_for(emulator);
    assert_eq!(h.chat(&alice, "GET", "/chat/threads", None).status, 429);
    assert_eq!(h.chat(&alice, "GET", "/chat/threads", None).status, 200);
}
