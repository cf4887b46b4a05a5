//! A fault-injecting HTTP/1.1 proxy: a test tool that stands between a client and a plain-HTTP
//! upstream (e.g. `acs-emulator --plain-http`) and faults a share of the requests in the ways a
//! real network and a misbehaving service do.
//!
//! Each client connection carries one request; the proxy answers it (or not) and closes the
//! connection. Faults, each chosen with equal weight among the enabled ones:
//!
//! | fault | forwarded? | the client sees |
//! |---|---|---|
//! | [`Fault::Unavailable`] | no | `503` |
//! | [`Fault::InternalError`] | no | `500` |
//! | [`Fault::Throttled`] | no | `429` with `retry-after-ms` |
//! | [`Fault::CloseBeforeForwarding`] | no | the connection closed without an answer |
//! | [`Fault::AnswerAfterTimeout`] | yes | the real answer, after `late_by` (past its timeout) |
//! | [`Fault::ForwardThenDrop`] | yes | the connection closed without an answer |
//! | [`Fault::ForwardThen503`] | yes | `503`, although the upstream acted |

#![deny(missing_docs)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One way a request can go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Answer `503` without forwarding.
    Unavailable,
    /// Answer `500` without forwarding.
    InternalError,
    /// Answer `429` with `retry-after-ms: 20` without forwarding.
    Throttled,
    /// Close the connection after reading the request, without forwarding.
    CloseBeforeForwarding,
    /// Forward, then answer after `late_by`.
    AnswerAfterTimeout,
    /// Forward, then close the connection without answering.
    ForwardThenDrop,
    /// Forward, then answer `503` whatever the upstream said.
    ForwardThen503,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 7] = [
        Fault::Unavailable,
        Fault::InternalError,
        Fault::Throttled,
        Fault::CloseBeforeForwarding,
        Fault::AnswerAfterTimeout,
        Fault::ForwardThenDrop,
        Fault::ForwardThen503,
    ];

    fn index(self) -> usize {
        Fault::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// How the proxy behaves.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Where requests are forwarded (plain HTTP).
    pub upstream: SocketAddr,
    /// The share of requests faulted, 0.0 to 1.0.
    pub rate: f64,
    /// The faults to choose from.
    pub faults: Vec<Fault>,
    /// How late [`Fault::AnswerAfterTimeout`] answers: make it longer than the client's timeout.
    pub late_by: Duration,
    /// The random seed: the same seed faults the same request numbers.
    pub seed: u64,
}

impl FaultConfig {
    /// 30 % of requests faulted across every kind, answers 1 s late.
    pub fn new(upstream: SocketAddr) -> Self {
        FaultConfig {
            upstream,
            rate: 0.3,
            faults: Fault::ALL.to_vec(),
            late_by: Duration::from_secs(1),
            seed: 1,
        }
    }
}

/// How many requests went through and how many of each fault were injected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Requests read from clients.
    pub requests: u64,
    /// Injected faults, by kind, in the order of [`Fault::ALL`].
    pub faults: [u64; 7],
}

impl FaultCounts {
    /// All injected faults.
    pub fn total_faults(&self) -> u64 {
        self.faults.iter().sum()
    }

    /// Injected faults of one kind.
    pub fn of(&self, fault: Fault) -> u64 {
        self.faults[fault.index()]
    }
}

struct Shared {
    config: FaultConfig,
    rng: Mutex<fastrand::Rng>,
    requests: AtomicU64,
    faults: [AtomicU64; 7],
    stopping: AtomicBool,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Listens on an ephemeral loopback port and starts forwarding.
    pub fn start(config: FaultConfig) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            config,
            requests: AtomicU64::new(0),
            faults: Default::default(),
            stopping: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        let accept = std::thread::Builder::new()
            .name("acs-fault-proxy".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if accepting.stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = accepting.clone();
                    let _ = std::thread::Builder::new()
                        .name("acs-fault-proxy-conn".into())
                        .spawn(move || {
                            let _ = serve(&shared, stream);
                        });
                }
            })?;
        Ok(FaultProxy {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The proxy's URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What happened so far.
    pub fn counts(&self) -> FaultCounts {
        let mut counts = FaultCounts {
            requests: self.shared.requests.load(Ordering::SeqCst),
            ..Default::default()
        };
        for (slot, n) in counts.faults.iter_mut().zip(&self.shared.faults) {
            *slot = n.load(Ordering::SeqCst);
        }
        counts
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(shared: &Shared, mut client: TcpStream) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let Some(request) = read_request(&mut client)? else {
        return Ok(());
    };
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let fault = {
        let mut rng = shared.rng.lock().unwrap_or_else(|e| e.into_inner());
        let faults = &shared.config.faults;
        (!faults.is_empty() && rng.f64() < shared.config.rate)
            .then(|| faults[rng.usize(..faults.len())])
    };
    if let Some(fault) = fault {
        shared.faults[fault.index()].fetch_add(1, Ordering::SeqCst);
    }
    match fault {
        None => {
            let response = forward(shared.config.upstream, &request)?;
            client.write_all(&response)?;
        }
        Some(Fault::Unavailable) => {
            client.write_all(&error_response(503, "ServiceUnavailable", &[]))?
        }
        Some(Fault::InternalError) => {
            client.write_all(&error_response(500, "InternalError", &[]))?
        }
        Some(Fault::Throttled) => client.write_all(&error_response(
            429,
            "TooManyRequests",
            &[("retry-after-ms", "20")],
        ))?,
        Some(Fault::CloseBeforeForwarding) => {}
        Some(Fault::AnswerAfterTimeout) => {
            let response = forward(shared.config.upstream, &request)?;
            std::thread::sleep(shared.config.late_by);
            let _ = client.write_all(&response);
        }
        Some(Fault::ForwardThenDrop) => {
            forward(shared.config.upstream, &request)?;
        }
        Some(Fault::ForwardThen503) => {
            forward(shared.config.upstream, &request)?;
            client.write_all(&error_response(503, "ServiceUnavailable", &[]))?;
        }
    }
    let _ = client.flush();
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// Reads one request: the head up to the blank line, then a `content-length` body. The head is
/// rewritten to ask the upstream to close the connection after answering.
fn read_request(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(None);
        }
        head.push(byte[0]);
        if head.len() > 64 * 1024 {
            return Ok(None);
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut length = 0usize;
    let mut rewritten = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        rewritten.push_str(line);
        rewritten.push_str("\r\n");
    }
    rewritten.push_str("connection: close\r\n\r\n");
    let mut request = rewritten.into_bytes();
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    request.extend_from_slice(&body);
    Ok(Some(request))
}

/// Sends a request upstream on a fresh connection and reads the answer to the end; the answer
/// is given `connection: close` so that clients do not reuse the proxy's connection.
fn forward(upstream: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(upstream)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(request)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(response);
    };
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let mut rewritten: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    rewritten.push_str("connection: close\r\n\r\n");
    let mut out = rewritten.into_bytes();
    out.extend_from_slice(&response[end + 4..]);
    Ok(out)
}

fn error_response(status: u16, code: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let body =
        format!(r#"{{"error":{{"code":"{code}","message":"injected by acs-fault-proxy"}}}}"#);
    let mut head = format!(
        "HTTP/1.1 {status} Injected\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}
