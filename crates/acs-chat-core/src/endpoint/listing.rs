//! Page links: the URL of one page of one listing, and the one way a link from outside (a
//! server's `nextLink`, a caller's continuation token) becomes one.

use super::parse::{has_dot_segment, resolve};
use super::{push_encoded, push_escaping, Endpoint, EndpointUrl};
use crate::error::{ContinuationTokenProblem, Error, Result};
use percent_encoding::percent_decode_str;
use std::sync::Arc;

/// One listing: its operation, endpoint, route and api-version. Shared by all its page links.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listing {
    operation: &'static str,
    endpoint: Endpoint,
    /// The listing's path after the endpoint's prefix, as this crate encoded it.
    route: String,
    api_version: String,
}

/// The URL of one page of one listing. Page one comes from a request builder
/// (`ChatRequests::list_messages`, …); every later page from [`PageLink::follow`], which admits a
/// link only for the same listing on the same endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    listing: Arc<Listing>,
    url: EndpointUrl,
}

impl PageLink {
    /// Page one of the listing at `route` (a path after the endpoint, ids encoded); `url` is
    /// `route` on `endpoint` with the first page's query.
    pub(crate) fn first(
        operation: &'static str,
        endpoint: &Endpoint,
        route: String,
        api_version: &str,
        url: EndpointUrl,
    ) -> Self {
        PageLink {
            listing: Arc::new(Listing {
                operation,
                endpoint: endpoint.clone(),
                route,
                api_version: api_version.to_string(),
            }),
            url,
        }
    }

    /// The SDK operation of the listing, e.g. `ChatThreadClient.list_messages`.
    pub fn operation(&self) -> &'static str {
        self.listing.operation
    }

    /// The page's URL.
    pub fn url(&self) -> &EndpointUrl {
        &self.url
    }

    /// The same page, its requests and errors named after `operation` (a lookup inside another
    /// operation).
    pub fn for_operation(mut self, operation: &'static str) -> Self {
        Arc::make_mut(&mut self.listing).operation = operation;
        self
    }

    /// Another page of the same listing, from a `nextLink` or a saved continuation token. The
    /// result is always the listing's own route on the endpoint with the link's query (and
    /// `api-version` added when the link lacks it): the link's scheme, user info, host, port and
    /// fragment are never used. A link to another origin or without the endpoint's path prefix is
    /// rebased when its path names this listing.
    ///
    /// A relative link resolves against the endpoint (with its prefix) as a URL reference does. An
    /// absolute link's host must be well formed (see [`Endpoint::parse`]) although it is not
    /// used; the link's query is kept, percent-encoding what a request line cannot carry as it is.
    ///
    /// # Errors
    /// [`Error::InvalidContinuationToken`] when `link` is not a URL (a `\` before the query, a
    /// tab or line break, a malformed host or port, `.`/`..` path segments, a scheme other than
    /// http(s)) or names another listing (another route, another thread).
    pub fn follow(&self, link: &str) -> Result<PageLink> {
        let listing = &self.listing;
        let endpoint = &listing.endpoint;
        let refused = |problem| Error::InvalidContinuationToken {
            operation: listing.operation,
            problem,
        };
        let link = link.trim();
        if link.is_empty() {
            return Err(refused(ContinuationTokenProblem::NotAUrl));
        }
        // Relative links resolve against the endpoint; what they resolve to is checked like any.
        let resolved = resolve(link, &format!("{}/", endpoint.prefix()))
            .map_err(|_| refused(ContinuationTokenProblem::NotAUrl))?;
        // Dot segments are not removed (a path means what it spells, or it is refused).
        if has_dot_segment(&resolved.path) {
            return Err(refused(ContinuationTokenProblem::NotAUrl));
        }
        // Encoded as `url` encoded a path: the comparison below decodes, and the text shows in
        // the error.
        let mut path = String::with_capacity(resolved.path.len());
        push_escaping(&mut path, &resolved.path, escape_in_path);
        let path = path.trim_end_matches('/');
        // With the endpoint's prefix or without it (a service behind a proxy links to its own
        // host, without the proxy's prefix): either way the rest must be this listing's route.
        let route = path
            .strip_prefix(endpoint.prefix())
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(path);
        if !same_path(route, &listing.route) {
            return Err(refused(ContinuationTokenProblem::OtherListing {
                expected: listing.route.clone(),
                found: route.chars().take(200).collect(),
            }));
        }
        let mut escaped = String::new();
        if let Some(raw) = resolved.query {
            push_escaping(&mut escaped, raw, escape_in_query);
        }
        // Every page is asked for with this client's api-version: a token saved by a client of
        // another version (or a link the service wrote for one) does not pin an old one.
        let mut query: String = escaped
            .split('&')
            .filter(|pair| !pair.is_empty() && !is_api_version(pair))
            .collect::<Vec<_>>()
            .join("&");
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("api-version=");
        push_encoded(&mut query, &listing.api_version);
        Ok(PageLink {
            listing: listing.clone(),
            url: endpoint.url_from_parts(&listing.route, Some(&query)),
        })
    }
}

/// The bytes `url` percent-encoded in a path: controls, space, `"`, `#`, `<`, `>`, `?`, `` ` ``,
/// `{`, `}` and every byte of a non-ASCII character.
fn escape_in_path(b: u8) -> bool {
    b <= b' ' || b >= 0x7f || matches!(b, b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}')
}

/// The bytes a query in a request line cannot carry as they are: what `url` percent-encoded in
/// an http(s) URL's query (controls, space, `"`, `#`, `'`, `<`, `>`, every byte of a non-ASCII
/// character), and `` ` ``, `{` and `}` (which `url` kept, and RFC 3986 does not allow).
fn escape_in_query(b: u8) -> bool {
    b <= b' ' || b >= 0x7f || matches!(b, b'"' | b'#' | b'\'' | b'<' | b'>' | b'`' | b'{' | b'}')
}

/// Whether a query pair is an `api-version` parameter: its name, percent-decoded, is
/// `api-version` (as `application/x-www-form-urlencoded` reads it).
fn is_api_version(pair: &str) -> bool {
    let name = pair.split_once('=').map_or(pair, |(name, _)| name);
    percent_decode_str(name).eq("api-version".bytes())
}

/// Whether two paths name the same resource: the same segments once percent-decoded (the
/// service may write `19:a@thread.v2` where this crate writes `19%3Aa%40thread.v2`).
fn same_path(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.split('/'), b.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if percent_decode_str(x).eq(percent_decode_str(y)) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::ChatRequests;

    const THREAD: &str = "19:abc@thread.v2";

    fn messages(endpoint: &str) -> PageLink {
        ChatRequests::new(Endpoint::parse(endpoint).unwrap(), None)
            .list_messages(THREAD, &Default::default())
            .unwrap()
    }

    #[test]
    fn the_service_own_links_are_kept() {
        let first = messages("https://h.example/acs");
        let next = first
            .follow("https://h.example/acs/chat/threads/19:abc@thread.v2/messages?syncState=x&api-version=2024-03-07#frag")
            .unwrap();
        assert_eq!(
            *next.url(),
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages?syncState=x&api-version=2025-03-15"
        );
        assert_eq!(next.operation(), "ChatThreadClient.list_messages");
        let relative = first
            .follow("/chat/threads/19%3Aabc%40thread.v2/messages?skip=2")
            .unwrap();
        assert_eq!(
            *relative.url(),
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages?skip=2&api-version=2025-03-15"
        );
    }

    #[test]
    fn links_to_other_origins_are_rebased_or_refused() {
        let first = messages("https://h.example/acs");
        let route = "/chat/threads/19%3Aabc%40thread.v2/messages?skip=2";
        for foreign in [
            "http://evil.example",
            "https://evil.example",
            "https://user@evil.example",
            "https://h.example@evil.example",
            "https://h.example:pw@evil.example",
            "//evil.example",
            "https://EVIL.example",
            "https://[::1]",
            "https://[::ffff:127.0.0.1]:8443",
            "https://h.example.",
            "https://h.example:444",
            "http://h.example",
        ] {
            let link = format!("{foreign}{route}");
            let next = first.follow(&link).unwrap();
            assert_eq!(
                *next.url(),
                "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages?skip=2&api-version=2025-03-15",
                "{link}"
            );
        }
        for refused in [
            "https://h.example/other/chat/threads/19%3Aabc%40thread.v2/messages",
            "https://h.example/acs/../other/acs/chat/threads/19%3Aabc%40thread.v2/messages",
            "https://h.example/acs/chat/threads/19%3Aother%40thread.v2/messages",
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/participants",
            "https://h.example/acs/chat/threads",
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages@evil.example",
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2%2Fmessages",
            "https://h.example/acs/chat/threads/19:abc@thread.v2/messages/x",
            "not a url",
            "",
            "data:text/plain,x",
            "javascript:alert(1)",
            "ftp://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages",
            // The `url` crate read these as links to `evil.example` (and rebased them); this
            // crate refuses a backslash before the query and a percent-encoded host.
            "https:\\\\evil.example/chat/threads/19%3Aabc%40thread.v2/messages",
            "https://%65vil.example/chat/threads/19%3Aabc%40thread.v2/messages",
            "https://h.example\\@evil.example/chat/threads/19%3Aabc%40thread.v2/messages",
            "https://h.example/acs\\chat\\threads\\19%3Aabc%40thread.v2\\messages",
            // Nor is a path with dot segments normalised: refused even where it would lead back
            // to the listing.
            "https://h.example/acs/x/../chat/threads/19%3Aabc%40thread.v2/messages",
            "https://h.example/acs/./chat/threads/19%3Aabc%40thread.v2/messages",
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages/%2e",
            "/chat/threads/19%3Aabc%40thread.v2/x/%2E%2E/messages",
            // Tabs and line breaks (which `url` deleted), malformed hosts and ports.
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/mess\tages",
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages?x=\n&y",
            "https://h.example:0/acs/chat/threads/19%3Aabc%40thread.v2/messages",
            "https://h.example:99999/acs/chat/threads/19%3Aabc%40thread.v2/messages",
            "https://bücher.example/acs/chat/threads/19%3Aabc%40thread.v2/messages",
            "https:h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages",
            "https:///acs/chat/threads/19%3Aabc%40thread.v2/messages",
        ] {
            let err = first.follow(refused).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidContinuationToken {
                        operation: "ChatThreadClient.list_messages",
                        ..
                    }
                ),
                "{refused}: {err:?}"
            );
        }
    }

    #[test]
    fn relative_links_resolve_against_the_endpoint_and_its_prefix() {
        let first = messages("https://h.example/acs");
        let want = "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages?skip=2&api-version=2025-03-15";
        for link in [
            "chat/threads/19%3Aabc%40thread.v2/messages?skip=2",
            "/chat/threads/19:abc@thread.v2/messages/?skip=2",
            "/acs/chat/threads/19%3aabc%40thread.v2/messages?skip=2#x",
            "//other.example:8443/chat/threads/19%3Aabc%40thread.v2/messages?skip=2",
            "  https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages?skip=2\n",
        ] {
            assert_eq!(*first.follow(link).unwrap().url(), want, "{link}");
        }
        // A query alone or a fragment alone names the endpoint's prefix, not a listing.
        for link in ["?skip=2", "#x", "/", "https://h.example"] {
            assert!(
                matches!(
                    first.follow(link),
                    Err(Error::InvalidContinuationToken {
                        problem: ContinuationTokenProblem::OtherListing { .. },
                        ..
                    })
                ),
                "{link}"
            );
        }
    }

    #[test]
    fn the_query_is_made_safe_for_a_request_line() {
        let first = messages("https://h.example");
        let route = "/chat/threads/19%3Aabc%40thread.v2/messages";
        for (query, sent) in [
            ("a=b c", "a=b%20c"),
            ("a=\"<x>\"", "a=%22%3Cx%3E%22"),
            ("a='b'", "a=%27b%27"),
            ("a=`{b}`", "a=%60%7Bb%7D%60"),
            ("a=\u{0}\u{1f}\u{7f}", "a=%00%1F%7F"),
            ("a=é", "a=%C3%A9"),
            ("a=%zz&b=%41", "a=%zz&b=%41"),
            ("a=x\\y|z^[]", "a=x\\y|z^[]"),
            ("a=/?:@!$&()*+,;=~", "a=/?:@!$&()*+,;=~"),
        ] {
            let next = first.follow(&format!("{route}?{query}")).unwrap();
            assert_eq!(
                next.url().as_str(),
                format!("https://h.example{route}?{sent}&api-version=2025-03-15"),
                "{query}"
            );
        }
    }

    #[test]
    fn an_api_version_in_the_link_is_replaced_by_the_clients_however_written() {
        let first = messages("https://h.example");
        let route = "/chat/threads/19%3Aabc%40thread.v2/messages";
        for (query, kept) in [
            ("api-version=1", ""),
            ("x=1&api-version=1", "x=1&"),
            ("api-version", ""),
            ("api%2Dversion=1&api-version=2", ""),
            ("%61pi-version=1&x", "x&"),
        ] {
            let next = first.follow(&format!("{route}?{query}")).unwrap();
            assert_eq!(
                next.url().as_str(),
                format!("https://h.example{route}?{kept}api-version=2025-03-15"),
                "{query}"
            );
        }
        for query in [
            "api-versions=1",
            "api+version=1",
            "x=api-version",
            "Api-Version=1",
        ] {
            let next = first.follow(&format!("{route}?{query}")).unwrap();
            assert_eq!(
                next.url().as_str(),
                format!("https://h.example{route}?{query}&api-version=2025-03-15"),
                "{query}"
            );
        }
    }

    /// The `follow` this crate had with the `url` crate, for the differential test below.
    fn follow_with_url_crate(first: &PageLink, link: &str) -> Option<String> {
        let endpoint = &first.listing.endpoint;
        let link = link.trim();
        let base = url::Url::parse(&format!("{}{}/", endpoint.origin(), endpoint.prefix())).ok()?;
        let parsed = url::Url::options().base_url(Some(&base)).parse(link).ok()?;
        if link.is_empty() || !matches!(parsed.scheme(), "http" | "https") {
            return None;
        }
        let path = parsed.path().trim_end_matches('/');
        let route = path
            .strip_prefix(endpoint.prefix())
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(path);
        if !same_path(route, &first.listing.route) {
            return None;
        }
        // The old rule kept a link's api-version; now every page gets the client's: the pairs
        // `url` reads as `api-version` go, and the client's is appended.
        let mut query = parsed
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|pair| {
                !pair.is_empty()
                    && url::form_urlencoded::parse(pair.as_bytes())
                        .next()
                        .is_none_or(|(name, _)| name != "api-version")
            })
            .collect::<Vec<_>>()
            .join("&");
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("api-version=");
        push_encoded(&mut query, &first.listing.api_version);
        Some(
            endpoint
                .url_from_parts(&first.listing.route, Some(&query))
                .into(),
        )
    }

    /// Every link this crate follows, the `url`-based `follow` followed to the same URL. Where
    /// only the old one followed a link, the link has one of the spellings this crate refuses
    /// (marked `true` below; a host or port only counts after `//`).
    #[test]
    fn follows_what_the_url_crate_followed_and_the_same_way() {
        let first = messages("https://h.example/acs");
        // (text, followed by `//`, refused)
        let schemes = [
            ("https://", true, false),
            ("http://", true, false),
            ("HTTP://", true, false),
            ("//", true, false),
            ("", false, false),
            ("https:", false, true),
            ("https:/", false, true),
            ("https:\\\\", false, true),
            ("ftp://", true, false),
        ];
        let user_info = ["", "u:p@", "h.example@"];
        let hosts = [
            ("h.example", false),
            ("EVIL.example", false),
            ("[::1]", false),
            ("[::ffff:127.0.0.1]", false),
            ("127.0.0.1", false),
            ("h.example.", false),
            ("%65vil.example", true),
            ("127.1", true),
            ("bücher.example", true),
            ("", true),
            ("a..b", true),
        ];
        let ports = [
            (":8443", false),
            ("", false),
            (":443", false),
            (":0", true),
            (":", true),
            (":99999", true),
        ];
        let paths = [
            ("/acs/chat/threads/19%3Aabc%40thread.v2/messages", false),
            ("/chat/threads/19:abc@thread.v2/messages/", false),
            ("chat/threads/19%3Aabc%40thread.v2/messages", false),
            ("/acs/chat/threads/19%3Aabc%40thread.v2/mes sages", false),
            ("/other", false),
            ("", false),
            ("/acs/x/../chat/threads/19%3Aabc%40thread.v2/messages", true),
            ("/acs/chat/threads/19%3Aabc%40thread.v2/messages/.", true),
            ("/acs\\chat/threads/19%3Aabc%40thread.v2/messages", true),
            ("/acs/chat/threads/19%3Aabc%40thread.v2/mess\tages", true),
        ];
        let queries = [
            "",
            "?",
            "?skip=2",
            "?a=b c&api-version=1",
            "?x='\"<>\u{0}\u{7f}é",
            "?a=\\",
            "#f",
            "?%61pi-version=2",
            "?q#f?x",
        ];
        let mut rng = fastrand::Rng::with_seed(0xf011);
        let (mut both, mut old_only) = (0, 0);
        for _ in 0..30_000 {
            let (scheme, authority, scheme_refused) = schemes[rng.usize(..schemes.len())];
            let (host, host_refused) = hosts[rng.usize(..hosts.len())];
            let (port, port_refused) = ports[rng.usize(..ports.len())];
            let (path, path_refused) = paths[rng.usize(..paths.len())];
            let link = format!(
                "{scheme}{}{host}{port}{path}{}",
                user_info[rng.usize(..user_info.len())],
                queries[rng.usize(..queries.len())]
            );
            let refused_spelling =
                scheme_refused || path_refused || (authority && (host_refused || port_refused));
            let old = follow_with_url_crate(&first, &link);
            match first.follow(&link) {
                Ok(new) => {
                    both += 1;
                    assert_eq!(Some(new.url().to_string()), old, "{link:?}");
                }
                Err(_) if old.is_some() => {
                    old_only += 1;
                    assert!(refused_spelling, "only the url crate followed {link:?}");
                }
                Err(_) => {}
            }
        }
        assert!(both > 300 && old_only > 100, "{both} / {old_only}");
    }

    #[test]
    fn a_hash_in_the_path_ends_it() {
        // `#` starts the fragment: what follows is never sent, and the path before it is checked.
        let first = messages("https://h.example");
        let next = first
            .follow("https://h.example/chat/threads/19%3Aabc%40thread.v2/messages#@evil.example/x")
            .unwrap();
        assert_eq!(
            *next.url(),
            "https://h.example/chat/threads/19%3Aabc%40thread.v2/messages?api-version=2025-03-15"
        );
    }
}
