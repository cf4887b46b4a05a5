//! A small, strict parser for the only URLs this crate reads: `http`/`https` URLs (an endpoint, a
//! request URL this crate built, a server's `nextLink` or a caller's continuation token).
//!
//! It replaces the `url` crate (and with it IDNA and ICU). Where `url` follows the WHATWG URL
//! standard's error recovery, this parser refuses instead, because these URLs decide where a
//! credential goes and a spelling that two parsers read differently is a risk:
//! - `\` is refused before the query (`url` reads it as `/` in http(s) URLs);
//! - tab, CR and LF are refused anywhere (`url` silently deletes them), as are spaces and other
//!   control characters in the scheme and authority;
//! - the scheme must be followed by `//` (`url` reads `https:h.example` and `https:/h.example`);
//! - a host is a DNS name of ASCII letters, digits, `-`, `_` and `.` (no empty label, one
//!   trailing `.` allowed), a dotted-quad IPv4 address or an IPv6 address in brackets: no
//!   percent-encoding, no non-ASCII name (`url` would map it to punycode through IDNA: write the
//!   `xn--` form), no shortened or hexadecimal IPv4 (`127.1`, `0x7f.1`);
//! - a port is 1 to 65535 (`url` also takes 0 and an empty port).
//!
//! What it keeps from `url`: the scheme and a DNS host are lowercased, an IPv4 or IPv6 host is
//! serialized as `url` serializes it, and the scheme's default port is dropped.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// `http` or `https`, the only schemes a request goes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Why a URL was refused. Its text is an error's reason: it never repeats user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// No `scheme:` at the start.
    NoScheme,
    /// A scheme other than http(s); the name is lowercase and made of scheme characters only.
    UnsupportedScheme(String),
    /// The scheme is not followed by `//`.
    NoAuthority,
    /// A `\` before the query.
    Backslash,
    /// A tab, CR or LF anywhere, or a space or control character in the scheme or authority.
    SpaceOrControl,
    /// `user:password@` where it is refused.
    Credentials,
    /// An empty host.
    NoHost,
    /// A `%` in the host.
    PercentInHost,
    /// A host with characters beyond ASCII.
    NonAsciiHost,
    /// A host with an ASCII character that no host name has.
    HostCharacter(char),
    /// A host with an empty label (`a..b`, `.a`).
    EmptyLabel,
    /// A host that ends in a number but is not a dotted-quad IPv4 address.
    Ipv4,
    /// A bracketed host that is not an IPv6 address, or text after its `]`.
    Ipv6,
    /// A port that is not a number from 1 to 65535.
    Port,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::NoScheme => f.write_str("it is not an absolute http(s) URL"),
            UrlError::UnsupportedScheme(scheme) => write!(f, "unsupported scheme `{scheme}`"),
            UrlError::NoAuthority => f.write_str("its scheme is not followed by `//` and a host"),
            UrlError::Backslash => f.write_str(
                "it contains a backslash (`\\`), which URL parsers read differently: write `/`",
            ),
            UrlError::SpaceOrControl => {
                f.write_str("it contains a space, tab, line break or other control character")
            }
            UrlError::Credentials => f.write_str("credentials in the URL are not supported"),
            UrlError::NoHost => f.write_str("it has no host"),
            UrlError::PercentInHost => {
                f.write_str("its host is percent-encoded (`%`): write the host name plainly")
            }
            UrlError::NonAsciiHost => f.write_str(
                "its host is not ASCII: write an internationalized host name in its punycode \
                 form (`xn--...`, as DNS stores it)",
            ),
            UrlError::HostCharacter(c) => {
                write!(f, "its host contains `{c}`, which no host name has")
            }
            UrlError::EmptyLabel => f.write_str("its host has an empty label (`..` or a leading `.`)"),
            UrlError::Ipv4 => f.write_str(
                "its host ends in a number but is not an IPv4 address in dotted-quad form (a.b.c.d)",
            ),
            UrlError::Ipv6 => f.write_str("its host is not an IPv6 address in brackets (`[::1]`)"),
            UrlError::Port => f.write_str("its port is not a number from 1 to 65535"),
        }
    }
}

/// Whether user info (`user:password@`) before the host is an error or is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserInfo {
    Refuse,
    Ignore,
}

/// The host and port of a URL, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authority {
    /// A lowercase DNS name, a dotted-quad IPv4 address, or an IPv6 address in brackets.
    pub(crate) host: String,
    /// The port, `None` when absent or the scheme's default.
    pub(crate) port: Option<u16>,
}

impl Authority {
    /// `host[:port]`: what a `Host` header says.
    pub(crate) fn host_and_port(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }
}

/// An absolute http(s) URL split into its parts. The path and query are as written (the caller
/// checks or encodes them); the fragment is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AbsoluteUrl<'a> {
    pub(crate) scheme: Scheme,
    pub(crate) authority: Authority,
    /// Empty or starting with `/`.
    pub(crate) path: &'a str,
    /// After the `?`, before any `#`.
    pub(crate) query: Option<&'a str>,
}

impl AbsoluteUrl<'_> {
    /// `scheme://host[:port]`, as the `url` crate serializes an origin.
    pub(crate) fn origin(&self) -> String {
        format!(
            "{}://{}",
            self.scheme.as_str(),
            self.authority.host_and_port()
        )
    }
}

/// Parses `scheme://[userinfo@]host[:port][/path][?query][#fragment]`.
pub(crate) fn parse_absolute(s: &str, user_info: UserInfo) -> Result<AbsoluteUrl<'_>, UrlError> {
    check_separators(s)?;
    let (scheme, rest) = split_scheme(s).ok_or(UrlError::NoScheme)?;
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        Scheme::Https
    } else if scheme.eq_ignore_ascii_case("http") {
        Scheme::Http
    } else {
        return Err(UrlError::UnsupportedScheme(scheme.to_ascii_lowercase()));
    };
    let rest = rest.strip_prefix("//").ok_or(UrlError::NoAuthority)?;
    let (authority, path, query) = split_after_slashes(rest, scheme, user_info)?;
    Ok(AbsoluteUrl {
        scheme,
        authority,
        path,
        query,
    })
}

/// Where a link leads once resolved against a base URL: its path (as written, or the base's
/// directory joined with a relative path) and its query. Scheme, user info, host, port and
/// fragment are checked and dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved<'a> {
    pub(crate) path: std::borrow::Cow<'a, str>,
    pub(crate) query: Option<&'a str>,
}

/// Resolves `link` (an absolute http(s) URL, `//host/path`, `/path`, `path`, `?query` or
/// `#fragment`) against a base URL whose path is `base_dir` (ending in `/`), as RFC 3986
/// resolves a reference, without removing dot segments (the caller refuses them).
pub(crate) fn resolve<'a>(link: &'a str, base_dir: &str) -> Result<Resolved<'a>, UrlError> {
    check_separators(link)?;
    let (path, query) = if split_scheme(link).is_some() {
        let url = parse_absolute(link, UserInfo::Ignore)?;
        (url.path, url.query)
    } else if let Some(rest) = link.strip_prefix("//") {
        // A network-path reference: the base's scheme (it does not matter which, the port is
        // checked but not kept).
        let (_, path, query) = split_after_slashes(rest, Scheme::Https, UserInfo::Ignore)?;
        (path, query)
    } else {
        let (path, query) = split_path_and_query(link);
        if path.starts_with('/') {
            (path, query)
        } else if path.is_empty() {
            // `?query`, `#fragment`: the base's path.
            return Ok(Resolved {
                path: base_dir.to_string().into(),
                query,
            });
        } else {
            return Ok(Resolved {
                path: format!("{base_dir}{path}").into(),
                query,
            });
        }
    };
    Ok(Resolved {
        path: if path.is_empty() { "/" } else { path }.into(),
        query,
    })
}

/// Tab, CR and LF are refused anywhere, and `\` before the query.
fn check_separators(s: &str) -> Result<(), UrlError> {
    if s.contains(['\t', '\n', '\r']) {
        return Err(UrlError::SpaceOrControl);
    }
    let hierarchical = s.split(['?', '#']).next().unwrap_or_default();
    if hierarchical.contains('\\') {
        return Err(UrlError::Backslash);
    }
    Ok(())
}

/// `(scheme, rest after ':')` when `s` starts with an RFC 3986 scheme (a letter, then letters,
/// digits, `+`, `-`, `.`) and a `:`.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    let mut bytes = scheme.bytes();
    let first_is_letter = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    (first_is_letter && rest_ok).then_some((scheme, rest))
}

/// Splits what follows `//`: the authority (up to `/`, `?` or `#`), then the path and query.
fn split_after_slashes(
    rest: &str,
    scheme: Scheme,
    user_info: UserInfo,
) -> Result<(Authority, &str, Option<&str>), UrlError> {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at_checked(end).unwrap_or((rest, ""));
    let authority = parse_authority(authority, scheme, user_info)?;
    let (path, query) = split_path_and_query(tail);
    Ok((authority, path, query))
}

/// `(path, query)` of `path[?query][#fragment]`.
fn split_path_and_query(s: &str) -> (&str, Option<&str>) {
    let s = s.split('#').next().unwrap_or_default();
    match s.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (s, None),
    }
}

fn parse_authority(
    authority: &str,
    scheme: Scheme,
    user_info: UserInfo,
) -> Result<Authority, UrlError> {
    let host_and_port = match authority.rsplit_once('@') {
        Some(_) if user_info == UserInfo::Refuse => return Err(UrlError::Credentials),
        Some((_, host_and_port)) => host_and_port,
        None => authority,
    };
    let (host, port) = if host_and_port.starts_with('[') {
        let (literal, after) = host_and_port.split_once(']').ok_or(UrlError::Ipv6)?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':').ok_or(UrlError::Ipv6)?),
        };
        let address: Ipv6Addr = literal
            .strip_prefix('[')
            .unwrap_or(literal)
            .parse()
            .map_err(|_| UrlError::Ipv6)?;
        (format!("[{}]", Ipv6Display(address)), port)
    } else {
        let (host, port) = match host_and_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_and_port, None),
        };
        (parse_host(host)?, port)
    };
    let port = match port {
        None => None,
        Some(port) => Some(parse_port(port)?).filter(|&port| port != scheme.default_port()),
    };
    Ok(Authority { host, port })
}

/// A DNS name (lowercased) or a dotted-quad IPv4 address.
fn parse_host(host: &str) -> Result<String, UrlError> {
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    if host.contains('%') {
        return Err(UrlError::PercentInHost);
    }
    if !host.is_ascii() {
        return Err(UrlError::NonAsciiHost);
    }
    if let Some(c) = host
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(if c == ' ' || c.is_ascii_control() {
            UrlError::SpaceOrControl
        } else {
            UrlError::HostCharacter(c)
        });
    }
    // One trailing dot (a fully qualified name) is kept, as `url` keeps it.
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.split('.').any(str::is_empty) {
        return Err(UrlError::EmptyLabel);
    }
    // A host whose last label is a number is an IPv4 address or nothing (as in the URL
    // standard); only the dotted-quad form is accepted.
    let last = name.rsplit('.').next().unwrap_or_default();
    let hex = last
        .strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex || last.bytes().all(|b| b.is_ascii_digit()) {
        let address: Ipv4Addr = name.parse().map_err(|_| UrlError::Ipv4)?;
        return Ok(address.to_string());
    }
    Ok(host.to_ascii_lowercase())
}

fn parse_port(port: &str) -> Result<u16, UrlError> {
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::Port);
    }
    // Leading zeros are allowed (as `url` allows them); the value is 1..=65535.
    let digits = port.trim_start_matches('0');
    match digits.parse::<u16>() {
        Ok(port) if port != 0 && digits.len() <= 5 => Ok(port),
        _ => Err(UrlError::Port),
    }
}

/// An IPv6 address as the URL standard serializes it (and the `url` crate did): lowercase hex,
/// the first longest run of two or more zero pieces as `::`, and never the dotted IPv4 tail that
/// `Ipv6Addr`'s own `Display` writes for `::ffff:a.b.c.d`.
struct Ipv6Display(Ipv6Addr);

impl fmt::Display for Ipv6Display {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pieces = self.0.segments();
        // The first longest run of zero pieces, if it has two or more.
        let (mut best, mut run) = ((0, 0), None::<usize>);
        for i in 0..=pieces.len() {
            match (pieces.get(i), run) {
                (Some(0), None) => run = Some(i),
                (Some(0), Some(_)) => {}
                (_, Some(start)) => {
                    if i - start > best.1 - best.0 {
                        best = (start, i);
                    }
                    run = None;
                }
                (_, None) => {}
            }
        }
        let compress = (best.1 - best.0 >= 2).then_some(best);
        let mut i = 0;
        while i < pieces.len() {
            if let Some((start, end)) = compress.filter(|&(start, _)| start == i) {
                f.write_str(if start == 0 { "::" } else { ":" })?;
                i = end;
                continue;
            }
            write!(f, "{:x}", pieces.get(i).copied().unwrap_or_default())?;
            if i + 1 < pieces.len() {
                f.write_str(":")?;
            }
            i += 1;
        }
        Ok(())
    }
}

/// Whether a path has a `.` or `..` segment, also written `%2e` (which `url` would have removed
/// with the segment before it).
pub(crate) fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
        decoded == b"." || decoded == b".."
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Result<(String, String, Option<String>), UrlError> {
        parse_absolute(s, UserInfo::Refuse).map(|url| {
            (
                url.origin(),
                url.path.to_string(),
                url.query.map(str::to_string),
            )
        })
    }

    #[test]
    fn hosts_ports_and_schemes_are_normalised_as_url_did() {
        for (input, origin, path) in [
            ("https://a.example", "https://a.example", ""),
            ("HTTPS://A.Example/P", "https://a.example", "/P"),
            ("https://a.example:443/", "https://a.example", "/"),
            ("http://a.example:80", "http://a.example", ""),
            ("http://a.example:443", "http://a.example:443", ""),
            ("https://a.example:00443", "https://a.example", ""),
            ("https://a.example:8443/x", "https://a.example:8443", "/x"),
            ("https://[::1]:8443/p/", "https://[::1]:8443", "/p/"),
            ("https://[0:0:0:0:0:0:0:1]", "https://[::1]", ""),
            ("https://[::FFFF:127.0.0.1]", "https://[::ffff:7f00:1]", ""),
            ("https://[1:0:0:2:0:0:0:3]", "https://[1:0:0:2::3]", ""),
            ("https://[1:0:2:3:4:5:6:7]", "https://[1:0:2:3:4:5:6:7]", ""),
            ("https://[::]", "https://[::]", ""),
            ("https://[1::]", "https://[1::]", ""),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080", ""),
            ("https://1.2.3.4.", "https://1.2.3.4", ""),
            ("https://h.example.", "https://h.example.", ""),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
                "",
            ),
            ("https://my_host", "https://my_host", ""),
            ("https://a.example?x=1#f", "https://a.example", ""),
        ] {
            let (o, p, _) = parts(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((o.as_str(), p.as_str()), (origin, path), "{input}");
        }
        assert_eq!(
            parts("https://a.example/p?x=1&y#frag")
                .unwrap()
                .2
                .as_deref(),
            Some("x=1&y")
        );
    }

    #[test]
    fn tricky_urls_are_refused_with_a_reason() {
        use UrlError::*;
        for (input, error) in [
            ("https://a.example@b.example", Credentials),
            ("https://u:p@b.example", Credentials),
            ("https://a.example\\@b.example", Backslash),
            ("https:\\\\a.example", Backslash),
            ("https://a.example\\x", Backslash),
            ("https://a.example:0", Port),
            ("https://a.example:65536", Port),
            ("https://a.example:99999999999999999999", Port),
            ("https://a.example:", Port),
            ("https://a.example:abc", Port),
            ("https://a.example:+1", Port),
            ("https://a.example:1:2", Port),
            ("https://a.ex\tample", SpaceOrControl),
            ("https://a.example/x\ny", SpaceOrControl),
            ("https://a.example/?x=\r", SpaceOrControl),
            ("https://ex ample.com", SpaceOrControl),
            ("https://ex\u{0}ample.com", SpaceOrControl),
            ("https://bücher.example", NonAsciiHost),
            ("https://%65vil.example", PercentInHost),
            ("https://", NoHost),
            ("https:///x", NoHost),
            ("https://:443", NoHost),
            ("https:a.example", NoAuthority),
            ("https:/a.example", NoAuthority),
            ("ftp://a.example", UnsupportedScheme("ftp".into())),
            ("FTP://a.example", UnsupportedScheme("ftp".into())),
            ("a.example", NoScheme),
            ("1http://a.example", NoScheme),
            ("https://a..example", EmptyLabel),
            ("https://.a.example", EmptyLabel),
            ("https://.", EmptyLabel),
            ("https://a.example..", EmptyLabel),
            ("https://a!.example", HostCharacter('!')),
            ("https://a.example;x", HostCharacter(';')),
            ("https://127.1", Ipv4),
            ("https://0x7f.1", Ipv4),
            ("https://127.0.0.01", Ipv4),
            ("https://256.0.0.1", Ipv4),
            ("https://a.123", Ipv4),
            ("https://[::1", Ipv6),
            ("https://[::1]x", Ipv6),
            ("https://[::g]", Ipv6),
            ("https://[127.0.0.1]", Ipv6),
            ("https://[::1]:0", Port),
        ] {
            assert_eq!(parts(input), Err(error), "{input}");
        }
        // A zone id is not an address (nor does `url` take one).
        assert_eq!(
            parse_absolute("https://[fe80::1%25eth0]", UserInfo::Refuse).unwrap_err(),
            Ipv6
        );
    }

    #[test]
    fn user_info_is_skipped_where_asked_and_never_shown() {
        let url = parse_absolute("https://u:hunter2@a.example:8443/x", UserInfo::Ignore).unwrap();
        assert_eq!(url.origin(), "https://a.example:8443");
        let err = parse_absolute("https://u:hunter2@a.example/x", UserInfo::Refuse).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        // The last `@` ends the user info, as in `url`.
        let url = parse_absolute("https://a@b@c.example/", UserInfo::Ignore).unwrap();
        assert_eq!(url.authority.host, "c.example");
        // `#` and `?` end the authority: what follows is never the host.
        for (input, host) in [
            ("https://a.example#@b.example", "a.example"),
            ("https://a.example?@b.example", "a.example"),
            ("https://a.example/@b.example", "a.example"),
        ] {
            let url = parse_absolute(input, UserInfo::Refuse).unwrap();
            assert_eq!(url.authority.host, host, "{input}");
        }
    }

    #[test]
    fn links_resolve_as_rfc_3986_references() {
        for (link, path, query) in [
            ("https://x.example/a/b?q=1#f", "/a/b", Some("q=1")),
            ("https://x.example", "/", None),
            ("https://x.example?q", "/", Some("q")),
            ("//x.example/a?q", "/a", Some("q")),
            ("/chat/threads?q", "/chat/threads", Some("q")),
            ("chat/threads?q", "/acs/chat/threads", Some("q")),
            ("?skipToken=1", "/acs/", Some("skipToken=1")),
            ("#f", "/acs/", None),
            (
                "19:a@thread.v2/messages",
                "/acs/19:a@thread.v2/messages",
                None,
            ),
            ("/a?x=\\y", "/a", Some("x=\\y")),
        ] {
            let resolved = resolve(link, "/acs/").unwrap_or_else(|e| panic!("{link}: {e}"));
            assert_eq!(
                (resolved.path.as_ref(), resolved.query),
                (path, query),
                "{link}"
            );
        }
        for link in [
            "data:text/plain,x",
            "javascript:alert(1)",
            "https:x",
            "\\\\evil.example/a",
            "/a\\b",
            "///a",
            "//%65vil.example/a",
            "/a\tb",
        ] {
            assert!(resolve(link, "/acs/").is_err(), "{link}");
        }
    }

    #[test]
    fn dot_segments_are_found_also_encoded() {
        for path in [
            "/a/../b",
            "/./a",
            "/a/..",
            "/a/%2e%2E/b",
            "/a/.%2e",
            "/a/%2e",
        ] {
            assert!(has_dot_segment(path), "{path}");
        }
        for path in ["/a/b", "/a/.b/..c", "/a/...", "", "/"] {
            assert!(!has_dot_segment(path), "{path}");
        }
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = fastrand::Rng::with_seed(0x0a11);
        let alphabet: Vec<char> = "aZ09-._~:/?#[]@!$&'()*+,;=% \\\t\u{0}\u{7f}é"
            .chars()
            .collect();
        for _ in 0..20_000 {
            let tail: String = (0..rng.usize(0..24))
                .map(|_| alphabet[rng.usize(0..alphabet.len())])
                .collect();
            let printable: String = (0..rng.usize(0..24))
                .map(|_| char::from(rng.u8(0..128)))
                .collect();
            for s in [
                format!("https://{tail}"),
                format!("http://[{tail}"),
                tail.clone(),
                printable.clone(),
                format!("https://{printable}"),
            ] {
                let _ = parse_absolute(&s, UserInfo::Refuse);
                let _ = parse_absolute(&s, UserInfo::Ignore);
                let _ = resolve(&s, "/p/");
                let _ = has_dot_segment(&s);
            }
        }
    }
}
