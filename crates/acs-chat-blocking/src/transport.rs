//! The ureq transport: moves bytes, nothing else.

use acs_chat_core::http::SendError;
use acs_chat_core::{
    BoxError, ClientOptions, HttpRequest, HttpResponse, RawWireLogging, Result, TransportErrorKind,
};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

pub(crate) struct Transport {
    agent: ureq::Agent,
    options: ClientOptions,
    /// Whether this client has said (once) that the raw byte dump is on.
    dump_reported: AtomicBool,
}

/// The `log` target of ureq-proto's byte dump (`ureq_proto::util::log_data`).
const UREQ_PROTO_DUMP: &str = "ureq_proto::util";

impl Transport {
    pub(crate) fn new(options: &ClientOptions) -> Result<Self> {
        // One root bundle (Mozilla's, as certificates) plus the caller's and the OS's roots,
        // always set explicitly: ureq's own `webpki-roots` bundle is not compiled in. ring, as
        // in the async facade: ureq gets the provider here rather than through its `rustls`
        // feature, which would also bring that second bundle.
        let extra = crate::facade::trust::extra_roots(options)?;
        let roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()))
            .chain(
                (extra.explicit.iter().chain(&extra.os))
                    .map(|der| Certificate::from_der(der).to_owned()),
            )
            .collect();
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::new_with_certs(&roots))
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()));
        let config = ureq::Agent::config_builder()
            // Ours, resolved in core like the async facade's: ureq's own reading of the
            // environment is off, so both facades read the same variables the same way.
            .proxy(proxy(options)?)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(
                options.timeout.unwrap_or(ClientOptions::DEFAULT_TIMEOUT),
            ))
            .tls_config(tls.build())
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            crate::resolver::CachingResolver::default(),
        );
        Ok(Transport::on_agent(agent, options))
    }

    /// A transport on the caller's agent (see `Transport::from_agent`).
    fn on_agent(agent: ureq::Agent, options: &ClientOptions) -> Self {
        Transport {
            agent,
            options: options.clone(),
            dump_reported: AtomicBool::new(false),
        }
    }

    /// Sends one attempt; `timeout` bounds it from connect to the last body byte.
    pub(crate) fn send(
        &self,
        request: &HttpRequest,
        fixed: &[(&'static str, &str)],
        authorization: &[(&'static str, String)],
        timeout: Duration,
    ) -> Result<HttpResponse, SendError> {
        // ureq-proto logs every byte it writes (a hex dump, Authorization included) at this
        // target and level, with no switch to turn it off. Fail closed: never send a credential
        // where the application's logger would record it.
        if log::log_enabled!(target: UREQ_PROTO_DUMP, log::Level::Trace) {
            let first = !self.dump_reported.swap(true, Ordering::Relaxed);
            match self.options.raw_wire_logging {
                RawWireLogging::Allow => {
                    if first {
                        tracing::warn!(target: "acs_chat_blocking", "the log target `{UREQ_PROTO_DUMP}` is enabled at TRACE and ClientOptions::raw_wire_logging is Allow: raw requests, credentials included, are being logged");
                    }
                }
                _ => {
                    if first {
                        tracing::error!(target: "acs_chat_blocking", "not sending: the log target `{UREQ_PROTO_DUMP}` is enabled at TRACE and would record raw requests, credentials included; filter it out (e.g. RUST_LOG=trace,ureq_proto=debug), or set ClientOptions::raw_wire_logging to Allow for a debugging session with throwaway credentials");
                    }
                    return Err(SendError::SecretsWouldBeLogged(UREQ_PROTO_DUMP));
                }
            }
        }
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        for (name, value) in fixed {
            builder = builder.header(*name, *value);
        }
        for (name, value) in authorization {
            builder = builder.header(*name, value);
        }
        // Borrowed: the body is not copied per attempt.
        let body: &[u8] = request.body.as_deref().unwrap_or_default();
        let http_request = builder
            .body(body)
            .map_err(|e| SendError::Transport(TransportErrorKind::Other, Box::new(e)))?;
        let http_request = self
            .agent
            .configure_request(http_request)
            .timeout_global(Some(timeout))
            // Also on an agent the caller configured: statuses are the SDK's to read, and a
            // redirect is never followed with the credential.
            .http_status_as_error(false)
            .max_redirects(0)
            .build();
        let mut response = self.agent.run(http_request).map_err(classify)?;
        let status = response.status().as_u16();
        let headers = acs_chat_core::http::response_headers(
            response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_bytes())),
        );
        let declared_length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let (limit, truncate) = self.options.body_limit(status);
        if !truncate && declared_length.is_some_and(|n| n > limit) {
            return Err(SendError::TooLarge(limit));
        }
        let body = if truncate {
            // Error bodies: read to the cap and cut, one byte past it telling "at" from "over".
            let mut body = Vec::new();
            response
                .body_mut()
                .with_config()
                .limit(u64::MAX)
                .reader()
                .take(limit.saturating_add(1))
                .read_to_end(&mut body)
                .map_err(classify_io)?;
            body.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            body
        } else {
            // Success bodies: ureq's own reader, sized from content-length, refuses past the cap.
            match response.body_mut().with_config().limit(limit).read_to_vec() {
                Ok(body) => body,
                Err(ureq::Error::BodyExceedsLimit(_)) => return Err(SendError::TooLarge(limit)),
                Err(e) => return Err(classify(e)),
            }
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// The proxy of `options` as ureq's (`None`: direct).
fn proxy(options: &ClientOptions) -> Result<Option<ureq::Proxy>> {
    let Some(url) = crate::facade::transport::proxy_of(options)? else {
        return Ok(None);
    };
    let mut proxy = ureq::Proxy::builder(ureq::ProxyProtocol::Http)
        .host(url.host())
        .port(url.port());
    if let Some(user) = url.username() {
        proxy = proxy.username(user);
    }
    if let Some(password) = url.password() {
        proxy = proxy.password(password);
    }
    if !url.proxy_loopback {
        // ureq matches the request's host exactly, as a `prefix.` or as a `.suffix`.
        for host in ["localhost", "127.", "[::1]", "::1"] {
            proxy = proxy.no_proxy(host);
        }
    }
    for host in &url.no_proxy {
        proxy = proxy.no_proxy(host);
    }
    // The builder's only failure is a URL it cannot form; its error holds no credential.
    proxy
        .build()
        .map(Some)
        .map_err(|e| acs_chat_core::Error::invalid_argument("ClientOptions::proxy", e.to_string()))
}

fn classify_io(error: std::io::Error) -> SendError {
    // ureq reports its own errors (timeouts among them) wrapped in io::Error while reading.
    match error.downcast::<ureq::Error>() {
        Ok(inner) => classify(inner),
        Err(io) => {
            let kind = match io.kind() {
                std::io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
                _ => TransportErrorKind::Other,
            };
            SendError::Transport(kind, Box::new(io))
        }
    }
}

fn classify(error: ureq::Error) -> SendError {
    let kind = match &error {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            TransportErrorKind::Connect
        }
        _ => TransportErrorKind::Other,
    };
    SendError::Transport(kind, Box::new(error) as BoxError)
}

impl crate::Transport {
    /// A transport on your own ureq agent: its TLS configuration, proxy, timeouts, connection
    /// pool and resolver instead of the ones `Transport::new` builds. Statuses are read as
    /// answers and redirects are not followed, whatever the agent says; `options` gives the
    /// response body cap and `raw_wire_logging` (its other transport settings are the agent's).
    ///
    /// ```no_run
    /// let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    /// let transport = acs_chat_blocking::Transport::from_agent(agent, &Default::default());
    /// # let _ = transport;
    /// ```
    pub fn from_agent(agent: ureq::Agent, options: &ClientOptions) -> Self {
        crate::Transport::from_engine(Transport::on_agent(agent, options))
    }
}
