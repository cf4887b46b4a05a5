// One test per operation: method, percent-encoded path, api-version, auth, request id, content
// type and the official example's request body; the official example's response is decoded.

#[maybe_async]
#[chat_test]
async fn create_chat_thread_sends_the_official_example() {
    let mut server = mock_server().await;
    let request = example_parameter("Threads_CreateChatThread", "createChatThreadRequest");
    let mock = expect_json_body(
        expect_request(&mut server, "POST", "/chat/threads", vec![]),
        "application/json",
        request.clone(),
    )
    .match_header("repeatability-request-id", Matcher::Regex(UUID_RE.into()))
    .with_status(201)
    .with_body(example_response("Threads_CreateChatThread", "201").to_string())
    .create();
    let participants: Vec<ChatParticipant> =
        serde_json::from_value(request["participants"].clone()).unwrap();
    let outcome = client(&server)
        .create_chat_thread(
            "Lunch",
            Some(chat::models::CreateChatThreadOptions {
                participants: Some(participants),
                retention_policy: Some(ChatRetentionPolicy::thread_creation_date(30)),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(outcome.chat_thread.topic, "Lunch");
    assert_eq!(
        outcome.chat_thread.retention_policy,
        Some(ChatRetentionPolicy::thread_creation_date(30))
    );
    let failed: Vec<(Option<String>, String)> = outcome
        .errors
        .iter()
        .map(|(p, e)| (p.display_name.clone(), e.code.clone()))
        .collect();
    assert_eq!(
        failed,
        vec![
            (Some("Bob".into()), "403".into()),
            (Some("Peter".into()), "404".into())
        ]
    );
}

#[maybe_async]
#[chat_test]
async fn create_chat_thread_sends_the_idempotency_token() {
    let mut server = mock_server().await;
    let name = "Threads_CreateChatThreadWithIdempotencyToken";
    let request = example_parameter(name, "createChatThreadRequest");
    let token = example_parameter(name, "idempotency-token");
    let mock = expect_json_body(
        expect_request(&mut server, "POST", "/chat/threads", vec![]),
        "application/json",
        request.clone(),
    )
    .match_header("repeatability-request-id", token.as_str().unwrap())
    .with_status(201)
    .with_body(example_response(name, "201").to_string())
    .create();
    let outcome = client(&server)
        .create_chat_thread(
            "Lunch",
            Some(chat::models::CreateChatThreadOptions {
                participants: Some(
                    serde_json::from_value(request["participants"].clone()).unwrap(),
                ),
                idempotency_key: Some(token.as_str().unwrap().to_string()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    mock.assert();
    assert!(outcome.chat_thread.id.ends_with("@thread.v2"));
}

#[maybe_async]
#[chat_test]
async fn list_chat_threads_sends_page_size_and_start_time() {
    let mut server = mock_server().await;
    let mock = expect_request(
        &mut server,
        "GET",
        "/chat/threads",
        vec![
            Matcher::UrlEncoded("maxPageSize".into(), "5".into()),
            Matcher::UrlEncoded("startTime".into(), "2024-01-02T03:04:05Z".into()),
        ],
    )
    .with_body(example_response("Threads_ListChatThreadsWithPageSize", "200").to_string())
    .create();
    let page = client(&server)
        .list_chat_threads_page(
            None,
            Some(chat::models::ListChatThreadsOptions {
                results_per_page: Some(5),
                start_time: Some(time::macros::datetime!(2024-01-02 03:04:05 UTC)),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(page.items.len(), 5);
    assert!(page.continuation_token.is_some());
}

#[maybe_async]
#[chat_test]
async fn delete_chat_thread_encodes_the_thread_id() {
    let mut server = mock_server().await;
    let mock = expect_request(&mut server, "DELETE", THREAD_PATH, vec![])
        .with_status(204)
        .create();
    client(&server)
        .delete_chat_thread(THREAD_ID, None)
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn get_properties_decodes_the_official_example() {
    let mut server = mock_server().await;
    let mock = expect_request(&mut server, "GET", THREAD_PATH, vec![])
        .with_body(example_response("Threads_GetChatThread", "200").to_string())
        .create();
    let properties = thread_client(&server).get_properties(None).await.unwrap();
    mock.assert();
    assert_eq!(properties.topic, "Lunch");
    assert!(matches!(
        properties.created_by,
        CommunicationIdentifier::CommunicationUser(_)
    ));
}

#[maybe_async]
#[chat_test]
async fn update_topic_sends_merge_patch() {
    let mut server = mock_server().await;
    let body = example_parameter("Threads_UpdateChatThreadTopic", "updateChatThreadRequest");
    let mock = expect_json_body(
        expect_request(&mut server, "PATCH", THREAD_PATH, vec![]),
        "application/merge-patch+json",
        body,
    )
    .with_status(204)
    .create();
    thread_client(&server)
        .update_topic("Updated Thread Topic", None)
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn update_properties_sends_metadata_and_retention() {
    let mut server = mock_server().await;
    let body = json!({"topic": "t2", "metadata": {"k": "v"}, "retentionPolicy": {"kind": "none"}});
    let mock = expect_json_body(
        expect_request(&mut server, "PATCH", THREAD_PATH, vec![]),
        "application/merge-patch+json",
        body,
    )
    .with_status(204)
    .create();
    thread_client(&server)
        .update_properties(Some(chat::models::UpdatePropertiesOptions {
            topic: Some("t2".into()),
            metadata: Some([("k".to_string(), "v".to_string())].into()),
            retention_policy: Some(ChatRetentionPolicy::none()),
            ..Default::default()
        }))
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn send_message_sends_the_official_example() {
    let mut server = mock_server().await;
    let body = example_parameter("Messages_SendChatMessage", "sendChatMessageRequest");
    let mock = expect_json_body(
        expect_request(
            &mut server,
            "POST",
            &format!("{THREAD_PATH}/messages"),
            vec![],
        ),
        "application/json",
        body,
    )
    .with_status(201)
    .with_body(example_response("Messages_SendChatMessage", "201").to_string())
    .create();
    let sent = thread_client(&server)
        .send_message(
            "Let's head out for lunch in 15 minutes.",
            Some(chat::models::SendMessageOptions {
                sender_display_name: Some("Jane".into()),
                metadata: Some(
                    [
                        ("someKey1".to_string(), "someValue1".to_string()),
                        ("someKey2".to_string(), "someValue2".to_string()),
                    ]
                    .into(),
                ),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    mock.assert();
    assert!(!sent.id.is_empty());
}

#[maybe_async]
#[chat_test]
async fn send_html_message_sends_its_type() {
    let mut server = mock_server().await;
    let mock = expect_json_body(
        expect_request(
            &mut server,
            "POST",
            &format!("{THREAD_PATH}/messages"),
            vec![],
        ),
        "application/json",
        json!({"content": "<b>hi</b>", "type": "html"}),
    )
    .with_status(201)
    .with_body(r#"{"id":"1"}"#)
    .create();
    let options = chat::models::SendMessageOptions {
        chat_message_type: Some(chat::models::ChatMessageType::Html),
        ..Default::default()
    };
    thread_client(&server)
        .send_message("<b>hi</b>", Some(options))
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn oversized_message_is_refused_before_sending() {
    let mut server = mock_server().await;
    let mock = server.mock("POST", Matcher::Any).expect(0).create();
    let content = "x".repeat(28 * 1024 + 1);
    let err = thread_client(&server)
        .send_message(&content, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    assert!(err.to_string().contains("28672"), "{err}");
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn get_message_decodes_the_official_example() {
    let mut server = mock_server().await;
    let mock = expect_request(
        &mut server,
        "GET",
        &format!("{THREAD_PATH}/messages/1591768249318"),
        vec![],
    )
    .with_body(example_response("Messages_GetChatMessage", "200").to_string())
    .create();
    let message = thread_client(&server)
        .get_message("1591768249318", None)
        .await
        .unwrap();
    mock.assert();
    assert_eq!(message.kind, chat::models::ChatMessageType::Text);
    assert!(message.content.and_then(|c| c.message).is_some());
}

#[maybe_async]
#[chat_test]
async fn list_messages_sends_page_size() {
    let mut server = mock_server().await;
    let mut body = example_response("Messages_ListChatMessagesWithPageSize", "200");
    body.as_object_mut().unwrap().remove("nextLink");
    let mock = expect_request(
        &mut server,
        "GET",
        &format!("{THREAD_PATH}/messages"),
        vec![Matcher::UrlEncoded("maxPageSize".into(), "5".into())],
    )
    .with_body(body.to_string())
    .create();
    let client = thread_client(&server);
    let options = chat::models::ListMessagesOptions {
        results_per_page: Some(5),
        ..Default::default()
    };
    let messages = collect(client.list_messages(Some(options))).await;
    mock.assert();
    assert_eq!(messages.len(), 5);
    assert!(messages.iter().all(|m| m.is_ok()));
}

#[maybe_async]
#[chat_test]
async fn update_message_sends_the_official_example() {
    let mut server = mock_server().await;
    let body = example_parameter("Messages_UpdateChatMessage", "updateChatMessageRequest");
    let mock = expect_json_body(
        expect_request(
            &mut server,
            "PATCH",
            &format!("{THREAD_PATH}/messages/1591768249318"),
            vec![],
        ),
        "application/merge-patch+json",
        body,
    )
    .with_status(204)
    .create();
    thread_client(&server)
        .update_message(
            "1591768249318",
            Some(chat::models::UpdateMessageOptions {
                content: Some("Updated message content".into()),
                metadata: Some(
                    [
                        ("someKey1".to_string(), "someValue1".to_string()),
                        ("someKey2".to_string(), "someValue2".to_string()),
                    ]
                    .into(),
                ),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn delete_message_encodes_both_ids() {
    let mut server = mock_server().await;
    let mock = expect_request(
        &mut server,
        "DELETE",
        &format!("{THREAD_PATH}/messages/a%2Fb"),
        vec![],
    )
    .with_status(204)
    .create();
    thread_client(&server)
        .delete_message("a/b", None)
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn list_participants_sends_page_size_and_skip() {
    let mut server = mock_server().await;
    let mut body = example_response("Participants_ListChatParticipantsWithPageSize", "200");
    body.as_object_mut().unwrap().remove("nextLink");
    let mock = expect_request(
        &mut server,
        "GET",
        &format!("{THREAD_PATH}/participants"),
        vec![
            Matcher::UrlEncoded("maxPageSize".into(), "2".into()),
            Matcher::UrlEncoded("skip".into(), "1".into()),
        ],
    )
    .with_body(body.to_string())
    .create();
    let client = thread_client(&server);
    let options = chat::models::ListParticipantsOptions {
        results_per_page: Some(2),
        skip: Some(1),
        ..Default::default()
    };
    let participants = collect(client.list_participants(Some(options))).await;
    mock.assert();
    assert_eq!(participants.len(), 2);
}

#[maybe_async]
#[chat_test]
async fn add_participants_sends_the_official_example_and_pairs_failures() {
    let mut server = mock_server().await;
    let body = example_parameter(
        "Participants_AddChatParticipants",
        "addChatParticipantsRequest",
    );
    let participants: Vec<ChatParticipant> =
        serde_json::from_value(body["participants"].clone()).unwrap();
    let failed_raw_id = participants[1].identifier.raw_id();
    let mock = expect_json_body(
        expect_request(&mut server, "POST", &format!("{THREAD_PATH}/participants/:add"), vec![]),
        "application/json",
        body,
    )
    .with_status(201)
    .with_body(json!({"invalidParticipants": [{"code": "403", "message": "Permissions check failed", "target": failed_raw_id}]}).to_string())
    .create();
    let failures = thread_client(&server)
        .add_participants(&participants, None)
        .await
        .unwrap();
    mock.assert();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].0, participants[1]);
    assert_eq!(failures[0].1.code, "403");
}

#[maybe_async]
#[chat_test]
async fn add_no_participants_sends_nothing() {
    let mut server = mock_server().await;
    let mock = server.mock("POST", Matcher::Any).expect(0).create();
    let failures = thread_client(&server)
        .add_participants(&[], None)
        .await
        .unwrap();
    assert!(failures.is_empty());
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn remove_participant_sends_the_official_example() {
    let mut server = mock_server().await;
    let body = example_parameter(
        "Participants_RemoveChatParticipant",
        "participantCommunicationIdentifier",
    );
    let identifier: CommunicationIdentifier = serde_json::from_value(body.clone()).unwrap();
    let mock = expect_json_body(
        expect_request(
            &mut server,
            "POST",
            &format!("{THREAD_PATH}/participants/:remove"),
            vec![],
        ),
        "application/json",
        body,
    )
    .with_status(204)
    .create();
    thread_client(&server)
        .remove_participant(&identifier, None)
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn send_typing_notification_sends_the_official_example() {
    let mut server = mock_server().await;
    let body = example_parameter(
        "Messages_SendTypingNotification",
        "sendTypingNotificationRequest",
    );
    let mock = expect_json_body(
        expect_request(
            &mut server,
            "POST",
            &format!("{THREAD_PATH}/typing"),
            vec![],
        ),
        "application/json",
        body,
    )
    .with_status(200)
    .create();
    let options = chat::models::SendTypingNotificationOptions {
        sender_display_name: Some("Jane".into()),
        ..Default::default()
    };
    thread_client(&server)
        .send_typing_notification(Some(options))
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn send_read_receipt_sends_the_official_example() {
    let mut server = mock_server().await;
    let body = example_parameter(
        "Conversations_SendChatReadReceipt",
        "sendReadReceiptRequest",
    );
    let mock = expect_json_body(
        expect_request(
            &mut server,
            "POST",
            &format!("{THREAD_PATH}/readReceipts"),
            vec![],
        ),
        "application/json",
        body,
    )
    .with_status(200)
    .create();
    thread_client(&server)
        .send_read_receipt("1591137790240", None)
        .await
        .unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn list_read_receipts_sends_page_size_and_skip() {
    let mut server = mock_server().await;
    let mut body = example_response("Conversations_ListChatReadReceiptsWithPageSize", "200");
    body.as_object_mut().unwrap().remove("nextLink");
    let mock = expect_request(
        &mut server,
        "GET",
        &format!("{THREAD_PATH}/readReceipts"),
        vec![
            Matcher::UrlEncoded("maxPageSize".into(), "2".into()),
            Matcher::UrlEncoded("skip".into(), "0".into()),
        ],
    )
    .with_body(body.to_string())
    .create();
    let client = thread_client(&server);
    let options = chat::models::ListReadReceiptsOptions {
        results_per_page: Some(2),
        skip: Some(0),
        ..Default::default()
    };
    let receipts = collect(client.list_read_receipts(Some(options))).await;
    mock.assert();
    assert_eq!(receipts.len(), 2);
    assert!(receipts.iter().all(|r| r.is_ok()));
}

#[maybe_async]
#[chat_test]
async fn a_standalone_thread_client_works_like_a_derived_one() {
    let mut server = mock_server().await;
    let mock = expect_request(&mut server, "GET", THREAD_PATH, vec![])
        .with_body(example_response("Threads_GetChatThread", "200").to_string())
        .create();
    let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let thread =
        ChatThreadClient::new(&format!("{}/", server.url()), credential, THREAD_ID, None).unwrap();
    assert_eq!(thread.thread_id(), THREAD_ID);
    let properties = thread.get_properties(None).await.unwrap();
    assert_eq!(properties.topic, "Lunch");
    mock.assert();
}
