//! Connection strings and HMAC-SHA256 request signing for access-key authentication.

use crate::credential::Secret;
use crate::error::{ConnectionStringProblem, Error, Result};
use crate::http::HttpRequest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::SystemTime;

/// An ACS resource access key (base64), never shown by `Debug`.
#[derive(Clone)]
pub struct AccessKey {
    key: Vec<u8>,
}

impl AccessKey {
    /// Decodes a base64 access key.
    pub fn new(base64_key: &str) -> Result<Self> {
        let key = STANDARD.decode(base64_key.trim()).map_err(|_| {
            Error::invalid_connection_string(ConnectionStringProblem::AccessKeyNotBase64)
        })?;
        if key.is_empty() {
            return Err(Error::invalid_connection_string(
                ConnectionStringProblem::AccessKeyEmpty,
            ));
        }
        Ok(AccessKey { key })
    }

    /// Base64 HMAC-SHA256 of `message` under this key.
    pub fn sign(&self, message: &str) -> String {
        // HMAC accepts keys of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(message.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(<redacted>)")
    }
}

/// A parsed connection string `endpoint=https://...;accesskey=...`.
#[derive(Clone)]
pub struct ConnectionString {
    /// The endpoint, as written.
    pub endpoint: String,
    /// The access key.
    pub access_key: AccessKey,
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .finish()
    }
}

impl ConnectionString {
    /// Parses `endpoint=...;accesskey=...`: keys case-insensitive, any order, blanks ignored.
    pub fn parse(s: &str) -> Result<Self> {
        let mut endpoint = None;
        let mut key = None;
        for (index, part) in s
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            // Never quote the segment: it may be (part of) the access key.
            let (name, value) = part.split_once('=').ok_or_else(|| {
                Error::invalid_connection_string(ConnectionStringProblem::NotKeyValue(index + 1))
            })?;
            match name.trim().to_ascii_lowercase().as_str() {
                "endpoint" => endpoint = Some(value.trim().to_string()),
                "accesskey" => key = Some(Secret::new(value.trim())),
                _ => {}
            }
        }
        let endpoint =
            endpoint
                .filter(|e| !e.is_empty())
                .ok_or(Error::invalid_connection_string(
                    ConnectionStringProblem::MissingEndpoint,
                ))?;
        let key =
            key.filter(|k| !k.expose().is_empty())
                .ok_or(Error::invalid_connection_string(
                    ConnectionStringProblem::MissingAccessKey,
                ))?;
        Ok(ConnectionString {
            endpoint,
            access_key: AccessKey::new(key.expose())?,
        })
    }
}

/// Base64 SHA-256 of a body, as sent in `x-ms-content-sha256`.
pub fn content_hash(body: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(body))
}

/// The string the service signs: `VERB\npath?query\ndate;host;hash`.
pub fn string_to_sign(
    method: &str,
    path_and_query: &str,
    date: &str,
    host: &str,
    hash: &str,
) -> String {
    format!("{method}\n{path_and_query}\n{date};{host};{hash}")
}

/// Adds `x-ms-date`, `x-ms-content-sha256` and the HMAC `Authorization` header to a request.
pub fn sign_request(request: &mut HttpRequest, key: &AccessKey, now: SystemTime) -> Result<()> {
    for (name, value) in signature_headers(request, key, now)? {
        request.set_header(name, value);
    }
    Ok(())
}

/// The headers that sign `request` at `now`: `x-ms-date`, `x-ms-content-sha256` and the HMAC
/// `Authorization`, for a transport to send with the request (which stays unchanged).
pub fn signature_headers(
    request: &HttpRequest,
    key: &AccessKey,
    now: SystemTime,
) -> Result<Vec<(&'static str, String)>> {
    let (host, path_and_query) = request.url.host_and_path_and_query()?;
    let date = httpdate::fmt_http_date(now);
    let hash = content_hash(request.body.as_deref().unwrap_or_default());
    let signature = key.sign(&string_to_sign(
        request.method.as_str(),
        &path_and_query,
        &date,
        &host,
        &hash,
    ));
    Ok(vec![
        ("x-ms-date", date),
        ("x-ms-content-sha256", hash),
        (
            "authorization",
            format!(
                "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
            ),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    #[test]
    fn worked_vector_from_the_rest_notes() {
        let key = AccessKey::new("aGVsbG8td29ybGQtc2VjcmV0LWtleQ==").unwrap();
        let body = br#"{"createTokenWithScopes":["chat"]}"#;
        let hash = content_hash(body);
        assert_eq!(hash, "WTRvgEjjVd+bvyKw3WgXgDkU81aV8FWq+4/BE+he0+A=");
        let sts = string_to_sign(
            "POST",
            "/identities?api-version=2023-10-01",
            "Wed, 27 Nov 2024 06:51:00 GMT",
            "contoso.communication.azure.com",
            &hash,
        );
        assert_eq!(
            key.sign(&sts),
            "ksdBMkgoh4NWS1MW5JZtbLWikjxEpJliHZFjfD6VVKA="
        );
        assert_eq!(
            content_hash(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );

        let mut request = HttpRequest::new(
            "test",
            Method::Post,
            crate::Endpoint::parse("https://contoso.communication.azure.com")
                .unwrap()
                .url("/identities", &[("api-version", "2023-10-01")]),
            201,
        );
        request.body = Some(body.to_vec().into());
        let when = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_732_690_260);
        sign_request(&mut request, &key, when).unwrap();
        assert_eq!(
            request.header("x-ms-date"),
            Some("Wed, 27 Nov 2024 06:51:00 GMT")
        );
        assert!(request
            .header("authorization")
            .unwrap()
            .ends_with("&Signature=ksdBMkgoh4NWS1MW5JZtbLWikjxEpJliHZFjfD6VVKA="));

        // `{:?}` of the signed request shows no signature, no content hash and no caller header
        // value; the SDK's own harmless headers stay readable.
        request.set_header("x-caller-secret", "caller-secret-value".to_string());
        let shown = format!("{request:?}");
        for hidden in [
            "ksdBMkgoh4NWS1MW5JZtbLWikjxEpJliHZFjfD6VVKA=",
            "HMAC-SHA256",
            "WTRvgEjjVd+bvyKw3WgXgDkU81aV8FWq+4/BE+he0+A=",
            "caller-secret-value",
        ] {
            assert!(!shown.contains(hidden), "{hidden} in {shown}");
        }
        for kept in [
            "(\"authorization\", \"<redacted>\")",
            "(\"x-caller-secret\", \"<redacted>\")",
            "(\"x-ms-date\", \"Wed, 27 Nov 2024 06:51:00 GMT\")",
        ] {
            assert!(shown.contains(kept), "{kept} not in {shown}");
        }
    }

    #[test]
    fn connection_strings() {
        let cs = ConnectionString::parse(
            "AccessKey=aGVsbG8=; Endpoint=https://x.communication.azure.com/",
        )
        .unwrap();
        assert_eq!(cs.endpoint, "https://x.communication.azure.com/");
        for (input, want) in [
            ("endpoint=https://x/", "`accesskey=` is missing"),
            ("accesskey=aGVsbG8=", "`endpoint=` is missing"),
            (
                "endpoint=https://x/;accesskey=not base64!",
                "not valid base64",
            ),
            ("garbage", "not of the form"),
            ("", "`endpoint=` is missing"),
        ] {
            let err = ConnectionString::parse(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input}: {err}");
        }
        let secret = "c2VjcmV0LWtleS1kby1ub3QtcHJpbnQ=";
        let cs =
            ConnectionString::parse(&format!("endpoint=https://x/;accesskey={secret}")).unwrap();
        assert!(!format!("{cs:?}").contains(secret));
    }
}
