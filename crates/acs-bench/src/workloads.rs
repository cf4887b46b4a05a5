//! The workloads, each timed (wall clock) and costed (this process's CPU, `getrusage`).

use crate::child::Emulator;
use crate::{BoxError, Settings};
use futures_util::StreamExt;
use std::time::Instant;

/// One timed run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    pub(crate) ops: usize,
    pub(crate) seconds: f64,
    pub(crate) cpu_seconds: f64,
    /// The emulator's CPU during the run (a diagnostic: the two share the machine's cores).
    pub(crate) server_cpu_seconds: f64,
}

impl Run {
    /// Two runs of one workload as one.
    pub(crate) fn plus(self, other: Run) -> Run {
        Run {
            ops: self.ops + other.ops,
            seconds: self.seconds + other.seconds,
            cpu_seconds: self.cpu_seconds + other.cpu_seconds,
            server_cpu_seconds: self.server_cpu_seconds + other.server_cpu_seconds,
        }
    }

    pub(crate) fn per_second(&self) -> f64 {
        self.ops as f64 / self.seconds
    }

    pub(crate) fn cpu_micros_per_op(&self) -> f64 {
        self.cpu_seconds * 1e6 / self.ops as f64
    }

    pub(crate) fn server_cpu_micros_per_op(&self) -> f64 {
        self.server_cpu_seconds * 1e6 / self.ops as f64
    }
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the struct we pass; RUSAGE_SELF covers every thread of this
    // process and none of the emulator's (a child process).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn timed(
    setup: &Setup,
    ops: usize,
    work: impl FnOnce() -> Result<(), BoxError>,
) -> Result<Run, BoxError> {
    let server = setup.server_cpu.as_ref().map_or(0.0, |f| f());
    let (cpu, start) = (cpu_seconds(), Instant::now());
    work()?;
    Ok(Run {
        ops,
        seconds: start.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds() - cpu,
        server_cpu_seconds: setup.server_cpu.as_ref().map_or(0.0, |f| f()) - server,
    })
}

/// What every workload needs: a user, two threads, clients built once.
pub(crate) struct Setup {
    pub(crate) endpoint: String,
    pub(crate) ca_pem: String,
    pub(crate) token: String,
    pub(crate) send_thread: String,
    pub(crate) list_thread: String,
    pub(crate) sends: usize,
    /// Two workers: the 64-in-flight sends, the listings, the seeding (unpinned, two CPUs).
    pub(crate) runtime: tokio::runtime::Runtime,
    /// One worker: the sequential async workloads, which run pinned to one CPU. tokio sizes a
    /// runtime by the CPUs the process may use, so a server given one CPU gets one worker;
    /// two workers time-sharing one CPU hand each request between them (measured: some runs at
    /// ~90 instead of ~62 µs of CPU per request, for raw reqwest and the SDK alike).
    pub(crate) pinned_runtime: tokio::runtime::Runtime,
    server_cpu: Option<Box<dyn Fn() -> f64>>,
    /// The floor's agent and request, made once: its connection is kept across slices.
    raw: std::cell::OnceCell<(ureq::Agent, RawSend)>,
    raw_reqwest: std::cell::OnceCell<(reqwest::Client, RawSend)>,
    blocking: acs_chat_blocking::ChatThreadClient,
    async_client: acs_chat_async::ChatThreadClient,
    /// The same thread, through a client whose connections live on `pinned_runtime`.
    async_pinned: acs_chat_async::ChatThreadClient,
    blocking_list: acs_chat_blocking::ChatThreadClient,
    async_list: acs_chat_async::ChatThreadClient,
}

impl Setup {
    pub(crate) fn new(emulator: &Emulator, settings: &Settings) -> Result<Self, BoxError> {
        let client_options = acs_chat_blocking::ClientOptions {
            additional_ca_certificates_pem: vec![emulator.ca_pem.clone()],
            ..Default::default()
        };
        let identity = acs_chat_blocking::CommunicationIdentityClient::from_connection_string(
            &emulator.connection_string,
            Some(acs_chat_blocking::CommunicationIdentityClientOptions {
                client_options: client_options.clone(),
                ..Default::default()
            }),
        )?;
        let (_user, token) = identity.create_user_and_token(
            &[acs_chat_blocking::models::CommunicationTokenScope::Chat],
            None,
        )?;
        let token = token.token.expose().to_string();
        let chat_options = acs_chat_blocking::ChatClientOptions {
            client_options,
            ..Default::default()
        };
        let credential = acs_chat_blocking::CommunicationTokenCredential::new(&token)?;
        let chat = acs_chat_blocking::ChatClient::new(
            &emulator.endpoint,
            credential,
            Some(chat_options.clone()),
        )?;
        let send_thread = chat.create_chat_thread("sends", None)?.chat_thread.id;
        let list_thread = chat.create_chat_thread("listing", None)?.chat_thread.id;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let pinned_runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let async_client_on = |runtime: &tokio::runtime::Runtime| {
            let _entered = runtime.enter();
            acs_chat_async::ChatClient::new(
                &emulator.endpoint,
                acs_chat_async::CommunicationTokenCredential::new(&token)?,
                Some(chat_options.clone()),
            )
        };
        let async_chat = async_client_on(&runtime)?;
        let async_pinned =
            async_client_on(&pinned_runtime)?.get_chat_thread_client(send_thread.as_str());
        let setup = Setup {
            endpoint: emulator.endpoint.clone(),
            ca_pem: emulator.ca_pem.clone(),
            blocking: chat.get_chat_thread_client(send_thread.as_str()),
            async_client: async_chat.get_chat_thread_client(send_thread.as_str()),
            async_pinned,
            blocking_list: chat.get_chat_thread_client(list_thread.as_str()),
            async_list: async_chat.get_chat_thread_client(list_thread.as_str()),
            token,
            send_thread,
            list_thread,
            sends: settings.sends,
            runtime,
            pinned_runtime,
            server_cpu: None,
            raw: Default::default(),
            raw_reqwest: Default::default(),
        };
        let _ = setup
            .raw
            .set((raw_agent(&setup)?, raw_send(&setup, "acs-chat-blocking")?));
        let _ = setup.raw_reqwest.set((
            raw_reqwest_client(&setup)?,
            raw_send(&setup, "acs-chat-async")?,
        ));
        seed(&setup, &setup.async_list, settings.list)?;
        Ok(setup)
    }

    /// Measures the emulator's CPU too, with `read` (seconds so far).
    pub(crate) fn with_server_cpu(mut self, read: impl Fn() -> f64 + 'static) -> Self {
        self.server_cpu = Some(Box::new(read));
        self
    }
}

/// Sends `count` messages into a thread, 64 at a time.
fn seed(
    setup: &Setup,
    thread: &acs_chat_async::ChatThreadClient,
    count: usize,
) -> Result<(), BoxError> {
    setup.runtime.block_on(async {
        let results: Vec<_> = futures_util::stream::iter(0..count)
            .map(|i| {
                let thread = thread.clone();
                async move { thread.send_message(&format!("seed {i}"), None).await }
            })
            .buffer_unordered(64)
            .collect()
            .await;
        results.into_iter().try_for_each(|r| r.map(|_| ()))
    })?;
    Ok(())
}

/// The send the raw loops repeat, built by the SDK's own core so that the floor sends the same
/// bytes (plus the headers the pipeline adds: a fixed request id, the user agent, the token).
#[derive(Clone)]
pub(crate) struct RawSend {
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn raw_send(setup: &Setup, facade: &str) -> Result<RawSend, BoxError> {
    use acs_chat_core::requests::ChatRequests;
    let endpoint = acs_chat_core::Endpoint::parse(&setup.endpoint)?;
    let request = ChatRequests::new(endpoint, None).send_message(
        &setup.send_thread,
        "hello",
        &Default::default(),
    )?;
    let mut headers = request.headers.clone();
    headers.push((
        "x-ms-client-request-id".into(),
        "6f1c2f5e-4b1e-4f5e-9d0a-3f0d2f7d9a11".into(),
    ));
    headers.push((
        "user-agent".into(),
        format!("azsdk-rust-communication-chat/0.1.0 ({facade}; rust)"),
    ));
    headers.push(("authorization".into(), format!("Bearer {}", setup.token)));
    Ok(RawSend {
        url: request.url.into(),
        headers,
        body: request.body.map(|b| b.to_vec()).unwrap_or_default(),
    })
}

/// The floor's agent: ureq 3 with the same TLS trust, keep-alive, no per-call configuration.
fn raw_agent(setup: &Setup) -> Result<ureq::Agent, BoxError> {
    agent_trusting(&setup.ca_pem)
}

/// A plain ureq agent trusting the CA certificates of `ca_pem`, statuses read as answers.
pub(crate) fn agent_trusting(ca_pem: &str) -> Result<ureq::Agent, BoxError> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let mut roots: Vec<Certificate<'static>> = Vec::new();
    for item in ureq::tls::parse_pem(ca_pem.as_bytes()) {
        if let ureq::tls::PemItem::Certificate(cert) = item? {
            roots.push(cert);
        }
    }
    let tls = TlsConfig::builder()
        .root_certs(RootCerts::new_with_certs(&roots))
        .build();
    Ok(ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .into())
}

/// The diagnostic reqwest client: the async facade's TLS set-up (rustls with ring, HTTP/1.1)
/// and its timeout (bounding every request costs a timer per request).
fn raw_reqwest_client(setup: &Setup) -> Result<reqwest::Client, BoxError> {
    let _entered = setup.pinned_runtime.enter();
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(setup.ca_pem.as_bytes()) {
        roots.add(cert?)?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(acs_chat_async::ClientOptions::DEFAULT_TIMEOUT)
        .build()?)
}

/// The floor: ureq 3 sending the bytes acs-chat sends (same headers and body).
pub(crate) fn raw_sends(setup: &Setup, sends: usize) -> Result<Run, BoxError> {
    let (agent, send) = setup.raw.get().ok_or("no raw agent")?;
    timed(setup, sends, || {
        for _ in 0..sends {
            let mut request = agent.post(&send.url);
            for (name, value) in &send.headers {
                request = request.header(name, value);
            }
            let mut response = request.send(&send.body[..])?;
            if response.status().as_u16() != 201 {
                return Err(format!("raw send: HTTP {}", response.status()).into());
            }
            response.body_mut().read_to_vec()?;
        }
        Ok(())
    })
}

/// A diagnostic floor for the async facade: reqwest alone, same bytes, same runtime.
pub(crate) fn raw_reqwest_sends(setup: &Setup, sends: usize) -> Result<Run, BoxError> {
    let (client, send) = setup
        .raw_reqwest
        .get()
        .cloned()
        .ok_or("no raw reqwest client")?;
    timed(setup, sends, || {
        let runtime = &setup.pinned_runtime;
        runtime.block_on(in_task(runtime, async move {
            for _ in 0..sends {
                let mut request = client.post(&send.url);
                for (name, value) in &send.headers {
                    request = request.header(name, value);
                }
                let response = request.body(send.body.clone()).send().await?;
                if response.status().as_u16() != 201 {
                    return Err(format!("raw reqwest send: HTTP {}", response.status()).into());
                }
                response.bytes().await?;
            }
            Ok(())
        }))
    })
}

/// Runs `work` as a task on the runtime's workers, as a server's handler would run, and waits.
async fn in_task<F>(runtime: &tokio::runtime::Runtime, work: F) -> Result<(), BoxError>
where
    F: std::future::Future<Output = Result<(), BoxError>> + Send + 'static,
{
    runtime.spawn(work).await.map_err(BoxError::from)?
}

pub(crate) fn blocking_sends(setup: &Setup, sends: usize) -> Result<Run, BoxError> {
    timed(setup, sends, || {
        for _ in 0..sends {
            setup.blocking.send_message("hello", None)?;
        }
        Ok(())
    })
}

/// `concurrency` 1: awaited one at a time; more: that many in flight. Either way inside a task on
/// the runtime's workers, as a server's handler would run.
pub(crate) fn async_sends(
    setup: &Setup,
    sends: usize,
    concurrency: usize,
) -> Result<Run, BoxError> {
    let count = sends;
    let (runtime, thread) = if concurrency > 1 {
        (&setup.runtime, setup.async_client.clone())
    } else {
        (&setup.pinned_runtime, setup.async_pinned.clone())
    };
    timed(setup, count, || {
        runtime.block_on(in_task(runtime, async move {
            if concurrency <= 1 {
                for _ in 0..count {
                    thread.send_message("hello", None).await?;
                }
                return Ok(());
            }
            let results: Vec<_> = futures_util::stream::iter(0..count)
                .map(|_| thread.send_message("hello", None))
                .buffer_unordered(concurrency)
                .collect()
                .await;
            results
                .into_iter()
                .try_for_each(|r| r.map(|_| ()))
                .map_err(BoxError::from)
        }))
    })
}

fn page_200() -> Option<acs_chat_blocking::models::ListMessagesOptions> {
    Some(acs_chat_blocking::models::ListMessagesOptions {
        results_per_page: Some(200),
        ..Default::default()
    })
}

pub(crate) fn blocking_list(setup: &Setup) -> Result<Run, BoxError> {
    let mut items = 0;
    let mut run = timed(setup, 0, || {
        for message in setup.blocking_list.list_messages(page_200()) {
            message?;
            items += 1;
        }
        Ok(())
    })?;
    run.ops = items;
    Ok(run)
}

pub(crate) fn async_list(setup: &Setup) -> Result<Run, BoxError> {
    let mut items = 0;
    let mut run = timed(setup, 0, || {
        setup.runtime.block_on(async {
            let mut messages = setup.async_list.list_messages(page_200());
            while let Some(message) = messages.next().await {
                message?;
                items += 1;
            }
            Ok::<_, BoxError>(())
        })
    })?;
    run.ops = items;
    Ok(run)
}

/// Peak RSS (kB) of a fresh process iterating 1k and `max` messages of one thread.
pub(crate) fn rss(
    emulator: &Emulator,
    setup: &Setup,
    max: usize,
) -> Result<Vec<(usize, u64)>, BoxError> {
    let thread = {
        let _entered = setup.runtime.enter();
        let credential = acs_chat_async::CommunicationTokenCredential::new(&setup.token)?;
        let options = acs_chat_async::ChatClientOptions {
            client_options: acs_chat_async::ClientOptions {
                additional_ca_certificates_pem: vec![setup.ca_pem.clone()],
                ..Default::default()
            },
            ..Default::default()
        };
        let client = acs_chat_async::ChatClient::new(&setup.endpoint, credential, Some(options))?;
        let id = setup
            .runtime
            .block_on(client.create_chat_thread("rss", None))?
            .chat_thread
            .id;
        client.get_chat_thread_client(id)
    };
    eprintln!("seeding {max} messages for the RSS runs");
    seed(setup, &thread, max)?;
    let mut peaks = Vec::new();
    for count in [1_000.min(max), max] {
        let output = std::process::Command::new(std::env::current_exe()?)
            .args(["rss", &emulator.endpoint])
            .arg(&emulator.ca_path)
            .args([&setup.token, thread.thread_id(), &count.to_string()])
            .output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let mut fields = text.split_whitespace();
        let seen: usize = fields.next().ok_or("rss: no output")?.parse()?;
        let kb: u64 = fields.next().ok_or("rss: no peak")?.parse()?;
        if seen != count {
            return Err(format!("rss: iterated {seen} of {count}").into());
        }
        peaks.push((count, kb));
    }
    Ok(peaks)
}
