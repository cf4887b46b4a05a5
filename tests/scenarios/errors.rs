// Service errors become typed errors; retries follow the core schedule.

#[maybe_async]
#[chat_test]
async fn acs_error_bodies_become_typed_errors() {
    for (status, code) in [
        (401, "Unauthorized"),
        (403, "Forbidden"),
        (404, "NotFound"),
        (429, "TooManyRequests"),
        (500, "InternalError"),
    ] {
        let mut server = mock_server().await;
        let _mock = server
            .mock("GET", THREAD_PATH)
            .match_query(Matcher::Any)
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(error_body(code, "it failed"))
            .create();
        let err = client_with(&server, 0)
            .get_chat_thread_client(THREAD_ID)
            .get_properties(None)
            .await
            .unwrap_err();
        let service = err.as_service_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(service.status, status as u16);
        assert_eq!(service.code.as_deref(), Some(code));
        assert_eq!(service.message.as_deref(), Some("it failed"));
        assert_eq!(service.target.as_deref(), Some("thread"));
        assert_eq!(service.details[0].code, "Inner");
        assert_eq!(
            service.inner_error.as_ref().map(|e| e.code.as_str()),
            Some("Deeper")
        );
        assert!(service.client_request_id.is_some());
        let text = err.to_string();
        assert!(
            text.contains("ChatThreadClient.get_properties") && text.contains(code),
            "{text}"
        );
        assert_eq!(err.is_retryable(), matches!(status, 429 | 500));
    }
}

#[maybe_async]
#[chat_test]
async fn a_non_json_error_keeps_status_and_text() {
    let mut server = mock_server().await;
    let _mock = server
        .mock("DELETE", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_status(502)
        .with_header("content-type", "text/html")
        .with_body("<html><body>Bad Gateway from the proxy</body></html>")
        .create();
    let err = client_with(&server, 0)
        .delete_chat_thread(THREAD_ID, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    let service = err.as_service_error().unwrap();
    assert!(service.raw_body.as_deref().unwrap().contains("Bad Gateway"));
    assert!(
        err.to_string().contains("Bad Gateway from the proxy"),
        "{err}"
    );
}

#[maybe_async]
#[chat_test]
async fn a_503_with_retry_after_is_retried_with_the_same_ids() {
    let mut server = mock_server().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let record = |seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>| {
        move |r: &mockito::Request| {
            let header = |n: &str| {
                r.header(n)
                    .first()
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            seen.lock().unwrap().push((
                header("repeatability-request-id"),
                header("x-ms-client-request-id"),
            ));
            true
        }
    };
    let unavailable = server
        .mock("POST", "/chat/threads")
        .match_query(Matcher::Any)
        .match_request(record(seen.clone()))
        .with_status(503)
        .with_header("retry-after", "0")
        .with_body(error_body("ServiceUnavailable", "try later"))
        .expect(1)
        .create();
    let created = server
        .mock("POST", "/chat/threads")
        .match_query(Matcher::Any)
        .match_request(record(seen.clone()))
        .with_status(201)
        .with_body(example_response("Threads_CreateChatThread", "201").to_string())
        .expect(1)
        .create();
    let outcome = client(&server)
        .create_chat_thread("Lunch", None)
        .await
        .unwrap();
    assert_eq!(outcome.chat_thread.topic, "Lunch");
    unavailable.assert();
    created.assert();
    let seen = seen.lock().unwrap().clone();
    // mockito may evaluate a matcher more than once per request; every evaluation must agree.
    assert!(seen.len() >= 2);
    assert!(seen.iter().all(|ids| *ids == seen[0]), "{seen:?}");
    assert!(!seen[0].0.is_empty() && !seen[0].1.is_empty());
}

#[maybe_async]
#[chat_test]
async fn exhausted_retries_say_how_many_attempts() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_status(503)
        .with_body(error_body("ServiceUnavailable", "down"))
        .expect(3)
        .create();
    let err = client_with(&server, 2)
        .get_chat_thread_client(THREAD_ID)
        .get_properties(None)
        .await
        .unwrap_err();
    mock.assert();
    assert_eq!(err.as_service_error().unwrap().attempts, 3);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[maybe_async]
#[chat_test]
async fn a_post_429_without_retry_after_is_not_retried() {
    let mut server = mock_server().await;
    let mock = server
        .mock("POST", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::Any)
        .with_status(429)
        .with_body(error_body("TooManyRequests", "slow down"))
        .expect(1)
        .create();
    let err = thread_client(&server)
        .send_message("hi", None)
        .await
        .unwrap_err();
    mock.assert();
    assert_eq!(err.code(), Some("TooManyRequests"));
}

#[maybe_async]
#[chat_test]
async fn an_unreachable_endpoint_is_a_transport_error_after_retries() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let client = ChatClient::new(
        &format!("http://127.0.0.1:{port}"),
        credential,
        Some(options(2)),
    )
    .unwrap();
    let err = client
        .delete_chat_thread(THREAD_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[maybe_async]
#[chat_test]
async fn insecure_and_malformed_endpoints_are_refused() {
    let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let err = ChatClient::new(
        "http://contoso.communication.azure.com",
        credential.clone(),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::InsecureEndpoint { .. }), "{err}");
    let err = ChatClient::new("ftp://x", credential, None).unwrap_err();
    assert!(matches!(err, Error::InvalidEndpoint { .. }), "{err}");
}

#[maybe_async]
#[chat_test]
async fn debug_output_never_shows_the_token() {
    let token = far_future_token();
    let credential = CommunicationTokenCredential::new(&token).unwrap();
    let client = ChatClient::new("https://h.example", credential.clone(), None).unwrap();
    let shown = format!(
        "{credential:?} {client:?} {:?}",
        client.get_chat_thread_client(THREAD_ID)
    );
    assert!(!shown.contains(&token), "{shown}");
    assert!(!shown.contains("eyJ"), "{shown}");
}

#[maybe_async]
#[chat_test]
async fn a_success_status_with_a_bad_body_is_a_decode_error() {
    let mut server = mock_server().await;
    let _mock = server
        .mock("GET", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_body("not json")
        .create();
    let err = thread_client(&server)
        .get_properties(None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
    assert!(
        err.to_string().contains("ChatThreadClient.get_properties"),
        "{err}"
    );
}

#[maybe_async]
#[chat_test]
async fn a_silent_server_times_out_per_attempt() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _hold = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(3).collect();
        std::thread::sleep(std::time::Duration::from_secs(5));
        drop(held);
    });
    let mut quick = options(1);
    quick.client_options.timeout = Some(std::time::Duration::from_millis(200));
    let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let client =
        ChatClient::new(&format!("http://127.0.0.1:{port}"), credential, Some(quick)).unwrap();
    let err = client
        .get_chat_thread_client(THREAD_ID)
        .get_properties(None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: chat::TransportErrorKind::Timeout,
                attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A name that does not resolve (`.invalid` never does, RFC 6761) never reached a service: a
/// `Connect` failure in both facades, so that retrying it is known to be safe.
#[maybe_async]
#[chat_test]
async fn an_unresolvable_host_is_a_connect_failure() {
    let credential = CommunicationTokenCredential::new(&far_future_token()).expect("token");
    let client = ChatClient::new(
        "https://acs-chat-test.invalid",
        credential,
        Some(options(0)),
    )
    .expect("client");
    let err = client
        .get_chat_thread_client(THREAD_ID)
        .get_properties(None)
        .await
        .unwrap_err();
    match &err {
        chat::Error::Transport { kind, .. } => {
            assert_eq!(*kind, chat::TransportErrorKind::Connect, "{err:?}");
            assert!(!kind.may_have_been_sent());
        }
        other => panic!("{other:?}"),
    }
}
