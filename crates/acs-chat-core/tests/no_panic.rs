//! Property test: random status lines, headers and bodies through every decoder and the retry
//! decisions. The only assertion that matters is that nothing panics; each call's result is also
//! checked for the one invariant it must keep.

use acs_chat_core::http::{Exchange, Replay};
use acs_chat_core::requests::{
    decode_empty, decode_json, decode_page, service_error, ChatRequests,
};
use acs_chat_core::retry::{self, RetryDecision};
use acs_chat_core::*;
use std::time::{Duration, SystemTime};

const CASES: usize = 20_000;

fn seed() -> u64 {
    std::env::var("NO_PANIC_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed)
}

fn pick<'a>(rng: &mut fastrand::Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

fn random_text(rng: &mut fastrand::Rng) -> String {
    let n = rng.usize(..40);
    (0..n).map(|_| rng.char(..)).collect()
}

/// A random value where a number, a string, an array, an object or null may each show up.
fn random_json(rng: &mut fastrand::Rng, depth: u32) -> serde_json::Value {
    use serde_json::json;
    match rng.u8(..8) {
        0 => serde_json::Value::Null,
        1 => json!(rng.i64(..)),
        2 => json!(rng.f64() * 1e300),
        3 => json!(random_text(rng)),
        4 => json!(pick(
            rng,
            &[
                "2020-01-01T00:00:00Z",
                "9999-12-31T23:59:59.9999999Z",
                "0000-01-01T00:00:00+14:00",
                "not a date",
                ""
            ]
        )),
        5 if depth < 3 => serde_json::Value::Array(
            (0..rng.usize(..4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ if depth < 3 => {
            let keys = [
                "id",
                "value",
                "nextLink",
                "rawId",
                "kind",
                "communicationUser",
                "phoneNumber",
                "microsoftTeamsUser",
                "microsoftTeamsApp",
                "teamsExtensionUser",
                "cloud",
                "topic",
                "createdOn",
                "createdBy",
                "type",
                "sequenceId",
                "version",
                "content",
                "participants",
                "attachments",
                "metadata",
                "error",
                "code",
                "message",
                "details",
                "innererror",
                "chatThread",
                "invalidParticipants",
                "identity",
                "accessToken",
                "token",
                "expiresOn",
                "retentionPolicy",
                "policyType",
                "deleteThreadAfterDays",
            ];
            let mut map = serde_json::Map::new();
            for _ in 0..rng.usize(..6) {
                map.insert(pick(rng, &keys).to_string(), random_json(rng, depth + 1));
            }
            serde_json::Value::Object(map)
        }
        _ => json!(true),
    }
}

/// A body: a spec example with fields replaced, random JSON, or random bytes.
fn random_body(rng: &mut fastrand::Rng, examples: &[serde_json::Value]) -> Vec<u8> {
    match rng.u8(..4) {
        0 => (0..rng.usize(..300)).map(|_| rng.u8(..)).collect(),
        1 => random_json(rng, 0).to_string().into_bytes(),
        _ => {
            let mut body = examples[rng.usize(..examples.len())].clone();
            mutate(rng, &mut body);
            body.to_string().into_bytes()
        }
    }
}

fn mutate(rng: &mut fastrand::Rng, value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for v in map.values_mut() {
                if rng.u8(..4) == 0 {
                    *v = random_json(rng, 2);
                } else {
                    mutate(rng, v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| mutate(rng, v)),
        _ => {}
    }
}

fn spec_response_bodies() -> Vec<serde_json::Value> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/spec");
    let mut bodies = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json")
                && path.to_string_lossy().contains("examples")
            {
                let example: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("read"))
                        .expect("json");
                if let Some(responses) = example["responses"].as_object() {
                    bodies.extend(responses.values().filter_map(|r| r.get("body").cloned()));
                }
            }
        }
    }
    assert!(bodies.len() > 20, "spec examples found: {}", bodies.len());
    bodies
}

fn random_response(rng: &mut fastrand::Rng, examples: &[serde_json::Value]) -> HttpResponse {
    let status = if rng.bool() {
        [
            200, 201, 204, 400, 401, 403, 404, 408, 429, 500, 502, 503, 504,
        ][rng.usize(..13)]
    } else {
        rng.u16(..)
    };
    let mut headers = Vec::new();
    for _ in 0..rng.usize(..4) {
        let name = pick(
            rng,
            &[
                "retry-after",
                "Retry-After",
                "retry-after-ms",
                "x-ms-retry-after-ms",
                "content-type",
                "x-junk",
            ],
        );
        let value = match rng.u8(..3) {
            0 => random_text(rng),
            1 => pick(
                rng,
                &[
                    "1e30",
                    "1e300",
                    "1.8e308",
                    "-1",
                    "NaN",
                    "inf",
                    "-inf",
                    "86400",
                    "0",
                    "0.5",
                    "18446744073709551616",
                    "Fri, 31 Dec 9999 23:59:59 GMT",
                    "Thu, 01 Jan 1970 00:00:00 GMT",
                    "",
                ],
            )
            .to_string(),
            _ => rng.f64().to_string(),
        };
        headers.push((name.to_string(), value));
    }
    HttpResponse {
        status,
        headers,
        body: random_body(rng, examples),
    }
}

#[test]
fn decoders_and_retry_decisions_never_panic_on_server_input() {
    let examples = spec_response_bodies();
    let mut rng = fastrand::Rng::with_seed(seed());
    let endpoint = Endpoint::parse("https://h.example/prefix").unwrap();
    let requests = ChatRequests::new(endpoint.clone(), None);
    let threads = requests.list_chat_threads(&Default::default()).unwrap();
    let messages = requests
        .list_messages("19:a@thread.v2", &Default::default())
        .unwrap();
    let options = RetryOptions::default();
    for case in 0..CASES {
        let response = random_response(&mut rng, &examples);
        let exchange = Exchange {
            operation: "op",
            expected_status: [200, 201, 204][case % 3],
            response: response.clone(),
            attempts: 1,
            client_request_id: None,
            replay: acs_chat_core::http::Replay::Safe,
        };
        let _ = decode_json::<ChatThreadProperties>(exchange.clone());
        let _ = decode_json::<CreateChatThreadResult>(exchange.clone());
        let _ = decode_json::<ChatMessage>(exchange.clone());
        let _ = decode_json::<AddChatParticipantsResult>(exchange.clone());
        let _ = decode_json::<SendChatMessageResult>(exchange.clone());
        let _ = decode_json::<CommunicationIdentityAccessTokenResult>(exchange.clone());
        let _ = decode_json::<CommunicationIdentity>(exchange.clone());
        let _ = decode_empty(exchange.clone());
        let _ = decode_page::<ChatThreadItem>(exchange.clone(), &threads);
        let _ = decode_page::<ChatMessage>(exchange.clone(), &messages);
        let _ = decode_page::<ChatParticipant>(exchange.clone(), &messages);
        let _ = decode_page::<ChatMessageReadReceipt>(exchange.clone(), &messages);
        if let Error::Service(e) = service_error(&exchange) {
            assert!(e.retry_after.is_none_or(|d| d <= retry::MAX_RETRY_AFTER));
        }
        let link = match rng.u8(..3) {
            0 => random_text(&mut rng),
            1 => format!(
                "https://{}/chat/threads?skip={}",
                random_text(&mut rng),
                rng.u32(..)
            ),
            _ => pick(
                &mut rng,
                &[
                    "//evil.example/x",
                    "/chat/threads?skip=2",
                    "https://h.example/prefix/chat/threads?api-version=1",
                    "::",
                    "https://[::1",
                    "data:text/plain,x",
                    "https://h.example:99999/x",
                ],
            )
            .to_string(),
        };
        for listing in [&threads, &messages] {
            if let Ok(next) = listing.follow(&link) {
                assert!(endpoint.owns(next.url()), "{link} -> {}", next.url());
            }
        }
        let _ = AccessToken::parse(&link);
        let _ = ConnectionString::parse(&link);
        for method in [Method::Get, Method::Post, Method::Patch, Method::Delete] {
            for replay in [Replay::Safe, Replay::Unsafe, Replay::Reconcile] {
                let mut request = requests.get_properties("19:a@thread.v2").unwrap();
                request.method = method;
                request.replay = replay;
                let remaining = Duration::from_millis(rng.u64(..200_000));
                let attempt = rng.u32(..);
                for decision in [
                    retry::after_response(&options, &request, &response, attempt, remaining),
                    retry::after_transport_error(
                        &options,
                        &request,
                        TransportErrorKind::Timeout,
                        attempt,
                        remaining,
                    ),
                ] {
                    if let RetryDecision::RetryAfter(d) | RetryDecision::ReconcileThenRetry(d) =
                        decision
                    {
                        assert!(d <= options.max_delay && d < remaining, "{decision:?}");
                    }
                }
            }
        }
        let _ = retry::retry_after(&response, SystemTime::UNIX_EPOCH);
    }
}
