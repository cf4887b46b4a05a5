//! What scripts and CI wait on: `GET /health` (only a serving emulator answers it, with no
//! credential and no secret), the CA certificate from `GET /emulator/ca.pem`, and the binary's
//! ready record (`--ready-file`, `--ready-json`).

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_acs-emulator");

/// The status line and body of a plain-HTTP response read to its end.
fn read_response(stream: &mut std::net::TcpStream) -> (String, String) {
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

#[test]
fn health_is_answered_only_once_the_emulator_serves() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let bound = runtime
        .block_on(acs_emulator::Emulator::builder().plain_http(true).bind())
        .unwrap();
    let address = bound.info().local_addr;
    // Bound, not serving: the connection waits in the listen backlog and nothing answers.
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    stream.set_nonblocking(true).unwrap();
    let early = stream.read(&mut [0u8; 1]);
    assert_eq!(
        early.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "an answer before serving"
    );
    stream.set_nonblocking(false).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = runtime.spawn(bound.serve(async {
        let _ = stopped.await;
    }));
    let (status, body) = read_response(&mut stream);
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert!(health["uptimeSeconds"].is_u64(), "{health}");
    // This test's one connection: a client suite can count the connections it opened.
    assert_eq!(health["connectionsAccepted"], 1, "{health}");
    assert!(health["dataDir"].is_null(), "in memory: {health}");
    let _ = stop.send(());
    runtime.block_on(serving).unwrap();
}

#[test]
fn health_needs_no_credential_and_shows_no_secret() {
    let dir = fresh_dir("health");
    let emulator = acs_emulator::Emulator::builder()
        .data_dir(&dir)
        .start()
        .unwrap();
    let key = emulator.info().access_key.clone();
    let h = harness_for(emulator);
    let reply = h.raw("GET", "/health", &[], None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["status"], "healthy");
    assert_eq!(reply.body["dataDir"]["writable"], true, "{}", reply.text);
    assert!(!reply.text.contains(&key) && !reply.text.contains(&dir.display().to_string()));
    assert!(reply.header("ms-cv").is_some());
    assert_eq!(h.raw("POST", "/health", &[], None).status, 405);
    // A data dir that can no longer be written (here: gone) makes it unhealthy.
    std::fs::remove_dir_all(&dir).unwrap();
    let reply = h.raw("GET", "/health", &[], None);
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(reply.body["status"], "degraded");
    assert_eq!(reply.body["dataDir"]["writable"], false);
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_ca_certificate_can_be_downloaded() {
    let h = start();
    let reply = h.raw("GET", "/emulator/ca.pem", &[], None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/x-pem-file"));
    assert_eq!(Some(reply.text.as_str()), h.emulator.ca_certificate_pem());
    // The rest of /emulator/ still needs the access key.
    assert_eq!(h.raw("GET", "/emulator/events", &[], None).status, 401);
}

/// A JSON GET over HTTPS trusting `ca_pem`.
fn get_json(url: &str, ca_pem: &str, authorization: Option<&str>) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = agent_trusting(ca_pem).build().into();
    let mut request = agent.get(url);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let mut response = request.call().unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or_default())
}

#[test]
fn the_ready_file_and_record_name_a_working_emulator() {
    let dir = fresh_dir("ready-file");
    let ready = dir.join("ready.json");
    std::fs::write(&ready, "stale").unwrap();
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--ready-json", "--ready-file"])
        .arg(&ready)
        .arg("--cert-dir")
        .arg(dir.join("certs"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // The record is printed after the file is written: both are there now.
    let printed: serde_json::Value = serde_json::from_str(&line).unwrap();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ready).unwrap()).unwrap();
    let mut printed_but_pid = printed.clone();
    printed_but_pid["pid"] = written["pid"].clone();
    assert_eq!(printed_but_pid, written);
    assert_eq!(written["status"], "ready");
    assert_eq!(written["pid"], child.id());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ready).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "it holds the access key");
    }
    let endpoint = written["endpoint"].as_str().unwrap();
    assert_eq!(
        written["connectionString"],
        format!(
            "endpoint={endpoint}/;accesskey={}",
            written["accessKey"].as_str().unwrap()
        )
    );
    let ca_path = written["caCertificatePath"].as_str().unwrap();
    let ca_pem = std::fs::read_to_string(ca_path).unwrap();
    let (status, health) = get_json(written["healthUrl"].as_str().unwrap(), &ca_pem, None);
    assert_eq!(
        (status, &health["status"]),
        (200, &serde_json::json!("healthy"))
    );
    // The record's key works: an Entra token for it from the emulator's authority, then an
    // authorized admin call.
    let token = {
        let agent: ureq::Agent = agent_trusting(&ca_pem).build().into();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", "ci"),
            ("client_secret", written["accessKey"].as_str().unwrap()),
            ("scope", "https://communication.azure.com//.default"),
        ];
        let mut response = agent
            .post(format!("{endpoint}/tenant/oauth2/v2.0/token"))
            .send_form(form)
            .unwrap();
        let body: serde_json::Value =
            serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        body["access_token"].as_str().unwrap().to_string()
    };
    let (status, _) = get_json(
        &format!("{endpoint}/emulator/events"),
        &ca_pem,
        Some(&format!("Bearer {token}")),
    );
    assert_eq!(status, 200);

    let stopped = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(child.wait().unwrap().success());
    assert!(!ready.exists(), "a clean exit removes the ready file");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_ready_file_that_cannot_be_written_stops_the_start() {
    let dir = fresh_dir("ready-unwritable");
    let ready = dir.join("no-such-dir").join("ready.json");
    let out = Command::new(BIN)
        .args(["--port", "0", "--ready-file"])
        .arg(&ready)
        .arg("--cert-dir")
        .arg(dir.join("certs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&ready.display().to_string()) && stderr.contains("--ready-file"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing announced");
    std::fs::remove_dir_all(&dir).unwrap();
}
