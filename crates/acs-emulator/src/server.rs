//! The listener: TCP, then TLS (rustls) unless plain HTTP was asked for, then HTTP/1.1 (hyper).

use crate::config::EmulatorBuilder;
use crate::shared::App;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A bound, not yet serving emulator.
pub struct BoundEmulator {
    listener: TcpListener,
    app: Arc<App>,
    tls: Option<TlsAcceptor>,
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
}

impl EmulatorBuilder {
    /// Binds the listener and prepares TLS; serve with [`BoundEmulator::serve`].
    pub async fn bind(self) -> io::Result<BoundEmulator> {
        let access_key = match &self.access_key {
            Some(key) => key.clone(),
            None => STANDARD.encode(uuid::Uuid::new_v4().as_bytes().repeat(2)),
        };
        let key_bytes = STANDARD.decode(access_key.trim()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the access key is not valid base64",
            )
        })?;
        let (tls, ca_pem) = if self.plain_http {
            (None, None)
        } else {
            let bundle = match &self.cert_dir {
                Some(dir) => crate::tls::load_or_generate(dir)?,
                None => crate::tls::generate()?,
            };
            let config = crate::tls::server_config(&bundle)?;
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
        let app = Arc::new(App::new(self.limits, key_bytes, scheme));
        if let Some(url) = &self.event_webhook {
            let uri: hyper::Uri = url
                .parse()
                .ok()
                .filter(|u: &hyper::Uri| u.scheme_str() == Some("http") && u.host().is_some())
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("--event-webhook `{url}` is not an http:// URL"),
                    )
                })?;
            let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
            app.events.set_webhook(sender);
            tokio::spawn(crate::events::deliver(uri, receiver));
        }
        Ok(BoundEmulator {
            listener,
            app,
            tls,
            info: EmulatorInfo {
                endpoint: format!("{scheme}://{shown_host}:{}", local_addr.port()),
                access_key,
                ca_certificate_pem: ca_pem,
                local_addr,
            },
        })
    }
}

impl BoundEmulator {
    /// Where it listens.
    pub fn info(&self) -> &EmulatorInfo {
        &self.info
    }

    pub(crate) fn events(&self) -> Arc<crate::events::EventLog> {
        self.app.events.clone()
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    continue;
                }
            };
            let app = self.app.clone();
            let tls = self.tls.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let app = app.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(
                            crate::router::handle(&app, request).await,
                        )
                    }
                });
                let http = hyper::server::conn::http1::Builder::new();
                let served = match tls {
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(stream) => http.serve_connection(TokioIo::new(stream), service).await,
                        Err(e) => {
                            tracing::debug!("TLS handshake with {peer} failed: {e}");
                            return;
                        }
                    },
                    None => http.serve_connection(TokioIo::new(stream), service).await,
                };
                if let Err(e) = served {
                    tracing::debug!("connection from {peer}: {e}");
                }
            });
        }
    }
}
