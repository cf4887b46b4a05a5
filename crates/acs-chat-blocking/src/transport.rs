//! The ureq transport: moves bytes, nothing else.

use acs_chat_core::{
    BoxError, ClientOptions, Error, HttpRequest, HttpResponse, Result, TransportErrorKind,
};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// Responses larger than this are refused (the largest ACS page is far below it).
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

pub(crate) struct Transport {
    agent: ureq::Agent,
}

impl Transport {
    pub(crate) fn new(options: &ClientOptions) -> Result<Self> {
        let mut tls = TlsConfig::builder();
        if !options.additional_ca_certificates_pem.is_empty() {
            let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()))
                .collect();
            for pem in &options.additional_ca_certificates_pem {
                let before = roots.len();
                for item in ureq::tls::parse_pem(pem.as_bytes()) {
                    match item {
                        Ok(PemItem::Certificate(cert)) => roots.push(cert),
                        Ok(_) => {}
                        Err(e) => {
                            return Err(Error::Tls(format!("additional CA certificate: {e}")))
                        }
                    }
                }
                if roots.len() == before {
                    return Err(Error::Tls(
                        "additional CA certificate: no PEM certificate found".into(),
                    ));
                }
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&roots));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(
                options.timeout.unwrap_or(ClientOptions::DEFAULT_TIMEOUT),
            ))
            .tls_config(tls.build())
            .build();
        Ok(Transport {
            agent: config.into(),
        })
    }

    pub(crate) fn send(
        &self,
        request: &HttpRequest,
    ) -> Result<HttpResponse, (TransportErrorKind, BoxError)> {
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let body = request.body.clone().unwrap_or_default();
        let http_request = builder
            .body(body)
            .map_err(|e| (TransportErrorKind::Other, Box::new(e) as BoxError))?;
        let mut response = self.agent.run(http_request).map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(classify)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

fn classify(error: ureq::Error) -> (TransportErrorKind, BoxError) {
    let kind = match &error {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            TransportErrorKind::Connect
        }
        _ => TransportErrorKind::Other,
    };
    (kind, Box::new(error))
}
