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
        "REQUESTS_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
    ] {
        assert!(text.contains(option), "--help lacks {option}");
    }
    let bad = Command::new(BIN).arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument"));
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
