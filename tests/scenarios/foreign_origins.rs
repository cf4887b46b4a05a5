// Continuation tokens are untrusted input: no spelling of another origin may make the SDK connect
// anywhere but the endpoint, on any listing, through either resume path. A foreign listener counts
// every connection it sees; the test fails on any.

/// A TCP listener that counts the connections it accepts (and answers none of them).
struct ForeignListener {
    addr: std::net::SocketAddr,
    seen: Arc<AtomicUsize>,
}

impl ForeignListener {
    fn bind(addr: &str) -> Option<ForeignListener> {
        let listener = std::net::TcpListener::bind(addr).ok()?;
        let addr = listener.local_addr().ok()?;
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Some(ForeignListener { addr, seen })
    }

    fn connections(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

const OTHER_THREAD: &str = "/chat/threads/19%3Aother%40thread.v2";

/// The four listings' routes after the endpoint.
fn listing_routes() -> [(&'static str, String); 4] {
    [
        ("list_chat_threads", "/chat/threads".to_string()),
        ("list_messages", format!("{THREAD_PATH}/messages")),
        ("list_participants", format!("{THREAD_PATH}/participants")),
        ("list_read_receipts", format!("{THREAD_PATH}/readReceipts")),
    ]
}

/// Spellings of another origin (`foreign` is `host:port` of the listener, `endpoint` the
/// endpoint's `host:port`), each followed by `route`.
fn foreign_spellings(
    foreign: &str,
    foreign_v6: Option<&str>,
    endpoint: &str,
    route: &str,
) -> Vec<String> {
    let port = foreign.rsplit(':').next().unwrap_or_default();
    let mut links = vec![
        format!("http://{foreign}{route}"),
        format!("https://{foreign}{route}"),
        format!("https://user@{foreign}{route}"),
        format!("http://user:password@{foreign}{route}"),
        format!("https://{endpoint}@{foreign}{route}"),
        format!("http://{endpoint}@{foreign}{route}"),
        format!("//{foreign}{route}"),
        format!("https:\\\\{foreign}{}", route.replace('/', "\\")),
        format!("http:\\\\{foreign}{route}"),
        format!("http://%31%32%37.0.0.1:{port}{route}"),
        format!("http://LocalHost:{port}{route}"),
        format!("HTTP://LOCALHOST:{port}{route}"),
        format!("http://localhost.:{port}{route}"),
        format!("http://[::ffff:127.0.0.1]:{port}{route}"),
        format!("http://0x7f.0.0.1:{port}{route}"),
        format!("http://attacker.example{route}"),
        format!("https://attacker.example{route}"),
        format!("https://user@attacker.example{route}"),
        format!("http://{foreign}#@{endpoint}{route}"),
        format!("http://{foreign}?@{endpoint}{route}"),
        format!("http://{endpoint}/other-prefix{route}"),
        format!("http://{endpoint}{route}@{foreign}/x"),
        format!("http://{endpoint}/@{foreign}{route}"),
        format!("http://{endpoint}{route}#@{foreign}"),
        format!("http://{endpoint}{route}/..%2F..%2F@{foreign}"),
        format!("http://{endpoint}{OTHER_THREAD}/messages"),
        format!("ftp://{foreign}{route}"),
        "not a URL at all".to_string(),
        "%%%".to_string(),
        String::new(),
    ];
    if let Some(v6) = foreign_v6 {
        links.push(format!("http://{v6}{route}"));
        links.push(format!("https://user@{v6}{route}"));
    }
    links
}

/// What the first page of a resumed listing came to (no page at all counts as success).
fn first_outcome<T>(pages: Vec<chat::Result<T>>) -> chat::Result<()> {
    pages
        .into_iter()
        .next()
        .map(|p| p.map(|_| ()))
        .unwrap_or(Ok(()))
}

/// Every listing through both resume paths with `token`: what each came to.
#[maybe_async]
async fn resume_everywhere(
    client: &ChatClient,
    token: &str,
) -> Vec<(&'static str, chat::Result<()>)> {
    let thread = client.get_chat_thread_client(THREAD_ID);
    let mut outcomes = Vec::new();
    let token_owned = || Some(token.to_string());
    let pages: Vec<_> = collect(client.list_chat_threads(None).into_pages(token_owned())).await;
    outcomes.push(("list_chat_threads.into_pages", first_outcome(pages)));
    let page = client.list_chat_threads_page(Some(token), None).await;
    outcomes.push(("list_chat_threads_page", page.map(|_| ())));
    let pages: Vec<_> = collect(thread.list_messages(None).into_pages(token_owned())).await;
    outcomes.push(("list_messages.into_pages", first_outcome(pages)));
    let page = thread.list_messages_page(Some(token), None).await;
    outcomes.push(("list_messages_page", page.map(|_| ())));
    let pages: Vec<_> = collect(thread.list_participants(None).into_pages(token_owned())).await;
    outcomes.push(("list_participants.into_pages", first_outcome(pages)));
    let page = thread.list_participants_page(Some(token), None).await;
    outcomes.push(("list_participants_page", page.map(|_| ())));
    let pages: Vec<_> = collect(thread.list_read_receipts(None).into_pages(token_owned())).await;
    outcomes.push(("list_read_receipts.into_pages", first_outcome(pages)));
    let page = thread.list_read_receipts_page(Some(token), None).await;
    outcomes.push(("list_read_receipts_page", page.map(|_| ())));
    outcomes
}

/// The endpoint: any GET is an empty last page.
fn empty_pages(server: &mut ServerGuard) -> Mock {
    server
        .mock("GET", Matcher::Any)
        .with_body(json!({"value": []}).to_string())
        .create()
}

#[maybe_async]
#[chat_test]
async fn no_continuation_token_reaches_another_origin() {
    let mut server = mock_server().await;
    let _pages = empty_pages(&mut server);
    let foreign = ForeignListener::bind("127.0.0.1:0").expect("a loopback listener");
    let foreign_v6 = ForeignListener::bind("[::1]:0");
    let client = client_with(&server, 0);
    let endpoint = server.host_with_port();
    let (mut rebased, mut refused) = (0, 0);
    for (_, route) in listing_routes() {
        let v6 = foreign_v6.as_ref().map(|l| l.addr.to_string());
        for token in foreign_spellings(&foreign.addr.to_string(), v6.as_deref(), &endpoint, &route)
        {
            for (call, outcome) in resume_everywhere(&client, &token).await {
                match outcome {
                    // Rebased onto the endpoint (the mock answered).
                    Ok(()) => rebased += 1,
                    Err(Error::InvalidContinuationToken { .. }) => refused += 1,
                    // Anything else means a request went somewhere: a connect error to
                    // attacker.example, an answer from another host.
                    Err(other) => panic!("{call} with {token:?}: {other}"),
                }
            }
        }
    }
    assert_eq!(
        foreign.connections(),
        0,
        "the foreign listener was contacted"
    );
    if let Some(v6) = &foreign_v6 {
        assert_eq!(
            v6.connections(),
            0,
            "the foreign IPv6 listener was contacted"
        );
    }
    // Each token names one listing: it resumes that one (rebased) and is refused by the others.
    assert!(
        rebased > 0 && refused > rebased,
        "{rebased} rebased, {refused} refused"
    );
}

#[maybe_async]
#[chat_test]
async fn generated_tokens_never_reach_another_origin() {
    let mut server = mock_server().await;
    let _pages = empty_pages(&mut server);
    let foreign = ForeignListener::bind("127.0.0.1:0").expect("a loopback listener");
    let client = client_with(&server, 0);
    let port = foreign.addr.port();
    let hosts = [
        foreign.addr.to_string(),
        format!("localhost:{port}"),
        format!("LOCALHOST.:{port}"),
        format!("{}@127.0.0.1:{port}", server.host_with_port()),
        format!("127.0.0.1:{port}\\@{}", server.host_with_port()),
        format!("%31%32%37.0.0.1:{port}"),
        server.host_with_port(),
    ];
    let schemes = [
        "http://",
        "https://",
        "//",
        "http:\\\\",
        "HTTP:/",
        "http:",
        "",
    ];
    let junk = ["", "@", "#", "?", "\\", "/..", "%2F", "%40", ":"];
    let mut rng = fastrand::Rng::with_seed(23);
    let routes = listing_routes();
    for _ in 0..150 {
        let route = &routes[rng.usize(..routes.len())].1;
        let token = format!(
            "{}{}{}{}{}",
            schemes[rng.usize(..schemes.len())],
            hosts[rng.usize(..hosts.len())],
            junk[rng.usize(..junk.len())],
            route,
            junk[rng.usize(..junk.len())],
        );
        for (call, outcome) in resume_everywhere(&client, &token).await {
            if let Err(e) = outcome {
                assert!(
                    matches!(e, Error::InvalidContinuationToken { .. }),
                    "{call} with {token:?}: {e}"
                );
            }
        }
    }
    assert_eq!(
        foreign.connections(),
        0,
        "the foreign listener was contacted"
    );
}

#[maybe_async]
#[chat_test]
async fn a_token_resumes_only_the_listing_it_came_from() {
    let mut server = mock_server().await;
    let next = format!(
        "{}{THREAD_PATH}/messages?syncState=s1&api-version=2025-03-15",
        server.url()
    );
    let _first = server
        .mock("GET", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::Exact("api-version=2025-03-15".into()))
        .with_body(json!({"value": [], "nextLink": next}).to_string())
        .create();
    let _second = server
        .mock("GET", format!("{THREAD_PATH}/messages").as_str())
        .match_query(Matcher::UrlEncoded("syncState".into(), "s1".into()))
        .with_body(json!({"value": []}).to_string())
        .create();
    let participants = server
        .mock(
            "GET",
            Matcher::Regex("participants|readReceipts|other".into()),
        )
        .expect(0)
        .create();
    let client = client(&server);
    let thread = client.get_chat_thread_client(THREAD_ID);
    let token = thread
        .list_messages_page(None, None)
        .await
        .unwrap()
        .continuation_token
        .unwrap();
    let other_thread = client.get_chat_thread_client("19:other@thread.v2");
    let refusals = [
        thread
            .list_participants_page(Some(&token), None)
            .await
            .map(|_| ()),
        thread
            .list_read_receipts_page(Some(&token), None)
            .await
            .map(|_| ()),
        other_thread
            .list_messages_page(Some(&token), None)
            .await
            .map(|_| ()),
        client
            .list_chat_threads_page(Some(&token), None)
            .await
            .map(|_| ()),
    ];
    for refusal in refusals {
        let err = refusal.unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidContinuationToken {
                    problem: chat::ContinuationTokenProblem::OtherListing { .. },
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("another listing"), "{err}");
    }
    let pages: Vec<_> = collect(
        thread
            .list_participants(None)
            .into_pages(Some(token.clone())),
    )
    .await;
    assert!(
        matches!(
            pages.as_slice(),
            [Err(Error::InvalidContinuationToken { .. })]
        ),
        "{pages:?}"
    );
    participants.assert();
    // The listing it came from resumes.
    let resumed = thread.list_messages_page(Some(&token), None).await;
    assert!(resumed.is_ok(), "{resumed:?}");
}

#[maybe_async]
#[chat_test]
async fn plain_http_to_a_network_host_needs_an_explicit_opt_in() {
    let credential = || CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let err = ChatClient::new("http://chat.example.com", credential(), None).unwrap_err();
    assert!(matches!(err, Error::InsecureEndpoint { .. }), "{err:?}");
    let mut options = ChatClientOptions::default();
    options.client_options.allow_insecure_http = true;
    assert!(ChatClient::new("http://chat.example.com", credential(), Some(options)).is_ok());
    assert!(ChatClient::new("http://127.0.0.1:1", credential(), None).is_ok());
    let identity = chat::CommunicationIdentityClient::from_connection_string(
        "endpoint=http://id.example.com/;accesskey=aGVsbG8=",
        None,
    );
    assert!(
        matches!(identity, Err(Error::InsecureEndpoint { .. })),
        "{identity:?}"
    );
}

#[maybe_async]
#[chat_test]
async fn a_password_in_an_endpoint_or_connection_string_is_never_echoed() {
    let credential = CommunicationTokenCredential::new(&far_future_token()).unwrap();
    let err =
        ChatClient::new("https://user:hunter2pw@chat.example.com", credential, None).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2pw"), "{shown}");
    for connection_string in [
        "endpoint=https://user:hunter2pw@id.example.com/;accesskey=aGVsbG8=",
        "endpoint=https://user:hunter2pw@[bad/;accesskey=aGVsbG8=",
    ] {
        let err =
            chat::CommunicationIdentityClient::from_connection_string(connection_string, None)
                .unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter2pw"), "{shown}");
    }
}
