//! Page links: the URL of one page of one listing, and the one way a link from outside (a
//! server's `nextLink`, a caller's continuation token) becomes one.

use super::{push_encoded, Endpoint, EndpointUrl};
use crate::error::{ContinuationTokenProblem, Error, Result};
use percent_encoding::percent_decode_str;
use std::sync::Arc;
use url::Url;

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
    /// # Errors
    /// [`Error::InvalidContinuationToken`] when `link` is not a URL or names another listing
    /// (another route, another thread).
    pub fn follow(&self, link: &str) -> Result<PageLink> {
        let listing = &self.listing;
        let endpoint = &listing.endpoint;
        let refused = |problem| Error::InvalidContinuationToken {
            operation: listing.operation,
            problem,
        };
        let link = link.trim();
        // Relative links resolve against the endpoint; what they resolve to is checked like any.
        let base = Url::parse(&format!("{}{}/", endpoint.origin(), endpoint.prefix()))
            .map_err(|_| refused(ContinuationTokenProblem::NotAUrl))?;
        let parsed = match Url::options().base_url(Some(&base)).parse(link) {
            Ok(url) if !link.is_empty() && matches!(url.scheme(), "http" | "https") => url,
            _ => return Err(refused(ContinuationTokenProblem::NotAUrl)),
        };
        let path = parsed.path().trim_end_matches('/');
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
        let mut query = parsed.query().unwrap_or_default().to_string();
        if !parsed.query_pairs().any(|(name, _)| name == "api-version") {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str("api-version=");
            push_encoded(&mut query, &listing.api_version);
        }
        Ok(PageLink {
            listing: listing.clone(),
            url: endpoint.url_from_parts(&listing.route, Some(&query)),
        })
    }
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
            "https://h.example/acs/chat/threads/19%3Aabc%40thread.v2/messages?syncState=x&api-version=2024-03-07"
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
            "https:\\\\evil.example",
            "https://%65vil.example",
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
