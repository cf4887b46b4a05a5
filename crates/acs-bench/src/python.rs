//! The official Python SDK 1.2.0 on the same workload: the script runs in the venv the caller
//! names (see `bench/python-sdk.sh`), against the same emulator, threads and token.

use crate::child::Emulator;
use crate::workloads::{Run, Setup};
use crate::BoxError;

const SCRIPT: &str = r#"
import os, sys, time, resource
from azure.communication.chat import ChatClient, CommunicationTokenCredential

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime

client = ChatClient(os.environ["ENDPOINT"], CommunicationTokenCredential(os.environ["TOKEN"]))
sends = client.get_chat_thread_client(os.environ["SEND_THREAD"])
count = int(os.environ["SENDS"])
c0, t0 = cpu(), time.perf_counter()
for _ in range(count):
    sends.send_message("hello")
print("sends", count, time.perf_counter() - t0, cpu() - c0)
listing = client.get_chat_thread_client(os.environ["LIST_THREAD"])
items = 0
c0, t0 = cpu(), time.perf_counter()
for _ in listing.list_messages(results_per_page=200):
    items += 1
print("list", items, time.perf_counter() - t0, cpu() - c0)
"#;

fn parse(line: &str) -> Result<Run, BoxError> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [_, ops, seconds, cpu] = fields.as_slice() else {
        return Err(format!("python: unexpected line {line:?}").into());
    };
    Ok(Run {
        ops: ops.parse()?,
        seconds: seconds.parse()?,
        cpu_seconds: cpu.parse()?,
        server_cpu_seconds: 0.0,
    })
}

/// Runs the Python workload once; returns (sends, listing).
pub(crate) fn run(
    python: &str,
    emulator: &Emulator,
    setup: &Setup,
) -> Result<(Run, Run), BoxError> {
    let output = std::process::Command::new(python)
        .args(["-c", SCRIPT])
        .env("ENDPOINT", &emulator.endpoint)
        .env("TOKEN", &setup.token)
        .env("SEND_THREAD", &setup.send_thread)
        .env("LIST_THREAD", &setup.list_thread)
        .env("SENDS", setup.sends.to_string())
        .env("REQUESTS_CA_BUNDLE", &emulator.ca_path)
        .env("SSL_CERT_FILE", &emulator.ca_path)
        .output()?;
    if !output.status.success() {
        return Err(format!("python: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .ok_or_else(|| format!("python: no `{prefix}` line in {text:?}"))
    };
    Ok((parse(line("sends ")?)?, parse(line("list ")?)?))
}
