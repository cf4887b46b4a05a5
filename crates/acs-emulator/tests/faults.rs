//! Faults and latency on purpose (`/emulator/faults`, `--faults`) and `POST /emulator/reset`:
//! what each rule does to the requests it picks, that rules out of range are refused naming the
//! field, that only the resource may set them, and that a reset empties the state.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn put_faults(h: &Harness, rules: serde_json::Value) -> Reply {
    h.with_entra("PUT", "/emulator/faults", Some(rules))
}

#[test]
fn a_latency_rule_delays_the_routes_it_names_only() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let set = put_faults(
        &h,
        json!({"rules": [{"route": "POST /chat/threads/*/messages", "latencyMs": 200}]}),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body["rules"][0]["latencyMs"], 200);
    let started = Instant::now();
    h.send(&alice, &thread, "slow");
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    // Reads are not named: the listing still shows the message (its timing is not asserted).
    assert_eq!(h.list_all(&alice, &messages_path(&thread)).len(), 3);
}

#[test]
fn throttle_unavailable_and_internal_error_refuse_without_doing_anything() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    for (fault, status, code) in [
        ("throttle", 429, "TooManyRequests"),
        ("unavailable", 503, "ServiceUnavailable"),
        ("internalError", 500, "InternalServerError"),
    ] {
        let set = put_faults(
            &h,
            json!({"rules": [{"route": "chat", "fault": fault, "retryAfterSeconds": 7, "times": 1}]}),
        );
        assert_eq!(set.status, 200, "{}", set.text);
        let refused = h.chat(
            &alice,
            "POST",
            &messages_path(&thread),
            Some(json!({"content": fault})),
        );
        assert_eq!(
            (refused.status, refused.error_code()),
            (status, code),
            "{fault}"
        );
        assert_eq!(refused.header("retry-after").is_some(), fault == "throttle");
        if fault == "throttle" {
            assert_eq!(refused.header("retry-after"), Some("7"));
        }
        // `times: 1`: the next one goes through.
        let sent = h.chat(
            &alice,
            "POST",
            &messages_path(&thread),
            Some(json!({"content": "ok"})),
        );
        assert_eq!(sent.status, 201, "{fault}: {}", sent.text);
    }
    let texts: Vec<String> = h
        .list_all(&alice, &messages_path(&thread))
        .iter()
        .filter_map(|m| m["content"]["message"].as_str().map(str::to_string))
        .collect();
    assert_eq!(texts, ["ok", "ok", "ok"], "the refused sends did nothing");
    // Identity is not chat.
    put_faults(
        &h,
        json!({"rules": [{"route": "chat", "fault": "unavailable"}]}),
    );
    h.new_user();
}

#[test]
fn drop_and_late_do_the_work_and_lose_the_answer() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let headers = [
        ("authorization", format!("Bearer {}", alice.token)),
        ("content-type", "application/json".to_string()),
    ];
    let path = format!("{}?api-version=2025-03-15", messages_path(&thread));
    let body = |text: &str| Some(serde_json::to_vec(&json!({"content": text})).unwrap());

    put_faults(
        &h,
        json!({"rules": [{"route": "POST /chat/threads/*/messages", "fault": "drop", "times": 1}]}),
    );
    let dropped = h.try_raw(
        &h.agent_with_timeout(Duration::from_secs(30)),
        "POST",
        &path,
        &headers,
        body("dropped"),
    );
    assert!(
        dropped.is_err(),
        "an answer came: {:?}",
        dropped.map(|r| r.status)
    );

    // Answered 2 s after it is done; the client gives up after 300 ms (it cannot be answered
    // sooner than 2 s).
    put_faults(
        &h,
        json!({"rules": [{"route": "POST /chat/threads/*/messages", "fault": "late", "lateMs": 2000, "times": 1}]}),
    );
    let late = h.try_raw(
        &h.agent_with_timeout(Duration::from_millis(300)),
        "POST",
        &path,
        &headers,
        body("late"),
    );
    assert!(
        late.is_err(),
        "an answer came in time: {:?}",
        late.map(|r| r.status)
    );

    let texts: Vec<String> = h
        .list_all(&alice, &messages_path(&thread))
        .iter()
        .filter_map(|m| m["content"]["message"].as_str().map(str::to_string))
        .collect();
    assert_eq!(texts, ["late", "dropped"], "both were stored");
}

#[test]
fn rules_out_of_range_are_refused_naming_the_field() {
    let h = start();
    for (rules, target) in [
        (
            json!({"rules": [{"route": "*", "fault": "throttle", "probability": 1.5}]}),
            "rules[0].probability",
        ),
        (
            json!({"rules": [{"route": "GET /nowhere"}]}),
            "rules[0].route",
        ),
        (
            json!({"rules": [{"route": "chat", "latencyMs": 600001}]}),
            "rules[0].latencyMs",
        ),
    ] {
        let reply = put_faults(&h, rules.clone());
        assert_eq!(reply.status, 400, "{rules}: {}", reply.text);
        assert_eq!(reply.body["error"]["target"], target, "{}", reply.text);
    }
    let negative = put_faults(&h, json!({"rules": [{"route": "*", "latencyMs": -5}]}));
    assert_eq!(negative.status, 400);
    assert_eq!(
        negative.body["error"]["target"], "rules[0].latencyMs",
        "{}",
        negative.text
    );
    // Nothing was taken.
    let now = h.with_entra("GET", "/emulator/faults", None);
    assert_eq!(now.body, json!({"rules": []}));
    // The same check at start.
    let err = acs_emulator::Emulator::builder()
        .faults_json(r#"{"rules": [{"route": "*", "probability": 2, "fault": "drop"}]}"#)
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("rules[0].probability"), "{err}");
}

#[test]
fn only_the_resource_may_set_faults_or_reset() {
    let h = start();
    let alice = h.new_user();
    for (method, path) in [
        ("PUT", "/emulator/faults"),
        ("POST", "/emulator/reset"),
        ("GET", "/emulator/faults"),
    ] {
        let reply = h.raw(
            method,
            path,
            &[
                ("authorization", format!("Bearer {}", alice.token)),
                ("content-type", "application/json".to_string()),
            ],
            Some(br#"{"rules": [{"route": "*", "fault": "drop"}]}"#.to_vec()),
        );
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.text);
    }
    assert_eq!(
        h.with_entra("GET", "/emulator/faults", None).body,
        json!({"rules": []})
    );
}

#[test]
fn reset_empties_the_state_and_keeps_the_key_and_subscriptions() {
    let dir = fresh_dir("reset");
    let emulator = acs_emulator::Emulator::builder()
        .data_dir(&dir)
        .start()
        .unwrap();
    let key = emulator.info().access_key.clone();
    let h = harness_for(emulator);
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "before");
    let subscription = json!({"endpointUrl": "https://127.0.0.1:9/hook"});
    assert_eq!(
        h.with_entra("PUT", "/emulator/subscriptions/kept", Some(subscription))
            .status,
        201
    );

    let reset = h.with_entra("POST", "/emulator/reset", None);
    assert_eq!(reset.status, 204, "{}", reset.text);
    let gone = h.chat(&alice, "GET", "/chat/threads", None);
    assert_eq!(gone.status, 401, "alice is gone: {}", gone.text);
    let bob = h.new_user();
    assert_eq!(h.list_all(&bob, "/chat/threads").len(), 0);
    let listed = h.with_entra("GET", "/emulator/subscriptions", None);
    assert_eq!(listed.body["value"][0]["name"], "kept");

    // Kept across a restart on the same data dir: the reset, bob, the key.
    let crate::common::Harness { emulator, .. } = h;
    std::sync::Arc::try_unwrap(emulator)
        .ok()
        .unwrap()
        .shutdown();
    let h = harness_for(
        acs_emulator::Emulator::builder()
            .data_dir(&dir)
            .start()
            .unwrap(),
    );
    assert_eq!(h.emulator.info().access_key, key);
    assert_eq!(h.chat(&alice, "GET", "/chat/threads", None).status, 401);
    assert_eq!(h.chat(&bob, "GET", "/chat/threads", None).status, 200);

    let all = h.with_entra(
        "POST",
        "/emulator/reset",
        Some(json!({"subscriptions": true})),
    );
    assert_eq!(all.status, 204);
    assert_eq!(
        h.with_entra("GET", "/emulator/subscriptions", None).body["value"],
        json!([])
    );
    drop(h);
    std::fs::remove_dir_all(&dir).unwrap();
}
