// A hostile world: every row of issue 7's table, on both facades. Nothing here may panic or hang.

#[maybe_async]
#[chat_test]
async fn an_absurd_retry_after_is_a_typed_error_not_a_panic() {
    for (name, value) in [
        ("Retry-After", "1e30"),
        ("retry-after-ms", "1e300"),
        ("x-ms-retry-after-ms", "1.8e308"),
        ("Retry-After", "18446744073709551616"),
    ] {
        let mut server = mock_server().await;
        let mock = server
            .mock("GET", THREAD_PATH)
            .match_query(Matcher::Any)
            .with_status(503)
            .with_header(name, value)
            .with_body(error_body("ServiceUnavailable", "later"))
            .expect(1)
            .create();
        let err = thread_client(&server)
            .get_properties(None)
            .await
            .unwrap_err();
        mock.assert();
        assert_eq!(err.status(), Some(503), "{name}: {value}");
        assert_eq!(
            err.retry_after(),
            Some(acs_chat_core::retry::MAX_RETRY_AFTER),
            "{name}: {value}"
        );
    }
}

#[maybe_async]
#[chat_test]
async fn a_day_long_retry_after_ends_the_call_and_is_exposed() {
    let mut server = mock_server().await;
    let mock = server
        .mock("POST", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::Any)
        .with_status(429)
        .with_header("Retry-After", "86400")
        .with_body(error_body("TooManyRequests", "tomorrow"))
        .expect(1)
        .create();
    let err = thread_client(&server)
        .send_message("hi", None)
        .await
        .unwrap_err();
    mock.assert();
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        err.retry_after(),
        Some(std::time::Duration::from_secs(86_400))
    );
    assert!(err.is_retryable());
    assert!(err.to_string().contains("retry after 86400s"), "{err}");
}

#[maybe_async]
#[chat_test]
async fn a_wait_past_the_budget_ends_the_call() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_status(503)
        .with_header("retry-after-ms", "300")
        .with_body(error_body("ServiceUnavailable", "later"))
        .expect(1)
        .create();
    let mut options = options(5);
    options.client_options.retry.max_delay = std::time::Duration::from_secs(1);
    options.client_options.retry.max_total_elapsed = std::time::Duration::from_millis(200);
    let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let client = ChatClient::new(&server.url(), credential, Some(options)).unwrap();
    let err = client
        .get_chat_thread_client(THREAD_ID)
        .get_properties(None)
        .await
        .unwrap_err();
    mock.assert();
    assert_eq!(
        err.retry_after(),
        Some(std::time::Duration::from_millis(300))
    );
}

#[maybe_async]
#[chat_test]
async fn a_retry_after_does_not_make_a_404_retryable() {
    for status in [400, 401, 403, 404, 409] {
        let mut server = mock_server().await;
        let mock = server
            .mock("GET", THREAD_PATH)
            .match_query(Matcher::Any)
            .with_status(status)
            .with_header("Retry-After", "0")
            .with_body(error_body("Nope", "no"))
            .expect(1)
            .create();
        let err = thread_client(&server)
            .get_properties(None)
            .await
            .unwrap_err();
        mock.assert();
        assert_eq!(err.status(), Some(status as u16));
        assert!(!err.is_retryable());
    }
}

#[maybe_async]
#[chat_test]
async fn an_oversized_success_body_is_a_typed_error_and_not_retried() {
    // Chunked, so no content-length warns the client: the cap must hold while streaming.
    let server = raw_server(|_, stream| write_chunked(stream, 200, 8 * 1024 * 1024));
    let mut options = quick_options(3);
    options.client_options.max_response_body_bytes = Some(1024 * 1024);
    options.client_options.timeout = Some(std::time::Duration::from_secs(20));
    let err = server
        .chat(options)
        .get_chat_thread_client(THREAD_ID)
        .get_properties(None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(server.connections(), 1);
}

#[maybe_async]
#[chat_test]
async fn a_declared_oversized_body_is_refused_before_reading() {
    let server = raw_server(|_, stream| {
        use std::io::Write;
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-length: 209715200\r\nconnection: close\r\n\r\n{",
        );
    });
    let err = server
        .chat(quick_options(3))
        .get_chat_thread_client(THREAD_ID)
        .get_properties(None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == chat::ClientOptions::DEFAULT_MAX_RESPONSE_BODY_BYTES),
        "{err:?}"
    );
    assert_eq!(server.connections(), 1);
}

#[maybe_async]
#[chat_test]
async fn a_huge_error_body_is_truncated() {
    let server = raw_server(|_, stream| write_chunked(stream, 500, 4 * 1024 * 1024));
    let mut options = quick_options(0);
    options.client_options.timeout = Some(std::time::Duration::from_secs(20));
    let err = server
        .chat(options)
        .get_chat_thread_client(THREAD_ID)
        .get_properties(None)
        .await
        .unwrap_err();
    let service = err.as_service_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(service.status, 500);
    let raw = service.raw_body.as_deref().unwrap_or_default();
    assert_eq!(raw.len() as u64, chat::ClientOptions::MAX_ERROR_BODY_BYTES);
}

#[maybe_async]
#[chat_test]
async fn a_hung_refresher_times_out_and_valid_tokens_keep_working() {
    use std::time::Duration;
    let options = chat::CommunicationTokenCredentialOptions {
        refresh_timeout: Some(Duration::from_millis(200)),
        ..Default::default()
    };
    // Expired: the caller needs the refresh, which never answers.
    let expired = hung_credential(&jwt(1_000), Some(options.clone()));
    let err = expired.get_token().await.unwrap_err();
    assert!(matches!(err, Error::CredentialTimeout { .. }), "{err:?}");

    // 60 s left: inside the refresh window but valid, so it is used once the refresh is overdue.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let valid = hung_credential(&jwt(now + 60), Some(options));
    let token = valid.get_token().await.unwrap();
    assert_eq!(token.expires_on.unix_timestamp(), now + 60);
}

#[maybe_async]
#[chat_test]
async fn a_hung_refresher_cannot_outlive_the_operation_budget() {
    let mut server = mock_server().await;
    let mock = server
        .mock("DELETE", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_status(204)
        .expect(0)
        .create();
    let credential = hung_credential(&jwt(1_000), None);
    let mut options = options(3);
    options.client_options.retry.max_total_elapsed = std::time::Duration::from_millis(300);
    let client = ChatClient::new(&server.url(), credential, Some(options)).unwrap();
    let err = client
        .delete_chat_thread(THREAD_ID, None)
        .await
        .unwrap_err();
    mock.assert();
    assert!(
        matches!(err, Error::CredentialTimeout { timeout, .. } if timeout <= std::time::Duration::from_millis(300)),
        "{err:?}"
    );
}

#[maybe_async]
#[chat_test]
async fn a_failing_refresher_is_called_once_for_all_waiters_and_backs_off() {
    let (credential, calls) = failing_credential(&jwt(1_000));
    let results = get_tokens_concurrently(&credential, 100).await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one refresher call for 100 waiters"
    );
    assert_eq!(results.len(), 100);
    for result in results {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Credential { .. }), "{err:?}");
        assert_shown_once(&err, "identity service down");
    }
    // The next caller within the backoff gets the same failure without a new call.
    let again = credential.get_token().await;
    assert!(again.is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[maybe_async]
#[chat_test]
async fn a_next_link_back_to_a_fetched_page_ends_the_listing() {
    let mut server = mock_server().await;
    let first = server
        .mock("GET", "/chat/threads")
        .match_query(Matcher::Regex("^api-version=[^&]*$".into()))
        .with_body(json!({"value": [{"id": "19:a@thread.v2", "topic": "a"}], "nextLink": format!("{}/chat/threads?skip=1", server.url())}).to_string())
        .expect(1)
        .create();
    let second = server
        .mock("GET", "/chat/threads")
        .match_query(Matcher::UrlEncoded("skip".into(), "1".into()))
        .with_body(json!({"value": [{"id": "19:b@thread.v2", "topic": "b"}], "nextLink": format!("{}/chat/threads", server.url())}).to_string())
        .expect(1)
        .create();
    let items: Vec<_> = collect(client(&server).list_chat_threads(None)).await;
    first.assert();
    second.assert();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(
        matches!(items[2], Err(Error::RepeatedContinuationToken { .. })),
        "{:?}",
        items[2]
    );
}

#[maybe_async]
#[chat_test]
async fn a_page_that_links_to_itself_is_refused_by_single_page_calls() {
    let mut server = mock_server().await;
    let url = format!(
        "{}/chat/threads?skip=1&api-version=2025-03-15",
        server.url()
    );
    let _mock = server
        .mock("GET", "/chat/threads")
        .match_query(Matcher::Any)
        .with_body(json!({"value": [], "nextLink": url}).to_string())
        .create();
    let err = client(&server)
        .list_chat_threads_page(Some(&url), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RepeatedContinuationToken { .. }),
        "{err:?}"
    );
}

#[maybe_async]
#[chat_test]
async fn malformed_connection_strings_never_show_key_material() {
    let key = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODk=";
    for connection_string in [
        format!("endpoint=https://x.example/;{key}"),
        format!("{key};endpoint=https://x.example/"),
        format!("endpoint=https://x.example/;accesskey={key}!!"),
        format!("endpoint=;accesskey={key}"),
        key.to_string(),
    ] {
        let err =
            chat::CommunicationIdentityClient::from_connection_string(&connection_string, None)
                .unwrap_err();
        let shown = format!("{err} {err:?}");
        for window in key.as_bytes().windows(4) {
            let fragment = std::str::from_utf8(window).unwrap();
            assert!(
                !shown.contains(fragment),
                "`{fragment}` of the key in: {shown}"
            );
        }
    }
}

#[maybe_async]
#[chat_test]
async fn null_arrays_decode_as_empty() {
    let mut server = mock_server().await;
    let _list = server
        .mock("GET", "/chat/threads")
        .match_query(Matcher::Any)
        .with_body(r#"{"value": null, "nextLink": null}"#)
        .create();
    let mut created = example_response("Threads_CreateChatThread", "201");
    created["invalidParticipants"] = Value::Null;
    let _create = server
        .mock("POST", "/chat/threads")
        .match_query(Matcher::Any)
        .with_status(201)
        .with_body(created.to_string())
        .create();
    let mut message = example_response("Messages_GetChatMessage", "200");
    message["content"]["participants"] = Value::Null;
    message["content"]["attachments"] = Value::Null;
    let _get = server
        .mock("GET", format!("{THREAD_PATH}/messages/1").as_str())
        .match_query(Matcher::Any)
        .with_body(message.to_string())
        .create();
    let _add = server
        .mock("POST", format!("{THREAD_PATH}/participants/:add").as_str())
        .match_query(Matcher::Any)
        .with_status(201)
        .with_body(r#"{"invalidParticipants": null}"#)
        .create();
    let _error = server
        .mock("DELETE", THREAD_PATH)
        .match_query(Matcher::Any)
        .with_status(400)
        .with_body(r#"{"error": {"code": "Bad", "message": "no", "details": null}}"#)
        .create();
    let client = client(&server);
    let threads: Vec<_> = collect(client.list_chat_threads(None)).await;
    assert!(threads.is_empty(), "{threads:?}");
    let created = client.create_chat_thread("t", None).await.unwrap();
    assert!(created.errors.is_empty());
    let thread = client.get_chat_thread_client(THREAD_ID);
    let got = thread.get_message("1", None).await.unwrap();
    let content = got.content.unwrap();
    assert!(content.participants.is_empty() && content.attachments.is_empty());
    let me = ChatParticipant::new(CommunicationIdentifier::user("8:acs:x"));
    let refused = thread.add_participants(&[me], None).await.unwrap();
    assert!(refused.is_empty());
    let err = client
        .delete_chat_thread(THREAD_ID, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Bad"));
    assert!(err.as_service_error().unwrap().details.is_empty());
}

#[maybe_async]
#[chat_test]
async fn the_services_raw_ids_are_kept_verbatim() {
    let mut server = mock_server().await;
    let mut page = example_response("Participants_ListChatParticipantsWithPageSize", "200");
    page["nextLink"] = Value::Null;
    page["value"] = json!([
        {"communicationIdentifier": {"rawId": "4:14255550123", "phoneNumber": {"value": "+14255550123"}}, "displayName": "phone"},
        {"communicationIdentifier": {"rawId": "28:dod-global:bot", "microsoftTeamsApp": {"appId": "bot", "cloud": "dod"}}, "displayName": "bot"}
    ]);
    let _mock = server
        .mock("GET", format!("{THREAD_PATH}/participants").as_str())
        .match_query(Matcher::Any)
        .with_body(page.to_string())
        .create();
    let participants: Vec<_> = collect(thread_client(&server).list_participants(None)).await;
    let raw: Vec<String> = participants
        .into_iter()
        .map(|p| p.unwrap().identifier.raw_id())
        .collect();
    assert_eq!(raw, ["4:14255550123", "28:dod-global:bot"]);
}

#[maybe_async]
#[chat_test]
async fn random_server_answers_never_panic() {
    // Status lines, headers and bodies from a seeded generator; every call must return.
    let seed = std::env::var("HOSTILE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let rng = std::sync::Arc::new(std::sync::Mutex::new(fastrand::Rng::with_seed(seed)));
    let generator = rng.clone();
    let server = raw_server(move |_, stream| {
        let bytes = random_response(&mut generator.lock().unwrap());
        use std::io::Write;
        let _ = stream.write_all(&bytes);
    });
    let mut options = quick_options(2);
    options.client_options.retry.max_total_elapsed = std::time::Duration::from_secs(2);
    let client = server.chat(options);
    let thread = client.get_chat_thread_client(THREAD_ID);
    for _ in 0..60 {
        let _ = thread.get_properties(None).await;
        let _ = thread.send_message("hi", None).await;
        let _ = collect(thread.list_messages(None)).await;
        let _ = client.create_chat_thread("t", None).await;
    }
    assert!(server.connections() >= 240);
}

/// A random HTTP response: sometimes well-formed with a body of the right shape, sometimes not.
fn random_response(rng: &mut fastrand::Rng) -> Vec<u8> {
    let statuses = [
        200, 201, 204, 301, 400, 404, 408, 429, 500, 502, 503, 504, 999, 0, 100,
    ];
    let status = if rng.bool() {
        statuses[rng.usize(..statuses.len())].to_string()
    } else {
        rng.u32(..100_000).to_string()
    };
    let bodies = [
        json!({"id": "19:x@thread.v2", "topic": "t", "createdOn": "2020-01-01T00:00:00Z", "createdBy": {"rawId": "8:acs:x"}}).to_string(),
        json!({"value": [{"id": "1"}], "nextLink": "https://evil.example/chat/threads?skip=1"}).to_string(),
        json!({"value": null, "nextLink": "::not a url::"}).to_string(),
        json!({"value": [], "nextLink": "/chat/threads/19%3Aabc%40thread.v2/messages"}).to_string(),
        json!({"error": {"code": 5, "details": [null]}}).to_string(),
        json!({"chatThread": {"id": 1}, "invalidParticipants": [{"code": "x", "message": "y", "target": "z"}]}).to_string(),
        json!({"id": "1", "type": "brandNew", "sequenceId": "1", "version": "1", "createdOn": "9999-12-31T23:59:59.9999999Z"}).to_string(),
        json!({"id": "1", "type": "text", "sequenceId": "1", "version": "1", "createdOn": "-999999-01-01T00:00:00Z"}).to_string(),
        "null".to_string(),
        "[]".to_string(),
        "{".to_string(),
        String::from_utf8_lossy(&(0..rng.usize(..200)).map(|_| rng.u8(..)).collect::<Vec<u8>>()).into_owned(),
    ];
    let body = bodies[rng.usize(..bodies.len())].clone().into_bytes();
    let mut head = format!("HTTP/1.1 {status} Whatever\r\nconnection: close\r\n");
    let retry_afters = [
        "0",
        "1e30",
        "-5",
        "NaN",
        "inf",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "0.001",
        "\u{00ff}",
    ];
    if rng.bool() {
        let name = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"][rng.usize(..3)];
        head.push_str(&format!(
            "{name}: {}\r\n",
            retry_afters[rng.usize(..retry_afters.len())]
        ));
    }
    match rng.u8(..4) {
        0 => head.push_str(&format!("content-length: {}\r\n", body.len())),
        1 => head.push_str(&format!(
            "content-length: {}\r\n",
            body.len() + rng.usize(1..1000)
        )),
        2 => head.push_str("content-length: banana\r\n"),
        _ => {}
    }
    if rng.u8(..10) == 0 {
        head.push_str("transfer-encoding: chunked\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if rng.u8(..10) == 0 {
        bytes = (0..rng.usize(..64)).map(|_| rng.u8(..)).collect();
    }
    bytes.extend_from_slice(&body);
    bytes
}
