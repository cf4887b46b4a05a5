//! The reqwest transport: moves bytes, nothing else.

use acs_chat_core::http::SendError;
use acs_chat_core::{
    BoxError, ClientOptions, Error, HttpRequest, HttpResponse, Result, TransportErrorKind,
};
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Transport {
    client: reqwest::Client,
    options: ClientOptions,
    /// The client's own timeout: a per-request one is set only when shorter.
    timeout: Duration,
    /// The last URL sent, parsed: requests to one thread repeat their URL, and parsing it
    /// (with IDNA host processing) was the largest single cost reqwest spent on our behalf.
    last_url: std::sync::Mutex<Option<(String, reqwest::Url)>>,
}

impl Transport {
    pub(crate) fn new(options: &ClientOptions) -> Result<Self> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let extra = crate::facade::trust::extra_roots(options)?;
        for cert in extra.explicit {
            roots
                .add(cert)
                .map_err(|e| Error::Tls(format!("additional CA certificate: {e}")))?;
        }
        let (_added, ignored) = roots.add_parsable_certificates(extra.os);
        if ignored > 0 {
            tracing::debug!("{ignored} OS certificate(s) could not be used as trust anchors");
        }
        // ring, like the blocking facade: one crypto provider in the workspace.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let timeout = options.timeout.unwrap_or(ClientOptions::DEFAULT_TIMEOUT);
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| Error::Tls(e.to_string()))?;
        Ok(Transport {
            client,
            options: options.clone(),
            timeout,
            last_url: std::sync::Mutex::new(None),
        })
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
        let mut builder = self.client.request(method, self.parsed(&request.url)?);
        // A per-request timeout lives in the request's extensions (a map, allocated per
        // request): set it only when the budget left is shorter than the client's own.
        if timeout < self.timeout {
            builder = builder.timeout(timeout);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        for (name, value) in fixed {
            builder = builder.header(*name, *value);
        }
        for (name, value) in authorization {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &request.body {
            // `Bytes`: shared with the request, not copied.
            builder = builder.body(body.clone());
        }
        let mut response = builder.send().await.map_err(classify)?;
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
    fn parsed(&self, url: &str) -> Result<reqwest::Url, SendError> {
        let mut last = self
            .last_url
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((text, parsed)) = last.as_ref() {
            if text == url {
                return Ok(parsed.clone());
            }
        }
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| SendError::Transport(TransportErrorKind::Other, Box::new(e)))?;
        *last = Some((url.to_string(), parsed.clone()));
        Ok(parsed)
    }
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
