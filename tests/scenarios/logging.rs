// Logs at every level, from every target, never show a token or an HMAC signature. This logger
// records every target but ureq-proto's byte dump (`ureq_proto::util` at TRACE), which has no
// switch: with it on, the blocking facade refuses to send (tests/log_dump.rs).

struct Capture(std::sync::Mutex<Vec<(String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        !metadata.target().starts_with("ureq_proto::util")
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = (record.target().to_string(), record.args().to_string());
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(std::sync::Mutex::new(Vec::new()));

/// Installs the capturing logger at trace level (once per test binary) and returns it.
fn capture_logs() -> &'static Capture {
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Trace);
    &CAPTURE
}

/// Every 10-character window of a secret: a log line showing any of them shows part of it.
fn fragments(secret: &str) -> Vec<String> {
    secret
        .as_bytes()
        .windows(10)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

#[maybe_async]
#[chat_test]
async fn no_log_record_shows_a_token_or_a_signature() {
    let capture = capture_logs();
    let token = jwt(4_102_444_799);
    let mut server = mock_server().await;
    let signatures = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = signatures.clone();
    let _busy = server
        .mock("DELETE", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_status(503)
        .with_header("retry-after-ms", "1")
        .expect(1)
        .create();
    let _deleted = server
        .mock("DELETE", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_status(204)
        .create();
    let _identity = server
        .mock("POST", "/identities")
        .match_query(Matcher::Any)
        .match_request(move |r| {
            let auth = r
                .header("authorization")
                .first()
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            seen.lock()
                .unwrap()
                .push(auth.rsplit("Signature=").next().unwrap_or("").to_string());
            true
        })
        .with_status(201)
        .with_body(json!({"identity": {"id": "8:acs:x"}}).to_string())
        .create();
    let credential = CommunicationTokenCredential::new(&token).unwrap();
    let chat_client = ChatClient::new(&server.url(), credential, Some(options(2))).unwrap();
    chat_client
        .delete_chat_thread(THREAD_ID, None)
        .await
        .unwrap();
    let key = "bG9nZ2luZy10ZXN0LWtleS1tYXRlcmlhbA==";
    let identity = chat::CommunicationIdentityClient::from_connection_string(
        &format!("endpoint={};accesskey={key}", server.url()),
        None,
    )
    .unwrap();
    identity.create_user(None).await.unwrap();

    let mut secrets = fragments(token.split('.').nth(1).unwrap());
    secrets.extend(fragments(token.split('.').nth(2).unwrap_or_default()));
    secrets.extend(fragments(key));
    for signature in signatures.lock().unwrap().iter().filter(|s| s.len() > 10) {
        secrets.extend(fragments(signature));
    }
    let records = capture.0.lock().unwrap().clone();
    assert!(
        records
            .iter()
            .any(|(target, _)| target.starts_with("acs_chat")),
        "our own debug lines were captured"
    );
    for (target, line) in &records {
        // mockito is the test's server, not the client: it logs what it received.
        if target.starts_with("mockito") {
            continue;
        }
        assert!(
            !line.contains("Bearer ") && !line.contains("Signature="),
            "{target}: {line}"
        );
        for secret in &secrets {
            assert!(
                !line.contains(secret.as_str()),
                "{target} shows `{secret}`: {line}"
            );
        }
    }
}
