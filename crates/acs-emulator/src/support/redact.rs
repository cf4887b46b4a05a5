//! URLs as they may be shown: in logs, errors and `Debug`. A webhook URL can carry a password
//! (`https://user:pw@host/`) or a key in its query (an Azure Function's `?code=`); neither is
//! ever printed.

/// `url` with its user info replaced by `***` and every query value by `***` (names are kept:
/// they tell which parameter was given). Works on strings that are not valid URLs too.
pub(crate) fn url(url: &str) -> String {
    let (before_fragment, _) = url.split_once('#').unwrap_or((url, ""));
    let (base, query) = match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (before_fragment, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let rest = &base[authority_start..];
    let authority_len = rest.find(['/', '\\']).unwrap_or(rest.len());
    let mut shown = match rest[..authority_len].rfind('@') {
        Some(at) => format!(
            "{}***{}",
            &base[..authority_start],
            &base[authority_start + at..]
        ),
        None => base.to_string(),
    };
    if let Some(query) = query {
        let names: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) => format!("{name}=***"),
                None => "***".to_string(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&names.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_and_query_values_are_hidden() {
        for (input, shown) in [
            (
                "https://user:s3cret@hooks.example/api/events?code=K3Y&x=1",
                "https://***@hooks.example/api/events?code=***&x=***",
            ),
            ("http://127.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"),
            ("https://a@b@h/x?k", "https://***@h/x?***"),
            ("not a url?code=K3Y#frag", "not a url?code=***"),
            ("https://h/p@q", "https://h/p@q"),
        ] {
            assert_eq!(super::url(input), shown, "{input}");
        }
    }
}
