//! The two child processes: the emulator (`serve`), and a fresh client whose peak RSS is read
//! after iterating a listing (`rss`).

use crate::BoxError;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

/// An emulator in a child process; killed on drop.
pub(crate) struct Emulator {
    child: Child,
    pub(crate) endpoint: String,
    pub(crate) connection_string: String,
    pub(crate) ca_pem: String,
    pub(crate) ca_path: std::path::PathBuf,
}

impl Emulator {
    pub(crate) fn spawn() -> Result<Self, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let info: serde_json::Value = serde_json::from_str(&line)?;
        let text = |k: &str| {
            info[k]
                .as_str()
                .map(str::to_string)
                .ok_or(format!("no {k}"))
        };
        let ca_pem = text("ca_pem")?;
        let ca_path = std::env::temp_dir().join(format!("acs-bench-ca-{}.pem", std::process::id()));
        std::fs::write(&ca_path, &ca_pem)?;
        Ok(Emulator {
            endpoint: text("endpoint")?,
            connection_string: text("connection_string")?,
            ca_pem,
            ca_path,
            child,
        })
    }
}

impl Emulator {
    /// The emulator's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The emulator process's CPU time so far (user + system), in seconds.
    pub(crate) fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        (ticks(11) + ticks(12)) / per_second.max(1.0)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Closing stdin ends `serve`; a clean exit lets profilers (callgrind) write their data.
        drop(self.child.stdin.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.ca_path);
    }
}

/// `acs-bench serve`: runs the emulator until stdin closes (the parent ended).
pub(crate) fn serve() -> Result<(), BoxError> {
    let emulator = acs_emulator::Emulator::builder().start()?;
    let info = serde_json::json!({
        "endpoint": emulator.endpoint(),
        "connection_string": emulator.connection_string(),
        "ca_pem": emulator.ca_certificate_pem(),
    });
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{info}")?;
    stdout.flush()?;
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    Ok(())
}

/// `acs-bench rss ENDPOINT CA_PATH TOKEN THREAD COUNT`: iterates COUNT messages with the blocking
/// facade and prints the peak resident set size in kB (`VmHWM`).
pub(crate) fn rss(args: Vec<String>) -> Result<(), BoxError> {
    let [endpoint, ca_path, token, thread, count] = args.as_slice() else {
        return Err("rss ENDPOINT CA_PATH TOKEN THREAD COUNT".into());
    };
    let count: usize = count.parse()?;
    let mut options = acs_chat_blocking::ChatClientOptions::default();
    options.client_options.additional_ca_certificates_pem = vec![std::fs::read_to_string(ca_path)?];
    let credential = acs_chat_blocking::CommunicationTokenCredential::new(token)?;
    let client = acs_chat_blocking::ChatClient::new(endpoint, credential, Some(options))?;
    let list = acs_chat_blocking::models::ListMessagesOptions {
        results_per_page: Some(200),
        ..Default::default()
    };
    let mut seen = 0;
    for message in client
        .get_chat_thread_client(thread.as_str())
        .list_messages(Some(list))
        .take(count)
    {
        message?;
        seen += 1;
    }
    println!("{seen} {}", peak_rss_kb()?);
    Ok(())
}

fn peak_rss_kb() -> Result<u64, BoxError> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmHWM")?.parse()?)
}
