//! The `acs-emulator` binary: help, the connection string on the first stdout line, certificates
//! written once and reused, and a clean exit on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_acs-emulator");

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("acs-emulator-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn help_names_every_option() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for option in [
        "--host",
        "--port",
        "--access-key",
        "--cert-dir",
        "--plain-http",
        "--rate-limits",
        "--event-webhook",
        "--max-events",
        "--max-connections",
        "--idle-timeout",
        "--header-timeout",
        "--request-timeout",
        "--log-level",
        "--log-format",
        "--ready-file",
        "--ready-json",
        "--seed",
        "--faults",
        "ACS_EMULATOR_READY_FILE",
        "/health",
        "/emulator/ca.pem",
        "--version",
        "ACS_EMULATOR_PORT",
        "ACS_EMULATOR_HOST",
        "ACS_EMULATOR_LOG_LEVEL",
        "[default: 8443]",
        "REQUESTS_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
    ] {
        assert!(text.contains(option), "--help lacks {option}:\n{text}");
    }
    let bad = Command::new(BIN).arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--nope"));
    let version = Command::new(BIN).arg("--version").output().unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
}

/// Starts the binary, returns it with its first stdout line.
fn run(cert_dir: &std::path::Path, key: &str) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--access-key", key, "--cert-dir"])
        .arg(cert_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_string())
}

#[cfg(unix)]
#[test]
fn prints_the_connection_string_reuses_certificates_and_stops_on_ctrl_c() {
    let dir = temp_dir("certs");
    let key = "c2VjcmV0LWtleS1mb3ItdGVzdHM=";
    let (mut first, line) = run(&dir, key);
    let prefix = "endpoint=https://127.0.0.1:";
    assert!(
        line.starts_with(prefix) && line.ends_with(&format!("/;accesskey={key}")),
        "{line}"
    );
    let port: u16 = line[prefix.len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    let ca = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    let leaf = std::fs::read_to_string(dir.join("server.pem")).unwrap();
    assert!(ca.contains("BEGIN CERTIFICATE") && leaf.contains("BEGIN CERTIFICATE"));
    assert_ne!(ca, leaf, "the server certificate is not the CA itself");

    let status = Command::new("kill")
        .args(["-INT", &first.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(first.wait().unwrap().success(), "Ctrl-C is a clean exit");

    let (mut second, _) = run(&dir, key);
    assert_eq!(
        std::fs::read_to_string(dir.join("ca.pem")).unwrap(),
        ca,
        "certificates are reused"
    );
    second.kill().unwrap();
    let _ = second.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts the binary over plain HTTP with `args` and `env`, stderr to a file; returns the child,
/// its endpoint and the stderr file.
fn run_plain(
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
    shell_prefix: Option<&str>,
) -> (std::process::Child, String, std::path::PathBuf) {
    let dir = temp_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    let stderr_path = dir.join("stderr.log");
    let stderr = std::fs::File::create(&stderr_path).unwrap();
    let mut command = match shell_prefix {
        // e.g. `ulimit -n 64`: applied by a shell that then becomes the emulator.
        Some(prefix) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("{prefix}; exec \"$0\" \"$@\""))
                .arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    let mut child = command
        .args(args)
        .envs(env.iter().copied())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("endpoint=")
        .and_then(|rest| rest.split("/;").next())
        .unwrap_or_else(|| panic!("no connection string: {line:?}"))
        .to_string();
    (child, endpoint, stderr_path)
}

/// One unauthenticated GET over a fresh connection; the status code.
fn status_of(endpoint: &str) -> u16 {
    use std::io::{Read, Write};
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /chat/threads?api-version=2025-03-15 HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn every_flag_has_an_environment_variable_and_equals_syntax_works() {
    let (mut child, endpoint, _) = run_plain(
        "env",
        &[],
        &[
            ("ACS_EMULATOR_PORT", "0"),
            ("ACS_EMULATOR_PLAIN_HTTP", "true"),
            ("ACS_EMULATOR_ACCESS_KEY", "ZW52LWtleQ=="),
        ],
        None,
    );
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    assert_eq!(status_of(&endpoint), 401);
    let _ = child.kill();
    let _ = child.wait();
    let (mut child, endpoint, _) = run_plain("equals", &["--port=0", "--plain-http"], &[], None);
    assert!(endpoint.starts_with("http://"), "{endpoint}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn requests_are_logged_at_debug_not_info() {
    for (level, expect_lines) in [("info", false), ("debug", true)] {
        let (mut child, endpoint, stderr) = run_plain(
            &format!("log-{level}"),
            &["--port", "0", "--plain-http", "--log-level", level],
            &[],
            None,
        );
        assert_eq!(status_of(&endpoint), 401);
        assert_eq!(status_of(&endpoint), 401);
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&stderr).unwrap();
        let request_lines = text.lines().filter(|l| l.contains("/chat/threads")).count();
        assert_eq!(
            request_lines > 0,
            expect_lines,
            "--log-level {level}:\n{text}"
        );
        assert!(
            text.contains("listening on"),
            "startup stays at info:\n{text}"
        );
    }
}

#[cfg(unix)]
#[test]
fn running_out_of_file_descriptors_backs_off_and_logs_once() {
    // 32 descriptors: the runtime takes some, so a few dozen clients exhaust them.
    let (mut child, endpoint, stderr) = run_plain(
        "emfile",
        &["--port", "0", "--plain-http"],
        &[],
        Some("ulimit -n 32"),
    );
    let address = endpoint.trim_start_matches("http://").to_string();
    let held: Vec<_> = (0..64)
        .filter_map(|_| std::net::TcpStream::connect(&address).ok())
        .collect();
    std::thread::sleep(std::time::Duration::from_secs(2));
    drop(held);
    // Once descriptors are free again, it serves (after its back-off).
    let mut served = 0;
    for _ in 0..40 {
        if status_of(&endpoint) == 401 {
            served += 1;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&stderr).unwrap();
    let failures = text.lines().filter(|l| l.contains("accept failed")).count();
    assert!(
        failures >= 1,
        "the test did not exhaust descriptors:\n{text}"
    );
    assert!(
        failures <= 3,
        "{failures} accept-failure lines: a burst logs once\n{}",
        &text[..text.len().min(2000)]
    );
    assert_eq!(
        served, 1,
        "the emulator serves again once descriptors are free"
    );
}

#[test]
fn webhook_passwords_and_function_keys_never_reach_the_log() {
    // Nothing listens on port 1: validation fails and the emulator logs about the webhook.
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--plain-http",
            "--log-level",
            "debug",
            "--event-webhook",
        ])
        .arg("http://user:s3cretpw@127.0.0.1:1/api/events?code=FUNCKEY123")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut log = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("failed validation") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(log.contains("failed validation"), "{log}");
    assert!(
        log.contains("127.0.0.1:1/api/events"),
        "the webhook is still named: {log}"
    );
    assert!(
        !log.contains("s3cretpw") && !log.contains("FUNCKEY123"),
        "{log}"
    );

    // Nor does a URL that is refused at start.
    let out = Command::new(BIN)
        .args(["--port", "0", "--plain-http", "--event-webhook"])
        .arg("ftp://user:s3cretpw@h.example/?code=FUNCKEY123")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        !text.contains("s3cretpw") && !text.contains("FUNCKEY123"),
        "{text}"
    );
}

#[test]
fn the_builder_debug_shows_no_access_key_or_webhook_secret() {
    let builder = acs_emulator::Emulator::builder()
        .access_key("c2VjcmV0LWtleS1mb3ItZGVidWc=".to_string())
        .event_webhook("https://user:s3cretpw@h.example/hook?code=FUNCKEY123".to_string())
        .event_subscription(acs_emulator::EventSubscription::new(
            "https://h.example/other?code=FUNCKEY456",
        ));
    let shown = format!("{builder:?}");
    for secret in [
        "c2VjcmV0LWtleS1mb3ItZGVidWc=",
        "s3cretpw",
        "FUNCKEY123",
        "FUNCKEY456",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("h.example/hook"), "{shown}");
}

/// Starts the binary with exactly `args`, stderr to `stderr`; the child and its first stdout line.
fn start_with(args: &[&str], stderr: Stdio) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("ACS_EMULATOR_ACCESS_KEY")
        .env_remove("ACS_EMULATOR_HOST")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_string())
}

fn stop(mut child: std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let _ = child.wait();
    }
    #[cfg(not(unix))]
    {
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn free_port() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string()
}

#[test]
fn without_a_key_every_start_prints_the_same_connection_string() {
    let dir = temp_dir("same-key");
    let port = free_port();
    let args = ["--port", &port, "--cert-dir", dir.to_str().unwrap()];
    let (first, line) = start_with(&args, Stdio::null());
    stop(first);
    let (second, again) = start_with(&args, Stdio::null());
    stop(second);
    assert_eq!(line, again);
    assert_eq!(
        line,
        format!(
            "endpoint=https://127.0.0.1:{port}/;accesskey={}",
            acs_emulator::DEVELOPMENT_ACCESS_KEY
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_well_known_key_is_refused_on_a_network_address() {
    for host in ["0.0.0.0", "::"] {
        let out = Command::new(BIN)
            .args(["--host", host, "--port", "0", "--plain-http"])
            .env_remove("ACS_EMULATOR_ACCESS_KEY")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{host}: {text}");
        assert!(out.stdout.is_empty(), "no connection string printed");
        assert!(
            text.contains("well-known development access key") && text.contains("--access-key"),
            "{host}: {text}"
        );
    }
    // With a key of one's own it listens there.
    let (child, line) = start_with(
        &[
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--plain-http",
            "--access-key",
            "bXkgb3duIGtleQ==",
        ],
        Stdio::null(),
    );
    stop(child);
    assert!(line.ends_with(";accesskey=bXkgb3duIGtleQ=="), "{line}");
}

#[test]
fn logs_to_a_file_carry_no_escape_codes_and_json_logs_are_json() {
    let dir = temp_dir("log-file");
    std::fs::create_dir_all(&dir).unwrap();
    let text_log = dir.join("text.log");
    let (child, _) = start_with(
        &["--port", "0", "--plain-http"],
        Stdio::from(std::fs::File::create(&text_log).unwrap()),
    );
    stop(child);
    let text = std::fs::read(&text_log).unwrap();
    assert!(
        String::from_utf8_lossy(&text).contains("listening on"),
        "{text:?}"
    );
    assert!(
        !text.contains(&0x1b),
        "escape codes in {}",
        String::from_utf8_lossy(&text)
    );

    let json_log = dir.join("json.log");
    let (child, _) = start_with(
        &["--port", "0", "--plain-http", "--log-format", "json"],
        Stdio::from(std::fs::File::create(&json_log).unwrap()),
    );
    stop(child);
    let json = std::fs::read_to_string(&json_log).unwrap();
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("listening on"))),
        "{json}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
