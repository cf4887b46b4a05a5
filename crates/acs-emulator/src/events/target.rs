//! A webhook's address, checked when a subscription is made (no I/O here; delivery connects).

use std::io;

/// Where a webhook lives.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) https: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `Host`: host and an explicit port, never the URL's user info.
    pub(crate) authority: String,
    pub(crate) path: String,
}

impl Target {
    /// An `http://` or `https://` URL with a host.
    pub(crate) fn parse(url: &str) -> io::Result<Self> {
        let invalid = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "event webhook `{}` is not an http:// or https:// URL",
                    crate::support::redact::url(url)
                ),
            )
        };
        let uri: hyper::Uri = url.parse().map_err(|_| invalid())?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(invalid()),
        };
        let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(invalid)?;
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(Target {
            https,
            // `[::1]` connects and is named as `::1`.
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            // `Host`: host and an explicit port, never the URL's user info.
            authority: match uri.port_u16() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            },
            path: uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
        })
    }
}
