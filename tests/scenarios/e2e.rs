// End to end over HTTPS against the embedded emulator: the samples' flows and the rules users hit.

#[maybe_async]
#[chat_test]
async fn e2e_chat_client_flow() {
    let live = live();
    let identity = live.identity();
    let (user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let client = live.chat(token.token.expose());
    let me = ChatParticipant::new(CommunicationIdentifier::user(user.id.clone()))
        .with_display_name("me");
    let created = client
        .create_chat_thread(
            "topic",
            Some(chat::models::CreateChatThreadOptions {
                participants: Some(vec![me]),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert!(created.errors.is_empty());
    let idempotent = chat::models::CreateChatThreadOptions {
        idempotency_key: Some("b66d6031-fdcc-41df-8306-e524c9f226b8".into()),
        ..Default::default()
    };
    let first = client
        .create_chat_thread("again", Some(idempotent.clone()))
        .await
        .unwrap();
    let second = client
        .create_chat_thread("again", Some(idempotent))
        .await
        .unwrap();
    assert_eq!(
        first.chat_thread.id, second.chat_thread.id,
        "idempotent create returns the same thread"
    );
    assert_eq!(first.chat_thread, second.chat_thread);

    let one_per_page = chat::models::ListChatThreadsOptions {
        results_per_page: Some(1),
        ..Default::default()
    };
    let pages: Vec<_> = collect(
        client
            .list_chat_threads(Some(one_per_page))
            .into_pages(None),
    )
    .await;
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p.as_ref().unwrap().items.len() == 1));

    client
        .delete_chat_thread(&created.chat_thread.id, None)
        .await
        .unwrap();
    client
        .delete_chat_thread(&created.chat_thread.id, None)
        .await
        .unwrap();
    // A deleted thread stays listed with `deletedOn`, as in the spec's listing example.
    let left: Vec<_> = collect(client.list_chat_threads(None)).await;
    assert_eq!(left.len(), 2);
    let deleted: Vec<_> = left
        .iter()
        .map(|t| t.as_ref().unwrap())
        .filter(|t| t.deleted_on.is_some())
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id, created.chat_thread.id);
    identity.delete_user(&user, None).await.unwrap();
    let err = identity.delete_user(&user, None).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[maybe_async]
#[chat_test]
async fn e2e_thread_client_flow() {
    let live = live();
    let identity = live.identity();
    let (alice, alice_token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let bob = identity.create_user(None).await.unwrap();
    let client = live.chat(alice_token.token.expose());
    let thread_id = client
        .create_chat_thread("before", None)
        .await
        .unwrap()
        .chat_thread
        .id;
    let thread = client.get_chat_thread_client(&thread_id);

    thread.update_topic("after", None).await.unwrap();
    let properties = thread.get_properties(None).await.unwrap();
    assert_eq!(properties.topic, "after");
    assert_eq!(
        properties.created_by,
        CommunicationIdentifier::user(alice.id.clone())
    );

    let first = thread.send_message("hello", None).await.unwrap().id;
    let html = chat::models::SendMessageOptions {
        chat_message_type: Some(chat::models::ChatMessageType::Html),
        sender_display_name: Some("Alice".into()),
        metadata: Some([("k".to_string(), "v".to_string())].into()),
        ..Default::default()
    };
    let second = thread
        .send_message("<b>hi</b>", Some(html))
        .await
        .unwrap()
        .id;
    let got = thread.get_message(&second, None).await.unwrap();
    assert_eq!(got.kind, chat::models::ChatMessageType::Html);
    assert_eq!(got.sender_display_name.as_deref(), Some("Alice"));
    assert_eq!(got.metadata.unwrap()["k"], "v");
    assert_eq!(
        got.sender,
        Some(CommunicationIdentifier::user(alice.id.clone()))
    );

    let one_per_page = chat::models::ListMessagesOptions {
        results_per_page: Some(1),
        ..Default::default()
    };
    let kinds: Vec<chat::models::ChatMessageType> =
        collect(thread.list_messages(Some(one_per_page)))
            .await
            .into_iter()
            .map(|m| m.unwrap().kind)
            .collect();
    use chat::models::ChatMessageType::*;
    assert_eq!(
        kinds,
        [Html, Text, TopicUpdated, TopicUpdated, ParticipantAdded]
    );

    let update = chat::models::UpdateMessageOptions {
        content: Some("edited".into()),
        ..Default::default()
    };
    thread.update_message(&first, Some(update)).await.unwrap();
    let edited = thread.get_message(&first, None).await.unwrap();
    assert_eq!(edited.content.unwrap().message.as_deref(), Some("edited"));
    assert!(edited.edited_on.is_some());

    thread.send_read_receipt(&second, None).await.unwrap();
    let receipts: Vec<_> = collect(thread.list_read_receipts(None)).await;
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].as_ref().unwrap().chat_message_id, second);

    thread.delete_message(&first, None).await.unwrap();
    let deleted = thread.get_message(&first, None).await.unwrap();
    assert!(deleted.deleted_on.is_some());

    let bob_id = CommunicationIdentifier::user(bob.id.clone());
    let failed = thread
        .add_participants(
            &[ChatParticipant::new(bob_id.clone()).with_display_name("Bob")],
            None,
        )
        .await
        .unwrap();
    assert!(failed.is_empty());
    let participants: Vec<_> = collect(thread.list_participants(None)).await;
    assert_eq!(participants.len(), 2);
    thread.remove_participant(&bob_id, None).await.unwrap();
    let participants: Vec<_> = collect(thread.list_participants(None)).await;
    assert_eq!(participants.len(), 1);

    let typing = chat::models::SendTypingNotificationOptions {
        sender_display_name: Some("Alice".into()),
        ..Default::default()
    };
    thread.send_typing_notification(Some(typing)).await.unwrap();
    thread.send_typing_notification(None).await.unwrap();
}

#[maybe_async]
#[chat_test]
async fn e2e_paging_by_page_and_resume() {
    let live = live();
    let thread = new_thread(&live, "paging").await;
    for i in 0..7 {
        thread.send_message(&format!("m{i}"), None).await.unwrap();
    }
    let three = chat::models::ListMessagesOptions {
        results_per_page: Some(3),
        ..Default::default()
    };
    let pages: Vec<_> = collect(thread.list_messages(Some(three)).into_pages(None))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [3, 3, 3],
        "7 texts and 2 system messages"
    );
    let token = pages[0].continuation_token.clone().unwrap();
    assert!(token.starts_with(live.emulator.endpoint()), "{token}");

    let resumed: Vec<String> = collect(thread.list_messages(None).into_pages(Some(token.clone())))
        .await
        .into_iter()
        .flat_map(|p| p.unwrap().items)
        .map(|m| m.id)
        .collect();
    let expected: Vec<String> = pages[1..]
        .iter()
        .flat_map(|p| p.items.iter().map(|m| m.id.clone()))
        .collect();
    assert_eq!(resumed, expected);
    let page = thread.list_messages_page(Some(&token), None).await.unwrap();
    assert_eq!(page.items, pages[1].items);
}

// An item pager turned into pages mid-page goes on with the unread rest of that page (with its
// continuation token), then the following pages: nothing lost, nothing repeated (issue 32).
#[maybe_async]
#[chat_test]
async fn e2e_into_pages_goes_on_with_the_unread_rest_of_the_page() {
    let live = live();
    let thread = new_thread(&live, "mid-page").await;
    for i in 0..7 {
        thread.send_message(&format!("m{i}"), None).await.unwrap();
    }
    let three = || {
        Some(chat::models::ListMessagesOptions {
            results_per_page: Some(3),
            ..Default::default()
        })
    };
    let everything: Vec<String> = collect(thread.list_messages(three()))
        .await
        .into_iter()
        .map(|m| m.unwrap().id)
        .collect();
    assert_eq!(everything.len(), 9, "7 texts and 2 system messages");
    let first_page_token = collect(thread.list_messages(three()).into_pages(None)).await[0]
        .as_ref()
        .unwrap()
        .continuation_token
        .clone();

    let mut items = thread.list_messages(three());
    let first = next_item(&mut items).await.unwrap().unwrap().id;
    let pages: Vec<_> = collect(items.into_pages(None))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [2, 3, 3],
        "the unread rest first"
    );
    assert_eq!(pages[0].continuation_token, first_page_token);
    let after: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.items)
        .map(|m| m.id)
        .collect();
    assert_eq!([vec![first], after].concat(), everything);
}

#[maybe_async]
#[chat_test]
async fn e2e_a_non_participant_gets_a_typed_403() {
    let live = live();
    let identity = live.identity();
    let (_alice, alice_token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let (_mallory, mallory_token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let thread_id = live
        .chat(alice_token.token.expose())
        .create_chat_thread("private", None)
        .await
        .unwrap()
        .chat_thread
        .id;
    // A success's ids, read through the response hook; then the 403's, on the error and the hook.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<chat::ResponseMetadata>::new()));
    let hooked = || {
        let seen = seen.clone();
        Some(chat::models::SendMessageOptions {
            method_options: chat::ClientMethodOptions {
                on_response: Some(chat::ResponseHook::new(move |r| {
                    seen.lock().unwrap().push(r.clone())
                })),
                ..Default::default()
            },
            ..Default::default()
        })
    };
    live.chat(alice_token.token.expose())
        .get_chat_thread_client(&thread_id)
        .send_message("hello", hooked())
        .await
        .unwrap();
    let err = live
        .chat(mallory_token.token.expose())
        .get_chat_thread_client(&thread_id)
        .send_message("hi", hooked())
        .await
        .unwrap_err();
    {
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.iter().map(|r| r.status).collect::<Vec<_>>(),
            [201, 403]
        );
        for response in seen.iter() {
            assert!(
                response
                    .ms_cv
                    .as_deref()
                    .is_some_and(|cv| cv.ends_with(".0")),
                "{response:?}"
            );
            assert_eq!(
                response.request_id.as_deref().map(str::len),
                Some(36),
                "{response:?}"
            );
        }
        assert_ne!(
            seen[0].ms_cv, seen[1].ms_cv,
            "one correlation vector per response"
        );
    }
    let service = err.as_service_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        (service.status, service.code.as_deref()),
        (403, Some("Forbidden"))
    );
    assert!(
        err.to_string().contains("ChatThreadClient.send_message"),
        "{err}"
    );
    // What a support case needs, as the service sends it: the correlation vector
    // (`<base64>.0`), the service's request id and the client request id echoed back.
    let ms_cv = service
        .ms_cv
        .as_deref()
        .unwrap_or_else(|| panic!("{service:?}"));
    assert!(ms_cv.ends_with(".0") && ms_cv.len() > 10, "{ms_cv}");
    let request_id = service.request_id.as_deref().unwrap_or_default();
    assert_eq!(request_id.len(), 36, "{service:?}");
    let echoed = service
        .headers
        .iter()
        .find(|(name, _)| name == "x-ms-client-request-id")
        .map(|(_, value)| value.as_str());
    assert_eq!(echoed, service.client_request_id.as_deref());
    assert!(echoed.is_some());
}

#[maybe_async]
#[chat_test]
async fn e2e_an_expiring_token_triggers_the_refresher() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let live = live();
    let identity = live.identity();
    // A one-hour token, then a fresh 24-hour one for the refresher to hand out.
    let hour = chat::models::CreateUserAndTokenOptions {
        expires_in: Some(std::time::Duration::from_secs(3600)),
        ..Default::default()
    };
    let (user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], Some(hour))
        .await
        .unwrap();
    let fresh = identity
        .get_token(&user, &[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap()
        .token
        .expose()
        .to_string();
    let expires = chat::AccessToken::parse(token.token.expose())
        .unwrap()
        .expires_on
        .unix_timestamp();
    // The clock says five minutes are left: a proactive credential refreshes before the request.
    let now = std::sync::Arc::new(AtomicI64::new(expires - 5 * 60));
    let options = chat::CommunicationTokenCredentialOptions {
        proactive_refresh: true,
        clock: Some(fixed_clock(now.clone())),
        ..Default::default()
    };
    let (credential, calls) =
        counting_credential(token.token.expose(), vec![fresh.clone()], Some(options));
    let client = ChatClient::new(
        live.emulator.endpoint(),
        credential.clone(),
        Some(live.options.clone()),
    )
    .unwrap();
    let _thread = client.create_chat_thread("refreshed", None).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let current = credential.get_token().await.unwrap();
    assert_eq!(current.token.expose(), fresh);
    now.store(expires - 30 * 60, Ordering::SeqCst);
    client.list_chat_threads_page(None, None).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[maybe_async]
#[chat_test]
async fn e2e_revoked_tokens_give_401() {
    let live = live();
    let identity = live.identity();
    let (user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let client = live.chat(token.token.expose());
    client.list_chat_threads_page(None, None).await.unwrap();
    identity.revoke_tokens(&user, None).await.unwrap();
    let err = client.list_chat_threads_page(None, None).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("Unauthorized"));
    assert_eq!(
        err.as_service_error().unwrap().attempts,
        1,
        "401 is not retried"
    );
}

#[maybe_async]
#[chat_test]
async fn e2e_limit_violations_give_typed_400s() {
    let live = live();
    let identity = live.identity();
    let (user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let client = live.chat(token.token.expose());
    let thread = client.get_chat_thread_client(
        client
            .create_chat_thread("limits", None)
            .await
            .unwrap()
            .chat_thread
            .id,
    );
    // Users of another resource are taken as given; 201 of them break the 200-per-batch limit.
    let crowd: Vec<ChatParticipant> = (0..201)
        .map(|i| {
            ChatParticipant::new(CommunicationIdentifier::user(format!(
                "8:acs:other-resource_{i:04}"
            )))
        })
        .collect();
    let err = thread.add_participants(&crowd, None).await.unwrap_err();
    let service = err.as_service_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(service.status, 400);
    // The chat service's envelope has no top-level target; the violated limit names the field.
    assert_eq!(service.details[0].code, "LimitExceeded");
    assert_eq!(service.details[0].target.as_deref(), Some("participants"));

    let metadata: chat::models::Metadata = (0..40)
        .map(|i| (format!("key{i:02}"), "v".repeat(30)))
        .collect();
    let err = thread
        .update_properties(Some(chat::models::UpdatePropertiesOptions {
            metadata: Some(metadata),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some("BadRequest")));

    let exactly = "x".repeat(28 * 1024);
    thread.send_message(&exactly, None).await.unwrap();
    let too_long = identity
        .get_token(
            &user,
            &[chat::models::CommunicationTokenScope::Chat],
            Some(chat::models::GetTokenOptions {
                expires_in: Some(std::time::Duration::from_secs(30 * 60)),
                ..Default::default()
            }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(too_long, Error::InvalidArgument { .. }),
        "{too_long}"
    );
}

#[maybe_async]
#[chat_test]
async fn e2e_throttling_is_a_typed_retryable_429() {
    let live = live_with(acs_emulator::Limits {
        rate_limits: true,
        ..Default::default()
    });
    let identity = live.identity();
    let (_user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let credential = CommunicationTokenCredential::new(token.token.expose()).unwrap();
    let mut no_retries = live.options.clone();
    no_retries.client_options.retry.max_retries = 0;
    let client = ChatClient::new(live.emulator.endpoint(), credential, Some(no_retries)).unwrap();
    let thread = client.get_chat_thread_client(
        client
            .create_chat_thread("busy", None)
            .await
            .unwrap()
            .chat_thread
            .id,
    );
    // Typing: five per user per thread in ten seconds.
    for _ in 0..5 {
        thread.send_typing_notification(None).await.unwrap();
    }
    let err = thread.send_typing_notification(None).await.unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(429), Some("TooManyRequests"))
    );
    assert!(err.is_retryable());
}

#[maybe_async]
#[chat_test]
async fn e2e_plain_http_is_allowed_to_a_loopback_emulator() {
    let emulator = acs_emulator::Emulator::builder()
        .plain_http(true)
        .start()
        .unwrap();
    assert!(emulator.endpoint().starts_with("http://127.0.0.1:"));
    let identity = chat::CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        None,
    )
    .unwrap();
    let (_user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let client = ChatClient::new(
        emulator.endpoint(),
        CommunicationTokenCredential::new(token.token.expose()).unwrap(),
        None,
    )
    .unwrap();
    let thread = client.create_chat_thread("over http", None).await.unwrap();
    assert_eq!(thread.chat_thread.topic, "over http");
}

#[maybe_async]
#[chat_test]
async fn e2e_certificates_are_verified() {
    let live = live();
    let token = jwt(4_102_444_800);
    // Without the emulator's CA the handshake fails: nothing is sent to an unverified server.
    let mut untrusting = live.options.clone();
    untrusting
        .client_options
        .additional_ca_certificates_pem
        .clear();
    let client = ChatClient::new(
        live.emulator.endpoint(),
        CommunicationTokenCredential::new(&token).unwrap(),
        Some(untrusting),
    )
    .unwrap();
    let err = client.list_chat_threads_page(None, None).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");

    let mut bad = live.options.clone();
    bad.client_options.additional_ca_certificates_pem =
        vec!["-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".into()];
    let err = ChatClient::new(
        live.emulator.endpoint(),
        CommunicationTokenCredential::new(&token).unwrap(),
        Some(bad),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    let mut empty = live.options.clone();
    empty.client_options.additional_ca_certificates_pem = vec!["no pem here".into()];
    let err = ChatClient::new(
        live.emulator.endpoint(),
        CommunicationTokenCredential::new(&token).unwrap(),
        Some(empty),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
}

#[maybe_async]
#[chat_test]
async fn e2e_an_older_api_version_gets_older_shapes() {
    let live = live();
    let identity = live.identity();
    let (_user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let with_metadata = chat::models::CreateChatThreadOptions {
        metadata: Some([("k".to_string(), "v".to_string())].into()),
        ..Default::default()
    };
    let thread_id = live
        .chat(token.token.expose())
        .create_chat_thread("versions", Some(with_metadata))
        .await
        .unwrap()
        .chat_thread
        .id;
    let mut old = live.options.clone();
    old.api_version = Some("2023-11-07".into());
    let credential = CommunicationTokenCredential::new(token.token.expose()).unwrap();
    let properties = ChatClient::new(live.emulator.endpoint(), credential, Some(old))
        .unwrap()
        .get_chat_thread_client(&thread_id)
        .get_properties(None)
        .await
        .unwrap();
    assert_eq!(properties.metadata, None);
    let current = live
        .chat(token.token.expose())
        .get_chat_thread_client(&thread_id)
        .get_properties(None)
        .await
        .unwrap();
    assert_eq!(current.metadata.unwrap()["k"], "v");
}

#[maybe_async]
#[chat_test]
async fn e2e_the_os_trust_store_and_ssl_cert_file_are_honoured() {
    // rustls-native-certs reads SSL_CERT_FILE when a client is built; setting it in this
    // multi-threaded process would race, so the check runs in a child copy of this test binary.
    if let Ok(endpoint) = std::env::var("ACS_CHAT_TEST_OS_TRUST_ENDPOINT") {
        let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
        let trusting = ChatClient::new(&endpoint, credential.clone(), Some(options(0))).unwrap();
        let err = trusting
            .list_chat_threads_page(None, None)
            .await
            .unwrap_err();
        // The handshake succeeded: the emulator itself refused the unsigned token.
        assert_eq!(err.status(), Some(401), "{err:?}");
        let mut no_os = options(0);
        no_os.client_options.trust_os_certificates = false;
        let untrusting = ChatClient::new(&endpoint, credential, Some(no_os)).unwrap();
        let err = untrusting
            .list_chat_threads_page(None, None)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("acs-chat-os-trust-{}", std::process::id()));
    let emulator = acs_emulator::Emulator::builder()
        .cert_dir(&dir)
        .start()
        .unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "e2e_the_os_trust_store_and_ssl_cert_file_are_honoured",
            "--nocapture",
        ])
        .env("ACS_CHAT_TEST_OS_TRUST_ENDPOINT", emulator.endpoint())
        .env("SSL_CERT_FILE", dir.join("ca.pem"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && text.contains("1 passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
