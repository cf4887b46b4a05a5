// A server acting for many users: per-user clients on one shared transport.

#[maybe_async]
#[chat_test]
async fn per_user_clients_share_one_transport_and_its_connections() {
    let live = live();
    let identity = live.identity();
    let mut users = Vec::new();
    for _ in 0..7 {
        users.push(
            identity
                .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
                .await
                .unwrap(),
        );
    }
    let transport = chat::Transport::new(&live.options.client_options).expect("transport");
    let mut options = live.options.clone();
    options.client_options.transport = Some(transport.into());
    let credential = |token: &str| CommunicationTokenCredential::new(token).expect("token");
    let service = ChatClient::new(
        live.emulator.endpoint(),
        credential(users[0].1.token.expose()),
        Some(options.clone()),
    )
    .expect("client");
    // The transport's first connection.
    let _warm = service.create_chat_thread("warm", None).await.unwrap();
    let before = connections_accepted(&live);

    for (i, (user, token)) in users.iter().enumerate().skip(1) {
        // Half made with `new` and the shared options, half with `with_credential`.
        let client = if i % 2 == 0 {
            ChatClient::new(
                live.emulator.endpoint(),
                credential(token.token.expose()),
                Some(options.clone()),
            )
            .expect("client")
        } else {
            service.with_credential(credential(token.token.expose()))
        };
        let thread = client
            .create_chat_thread(&format!("user {i}"), None)
            .await
            .unwrap()
            .chat_thread;
        // Each client acts as its own user.
        assert_eq!(thread.created_by.raw_id(), user.id, "client {i}");
        let thread = client.get_chat_thread_client(&thread.id);
        let sent = thread.send_message("hello", None).await.unwrap();
        let message = thread.get_message(&sent.id, None).await.unwrap();
        assert_eq!(
            message.sender.as_ref().map(|s| s.raw_id()),
            Some(user.id.clone())
        );
    }
    // Eighteen requests for six users, all on the connection the transport already had.
    assert_eq!(connections_accepted(&live) - before - 1, 0);
}

#[maybe_async]
#[chat_test]
async fn clients_without_a_shared_transport_open_their_own_connections() {
    // The contrast that makes the test above mean something: the same calls on clients that
    // each build their own transport open one connection per client.
    let live = live();
    let identity = live.identity();
    let mut tokens = Vec::new();
    for _ in 0..3 {
        tokens.push(
            identity
                .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
                .await
                .unwrap()
                .1,
        );
    }
    let before = connections_accepted(&live);
    for token in &tokens {
        let _thread = live
            .chat(token.token.expose())
            .create_chat_thread("own", None)
            .await
            .unwrap();
    }
    assert_eq!(connections_accepted(&live) - before - 1, 3);
}

#[maybe_async]
#[chat_test]
async fn clients_run_on_a_transport_made_of_the_callers_own_http_client() {
    let live = live();
    let (user, token) = live
        .identity()
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let transport = own_transport(live.emulator.ca_certificate_pem().expect("https"));
    let options = ChatClientOptions {
        client_options: chat::ClientOptions {
            transport: Some(transport.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let client =
        ChatClient::new(live.emulator.endpoint(), token.into(), Some(options)).expect("client");
    let thread = client.create_chat_thread("own client", None).await.unwrap();
    assert_eq!(thread.chat_thread.created_by.raw_id(), user.id);
    // Statuses are the SDK's to read on the caller's client too: a 404 is a typed error.
    let err = client
        .get_chat_thread_client(&thread.chat_thread.id)
        .get_message("1700000000000", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), chat::ErrorKind::NotFound, "{err:?}");
}
