// Exactly-once under faults: issue 7's run behind acs-fault-proxy (30 % of requests faulted across
// every kind). `FAULT_RUN_OPS=1000` gives the full size; CI runs the default, 100 operations.
// `FAULT_RUN_UNKEYED=1` sends without idempotency keys and only prints the counts: the baseline.

#[maybe_async]
#[chat_test]
async fn exactly_once_through_a_faulty_proxy() {
    use std::collections::HashMap;
    use std::time::Duration;
    let env_number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let ops = env_number("FAULT_RUN_OPS", 100) as usize;
    let creates = (ops / 20).max(1);
    let participant_ops = (ops / 20).max(2);
    let sends = ops.saturating_sub(creates + participant_ops);
    let keyed = std::env::var_os("FAULT_RUN_UNKEYED").is_none();

    let emulator = acs_emulator::Emulator::builder()
        .plain_http(true)
        .start()
        .expect("emulator");
    let upstream = emulator
        .endpoint()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("emulator address");
    let mut config = acs_fault_proxy::FaultConfig::new(upstream);
    config.late_by = Duration::from_millis(500);
    config.seed = env_number("FAULT_RUN_SEED", 7);
    let proxy = acs_fault_proxy::FaultProxy::start(config).expect("proxy");

    let identity = chat::CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        None,
    )
    .unwrap();
    let (_alice, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(identity.create_user(None).await.unwrap());
    }
    let faulty = ChatClientOptions {
        client_options: chat::ClientOptions {
            timeout: Some(Duration::from_millis(250)),
            retry: RetryOptions {
                max_retries: 12,
                initial_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(200),
                ..Default::default()
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let credential = CommunicationTokenCredential::new(token.token.expose()).unwrap();
    let through_proxy = ChatClient::new(&proxy.url(), credential.clone(), Some(faulty)).unwrap();
    let direct = ChatClient::new(emulator.endpoint(), credential, None).unwrap();

    let mut errors = Vec::new();
    let mut created = Vec::new();
    for i in 0..creates {
        let topic = format!("topic-{i}");
        match through_proxy.create_chat_thread(&topic, None).await {
            Ok(outcome) => created.push((topic, Some(outcome.chat_thread.id))),
            Err(e) => {
                errors.push(e.to_string());
                created.push((topic, None));
            }
        }
    }
    let ids: Vec<String> = created.iter().filter_map(|(_, id)| id.clone()).collect();
    assert!(!ids.is_empty(), "no thread was created: {errors:?}");

    let mut sent = Vec::new();
    for i in 0..sends {
        let thread = ids[i % ids.len()].clone();
        let content = format!("message-{i}");
        let options = chat::models::SendMessageOptions {
            idempotency_key: keyed.then(|| format!("key-{i}")),
            ..Default::default()
        };
        match through_proxy
            .get_chat_thread_client(&thread)
            .send_message(&content, Some(options))
            .await
        {
            Ok(result) => sent.push((thread, content, Some(result.id))),
            Err(e) => {
                errors.push(e.to_string());
                sent.push((thread, content, None));
            }
        }
    }

    for i in 0..participant_ops {
        let thread = through_proxy.get_chat_thread_client(&ids[i % ids.len()]);
        let who = CommunicationIdentifier::user(others[(i / 2) % others.len()].id.clone());
        let outcome = if i % 2 == 0 {
            match thread
                .add_participants(&[ChatParticipant::new(who)], None)
                .await
            {
                Ok(refused) if refused.is_empty() => Ok(()),
                Ok(refused) => Err(format!("refused: {refused:?}")),
                Err(e) => Err(e.to_string()),
            }
        } else {
            thread
                .remove_participant(&who, None)
                .await
                .map_err(|e| e.to_string())
        };
        if let Err(e) = outcome {
            errors.push(e);
        }
    }

    // Count what the service holds, straight from the emulator.
    let mut threads_by_topic: HashMap<String, Vec<String>> = HashMap::new();
    for item in collect(direct.list_chat_threads(None)).await {
        let item = item.unwrap();
        threads_by_topic
            .entry(item.topic)
            .or_default()
            .push(item.id);
    }
    let duplicate_threads: usize = threads_by_topic.values().map(|v| v.len() - 1).sum();
    let lost_threads = created
        .iter()
        .filter(|(t, id)| {
            id.as_ref()
                .is_some_and(|id| !threads_by_topic.get(t).is_some_and(|v| v.contains(id)))
        })
        .count();
    let phantom_threads = created
        .iter()
        .filter(|(t, id)| id.is_none() && threads_by_topic.contains_key(t))
        .count();
    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
    for id in &ids {
        for message in collect(direct.get_chat_thread_client(id).list_messages(None)).await {
            let message = message.unwrap();
            if let Some(text) = message
                .content
                .and_then(|c| c.message)
                .filter(|t| t.starts_with("message-"))
            {
                stored.entry(text).or_default().push(message.id);
            }
        }
    }
    let duplicate_messages: usize = stored.values().map(|v| v.len() - 1).sum();
    let lost_messages = sent
        .iter()
        .filter(|(_, c, id)| {
            id.as_ref()
                .is_some_and(|id| !stored.get(c).is_some_and(|v| v.contains(id)))
        })
        .count();
    let phantom_messages = sent
        .iter()
        .filter(|(_, c, id)| id.is_none() && stored.contains_key(c))
        .count();

    let counts = proxy.counts();
    let facade = std::any::type_name::<ChatClient>()
        .split("::")
        .next()
        .unwrap_or("?");
    println!(
        "exactly-once ({facade}): {ops} operations ({creates} creates, {sends} sends (keyed: {keyed}), {participant_ops} participant operations), \
         {} requests, {} faulted {:?}: errors {}, duplicate threads {duplicate_threads}, lost threads {lost_threads}, phantom threads {phantom_threads}, \
         duplicate messages {duplicate_messages}, lost messages {lost_messages}, phantom messages {phantom_messages}",
        counts.requests,
        counts.total_faults(),
        acs_fault_proxy::Fault::ALL.iter().map(|f| (format!("{f:?}"), counts.of(*f))).collect::<Vec<_>>(),
        errors.len(),
    );
    assert!(counts.total_faults() > 0, "the proxy injected no fault");
    if !keyed {
        return;
    }
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        (duplicate_threads, lost_threads, phantom_threads),
        (0, 0, 0)
    );
    assert_eq!(
        (duplicate_messages, lost_messages, phantom_messages),
        (0, 0, 0)
    );
}

#[maybe_async]
#[chat_test]
async fn an_ambiguous_keyed_send_is_looked_up_not_repeated() {
    let mut server = mock_server().await;
    let key = "b66d6031-fdcc-41df-8306-e524c9f226b8";
    let send = server
        .mock("POST", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::Any)
        .match_body(Matcher::PartialJson(
            json!({"content": "once", "metadata": {(chat::models::IDEMPOTENCY_KEY_METADATA): key}}),
        ))
        .with_status(503)
        .with_body(error_body("ServiceUnavailable", "stored, then failed"))
        .expect(1)
        .create();
    let mut stored = example_response("Messages_ListChatMessagesWithPageSize", "200");
    stored["nextLink"] = Value::Null;
    let mut message = stored["value"][0].clone();
    message["id"] = json!("1700000000001");
    message["metadata"] = json!({(chat::models::IDEMPOTENCY_KEY_METADATA): key});
    stored["value"] = json!([stored["value"][0].clone(), message]);
    let lookup = server
        .mock("GET", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("maxPageSize".into(), "200".into()),
            Matcher::Regex("startTime=".into()),
        ]))
        .with_body(stored.to_string())
        .expect(1)
        .create();
    let options = chat::models::SendMessageOptions {
        idempotency_key: Some(key.into()),
        ..Default::default()
    };
    let sent = thread_client(&server)
        .send_message("once", Some(options))
        .await
        .unwrap();
    send.assert();
    lookup.assert();
    assert_eq!(sent.id, "1700000000001");
}

#[maybe_async]
#[chat_test]
async fn generated_idempotency_keys_go_into_the_metadata() {
    let mut server = mock_server().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let record = seen.clone();
    let mock = server
        .mock("POST", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::Any)
        .match_request(move |r| {
            record
                .lock()
                .unwrap()
                .push(serde_json::from_slice(r.body().unwrap()).unwrap());
            true
        })
        .with_status(201)
        .with_body(r#"{"id":"1"}"#)
        .expect(2)
        .create();
    let mut options = options(0);
    options.generate_idempotency_keys = true;
    let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let thread = ChatClient::new(&server.url(), credential, Some(options))
        .unwrap()
        .get_chat_thread_client(THREAD_ID);
    let keep = chat::models::SendMessageOptions {
        metadata: Some([("mine".to_string(), "kept".to_string())].into()),
        ..Default::default()
    };
    thread.send_message("a", Some(keep)).await.unwrap();
    thread.send_message("b", None).await.unwrap();
    mock.assert();
    let bodies = seen.lock().unwrap().clone();
    let keys: Vec<&str> = bodies
        .iter()
        .filter_map(|b| b["metadata"][chat::models::IDEMPOTENCY_KEY_METADATA].as_str())
        .collect();
    assert!(
        keys.len() >= 2 && keys.iter().all(|k| uuid_like(k)),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b["metadata"]["mine"] == "kept"),
        "{bodies:?}"
    );
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[maybe_async]
#[chat_test]
async fn a_stalled_body_times_out_per_attempt() {
    let server = raw_server(|_, stream| {
        use std::io::Write;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":");
        let _ = stream.flush();
        std::thread::sleep(std::time::Duration::from_secs(10));
    });
    let err = server
        .chat(quick_options(1))
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

// The emulator's own fault rules (`--faults`, `PUT /emulator/faults`): a send throttled once with
// `Retry-After: 1` is retried after that wait and succeeds; the response metadata shows the two
// attempts.
#[maybe_async]
#[chat_test]
async fn a_throttled_send_is_retried_after_retry_after() {
    let mut live = live_from(acs_emulator::Emulator::builder().faults_json(
        r#"{"rules": [{"route": "POST /chat/threads/*/messages", "fault": "throttle",
                       "retryAfterSeconds": 1, "times": 1}]}"#,
    ));
    live.options.client_options.retry.max_delay = std::time::Duration::from_secs(5);
    let thread = new_thread(&live, "throttled").await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<chat::ResponseMetadata>::new()));
    let hook = {
        let seen = seen.clone();
        chat::ResponseHook::new(move |r| seen.lock().unwrap().push(r.clone()))
    };
    let started = std::time::Instant::now();
    thread
        .send_message(
            "after a 429",
            Some(chat::models::SendMessageOptions {
                method_options: chat::ClientMethodOptions {
                    on_response: Some(hook),
                    ..Default::default()
                },
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After was not waited"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.iter()
            .map(|r| (r.status, r.attempts))
            .collect::<Vec<_>>(),
        [(201, 2)]
    );
}
