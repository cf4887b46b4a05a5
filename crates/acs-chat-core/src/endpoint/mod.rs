//! The service endpoint and the one kind of URL a request can carry.
//!
//! The rule this module enforces: a credential (bearer token, HMAC signature) goes only to the
//! client's endpoint — its scheme, host, port and path prefix. A request's URL is an
//! [`EndpointUrl`], which only [`Endpoint::url`] and [`PageLink::follow`] can make, and both
//! build it as the endpoint followed by a path: no string from outside (a server's `nextLink`, a
//! caller's continuation token) can become a request URL without going through them.

mod encode;
mod listing;
mod parse;
mod redact;

pub(crate) use encode::push_escaping;
pub use encode::{encode_component, push_encoded};
pub use listing::PageLink;
pub(crate) use redact::redact_userinfo;

use crate::error::{Error, Result};
use parse::{parse_absolute, UserInfo};
use std::fmt;

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

    /// `(host[:port], path?query)`: what the HMAC signature covers. The port is left out when it
    /// is the scheme's default, and an empty path is `/`.
    pub(crate) fn host_and_path_and_query(&self) -> Result<(String, String)> {
        let url =
            parse_absolute(&self.0, UserInfo::Refuse).map_err(|e| Error::InvalidEndpoint {
                endpoint: redact_userinfo(self.without_query()),
                reason: e.to_string(),
            })?;
        let path = if url.path.is_empty() { "/" } else { url.path };
        let path_and_query = match url.query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_string(),
        };
        Ok((url.authority.host_and_port(), path_and_query))
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
    /// The host is a DNS name of ASCII letters, digits, `-`, `_` and `.`, a dotted-quad IPv4
    /// address or an IPv6 address in brackets; it is lowercased, and the scheme's default port is
    /// dropped. An internationalized host name must be written in its punycode form
    /// (`xn--bcher-kva.example`, not `bücher.example`). The path becomes a prefix of every request
    /// path (without its trailing `/`); a query or fragment is ignored.
    ///
    /// # Errors
    /// [`Error::InvalidEndpoint`] for an empty or unparsable endpoint, another scheme, user info
    /// in the URL (never echoed in the error), a non-ASCII or percent-encoded host, a port outside
    /// 1..=65535, a space, control character or `\` anywhere, or a path with `.`/`..` segments or
    /// characters that need percent-encoding; [`Error::InsecureEndpoint`] for plain http to a host
    /// that is not loopback.
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
        // Anywhere, the query and fragment included: `url` deleted tabs and line breaks silently.
        if trimmed.contains(|c: char| c == ' ' || c.is_control()) {
            return Err(invalid(
                "it contains a space, tab, line break or other control character",
            ));
        }
        // Anywhere too (the parser refuses it only before the query, which an endpoint ignores).
        if trimmed.contains('\\') {
            return Err(invalid(&parse::UrlError::Backslash.to_string()));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_string()
        } else {
            format!("https://{trimmed}")
        };
        let url =
            parse_absolute(&with_scheme, UserInfo::Refuse).map_err(|e| invalid(&e.to_string()))?;
        check_prefix(url.path).map_err(invalid)?;
        let host = url.authority.host.clone();
        match url.scheme {
            parse::Scheme::Https => {}
            parse::Scheme::Http if allow_insecure_http || is_loopback(&host) => {}
            parse::Scheme::Http => return Err(Error::InsecureEndpoint { host }),
        }
        let origin = url.origin();
        let prefix = url.path.trim_end_matches('/').to_string();
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

    /// `scheme://host[:port]`: lowercase, without the scheme's default port.
    #[cfg(test)]
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// The path prefix without a trailing slash (empty for none).
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `<endpoint><path>?<query>` from parts already encoded (a path this crate encoded, a query
    /// [`PageLink::follow`] encoded).
    pub(crate) fn url_from_parts(&self, path: &str, query: Option<&str>) -> EndpointUrl {
        let mut url = self.url::<&str>(path, &[]);
        if let Some(query) = query {
            url.0.push('?');
            url.0.push_str(query);
        }
        url
    }
}

/// The `Host` header of a request to `url` (see [`crate::http::host_header`]).
pub(crate) fn host_header(url: &str) -> Option<String> {
    parse_absolute(url, UserInfo::Ignore)
        .ok()
        .map(|url| url.authority.host_and_port())
}

/// Why an endpoint's path cannot be its prefix: it must be written as it is sent, without dot
/// segments (which `url` removed) and with every character outside RFC 3986's path characters
/// percent-encoded (which `url` did for some of them).
fn check_prefix(path: &str) -> std::result::Result<(), &'static str> {
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let allowed = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        let escape = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if !allowed && !escape {
            return Err(if b == b'%' {
                "its path has a `%` that does not start a percent-encoded byte (`%XX`)"
            } else {
                "its path has a character that a URL path cannot hold as it is: percent-encode it"
            });
        }
    }
    if parse::has_dot_segment(path) {
        return Err("its path has a `.` or `..` segment: write the path without it");
    }
    Ok(())
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
            parse_absolute(url.as_str(), UserInfo::Refuse)
                .unwrap()
                .authority
                .host,
            "h.example"
        );
        assert_eq!(
            url::Url::parse(url.as_str()).unwrap().host_str(),
            Some("h.example")
        );
        assert!(ep.owns(&url));
    }

    #[test]
    fn what_is_signed_is_what_the_url_crate_gave() {
        for (endpoint, path) in [
            ("https://contoso.communication.azure.com", "/chat/threads"),
            (
                "https://Contoso.Example:443/acs/",
                "/chat/threads/19%3Aa%40thread.v2?api-version=1",
            ),
            ("https://[::1]:8443/p", "/x?a=1&b=%20"),
            ("http://127.0.0.1:80", "/identities?api-version=2023-10-01"),
            ("http://localhost:8080", "@evil.example/x"),
            ("https://h.example", ""),
        ] {
            let url = Endpoint::parse(endpoint).unwrap().url::<&str>(path, &[]);
            let (host, path_and_query) = url.host_and_path_and_query().unwrap();
            let theirs = url::Url::parse(url.as_str()).unwrap();
            let their_host = match theirs.port() {
                Some(port) => format!("{}:{port}", theirs.host_str().unwrap()),
                None => theirs.host_str().unwrap().to_string(),
            };
            let their_path = match theirs.query() {
                Some(q) => format!("{}?{q}", theirs.path()),
                None => theirs.path().to_string(),
            };
            assert_eq!((host, path_and_query), (their_host, their_path), "{url}");
        }
    }

    fn reason(endpoint: &str) -> String {
        match Endpoint::parse(endpoint) {
            Err(Error::InvalidEndpoint { reason, .. }) => reason,
            other => panic!("{endpoint}: {other:?}"),
        }
    }

    #[test]
    fn tricky_endpoints() {
        for (endpoint, origin, prefix) in [
            ("https://[::1]:8443/p/", "https://[::1]:8443", "/p"),
            ("HTTPS://A.EXAMPLE/Prefix", "https://a.example", "/Prefix"),
            ("https://a.example:443", "https://a.example", ""),
            ("https://a.example:8443", "https://a.example:8443", ""),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080", ""),
            ("http://localhost", "http://localhost", ""),
            ("http://LOCALHOST:80/", "http://localhost", ""),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
                "",
            ),
            ("https://a.example/prefix/", "https://a.example", "/prefix"),
            (
                "https://a.example/pre%20fix",
                "https://a.example",
                "/pre%20fix",
            ),
            (
                "https://a.example/a:b@c;d=e",
                "https://a.example",
                "/a:b@c;d=e",
            ),
            ("https://a.example//", "https://a.example", ""),
            // A query or fragment is ignored (as `Url::path` ignored them).
            ("https://a.example?x=1", "https://a.example", ""),
            ("https://a.example#frag", "https://a.example", ""),
            ("https://a.example/p?x=1#frag", "https://a.example", "/p"),
            ("  a.example:8443/acs  ", "https://a.example:8443", "/acs"),
        ] {
            let ep = Endpoint::parse(endpoint).unwrap_or_else(|e| panic!("{endpoint}: {e}"));
            assert_eq!((ep.origin(), ep.prefix()), (origin, prefix), "{endpoint}");
            assert_eq!(ep.as_str(), format!("{origin}{prefix}"));
        }
        for (endpoint, says) in [
            (
                "https://a.example@b.example",
                "credentials in the URL are not supported",
            ),
            ("https://a.example\\@b.example", "backslash"),
            ("https:\\\\a.example", "backslash"),
            ("https://a.example\\acs", "backslash"),
            ("https://a.example/acs?x=\\", "backslash"),
            ("https://a.example:0", "port"),
            ("https://a.example:65536", "port"),
            ("https://a.example:abc", "port"),
            ("https://a.example:", "port"),
            ("https://a.ex\tample", "control character"),
            ("https://a.example/a\ncs", "control character"),
            ("https://a.example/?x=\r&y", "control character"),
            ("https://ex ample.com", "space"),
            ("https://bücher.example", "punycode"),
            ("https://bücher.example", "xn--"),
            ("https://%65vil.example", "percent-encoded"),
            ("https://", "it has no host"),
            ("https://:8443", "it has no host"),
            ("ftp://a.example", "unsupported scheme `ftp`"),
            ("https://a.example/a/../b", "`..` segment"),
            ("https://a.example/./b", "`..` segment"),
            ("https://a.example/%2e%2E/b", "`..` segment"),
            ("https://a.example/pre fix", "space"),
            ("https://a.example/pre\"fix", "percent-encode it"),
            ("https://a.example/{x}", "percent-encode it"),
            ("https://a.example/é", "percent-encode it"),
            ("https://a.example/%zz", "`%XX`"),
            ("https://127.1", "IPv4"),
            ("https://[::1", "IPv6"),
        ] {
            let reason = reason(endpoint);
            assert!(reason.contains(says), "{endpoint}: {reason}");
        }
    }

    /// Wherever this crate accepts an endpoint, the `url` crate (the parser it replaced)
    /// accepts it too and gives the same origin and prefix.
    #[test]
    fn accepted_endpoints_mean_what_they_meant_with_the_url_crate() {
        let pieces: &[&[&str]] = &[
            &[
                "https://",
                "http://",
                "HTTPS://",
                "",
                "ftp://",
                "https:",
                "https:/",
                "https:\\\\",
            ],
            &["", "u@", "u:p@", "@"],
            &[
                "h.example",
                "H.Example",
                "localhost",
                "127.0.0.1",
                "[::1]",
                "[::FFFF:1.2.3.4]",
                "[1:0:0:2:0:0:0:3]",
                "h.example.",
                "xn--bcher-kva.example",
                "bücher.example",
                "%68.example",
                "127.1",
                "0x7f.0.0.1",
                "a..b",
                "",
                "h_1.example",
                "1.2.3.4.",
                "a.123",
                "h.example\\",
                "[::1]x",
            ],
            &[
                "", ":443", ":80", ":8443", ":0", ":", ":65535", ":65536", ":00443", ":x",
            ],
            &[
                "", "/", "/acs", "/acs/", "/a/../b", "/%2e/x", "/a%20b", "/a b", "/{x}", "/é",
                "//", "/a:b@c", "/a\\b", "/%zz",
            ],
            &["", "?x=1", "#f", "?x=\t", "?é"],
        ];
        let mut rng = fastrand::Rng::with_seed(0xe9d);
        let mut accepted = 0;
        for _ in 0..20_000 {
            let endpoint: String = pieces
                .iter()
                .map(|choices| choices[rng.usize(..choices.len())])
                .collect();
            let Ok(ours) = Endpoint::parse_with(&endpoint, true) else {
                continue;
            };
            accepted += 1;
            let with_scheme = if endpoint.contains("://") {
                endpoint.clone()
            } else {
                format!("https://{endpoint}")
            };
            let theirs = url::Url::parse(&with_scheme).unwrap();
            assert_eq!(
                ours.origin(),
                theirs.origin().ascii_serialization(),
                "{endpoint}"
            );
            assert_eq!(
                ours.prefix(),
                theirs.path().trim_end_matches('/'),
                "{endpoint}"
            );
        }
        assert!(accepted > 200, "{accepted}");
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
