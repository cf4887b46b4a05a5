//! Each operation is one `acs_chat.operation` span (operation, method, URL without query,
//! `x-ms-client-request-id`, final status, attempts) on both facades, with no header or body in
//! any span or event. Its own binary: a tracing subscriber here must not turn off the `log`
//! fallback that `tests/*/logging.rs` relies on.

use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn jwt() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJlLXBhcnQ",
        b64.encode(r#"{"alg":"none"}"#),
        b64.encode(r#"{"exp":4102444800,"skypeid":"acs:tracing"}"#)
    )
}

const PATH: &str = "/chat/threads/19%3Aabc%40thread.v2";

fn server() -> mockito::ServerGuard {
    let mut server = mockito::Server::new();
    server
        .mock("DELETE", PATH)
        .match_query(mockito::Matcher::Any)
        .with_status(503)
        .with_header("retry-after-ms", "1")
        .expect(2)
        .create();
    server
        .mock("DELETE", PATH)
        .match_query(mockito::Matcher::Any)
        .with_status(204)
        .create();
    server
}

fn options() -> acs_chat_blocking::ChatClientOptions {
    let mut options = acs_chat_blocking::ChatClientOptions::default();
    options.client_options.retry.initial_delay = std::time::Duration::from_millis(1);
    options
}

#[test]
fn operations_are_spans_with_fields_and_no_secrets() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let token = jwt();
    tracing::subscriber::with_default(subscriber, || {
        let blocking_server = server();
        let credential = acs_chat_blocking::CommunicationTokenCredential::new(&token).unwrap();
        let client =
            acs_chat_blocking::ChatClient::new(&blocking_server.url(), credential, Some(options()))
                .unwrap();
        client.delete_chat_thread("19:abc@thread.v2", None).unwrap();

        let async_server = server();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let credential = acs_chat_async::CommunicationTokenCredential::new(&token).unwrap();
            let client =
                acs_chat_async::ChatClient::new(&async_server.url(), credential, Some(options()))
                    .unwrap();
            client
                .delete_chat_thread("19:abc@thread.v2", None)
                .await
                .unwrap();
        });
    });
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let closes: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("acs_chat.operation") && l.contains("close"))
        .collect();
    assert_eq!(
        closes.len(),
        2,
        "one span per operation per facade:\n{text}"
    );
    for line in closes {
        for field in [
            "operation=\"ChatClient.delete_chat_thread\"",
            "method=\"DELETE\"",
            "status=204",
            "attempts=3",
            "client_request_id=",
        ] {
            assert!(line.contains(field), "{field} missing: {line}");
        }
        assert!(
            line.contains(&format!("{PATH}\"")) || line.contains(PATH),
            "{line}"
        );
        assert!(
            !line.contains("api-version"),
            "the URL is recorded without its query: {line}"
        );
    }
    assert!(text.contains("attempt failed; retrying"), "{text}");
    let secret = token.split('.').nth(1).unwrap();
    for window in secret.as_bytes().windows(10) {
        let piece = std::str::from_utf8(window).unwrap();
        assert!(!text.contains(piece), "token piece `{piece}` in:\n{text}");
    }
    assert!(!text.contains("Bearer"), "{text}");
}
