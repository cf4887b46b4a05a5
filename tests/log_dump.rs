//! ureq-proto, under the blocking facade, logs every byte it writes (Authorization included) at
//! `log` target `ureq_proto::util`, level TRACE, and has no switch for it. With that target
//! enabled the blocking facade sends nothing, returns why and logs it once; with it filtered out
//! it works, and no record shows the token; with `ClientOptions::raw_wire_logging` set to `Allow`
//! it sends, says so once, and the dump records the token (the documented price). Its own binary:
//! it installs a global logger that records everything.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

struct Capture {
    records: Mutex<Vec<(String, String)>>,
    levels: Mutex<Vec<(log::Level, String, String)>>,
    dump_enabled: AtomicBool,
}

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        self.dump_enabled.load(Ordering::SeqCst)
            || !metadata.target().starts_with("ureq_proto::util")
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let line = (record.target().to_string(), record.args().to_string());
            self.levels
                .lock()
                .unwrap()
                .push((record.level(), line.0.clone(), line.1.clone()));
            self.records.lock().unwrap().push(line);
        }
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture {
    records: Mutex::new(Vec::new()),
    levels: Mutex::new(Vec::new()),
    dump_enabled: AtomicBool::new(true),
};

fn jwt() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJlLWxvZy1kdW1w",
        b64.encode(r#"{"alg":"none"}"#),
        b64.encode(r#"{"exp":4102444800,"skypeid":"acs:log-dump"}"#)
    )
}

/// Whether any record, or all of them joined (the dump splits bytes over 16-byte rows), shows
/// the token's signature.
fn shows(records: &[(String, String)], secret: &str) -> bool {
    // mockito is the test's server, not the client: it logs what it received.
    let records: Vec<_> = records
        .iter()
        .filter(|(target, _)| !target.starts_with("mockito"))
        .collect();
    let ascii: String = records
        .iter()
        .filter_map(|(_, line)| line.rsplit(' ').next())
        .collect();
    records.iter().any(|(_, line)| line.contains(secret)) || ascii.contains(secret)
}

#[test]
fn with_the_byte_dump_on_nothing_is_sent_and_with_it_off_nothing_leaks() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let mut server = mockito::Server::new();
    let path = "/chat/threads/19%3Aabc%40thread.v2";
    let deleted = server
        .mock("DELETE", path)
        .match_query(mockito::Matcher::Any)
        .with_status(204)
        .expect(1)
        .create();
    let token = jwt();
    let signature = token.rsplit('.').next().unwrap().to_string();
    let credential = acs_chat_blocking::CommunicationTokenCredential::new(&token).unwrap();
    let client = acs_chat_blocking::ChatClient::new(&server.url(), credential, None).unwrap();

    let err = client
        .delete_chat_thread("19:abc@thread.v2", None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            acs_chat_blocking::Error::SecretsWouldBeLogged {
                target: "ureq_proto::util",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("RUST_LOG=trace,ureq_proto=debug"),
        "{err}"
    );
    assert!(
        !shows(&CAPTURE.records.lock().unwrap(), &signature),
        "the token was logged"
    );
    // A second call is refused too, and the client has said why exactly once, at ERROR, on its
    // own target (which does not dump the wire), naming the fix.
    assert!(client.delete_chat_thread("19:abc@thread.v2", None).is_err());
    let said = |level: log::Level| -> Vec<String> {
        CAPTURE
            .levels
            .lock()
            .unwrap()
            .iter()
            .filter(|(l, target, _)| *l == level && target == "acs_chat_blocking")
            .map(|(_, _, message)| message.clone())
            .collect()
    };
    let errors = said(log::Level::Error);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("RUST_LOG=trace,ureq_proto=debug")
            && errors[0].contains("raw_wire_logging"),
        "{errors:?}"
    );

    // The application filters the dump out: the call goes through, and still nothing leaks.
    CAPTURE.dump_enabled.store(false, Ordering::SeqCst);
    client.delete_chat_thread("19:abc@thread.v2", None).unwrap();
    deleted.assert();
    let records = CAPTURE.records.lock().unwrap().clone();
    assert!(
        records
            .iter()
            .any(|(target, _)| target.starts_with("acs_chat")),
        "{records:?}"
    );
    assert!(!shows(&records, &signature), "the token was logged");

    // A debugging session that accepts the dump: the call is sent, the client warns once, and
    // the dump records the credential.
    CAPTURE.dump_enabled.store(true, Ordering::SeqCst);
    let mut options = acs_chat_blocking::ChatClientOptions::default();
    options.client_options.raw_wire_logging = acs_chat_blocking::RawWireLogging::Allow;
    let credential = acs_chat_blocking::CommunicationTokenCredential::new(&token).unwrap();
    let allowing =
        acs_chat_blocking::ChatClient::new(&server.url(), credential, Some(options)).unwrap();
    let allowed = server
        .mock("DELETE", "/chat/threads/19%3Adef%40thread.v2")
        .match_query(mockito::Matcher::Any)
        .with_status(204)
        .expect(2)
        .create();
    allowing
        .delete_chat_thread("19:def@thread.v2", None)
        .unwrap();
    allowing
        .delete_chat_thread("19:def@thread.v2", None)
        .unwrap();
    allowed.assert();
    let warnings = said(log::Level::Warn);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("credentials included"), "{warnings:?}");
    assert!(
        shows(&CAPTURE.records.lock().unwrap(), &signature),
        "with Allow, the dump records the token"
    );
}
