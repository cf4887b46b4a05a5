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
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout.unwrap_or(ClientOptions::DEFAULT_TIMEOUT))
            .build()
            .map_err(|e| Error::Tls(e.to_string()))?;
        Ok(Transport {
            client,
            options: options.clone(),
        })
    }

    /// Sends one attempt; `timeout` bounds it from connect to the last body byte.
    pub(crate) async fn send(
        &self,
        request: &HttpRequest,
        authorization: &[(&'static str, String)],
        timeout: Duration,
    ) -> Result<HttpResponse, SendError> {
        let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
            .map_err(|e| SendError::Transport(TransportErrorKind::Other, Box::new(e)))?;
        let mut builder = self.client.request(method, &request.url).timeout(timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
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
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| acs_chat_core::http::header_pair(n.as_str(), v.as_bytes()))
            .collect();
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
