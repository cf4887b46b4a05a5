// Proxies: an explicit one with basic auth, loopback hosts direct, an unreachable proxy. (The
// environment variables: tests/proxy_env.rs, a process of its own.)

/// `live`'s options with `proxy` in them.
fn proxied(
    live: &Live,
    proxy: chat::ProxyUrl,
) -> (ChatClientOptions, chat::CommunicationIdentityClientOptions) {
    let mut options = live.options.clone();
    options.client_options.proxy = chat::ProxyOptions::Url(proxy);
    let mut identity = live.identity_options.clone();
    identity.client_options = options.client_options.clone();
    (options, identity)
}

#[maybe_async]
#[chat_test]
async fn requests_cross_an_explicit_proxy_only_inside_its_tunnel() {
    let live = live();
    let proxy = ConnectProxy::start(Some("alice:p@ss word"));
    let mut url =
        chat::ProxyUrl::parse(&proxy.url.replace("http://", "http://alice:p%40ss%20word@"))
            .expect("proxy url");
    // The emulator is on loopback, which goes direct unless asked otherwise.
    url.proxy_loopback = true;
    let (options, identity_options) = proxied(&live, url);
    assert!(!format!("{options:?}").contains("p@ss"), "{options:?}");

    // Identity (HMAC-signed) and chat (bearer token) calls, all through the proxy.
    let identity = chat::CommunicationIdentityClient::from_connection_string(
        &live.emulator.connection_string(),
        Some(identity_options),
    )
    .expect("identity client");
    let (_user, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .expect("through the proxy");
    let client = ChatClient::new(
        live.emulator.endpoint(),
        CommunicationTokenCredential::new(token.token.expose()).expect("token"),
        Some(options),
    )
    .expect("client");
    let thread = client
        .create_chat_thread("proxied", None)
        .await
        .expect("through the proxy")
        .chat_thread;
    client
        .get_chat_thread_client(&thread.id)
        .send_message("hello", None)
        .await
        .expect("through the proxy");

    let emulator = live
        .emulator
        .endpoint()
        .trim_start_matches("https://")
        .to_string();
    let targets = proxy.targets();
    assert!(
        !targets.is_empty() && targets.iter().all(|t| *t == emulator),
        "{targets:?}"
    );
    // One tunnel per client (keep-alive inside it), not one per request.
    assert_eq!(proxy.tunnels(), 2);
    // The bearer token's signature and the HMAC key's signatures never crossed in the clear.
    let signature = token.token.expose().rsplit('.').next().unwrap();
    assert!(
        !proxy.saw(signature),
        "the bearer token crossed the proxy in the clear"
    );
    assert!(!proxy.saw("Bearer ") && !proxy.saw("HMAC-SHA256"));
    assert!(proxy.saw("CONNECT "), "the proxy saw no CONNECT");
}

#[maybe_async]
#[chat_test]
async fn loopback_hosts_go_direct_and_a_proxy_refusing_credentials_is_an_error() {
    let live = live();
    let proxy = ConnectProxy::start(Some("alice:secret"));
    // Without `proxy_loopback`, the loopback emulator is reached directly.
    let (options, _) = proxied(&live, chat::ProxyUrl::parse(&proxy.url).expect("proxy url"));
    let (_user, token) = live
        .identity()
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let direct = ChatClient::new(
        live.emulator.endpoint(),
        CommunicationTokenCredential::new(token.token.expose()).expect("token"),
        Some(options.clone()),
    )
    .expect("client");
    let _thread = direct
        .create_chat_thread("direct", None)
        .await
        .expect("direct");
    assert_eq!(proxy.targets(), Vec::<String>::new());

    // Through it, without the credentials it demands: its 407 fails the call.
    let mut url = chat::ProxyUrl::parse(&proxy.url).expect("proxy url");
    url.proxy_loopback = true;
    let (options, _) = proxied(&live, url);
    let refused = ChatClient::new(
        live.emulator.endpoint(),
        CommunicationTokenCredential::new(token.token.expose()).expect("token"),
        Some(options),
    )
    .expect("client");
    let err = refused
        .create_chat_thread("refused", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), chat::ErrorKind::Connection, "{err:?}");
    assert_eq!(proxy.tunnels(), 0);
}

#[maybe_async]
#[chat_test]
async fn an_unreachable_proxy_is_a_connect_failure_retried_as_one() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut url = chat::ProxyUrl::parse(&format!("http://127.0.0.1:{port}")).expect("proxy url");
    url.proxy_loopback = true;
    let mut options = options(2);
    options.client_options.proxy = chat::ProxyOptions::Url(url);
    let client = ChatClient::new(
        "https://127.0.0.1:9",
        CommunicationTokenCredential::new(&far_future_token()).expect("token"),
        Some(options),
    )
    .expect("client");
    let err = client
        .get_chat_thread_client(THREAD_ID)
        .send_message("hello", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), chat::ErrorKind::Connection, "{err:?}");
    // Never sent: retried like any refused connection (three attempts), and safe to repeat.
    assert!(
        matches!(
            err,
            Error::Transport {
                attempts: 3,
                kind: chat::TransportErrorKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}
