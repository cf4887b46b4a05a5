// The 1.0 surface: a successful call's metadata without a callback, `Error::kind`, and
// `Error::is_retryable` true only where sending again cannot act twice.

#[maybe_async]
#[chat_test]
async fn the_ms_cv_and_request_id_of_a_successful_send_are_read_without_a_callback() {
    let mut server = mock_server().await;
    let sent = server
        .mock("POST", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::Any)
        .match_header("x-ms-client-request-id", "support-case-42")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_header("ms-cv", "cv.send.1")
        .with_header("x-ms-request-id", "request-7")
        .with_header("x-custom-diagnostics", "kept")
        .with_body(r#"{"id":"1700000000001"}"#)
        .expect(2)
        .create();
    let options = || {
        Some(chat::models::SendMessageOptions {
            method_options: chat::ClientMethodOptions {
                client_request_id: Some("support-case-42".into()),
                ..Default::default()
            },
            ..Default::default()
        })
    };
    let thread = thread_client(&server);
    let response = thread
        .send_message_with_response("hello", options())
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    assert_eq!(response.ms_cv(), Some("cv.send.1"));
    assert_eq!(response.request_id(), Some("request-7"));
    assert_eq!(response.client_request_id(), "support-case-42");
    // Every response header, not an allow-list.
    assert_eq!(response.header("X-Custom-Diagnostics"), Some("kept"));
    assert_eq!(
        response.metadata().operation,
        "ChatThreadClient.send_message"
    );
    assert_eq!(response.value().id, "1700000000001");
    // The plain operation returns the same value.
    let plain = thread.send_message("hello", options()).await.expect("send");
    assert_eq!(plain.id, response.into_value().id);
    sent.assert();
}

#[maybe_async]
#[chat_test]
async fn a_page_carries_the_metadata_of_its_response() {
    let mut server = mock_server().await;
    let _page = server
        .mock("GET", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::Any)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("ms-cv", "cv.page.1")
        .with_body(r#"{"value":[]}"#)
        .create();
    let page = thread_client(&server)
        .list_messages_page(None, None)
        .await
        .expect("page");
    let metadata = page.metadata().expect("a fetched page has its response");
    assert_eq!(
        (metadata.status, metadata.ms_cv.as_deref()),
        (200, Some("cv.page.1"))
    );
}

#[maybe_async]
#[chat_test]
async fn kind_classifies_401_404_429_and_a_refused_connection() {
    for (status, kind) in [
        (401, chat::ErrorKind::Authentication),
        (404, chat::ErrorKind::NotFound),
        (429, chat::ErrorKind::Throttled),
    ] {
        let mut server = mock_server().await;
        let _mock = server
            .mock("GET", THREAD_PATH)
            .match_query(Matcher::Any)
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(error_body("Code", "refused"))
            .create();
        let err = client_with(&server, 0)
            .get_chat_thread_client(THREAD_ID)
            .get_properties(None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}: {err:?}");
        assert_eq!(err.status(), Some(status as u16));
    }

    // A port with nothing listening: the connection is refused, the request never left.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let credential = CommunicationTokenCredential::new(&far_future_token()).expect("token");
    let client = ChatClient::new(
        &format!("http://127.0.0.1:{port}"),
        credential,
        Some(options(0)),
    )
    .expect("client");
    let err = client
        .get_chat_thread_client(THREAD_ID)
        .send_message("hello", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), chat::ErrorKind::Connection, "{err:?}");
    assert_eq!(err.status(), None);
    // Nothing reached the service: even a send is safe to make again.
    assert!(err.is_retryable(), "{err:?}");
    // Display is this error's own text; the transport's error is the source, printed once.
    let source = std::error::Error::source(&err).expect("a transport error has a source");
    assert!(
        !err.to_string().contains(&source.to_string()),
        "{err} repeats {source}"
    );
}

#[maybe_async]
#[chat_test]
async fn a_timed_out_send_is_not_retryable_while_a_timed_out_read_is() {
    // Reads the request, then answers nothing for longer than the client waits.
    let server = raw_server(|_, _| std::thread::sleep(std::time::Duration::from_secs(3)));
    let thread = server
        .chat(quick_options(0))
        .get_chat_thread_client(THREAD_ID);

    let send = thread.send_message("hello", None).await.unwrap_err();
    assert_eq!(send.kind(), chat::ErrorKind::Timeout, "{send:?}");
    // The message may have been stored: sending it again could post it twice.
    assert!(!send.is_retryable(), "{send:?}");

    let read = thread.get_properties(None).await.unwrap_err();
    assert_eq!(read.kind(), chat::ErrorKind::Timeout, "{read:?}");
    assert!(read.is_retryable(), "{read:?}");
    assert_eq!(server.connections(), 2);
}

#[maybe_async]
#[chat_test]
async fn a_500_on_a_send_is_not_retryable_but_a_429_is() {
    for (status, retryable) in [(500, false), (429, true)] {
        let mut server = mock_server().await;
        let _mock = server
            .mock("POST", format!("{THREAD_PATH}/messages").as_str())
            .match_query(Matcher::Any)
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(error_body("Code", "failed"))
            .create();
        let err = client_with(&server, 0)
            .get_chat_thread_client(THREAD_ID)
            .send_message("hello", None)
            .await
            .unwrap_err();
        assert_eq!(err.is_retryable(), retryable, "{status}: {err:?}");
    }
}
