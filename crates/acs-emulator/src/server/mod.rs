//! The listener: TCP, then TLS (rustls) unless plain HTTP was asked for, then HTTP/1.1 (hyper).

use crate::events::subscription::EventSubscription;
use crate::server::config::EmulatorBuilder;

pub(crate) mod config;
mod idle;
mod seed;
mod tls;
use crate::app::{App, Settings};
use crate::delivery::Subscriptions;
use crate::http::console::Console;
use crate::http::router::{Answer, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::rt::TokioTimer;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

/// A bound, not yet serving emulator.
pub struct BoundEmulator {
    listener: TcpListener,
    front: Arc<Front>,
    subscriptions: Subscriptions,
    tls: Option<TlsAcceptor>,
    connections: crate::server::config::ConnectionLimits,
    pub(crate) info: EmulatorInfo,
}

/// Where a running emulator is and how to reach it.
#[derive(Clone)]
pub struct EmulatorInfo {
    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub endpoint: String,
    /// The base64 access key.
    pub access_key: String,
    /// The CA certificate (PEM) that signed the server certificate; `None` for plain HTTP.
    pub ca_certificate_pem: Option<String>,
    /// The socket address bound.
    pub local_addr: SocketAddr,
    /// What the seed data created (`None` without a seed): `{"users": {NAME: {"id", "token",
    /// "expiresOn"}}, "threads": {NAME: {"id", "messages": [ID...]}}}`, tokens (chat, voip) fresh
    /// at each start for 24 h. It holds tokens: keep it where they may be.
    pub seeded: Option<serde_json::Value>,
}

impl std::fmt::Debug for EmulatorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorInfo")
            .field("endpoint", &self.endpoint)
            .field("access_key", &"<redacted>")
            .field("local_addr", &self.local_addr)
            .finish()
    }
}

impl EmulatorInfo {
    /// `endpoint=https://127.0.0.1:PORT/;accesskey=KEY`.
    pub fn connection_string(&self) -> String {
        format!("endpoint={}/;accesskey={}", self.endpoint, self.access_key)
    }

    /// The web console, `https://127.0.0.1:PORT/console` (sign in with the access key).
    pub fn console_url(&self) -> String {
        format!("{}/console", self.endpoint)
    }

    /// What a script needs to use a serving emulator, as the binary writes it to `--ready-file`
    /// and prints it with `--ready-json`: `status` (`"ready"`), `version`, `pid`, `endpoint`,
    /// `connectionString`, `accessKey`, `caCertificatePath` (`ca_path`, when the CA is in a
    /// file), `caCertificateUrl` (`GET /emulator/ca.pem`; `null` for plain HTTP), `consoleUrl`,
    /// `healthUrl` and `seed` ([`EmulatorInfo::seeded`]). It holds the access key and the seeded
    /// users' tokens: keep it where they may be.
    pub fn ready_record(&self, ca_path: Option<&std::path::Path>) -> serde_json::Value {
        let https = self.ca_certificate_pem.is_some();
        serde_json::json!({
            "status": "ready",
            "version": env!("CARGO_PKG_VERSION"),
            "pid": std::process::id(),
            "endpoint": self.endpoint,
            "connectionString": self.connection_string(),
            "accessKey": self.access_key,
            "caCertificatePath": ca_path.filter(|_| https).map(|p| p.display().to_string()),
            "caCertificateUrl": https.then(|| format!("{}/emulator/ca.pem", self.endpoint)),
            "consoleUrl": self.console_url(),
            "healthUrl": format!("{}/health", self.endpoint),
            "seed": self.seeded,
        })
    }
}

impl EmulatorBuilder {
    /// Binds the listener and prepares TLS; serve with [`BoundEmulator::serve`].
    pub async fn bind(self) -> io::Result<BoundEmulator> {
        let fresh_key = crate::server::config::DEVELOPMENT_ACCESS_KEY.to_string();
        let persisted = match &self.data_dir {
            Some(dir) => Some(crate::persist::Store::open(
                dir,
                self.max_events,
                (
                    uuid::Uuid::new_v4().as_bytes().to_vec(),
                    uuid::Uuid::new_v4().to_string(),
                    self.access_key.clone().unwrap_or_else(|| fresh_key.clone()),
                ),
            )?),
            None => None,
        };
        // A data dir keeps its access key, so the connection string survives restarts.
        let stored_key = persisted.as_ref().and_then(|(_, l)| l.access_key.clone());
        let access_key = self.access_key.clone().or(stored_key).unwrap_or(fresh_key);
        let key_bytes = STANDARD.decode(access_key.trim()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the access key is not valid base64",
            )
        })?;
        // A key everyone knows, on an address others can reach, is an open door.
        if access_key.trim() == crate::server::config::DEVELOPMENT_ACCESS_KEY
            && !self.host.is_loopback()
        {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "refusing to listen on {} with the well-known development access key: anyone who can reach it could use it. Give a key of your own (--access-key or ACS_EMULATOR_ACCESS_KEY, e.g. `openssl rand -base64 32`), or listen on 127.0.0.1",
                    self.host
                ),
            ));
        }
        let (tls, ca_pem) = if self.plain_http {
            (None, None)
        } else {
            let bundle = match &self.cert_dir {
                Some(dir) => crate::server::tls::load_or_generate(dir)?,
                None => crate::server::tls::generate()?,
            };
            let config = crate::server::tls::server_config(&bundle)?;
            (Some(TlsAcceptor::from(config)), Some(bundle.ca_pem))
        };
        let listener = TcpListener::bind(SocketAddr::new(self.host, self.port)).await?;
        let local_addr = listener.local_addr()?;
        let shown_host = match local_addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let endpoint = format!("{scheme}://{shown_host}:{}", local_addr.port());
        // The composition root: who owns what is decided here, once.
        let settings = Settings {
            limits: self.limits,
            access_key: key_bytes,
            base_url: endpoint.clone(),
            max_events: self.max_events,
            entra_token_lifetime: self.entra_token_lifetime,
        };
        let seed = self
            .seed_json
            .as_deref()
            .map(|json| seed::SeedFile::parse(json).map(|seed| (seed, json)))
            .transpose()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("seed: {e}")))?;
        let faults = self
            .faults_json
            .as_deref()
            .map(|json| {
                crate::domain::faults::FaultRules::parse(json, &crate::api::route_templates())
            })
            .transpose()
            .map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("fault rules: {e}"))
            })?;
        let app = Arc::new(App::new(settings, persisted));
        // The seed file's rules, then the flag's (which win when both are given).
        let seed_faults = seed.as_ref().and_then(|(seed, _)| seed.faults().cloned());
        if let Some(rules) = seed_faults.into_iter().chain(faults).last() {
            app.set_faults(rules);
        }
        let subscriptions = Subscriptions::new(
            &app.events,
            app.store.as_ref(),
            &self.event_webhook_ca_pems,
            self.event_retry_scale,
            self.event_retry_seed,
        )?;
        let from_urls = self.event_webhooks.iter().map(|url| EventSubscription {
            endpoint_url: url.clone(),
            schema: self.event_schema,
            included_event_types: self.event_types.clone(),
            dead_letter: self.event_dead_letter,
            ..Default::default()
        });
        for subscription in from_urls.chain(self.event_subscriptions.iter().cloned()) {
            subscriptions.put(subscription, false)?;
        }
        subscriptions.resume_kept()?;
        let router = Router::new(app, subscriptions.clone(), ca_pem.clone());
        let seeded = match seed {
            Some((seed, text)) => Some(
                seed.apply(&router, text)
                    .map_err(|e| io::Error::other(format!("seed: {e}")))?,
            ),
            None => None,
        };
        Ok(BoundEmulator {
            listener,
            front: Arc::new(Front {
                router,
                console: Console::default(),
            }),
            subscriptions,
            tls,
            connections: self.connections,
            info: EmulatorInfo {
                endpoint,
                access_key,
                ca_certificate_pem: ca_pem,
                local_addr,
                seeded,
            },
        })
    }
}

impl BoundEmulator {
    /// Where it listens.
    pub fn info(&self) -> &EmulatorInfo {
        &self.info
    }

    pub(crate) fn subscriptions(&self) -> Subscriptions {
        self.subscriptions.clone()
    }

    /// Subscribes a webhook from now on (see [`EventSubscription`]); kept in the data dir, if any.
    pub fn add_event_subscription(&self, subscription: EventSubscription) -> io::Result<()> {
        self.subscriptions.put(subscription, true).map(|_| ())
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (at most
    /// `ConnectionLimits::shutdown_grace`).
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let limits = self.connections.clone();
        let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let graceful = GracefulShutdown::new();
        let mut failures = 0u32;
        loop {
            // At the cap, wait for a connection to end before accepting another.
            let permit = tokio::select! {
                _ = &mut shutdown => break,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let accepted = tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(pair) => {
                    if failures > 1 {
                        tracing::warn!("accept works again after {failures} failures");
                    }
                    failures = 0;
                    pair
                }
                Err(e) => {
                    // Out of file descriptors and the like: retrying at once spins. Back off, and
                    // log the first failure of a burst only.
                    failures += 1;
                    if failures == 1 {
                        tracing::warn!("accept failed: {e}; backing off");
                    }
                    let pause = Duration::from_millis(10 << failures.min(7));
                    tokio::select! {
                        _ = &mut shutdown => break,
                        _ = tokio::time::sleep(pause) => continue,
                    }
                }
            };
            prepare(&stream);
            self.front
                .router
                .app()
                .connections_accepted
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let front = self.front.clone();
            let tls = self.tls.clone();
            let watcher = graceful.watcher();
            let limits = limits.clone();
            tokio::spawn(async move {
                let _permit = permit;
                match tls {
                    Some(acceptor) => {
                        let handshake =
                            tokio::time::timeout(limits.handshake_timeout, acceptor.accept(stream))
                                .await;
                        match handshake {
                            Ok(Ok(stream)) => {
                                serve_connection(stream, front, watcher, &limits, peer).await
                            }
                            Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                            Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                        }
                    }
                    None => serve_connection(stream, front, watcher, &limits, peer).await,
                }
            });
        }
        drop(self.listener);
        // Streams that never end on their own (the console's live view) end now.
        self.front.router.app().closing.send_replace(true);
        if tokio::time::timeout(self.connections.shutdown_grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("in-flight requests did not finish within the shutdown grace period");
        }
    }
}

/// What answers requests: the REST router, and the web console with its sessions (the server's,
/// not the hub's). Requests go to one or the other by path; API requests never enter the console.
struct Front {
    router: Router,
    console: Console,
}

impl Front {
    async fn serve(&self, request: hyper::Request<hyper::body::Incoming>) -> Answer {
        if Console::serves(request.uri().path()) {
            Answer::Now(self.console.serve(&self.router, request).await)
        } else {
            self.router.handle(request).await
        }
    }
}

/// A connection closed without an answer on purpose (a fault rule).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}

impl std::error::Error for Dropped {}

/// Serves HTTP/1.1 on one connection: headers within the header timeout, closed when idle, and
/// finished gracefully on shutdown.
async fn serve_connection<S>(
    stream: S,
    front: Arc<Front>,
    watcher: Watcher,
    limits: &crate::server::config::ConnectionLimits,
    peer: SocketAddr,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let request_timeout = limits.request_timeout;
    let service = service_fn(move |request| {
        let front = front.clone();
        async move {
            // Bounds reading the body too: the idle timer restarts at every byte, so without
            // this a body sent at 1 B/s holds a connection slot for as long as it likes.
            let answer = tokio::time::timeout(request_timeout, front.serve(request)).await;
            match answer {
                Ok(Answer::Now(response)) => Ok(response),
                // Outside the request timeout: answering late is the point.
                Ok(Answer::Late(response, after)) => {
                    tokio::time::sleep(after).await;
                    Ok(response)
                }
                Ok(Answer::Drop) => Err(Dropped),
                Err(_) => Ok(crate::http::router::request_timed_out()),
            }
        }
    });
    let io = TokioIo::new(crate::server::idle::IdleTimeout::new(
        stream,
        limits.idle_timeout,
    ));
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    if let Err(e) = watcher.watch(connection).await {
        tracing::debug!("connection from {peer}: {e}");
    }
}

/// Socket options of an accepted connection: no Nagle delay, so that the tail of a reply (an 80 KB
/// page goes out in two writes) does not wait for the client's delayed ACK (40 ms stalls seen).
fn prepare(stream: &tokio::net::TcpStream) {
    let _ = stream.set_nodelay(true);
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn accepted_sockets_send_without_delay() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let _client = tokio::net::TcpStream::connect(address).await.unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        assert!(!accepted.nodelay().unwrap(), "the default has Nagle on");
        super::prepare(&accepted);
        assert!(accepted.nodelay().unwrap());
    }
}
