//! The service endpoint: validation, URL building with percent-encoded ids, nextLink resolution.

use crate::error::{Error, Result};
use url::Url;

/// Percent-encodes one path segment or query value: everything but RFC 3986 unreserved
/// characters, so `19:abc@thread.v2` becomes `19%3Aabc%40thread.v2` in a path segment and
/// `2024-01-01T00:00:00Z` keeps no raw `:` in a query.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_encoded(&mut out, s);
    out
}

/// Appends `s` percent-encoded to `out` (every request builds a URL: no formatter on this path).
pub fn push_encoded(out: &mut String, s: &str) {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    // Runs of unreserved bytes are copied whole and every other byte takes its `%XX` from a
    // table: a thread id (`19:...@thread.v2`, on every chat request) costs a few hundred
    // instructions instead of thousands through `percent_encoding`'s iterator.
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !unreserved(b) {
            if let Some(run) = s.get(start..i) {
                out.push_str(run);
            }
            let at = usize::from(b) * 3;
            out.push_str(ESCAPES.get(at..at + 3).unwrap_or("%3F"));
            start = i + 1;
        }
    }
    if let Some(run) = s.get(start..) {
        out.push_str(run);
    }
}

/// `%00%01...%FF`: the escape of byte `b` is `ESCAPES[3b..3b + 3]`.
const ESCAPES: &str = match std::str::from_utf8(&escape_table()) {
    Ok(table) => table,
    Err(_) => "",
};

const fn escape_table() -> [u8; 768] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [0u8; 768];
    let mut b = 0;
    while b < 256 {
        table[b * 3] = b'%';
        table[b * 3 + 1] = HEX[b >> 4];
        table[b * 3 + 2] = HEX[b & 0xf];
        b += 1;
    }
    table
}

/// A validated service endpoint, e.g. `https://contoso.communication.azure.com` or
/// `https://proxy.example/acs` (a path prefix is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// scheme://host[:port] without a trailing slash.
    origin: String,
    /// The path prefix without a trailing slash (empty for none).
    prefix: String,
}

impl Endpoint {
    /// Parses an endpoint. A missing scheme means https. Plain `http://` is accepted only for
    /// loopback hosts, because tokens and keys would otherwise travel in clear text.
    pub fn parse(endpoint: &str) -> Result<Self> {
        let trimmed = endpoint.trim();
        let invalid = |reason: &str| Error::InvalidEndpoint {
            endpoint: trimmed.to_string(),
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
        let host = url
            .host_str()
            .ok_or_else(|| invalid("it has no host"))?
            .to_string();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => return Err(Error::InsecureEndpoint { host }),
            other => return Err(invalid(&format!("unsupported scheme `{other}`"))),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("credentials in the URL are not supported"));
        }
        let origin = url.origin().ascii_serialization();
        let prefix = url.path().trim_end_matches('/').to_string();
        Ok(Endpoint { origin, prefix })
    }

    /// The endpoint as a URL string without a trailing slash.
    pub fn as_str(&self) -> String {
        format!("{}{}", self.origin, self.prefix)
    }

    /// Builds `<endpoint>/<path>?<query>`. `path` is literal; encode ids with [`encode_component`].
    pub fn url<V: AsRef<str>>(&self, path: &str, query: &[(&str, V)]) -> String {
        let mut url =
            String::with_capacity(self.origin.len() + self.prefix.len() + path.len() + 64);
        url.push_str(&self.origin);
        url.push_str(&self.prefix);
        url.push_str(path);
        for (i, (name, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            push_encoded(&mut url, value.as_ref());
        }
        url
    }

    /// Resolves a `nextLink`. An absolute link to this endpoint's origin is used as is; any other
    /// link (relative, or naming another host) is rebased onto this endpoint, so a token is never
    /// sent to a host the caller did not choose. `api-version` is added when the link lacks it.
    pub fn resolve_next_link(&self, link: &str, api_version: &str) -> Result<String> {
        let invalid = |reason: &str| Error::InvalidEndpoint {
            endpoint: link.to_string(),
            reason: format!("bad nextLink: {reason}"),
        };
        let mut url = match Url::parse(link) {
            Ok(url) if url.origin().ascii_serialization() == self.origin => url,
            Ok(url) => {
                let mut rebased =
                    Url::parse(&format!("{}{}{}", self.origin, self.prefix, url.path()))
                        .map_err(|e| invalid(&e.to_string()))?;
                rebased.set_query(url.query());
                rebased
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                let path = if link.starts_with('/') {
                    link.to_string()
                } else {
                    format!("/{link}")
                };
                Url::parse(&format!("{}{}{}", self.origin, self.prefix, path))
                    .map_err(|e| invalid(&e.to_string()))?
            }
            Err(e) => return Err(invalid(&e.to_string())),
        };
        if !url.query_pairs().any(|(k, _)| k == "api-version") {
            url.query_pairs_mut()
                .append_pair("api-version", api_version);
        }
        Ok(url.to_string())
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
    #[test]
    fn push_encoded_matches_percent_encoding_of_the_unreserved_set() {
        use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
        const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet: Vec<char> = "aZ09-._~:@/?#[]!$&'()*+,;= %\u{e9}\u{1f600}\u{0}"
            .chars()
            .collect();
        for _ in 0..2000 {
            let s: String = (0..rng.usize(0..24))
                .map(|_| alphabet[rng.usize(0..alphabet.len())])
                .collect();
            let mut ours = String::new();
            push_encoded(&mut ours, &s);
            assert_eq!(
                ours,
                utf8_percent_encode(&s, COMPONENT).to_string(),
                "{s:?}"
            );
        }
        assert_eq!(encode_component("19:abc@thread.v2"), "19%3Aabc%40thread.v2");
    }

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
    fn plain_http_only_for_loopback() {
        assert!(Endpoint::parse("http://127.0.0.1:8080").is_ok());
        assert!(Endpoint::parse("http://localhost:8080/").is_ok());
        assert!(Endpoint::parse("http://[::1]:8080/").is_ok());
        assert!(matches!(
            Endpoint::parse("http://contoso.communication.azure.com"),
            Err(Error::InsecureEndpoint { .. })
        ));
        assert!(matches!(
            Endpoint::parse("ftp://x"),
            Err(Error::InvalidEndpoint { .. })
        ));
        assert!(matches!(
            Endpoint::parse(""),
            Err(Error::InvalidEndpoint { .. })
        ));
    }

    #[test]
    fn next_links_stay_on_the_endpoint() {
        let ep = Endpoint::parse("https://h.example/acs").unwrap();
        assert_eq!(
            ep.resolve_next_link(
                "https://h.example/acs/chat/threads?skip=2&api-version=2024-03-07",
                "x"
            )
            .unwrap(),
            "https://h.example/acs/chat/threads?skip=2&api-version=2024-03-07"
        );
        assert_eq!(
            ep.resolve_next_link("/chat/threads?skip=2", "2025-03-15")
                .unwrap(),
            "https://h.example/acs/chat/threads?skip=2&api-version=2025-03-15"
        );
        assert_eq!(
            ep.resolve_next_link(
                "https://evil.example/chat/threads?skip=2&api-version=v",
                "x"
            )
            .unwrap(),
            "https://h.example/acs/chat/threads?skip=2&api-version=v"
        );
    }
}
