//! The reqwest transport: moves bytes, nothing else.

use acs_chat_core::http::SendError;
use acs_chat_core::{
    BoxError, ClientOptions, Error, HttpRequest, HttpResponse, Result, TransportErrorKind,
};
use reqwest::header::{HeaderName, HeaderValue, HOST};
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Transport {
    client: reqwest::Client,
    options: ClientOptions,
    /// The client's own timeout: a per-request one is set only when shorter.
    timeout: Duration,
    /// The last URL sent, parsed, with its `Host` header: requests to one thread repeat their
    /// URL, and parsing it (with IDNA host processing) was the largest single cost reqwest
    /// spent on our behalf; hyper formats `Host` per request unless it is set.
    last_url: std::sync::Mutex<Option<ParsedUrl>>,
}

#[derive(Clone)]
struct ParsedUrl {
    text: String,
    url: reqwest::Url,
    host: Option<HeaderValue>,
}

impl Transport {
    pub(crate) fn new(options: &ClientOptions) -> Result<Self> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let extra = crate::facade::trust::extra_roots(options)?;
        for cert in extra.explicit {
            roots
                .add(cert)
                .map_err(|e| Error::tls("adding an additional CA certificate", e))?;
        }
        let (_added, ignored) = roots.add_parsable_certificates(extra.os);
        if ignored > 0 {
            tracing::debug!("{ignored} OS certificate(s) could not be used as trust anchors");
        }
        // ring, like the blocking facade: one crypto provider in the workspace.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::tls("choosing the TLS protocol versions", e))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let timeout = options.timeout.unwrap_or(ClientOptions::DEFAULT_TIMEOUT);
        let builder = match proxy(options)? {
            Some(proxy) => reqwest::Client::builder().proxy(proxy),
            // Ours, resolved in core like the blocking facade's: reqwest's own reading of the
            // environment is off, so both facades read the same variables the same way.
            None => reqwest::Client::builder().no_proxy(),
        };
        let client = builder
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            // The pipeline owns retries (and knows which requests may be repeated); reqwest's
            // own layer would also copy every request (headers, URI, extensions) in case.
            .retry(reqwest::retry::never().max_retries_per_request(0))
            .timeout(timeout)
            .build()
            .map_err(|e| Error::tls("building the HTTP client", e))?;
        Ok(Transport {
            client,
            options: options.clone(),
            timeout,
            last_url: std::sync::Mutex::new(None),
        })
    }

    /// A transport on the caller's client (see `Transport::from_client`).
    fn on_client(client: reqwest::Client, options: &ClientOptions) -> Self {
        Transport {
            client,
            options: options.clone(),
            // The client's own timeout is the caller's: a per-request one is always set (every
            // attempt's is shorter than this).
            timeout: Duration::MAX,
            last_url: std::sync::Mutex::new(None),
        }
    }

    /// Sends one attempt; `timeout` bounds it from connect to the last body byte.
    pub(crate) async fn send(
        &self,
        request: &HttpRequest,
        fixed: &[(&'static str, &str)],
        authorization: &[(&'static str, String)],
        timeout: Duration,
    ) -> Result<HttpResponse, SendError> {
        let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
            .map_err(|e| SendError::Transport(TransportErrorKind::Other, Box::new(e)))?;
        let parsed = self.parsed(request.url.as_str())?;
        // A request built in place: the builder moved itself (a few hundred bytes) per header.
        let mut outgoing = reqwest::Request::new(method, parsed.url);
        // A per-request timeout lives in the request's extensions (a map, allocated per
        // request): set it only when the budget left is shorter than the client's own.
        if timeout < self.timeout {
            *outgoing.timeout_mut() = Some(timeout);
        }
        let headers = outgoing.headers_mut();
        // Room for `Host` and the `Accept` reqwest adds: growing the map rehashes it.
        headers.reserve(request.headers.len() + fixed.len() + authorization.len() + 2);
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(invalid_header)?;
            headers.append(name, HeaderValue::from_str(value).map_err(invalid_header)?);
        }
        for (name, value) in fixed {
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).map_err(invalid_header)?,
            );
        }
        for (name, value) in authorization {
            let mut value = HeaderValue::from_str(value).map_err(invalid_header)?;
            // Kept out of `Debug` output and HPACK tables.
            value.set_sensitive(true);
            headers.append(HeaderName::from_static(name), value);
        }
        if let Some(host) = parsed.host {
            headers.insert(HOST, host);
        }
        if let Some(body) = &request.body {
            // `Bytes`: shared with the request, not copied.
            *outgoing.body_mut() = Some(body.clone().into());
        }
        let mut response = self.client.execute(outgoing).await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = acs_chat_core::http::response_headers(
            response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_bytes())),
        );
        let (limit, truncate) = self.options.body_limit(status);
        if !truncate && response.content_length().is_some_and(|n| n > limit) {
            return Err(SendError::TooLarge(limit));
        }
        // A declared length within the cap is read in one go (hyper enforces the length);
        // otherwise chunk by chunk, so that an oversized body never sits in memory whole.
        if response.content_length().is_some_and(|n| n <= limit) {
            let body = response.bytes().await.map_err(classify)?;
            return Ok(HttpResponse {
                status,
                headers,
                body: Vec::from(body),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let room = (limit as usize).saturating_sub(body.len());
            if chunk.len() > room {
                if !truncate {
                    return Err(SendError::TooLarge(limit));
                }
                body.extend_from_slice(&chunk[..room]);
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Transport {
    /// `url` parsed, from the one-entry cache when it is the last URL sent.
    fn parsed(&self, url: &str) -> Result<ParsedUrl, SendError> {
        let mut last = self
            .last_url
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(parsed) = last.as_ref() {
            if parsed.text == url {
                return Ok(parsed.clone());
            }
        }
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| SendError::Transport(TransportErrorKind::Other, Box::new(e)))?;
        let parsed = ParsedUrl {
            text: url.to_string(),
            host: host_header(url),
            url: parsed,
        };
        *last = Some(parsed.clone());
        Ok(parsed)
    }
}

/// The `Host` header for `url` (core's rule, the one hyper and the HMAC signature use too);
/// `None` leaves it to hyper.
fn host_header(url: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&acs_chat_core::http::host_header(url)?).ok()
}

fn invalid_header(error: impl std::error::Error + Send + Sync + 'static) -> SendError {
    SendError::Transport(TransportErrorKind::Other, Box::new(error))
}

/// The proxy of `options` as reqwest's (`None`: direct).
fn proxy(options: &ClientOptions) -> Result<Option<reqwest::Proxy>> {
    let Some(url) = crate::facade::transport::proxy_of(options)? else {
        return Ok(None);
    };
    let refused =
        |e: reqwest::Error| Error::invalid_argument("ClientOptions::proxy", e.to_string());
    let mut proxy =
        reqwest::Proxy::all(format!("http://{}:{}", url.host(), url.port())).map_err(refused)?;
    if let Some(user) = url.username() {
        proxy = proxy.basic_auth(user, url.password().unwrap_or_default());
    }
    let mut direct = url.no_proxy.clone();
    if !url.proxy_loopback {
        direct.extend(["localhost", "127.0.0.0/8", "::1"].map(String::from));
    }
    Ok(Some(proxy.no_proxy(reqwest::NoProxy::from_string(
        &direct.join(","),
    ))))
}

fn classify(error: reqwest::Error) -> SendError {
    let kind = if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Other
    };
    SendError::Transport(kind, Box::new(error) as BoxError)
}

impl crate::Transport {
    /// A transport on your own reqwest client: its TLS configuration, proxy, timeouts and
    /// connection pool instead of the ones `Transport::new` builds. Configure it not to follow
    /// redirects (`redirect::Policy::none()`), as `Transport::new` does; `options` gives the
    /// response body cap (its other transport settings are the client's).
    ///
    /// ```no_run
    /// let transport = acs_chat_async::Transport::from_client(reqwest::Client::new(), &Default::default());
    /// # let _ = transport;
    /// ```
    pub fn from_client(client: reqwest::Client, options: &ClientOptions) -> Self {
        crate::Transport::from_engine(Transport::on_client(client, options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_header_is_the_one_hyper_would_send() {
        for (url, host) in [
            (
                "https://contoso.communication.azure.com/chat",
                "contoso.communication.azure.com",
            ),
            (
                "https://contoso.communication.azure.com:443/chat",
                "contoso.communication.azure.com",
            ),
            (
                "https://127.0.0.1:8443/chat/threads?api-version=1",
                "127.0.0.1:8443",
            ),
            ("http://localhost:80/", "localhost"),
            ("http://localhost:443/", "localhost:443"),
            ("https://[::1]:9000/x", "[::1]:9000"),
            ("https://[::1]/x", "[::1]"),
        ] {
            let parsed = reqwest::Url::parse(url).unwrap();
            let reqwest_view = match parsed.port() {
                Some(port) => format!("{}:{port}", parsed.host_str().unwrap()),
                None => parsed.host_str().unwrap().to_string(),
            };
            assert_eq!(reqwest_view, host, "{url}");
            assert_eq!(host_header(url).unwrap(), host, "{url}");
        }
        // Core refuses an endpoint with a non-ASCII host (no IDNA in core), so no request URL has
        // one; if one did, hyper would write the Host header itself.
        assert_eq!(host_header("https://ÄÖ.example/x"), None);
    }
}
