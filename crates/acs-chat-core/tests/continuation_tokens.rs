//! Property test of the one rule: whatever a continuation token or next link says, the page it
//! leads to is on the client's endpoint (origin and path prefix) and is the same listing.

use acs_chat_core::requests::ChatRequests;
use acs_chat_core::{Endpoint, Error, PageLink};
use url::Url;

const CASES: usize = 50_000;

fn seed() -> u64 {
    std::env::var("ACS_TOKEN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_70ce)
}

/// Pieces that URL parsers disagree on, or that move a URL to another host.
const SCHEMES: &[&str] = &[
    "https://",
    "http://",
    "HTTPS://",
    "//",
    "\\\\",
    "https:\\\\",
    "https:/",
    "https:",
    "ftp://",
    "javascript:",
    "",
    " https://",
    "https:///",
    "hTtP://",
];
const HOSTS: &[&str] = &[
    "h.example",
    "H.EXAMPLE",
    "h.example.",
    "h.example:443",
    "h.example:8443",
    "evil.example",
    "%65vil.example",
    "evil.example%2F",
    "[::1]",
    "[::ffff:7f00:1]",
    "127.0.0.1",
    "0x7f.1",
    "h.example@evil.example",
    "user:pw@evil.example",
    "evil.example@h.example",
    "h.example%40evil",
    "h.example\\@evil.example",
    "xn--vil-bla.example",
    "évil.example",
    "h.example#@evil.example",
    "h.example?@evil.example",
    "",
    "h.example:99999",
    "h.example:0",
];
const PATHS: &[&str] = &[
    "/acs/chat/threads/19%3Aa%40thread.v2/messages",
    "/chat/threads/19%3Aa%40thread.v2/messages",
    "/acs/chat/threads/19:a@thread.v2/messages",
    "/acs/chat/threads/19%3Ab%40thread.v2/messages",
    "/acs/chat/threads/19%3Aa%40thread.v2/participants",
    "/acs/chat/threads",
    "/other/chat/threads/19%3Aa%40thread.v2/messages",
    "/acs/../chat/threads/19%3Aa%40thread.v2/messages",
    "/acs/chat/threads/19%3Aa%40thread.v2/messages@evil.example",
    "/acs/chat/threads/19%3Aa%40thread.v2/messages#x",
    "/@evil.example/acs/chat/threads/19%3Aa%40thread.v2/messages",
    "\\acs\\chat\\threads\\19%3Aa%40thread.v2\\messages",
    "",
    "/",
];
const QUERIES: &[&str] = &[
    "",
    "?skip=2",
    "?syncState=abc&api-version=2024-03-07",
    "?@evil.example",
    "?a=//evil.example/",
    "#frag",
    "?x=%00",
    "?x=\u{0}",
    "?\\evil",
];

fn pick<'a>(rng: &mut fastrand::Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

fn random_link(rng: &mut fastrand::Rng) -> String {
    let mut link = format!(
        "{}{}{}{}",
        pick(rng, SCHEMES),
        pick(rng, HOSTS),
        pick(rng, PATHS),
        pick(rng, QUERIES)
    );
    // Now and then a random byte-level mutation, for spellings no list thought of.
    if rng.u8(..4) == 0 && !link.is_empty() {
        let at = rng.usize(..link.len());
        if link.is_char_boundary(at) {
            let junk = pick(
                rng,
                &["@", "/", "\\", ":", "#", "?", "%", ".", "%2e", "%40", " "],
            );
            link.insert_str(at, junk);
        }
    }
    link
}

#[test]
fn no_token_leads_off_the_endpoint_or_to_another_listing() {
    let endpoint = Endpoint::parse("https://h.example/acs").unwrap();
    let requests = ChatRequests::new(endpoint.clone(), None);
    let first: PageLink = requests
        .list_messages("19:a@thread.v2", &Default::default())
        .unwrap();
    let listing_path = "/acs/chat/threads/19%3Aa%40thread.v2/messages";
    let mut rng = fastrand::Rng::with_seed(seed());
    let (mut admitted, mut refused) = (0, 0);
    for _ in 0..CASES {
        let link = random_link(&mut rng);
        match first.follow(&link) {
            Ok(next) => {
                admitted += 1;
                let url = Url::parse(next.url().as_str()).unwrap();
                assert!(endpoint.owns(next.url()), "{link:?} -> {}", next.url());
                assert_eq!(url.scheme(), "https", "{link:?}");
                assert_eq!(url.host_str(), Some("h.example"), "{link:?}");
                assert_eq!(url.port(), None, "{link:?}");
                assert_eq!(url.username(), "", "{link:?}");
                assert_eq!(url.path(), listing_path, "{link:?}");
                assert_eq!(url.fragment(), None, "{link:?}");
                // What the link said survives only as the query.
                assert!(next
                    .url()
                    .as_str()
                    .starts_with(&format!("https://h.example{listing_path}?")));
            }
            Err(Error::InvalidContinuationToken { operation, .. }) => {
                refused += 1;
                assert_eq!(operation, "ChatThreadClient.list_messages");
            }
            Err(other) => panic!("{link:?}: unexpected {other:?}"),
        }
    }
    // Both outcomes are exercised, or the generator is broken.
    assert!(
        admitted > CASES / 20 && refused > CASES / 20,
        "{admitted} / {refused}"
    );
}
