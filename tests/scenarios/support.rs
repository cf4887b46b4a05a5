// Helpers shared by tests/blocking.rs and tests/async.rs (included, not a module: each harness
// binds `chat` to its facade first). Nothing here is async.

#[allow(unused_imports)]
use chat::{
    models::{ChatParticipant, ChatRetentionPolicy, CommunicationIdentifier},
    ChatClient, ChatClientOptions, ChatThreadClient, CommunicationTokenCredential, Error,
    RetryOptions,
};
#[allow(unused_imports)]
use mockito::{Matcher, Mock, ServerGuard};
#[allow(unused_imports)]
use serde_json::{json, Value};

const THREAD_ID: &str = "19:abc@thread.v2";
const THREAD_PATH: &str = "/chat/threads/19%3Aabc%40thread.v2";
const UUID_RE: &str = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// An unsigned JWT whose payload carries `exp` (the service checks signatures; clients do not).
fn jwt(exp: i64) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(format!(r#"{{"exp":{exp},"skypeid":"acs:test"}}"#))
    )
}

fn far_future_token() -> String {
    jwt(4_102_444_800) // 2100-01-01
}

fn spec_example(version: &str, name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/spec/chat/{version}/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn example_parameter(name: &str, parameter: &str) -> Value {
    spec_example("2025-03-15", name)["parameters"][parameter].clone()
}

fn example_response(name: &str, status: &str) -> Value {
    spec_example("2025-03-15", name)["responses"][status]["body"].clone()
}

fn options(max_retries: u32) -> ChatClientOptions {
    ChatClientOptions {
        client_options: transport_options(max_retries),
        ..Default::default()
    }
}

fn transport_options(max_retries: u32) -> chat::ClientOptions {
    chat::ClientOptions {
        retry: RetryOptions {
            max_retries,
            initial_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(20),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn client_with(server: &ServerGuard, max_retries: u32) -> ChatClient {
    let credential = CommunicationTokenCredential::new(&far_future_token()).expect("token");
    ChatClient::new(&server.url(), credential, Some(options(max_retries))).expect("client")
}

fn client(server: &ServerGuard) -> ChatClient {
    client_with(server, 3)
}

fn thread_client(server: &ServerGuard) -> ChatThreadClient {
    client(server).get_chat_thread_client(THREAD_ID)
}

/// A mock that also checks what every request of this SDK must carry.
fn expect_request(server: &mut ServerGuard, method: &str, path: &str, query: Vec<Matcher>) -> Mock {
    let mut query = query;
    query.push(Matcher::UrlEncoded(
        "api-version".into(),
        "2025-03-15".into(),
    ));
    server
        .mock(method, path)
        .match_query(Matcher::AllOf(query))
        .match_header("authorization", format!("Bearer {}", far_future_token()).as_str())
        .match_header("x-ms-client-request-id", Matcher::Regex(UUID_RE.into()))
        .match_header("user-agent", Matcher::Regex(r"^azsdk-rust-communication-chat/\d+\.\d+\.\d+ \(acs-chat-(blocking|async); rust\)$".into()))
}

fn expect_json_body(mock: Mock, content_type: &str, body: Value) -> Mock {
    mock.match_header("content-type", content_type)
        .match_body(Matcher::Json(body))
}

fn error_body(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message, "target": "thread", "details": [{"code": "Inner", "message": "detail"}], "innererror": {"code": "Deeper", "message": "inner"}}}).to_string()
}

/// A running emulator and client options that trust its CA.
struct Live {
    emulator: acs_emulator::Emulator,
    options: ChatClientOptions,
    identity_options: chat::CommunicationIdentityClientOptions,
}

fn live() -> Live {
    live_with(acs_emulator::Limits::default())
}

fn live_with(limits: acs_emulator::Limits) -> Live {
    live_from(acs_emulator::Emulator::builder().limits(limits))
}

fn live_from(builder: acs_emulator::EmulatorBuilder) -> Live {
    let emulator = builder.start().expect("emulator");
    let mut client_options = transport_options(2);
    client_options.additional_ca_certificates_pem =
        vec![emulator.ca_certificate_pem().expect("https").to_string()];
    let options = ChatClientOptions {
        client_options: client_options.clone(),
        ..Default::default()
    };
    let identity_options = chat::CommunicationIdentityClientOptions {
        client_options,
        ..Default::default()
    };
    Live {
        emulator,
        options,
        identity_options,
    }
}

impl Live {
    fn identity(&self) -> chat::CommunicationIdentityClient {
        chat::CommunicationIdentityClient::from_connection_string(
            &self.emulator.connection_string(),
            Some(self.identity_options.clone()),
        )
        .expect("identity client")
    }

    fn chat(&self, token: &str) -> ChatClient {
        let credential = CommunicationTokenCredential::new(token).expect("token");
        ChatClient::new(
            self.emulator.endpoint(),
            credential,
            Some(self.options.clone()),
        )
        .expect("chat client")
    }
}

/// A new chat user's client of a new thread (`topic`) on `live`'s emulator.
#[maybe_async]
async fn new_thread(live: &Live, topic: &str) -> ChatThreadClient {
    let (_user, token) = live
        .identity()
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let client = live.chat(token.token.expose());
    let id = client
        .create_chat_thread(topic, None)
        .await
        .unwrap()
        .chat_thread
        .id;
    client.get_chat_thread_client(id)
}

/// A raw TCP server for what mockito cannot send: oversized or endless bodies, broken framing,
/// junk status lines. Each connection's request is read (head and `content-length` body), then
/// `respond(connection_index, stream)` writes whatever it likes and the connection is closed.
struct RawServer {
    url: String,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn raw_server<F>(respond: F) -> RawServer
where
    F: Fn(usize, &mut std::net::TcpStream) + Send + Sync + 'static,
{
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = connections.clone();
    let respond = std::sync::Arc::new(respond);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let index = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let respond = respond.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head_text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let length = head_text
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                if stream.read_exact(&mut body).is_err() {
                    return;
                }
                respond(index, &mut stream);
            });
        }
    });
    RawServer { url, connections }
}

impl RawServer {
    fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn chat(&self, options: ChatClientOptions) -> ChatClient {
        let credential = CommunicationTokenCredential::new(&far_future_token()).expect("token");
        ChatClient::new(&self.url, credential, Some(options)).expect("client")
    }
}

/// Writes a chunked response of `total` bytes of JSON-ish filler, stopping early if the client
/// hangs up.
fn write_chunked(stream: &mut std::net::TcpStream, status: u16, total: usize) {
    use std::io::Write;
    let head = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n");
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let frame = format!("{:x}\r\n", chunk.len());
        if stream
            .write_all(frame.as_bytes())
            .and_then(|_| stream.write_all(&chunk))
            .and_then(|_| stream.write_all(b"\r\n"))
            .is_err()
        {
            return;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n");
}

/// Options for hostile-server tests: quick retries, a short per-attempt timeout.
fn quick_options(max_retries: u32) -> ChatClientOptions {
    let mut options = options(max_retries);
    options.client_options.timeout = Some(std::time::Duration::from_millis(500));
    options
}

/// Owns the client, returns the pager: possible because pagers own what they need.
fn messages_of(
    endpoint: &str,
    token: &str,
    options: ChatClientOptions,
    thread_id: &str,
) -> chat::ItemPager<chat::models::ChatMessage> {
    let credential = CommunicationTokenCredential::new(token).expect("token");
    let client = ChatClient::new(endpoint, credential, Some(options)).expect("client");
    client.get_chat_thread_client(thread_id).list_messages(None)
}

/// An error and its causes, one line each, the way `anyhow` prints them ("Caused by: ...").
fn error_chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut lines = vec![error.to_string()];
    let mut next = error.source();
    while let Some(cause) = next {
        lines.push(cause.to_string());
        next = cause.source();
    }
    lines
}

/// Asserts that `text` shows exactly once in `error`'s chain: the cause is there, and no line
/// repeats another's.
fn assert_shown_once(error: &(dyn std::error::Error + 'static), text: &str) {
    let chain = error_chain(error);
    let count = chain.iter().filter(|line| line.contains(text)).count();
    assert_eq!(count, 1, "{text:?} in {chain:#?}");
}

/// A plain ureq agent (the tests' own HTTP client) trusting the CA certificates in `ca_pem`.
fn agent_trusting(ca_pem: &str) -> ureq::Agent {
    use ureq::tls::{PemItem, RootCerts, TlsConfig};
    let roots: Vec<_> = ureq::tls::parse_pem(ca_pem.as_bytes())
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    ureq::Agent::config_builder()
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .build(),
        )
        .build()
        .into()
}

/// How many TCP connections `live`'s emulator has accepted (`GET /health`), the one this call
/// opens to ask included: between two calls, the connections others opened are the difference
/// minus one.
fn connections_accepted(live: &Live) -> u64 {
    let agent = agent_trusting(live.emulator.ca_certificate_pem().expect("https"));
    let text = agent
        .get(format!("{}/health", live.emulator.endpoint()))
        .call()
        .expect("health")
        .body_mut()
        .read_to_string()
        .expect("health body");
    let health: Value = serde_json::from_str(&text).expect("health json");
    health["connectionsAccepted"]
        .as_u64()
        .expect("connectionsAccepted")
        - 1
}
