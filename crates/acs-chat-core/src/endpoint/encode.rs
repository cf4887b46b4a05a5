//! Percent-encoding of path segments and query values.

/// Percent-encodes one path segment or query value: everything but RFC 3986 unreserved
/// characters, so `19:abc@thread.v2` becomes `19%3Aabc%40thread.v2` in a path segment and
/// `2024-01-01T00:00:00Z` keeps no raw `:` in a query.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_encoded(&mut out, s);
    out
}

/// Appends `s` percent-encoded to `out` (every request builds a URL: no formatter on this path).
/// A value of `.` or `..` is written `%2E` / `%2E%2E`: as a path segment it would otherwise be a
/// dot segment, which an HTTP library may resolve (`/threads/../x` becoming `/x`) into another
/// route than the one built.
pub fn push_encoded(out: &mut String, s: &str) {
    match s {
        "." => return out.push_str("%2E"),
        ".." => return out.push_str("%2E%2E"),
        _ => {}
    }
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    push_escaping(out, s, |b| !unreserved(b));
}

/// Appends `s` to `out` with every byte for which `escape` holds written as `%XX` (a character
/// of several UTF-8 bytes as several escapes, so `escape` must hold for every byte >= 0x80).
#[inline]
pub(crate) fn push_escaping(out: &mut String, s: &str, escape: impl Fn(u8) -> bool) {
    // Runs of kept bytes are copied whole and every other byte takes its `%XX` from a table: a
    // thread id (`19:...@thread.v2`, on every chat request) costs a few hundred instructions
    // instead of thousands through `percent_encoding`'s iterator.
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if escape(b) {
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

#[cfg(test)]
mod tests {

    #[test]
    fn a_dot_segment_is_encoded_so_it_names_no_other_route() {
        assert_eq!(super::encode_component(".."), "%2E%2E");
        assert_eq!(super::encode_component("."), "%2E");
        assert_eq!(super::encode_component("a..b"), "a..b");
        assert_eq!(
            super::encode_component("19:a@thread.v2"),
            "19%3Aa%40thread.v2"
        );
    }

    use super::*;

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
            // Except the two dot segments, which are encoded whole (the test below).
            let expected = match s.as_str() {
                "." => "%2E".to_string(),
                ".." => "%2E%2E".to_string(),
                _ => utf8_percent_encode(&s, COMPONENT).to_string(),
            };
            assert_eq!(ours, expected, "{s:?}");
        }
        assert_eq!(encode_component("19:abc@thread.v2"), "19%3Aabc%40thread.v2");
    }
}
