//! One HTTP/1.1 request to a webhook on a fresh connection, `http://` or `https://` (rustls, the
//! public CAs plus the ones configured), every step bounded in time and size.

use crate::events::target::Target;
use http_body_util::BodyExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io;
use std::sync::Arc;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A webhook answer: status, headers, body (at most [`MAX_ANSWER_BYTES`]).
pub(crate) type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// The longest a webhook may take to answer, as on Event Grid.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// The most of an answer's body that is read (a validation answer is a few dozen bytes).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The webhook took longer than [`ANSWER_TIMEOUT`] (Event Grid's outcome `TimedOut`).
#[derive(Debug)]
pub(crate) struct AnswerTimeout;

impl std::fmt::Display for AnswerTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the webhook did not answer within {ANSWER_TIMEOUT:?}")
    }
}

impl std::error::Error for AnswerTimeout {}

/// The TLS trust shared by every subscription.
pub(crate) struct WebhookClient {
    tls: tokio_rustls::TlsConnector,
}

impl WebhookClient {
    /// Trusts the public CAs (webpki-roots) and every certificate in `extra_ca_pems`.
    pub(crate) fn new(extra_ca_pems: &[String]) -> io::Result<Self> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for pem in extra_ca_pems {
            let mut found = false;
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("a webhook CA is not valid PEM: {e}"),
                    )
                })?;
                roots.add(cert).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("a webhook CA certificate is not usable: {e}"),
                    )
                })?;
                found = true;
            }
            if !found {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a webhook CA holds no certificate",
                ));
            }
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(WebhookClient {
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        })
    }

    /// One request; the whole exchange is bounded by 30 s.
    pub(crate) async fn send(
        &self,
        target: &Target,
        method: &str,
        headers: &[(&str, &str)],
        body: bytes::Bytes,
    ) -> Result<Answer, BoxError> {
        tokio::time::timeout(ANSWER_TIMEOUT, self.exchange(target, method, headers, body))
            .await
            .map_err(|_| Box::new(AnswerTimeout) as BoxError)?
    }

    async fn exchange(
        &self,
        target: &Target,
        method: &str,
        headers: &[(&str, &str)],
        body: bytes::Bytes,
    ) -> Result<Answer, BoxError> {
        let stream = tokio::net::TcpStream::connect((target.host.as_str(), target.port)).await?;
        let _ = stream.set_nodelay(true);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(target.path.as_str())
            .header("host", target.authority.as_str());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(http_body_util::Full::new(body))?;
        if target.https {
            let name = ServerName::try_from(target.host.clone())?;
            let stream = self.tls.connect(name, stream).await?;
            Self::over(stream, request).await
        } else {
            Self::over(stream, request).await
        }
    }

    async fn over<S>(
        stream: S,
        request: hyper::Request<http_body_util::Full<bytes::Bytes>>,
    ) -> Result<Answer, BoxError>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        let connection = tokio::spawn(connection);
        let response = sender.send_request(request).await;
        let outcome = async {
            let response = response?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect();
            let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await?
                .to_bytes()
                .to_vec();
            Ok::<_, BoxError>((status, headers, body))
        }
        .await;
        connection.abort();
        outcome
    }
}
