//! Keeping user info (`user:password@`) out of anything shown.

/// `s` with the user info of its authority replaced by `***`: `https://u:p@h/x` becomes
/// `https://***@h/x`. Works on strings that do not parse as URLs, because those are the ones
/// that end up in error messages.
pub(crate) fn redact_userinfo(s: &str) -> String {
    let authority_start = s.find("://").map(|i| i + 3).unwrap_or(0);
    let rest = &s[authority_start..];
    let authority_len = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => format!("{}***{}", &s[..authority_start], &s[authority_start + at..]),
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
