// Every operation's `method_options`: per-call timeout, client request id, headers, response hook.

/// `method_options` with only a timeout.
fn within(timeout: std::time::Duration) -> chat::ClientMethodOptions {
    chat::ClientMethodOptions {
        timeout: Some(timeout),
        ..Default::default()
    }
}

fn is_timeout(err: &Error) -> bool {
    matches!(
        err,
        Error::Timeout { .. }
            | Error::Transport {
                kind: chat::TransportErrorKind::Timeout,
                ..
            }
    )
}

/// A server that answers nothing for 30 s, a client whose own timeouts are a minute: only the
/// call's `timeout` (300 ms) can end these calls, a read, a write and a listing.
#[maybe_async]
#[chat_test]
async fn a_per_call_timeout_ends_a_read_a_write_and_a_listing() {
    let server = raw_server(|_, _| std::thread::sleep(std::time::Duration::from_secs(30)));
    let mut options = options(0);
    options.client_options.timeout = Some(std::time::Duration::from_secs(60));
    options.client_options.retry.max_total_elapsed = std::time::Duration::from_secs(60);
    let thread = server.chat(options).get_chat_thread_client(THREAD_ID);
    let short = std::time::Duration::from_millis(300);

    let read = thread
        .get_properties(Some(chat::models::GetPropertiesOptions {
            method_options: within(short),
        }))
        .await
        .unwrap_err();
    assert!(is_timeout(&read), "{read:?}");

    let write = thread
        .send_message(
            "hi",
            Some(chat::models::SendMessageOptions {
                method_options: within(short),
                ..Default::default()
            }),
        )
        .await
        .unwrap_err();
    assert!(is_timeout(&write), "{write:?}");

    let listing = thread
        .list_messages_page(
            None,
            Some(chat::models::ListMessagesOptions {
                method_options: within(short),
                ..Default::default()
            }),
        )
        .await
        .unwrap_err();
    assert!(is_timeout(&listing), "{listing:?}");
    assert_eq!(server.connections(), 3, "each call was sent once");
}

/// The caller's client request id is what the server receives, and the response hook is shown
/// the success's status and ids.
#[maybe_async]
#[chat_test]
async fn the_callers_client_request_id_reaches_the_server_and_the_hook_sees_the_response() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", THREAD_PATH)
        .match_query(Matcher::Any)
        .match_header("x-ms-client-request-id", "support-case-4711")
        .match_header("x-custom-tenant", "contoso")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("ms-cv", "ZmFrZWNvcnJlbGF0aW9u.0")
        .with_header("x-ms-request-id", "0d2f7b4e-8f2a-4c7e-9a51-3c5b7d9e1f20")
        .with_body(example_response("Threads_GetChatThread", "200").to_string())
        .create();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let hook = {
        let seen = seen.clone();
        chat::ResponseHook::new(move |response| seen.lock().unwrap().push(response.clone()))
    };
    let method_options = chat::ClientMethodOptions {
        client_request_id: Some("support-case-4711".into()),
        headers: vec![("x-custom-tenant".into(), "contoso".into())],
        on_response: Some(hook),
        ..Default::default()
    };
    client(&server)
        .get_chat_thread_client(THREAD_ID)
        .get_properties(Some(chat::models::GetPropertiesOptions { method_options }))
        .await
        .unwrap();
    mock.assert();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let response = &seen[0];
    assert_eq!(response.status, 200);
    assert_eq!(response.operation, "ChatThreadClient.get_properties");
    assert_eq!(response.client_request_id, "support-case-4711");
    assert_eq!(response.ms_cv.as_deref(), Some("ZmFrZWNvcnJlbGF0aW9u.0"));
    assert_eq!(
        response.request_id.as_deref(),
        Some("0d2f7b4e-8f2a-4c7e-9a51-3c5b7d9e1f20")
    );
}

/// Headers the SDK writes itself, and ids a transport would refuse, are refused before
/// anything is sent.
#[maybe_async]
#[chat_test]
async fn reserved_headers_and_bad_request_ids_are_refused_unsent() {
    let server = raw_server(|_, _| {});
    let thread = server.chat(options(0)).get_chat_thread_client(THREAD_ID);
    for method_options in [
        chat::ClientMethodOptions {
            headers: vec![("Authorization".into(), "Bearer stolen".into())],
            ..Default::default()
        },
        chat::ClientMethodOptions {
            headers: vec![("x-ok".into(), "line\r\nbreak".into())],
            ..Default::default()
        },
        chat::ClientMethodOptions {
            client_request_id: Some("a\nb".into()),
            ..Default::default()
        },
    ] {
        let err = thread
            .get_properties(Some(chat::models::GetPropertiesOptions { method_options }))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
        assert!(!err.to_string().contains("stolen"), "{err}");
    }
    assert_eq!(server.connections(), 0);
}
