//! The service endpoint and the one kind of URL a request can carry.
//!
//! The rule this module enforces: a credential (bearer token, HMAC signature) goes only to the
//! client's endpoint — its scheme, host, port and path prefix. A request's URL is an
//! [`EndpointUrl`], which only [`Endpoint::url`] and [`PageLink::follow`] can make, and both
//! build it as the endpoint followed by a path: no string from outside (a server's `nextLink`, a
//! caller's continuation token) can become a request URL without going through them.

mod encode;
mod listing;
mod redact;

pub use encode::{encode_component, push_encoded};
pub use listing::PageLink;
pub(crate) use redact::redact_userinfo;

use crate::error::{Error, Result};
use std::fmt;
use url::Url;

/// A validated service endpoint, e.g. `https://contoso.communication.azure.com` or
/// `https://proxy.example/acs` (a path prefix is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// scheme://host[:port] without a trailing slash.
    origin: String,
    /// The path prefix without a trailing slash (empty for none).
    prefix: String,
    /// `origin` then `prefix`: what [`Endpoint::as_str`] lends.
    full: String,
}

/// An absolute URL on an [`Endpoint`]: the endpoint, then a path starting with `/` (and a
/// query). Only this module makes one, so a request's URL always names the endpoint's origin and
/// path prefix; [`Endpoint::owns`] tells which endpoint.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// The URL as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL without its query (what logs and spans show).
    pub fn without_query(&self) -> &str {
        self.0.split('?').next().unwrap_or_default()
    }
}

impl fmt::Display for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for EndpointUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for EndpointUrl {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for EndpointUrl {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl From<EndpointUrl> for String {
    fn from(url: EndpointUrl) -> String {
        url.0
    }
}

impl Endpoint {
    /// Parses an endpoint. A missing scheme means https. Plain `http://` is accepted only for
    /// loopback hosts, because tokens and keys would otherwise travel in clear text; see
    /// [`Endpoint::parse_with`] to allow it elsewhere.
    ///
    /// # Errors
    /// [`Error::InvalidEndpoint`] for an empty or unparsable endpoint, another scheme, or user
    /// info in the URL (never echoed in the error); [`Error::InsecureEndpoint`] for plain http to
    /// a host that is not loopback.
    pub fn parse(endpoint: &str) -> Result<Self> {
        Self::parse_with(endpoint, false)
    }

    /// Like [`Endpoint::parse`]; `allow_insecure_http` also accepts plain `http://` to a host that
    /// is not loopback (a bearer token or HMAC signature then crosses the network in clear text:
    /// for a test network only). `ClientOptions::allow_insecure_http` sets it for a client.
    ///
    /// # Errors
    /// As [`Endpoint::parse`], except that plain http is refused only without the opt-in.
    pub fn parse_with(endpoint: &str, allow_insecure_http: bool) -> Result<Self> {
        let trimmed = endpoint.trim();
        let invalid = |reason: &str| Error::InvalidEndpoint {
            // User info (`user:password@`) never goes into an error message.
            endpoint: redact_userinfo(trimmed),
            reason: reason.to_string(),
        };
        if trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_string()
        } else {
            format!("https://{trimmed}")
        };
        let url = Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("credentials in the URL are not supported"));
        }
        let host = url
            .host_str()
            .ok_or_else(|| invalid("it has no host"))?
            .to_string();
        match url.scheme() {
            "https" => {}
            "http" if allow_insecure_http || is_loopback(&host) => {}
            "http" => return Err(Error::InsecureEndpoint { host }),
            other => return Err(invalid(&format!("unsupported scheme `{other}`"))),
        }
        let origin = url.origin().ascii_serialization();
        let prefix = url.path().trim_end_matches('/').to_string();
        let full = format!("{origin}{prefix}");
        Ok(Endpoint {
            origin,
            prefix,
            full,
        })
    }

    /// The endpoint as a URL string without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// Builds `<endpoint><path>?<query>`. `path` is literal (encode ids with
    /// [`encode_component`]); a path that does not start with `/` gets one, so that nothing in
    /// it can be read as part of the host.
    pub fn url<V: AsRef<str>>(&self, path: &str, query: &[(&str, V)]) -> EndpointUrl {
        let mut url =
            String::with_capacity(self.origin.len() + self.prefix.len() + path.len() + 65);
        url.push_str(&self.origin);
        url.push_str(&self.prefix);
        if !path.starts_with('/') {
            url.push('/');
        }
        url.push_str(path);
        for (i, (name, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            push_encoded(&mut url, value.as_ref());
        }
        EndpointUrl(url)
    }

    /// Whether `url` is on this endpoint: its origin, then its path prefix, then `/`, `?` or the
    /// end. The pipeline checks this before it attaches a credential.
    pub fn owns(&self, url: &EndpointUrl) -> bool {
        let rest = url
            .0
            .strip_prefix(self.origin.as_str())
            .and_then(|rest| rest.strip_prefix(self.prefix.as_str()));
        matches!(rest, Some(rest) if rest.is_empty() || rest.starts_with(['/', '?']))
    }

    /// `scheme://host[:port]`, as the `url` crate serializes an origin.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// The path prefix without a trailing slash (empty for none).
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `<endpoint><path>?<query>` from parts already encoded (a path this crate encoded, a query
    /// the `url` crate serialized).
    pub(crate) fn url_from_parts(&self, path: &str, query: Option<&str>) -> EndpointUrl {
        let mut url = self.url::<&str>(path, &[]);
        if let Some(query) = query {
            url.0.push('?');
            url.0.push_str(query);
        }
        url
    }
}

/// Whether a host is loopback (`localhost`, `127.0.0.0/8`, `::1`).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_with_and_without_slash_or_prefix() {
        for e in [
            "https://h.example",
            "https://h.example/",
            "h.example",
            "h.example/",
        ] {
            let ep = Endpoint::parse(e).unwrap();
            assert_eq!(
                ep.url::<&str>("/chat/threads", &[]),
                "https://h.example/chat/threads"
            );
        }
        let ep = Endpoint::parse("https://proxy.example:8443/acs/").unwrap();
        assert_eq!(
            ep.url(&format!("/chat/threads/{}", encode_component("19:abc@thread.v2")), &[("api-version", "2025-03-15")]),
            "https://proxy.example:8443/acs/chat/threads/19%3Aabc%40thread.v2?api-version=2025-03-15"
        );
    }

    #[test]
    fn plain_http_only_for_loopback_unless_allowed() {
        assert!(Endpoint::parse("http://127.0.0.1:8080").is_ok());
        assert!(Endpoint::parse("http://localhost:8080/").is_ok());
        assert!(Endpoint::parse("http://[::1]:8080/").is_ok());
        assert!(matches!(
            Endpoint::parse("http://contoso.communication.azure.com"),
            Err(Error::InsecureEndpoint { .. })
        ));
        let allowed = Endpoint::parse_with("http://contoso.communication.azure.com", true).unwrap();
        assert_eq!(allowed.as_str(), "http://contoso.communication.azure.com");
        assert!(matches!(
            Endpoint::parse_with("ftp://x", true),
            Err(Error::InvalidEndpoint { .. })
        ));
        assert!(matches!(
            Endpoint::parse(""),
            Err(Error::InvalidEndpoint { .. })
        ));
    }

    #[test]
    fn a_password_in_an_endpoint_is_not_echoed() {
        for endpoint in [
            "https://user:hunter2-secret@h.example/",
            "http://user:hunter2-secret@h.example",
            "https://user:hunter2-secret@[bad/",
            "user:hunter2-secret@h.example",
        ] {
            let err = Endpoint::parse(endpoint).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("hunter2"), "{endpoint}: {shown}");
        }
    }

    #[test]
    fn a_path_cannot_move_the_url_off_the_endpoint() {
        let ep = Endpoint::parse("https://h.example").unwrap();
        let url = ep.url::<&str>("@evil.example/x", &[]);
        assert_eq!(url, "https://h.example/@evil.example/x");
        assert_eq!(
            Url::parse(url.as_str()).unwrap().host_str(),
            Some("h.example")
        );
        assert!(ep.owns(&url));
    }

    #[test]
    fn owns_checks_origin_and_prefix() {
        let ep = Endpoint::parse("https://h.example/acs").unwrap();
        let other_prefix = Endpoint::parse("https://h.example/acsx").unwrap();
        let other_port = Endpoint::parse("https://h.example:444/acs").unwrap();
        let url = ep.url::<&str>("/chat/threads", &[]);
        assert!(ep.owns(&url));
        assert!(!other_prefix.owns(&url));
        assert!(!other_port.owns(&url));
        assert!(!ep.owns(&other_prefix.url::<&str>("/chat/threads", &[])));
    }
}
