//! Keeping user info (`user:password@`) out of anything shown.

/// `s` with the user info of its authority replaced by `***`: `https://u:p@h/x` becomes
/// `https://***@h/x`. Works on strings that do not parse as URLs, because those are the ones
/// that end up in error messages.
pub(crate) fn redact_userinfo(s: &str) -> String {
    // Split, not index: every boundary here is next to an ASCII byte, and split_once keeps that
    // obvious (no slicing that could land inside a character).
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), s),
    };
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at_checked(authority_end).unwrap_or((rest, ""));
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}***@{host}{path}"),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_replaced() {
        for (input, shown) in [
            ("https://u:p@h.example/x", "https://***@h.example/x"),
            ("u:p@h.example", "***@h.example"),
            ("https://a@b@h.example/x@y", "https://***@h.example/x@y"),
            ("https://h.example/x@y", "https://h.example/x@y"),
            ("https://u:p@[bad", "https://***@[bad"),
            ("", ""),
        ] {
            assert_eq!(redact_userinfo(input), shown, "{input}");
        }
    }
}
