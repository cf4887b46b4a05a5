//! Which HTTP proxy a transport sends through: the option, the environment variables, and the
//! hosts that never go through one. Both facades resolve it here, so they read the same
//! variables the same way.

use crate::error::{Error, Result};
use std::fmt;

/// Which HTTP proxy a transport sends through ([`ClientOptions::proxy`](crate::ClientOptions::proxy)).
///
/// ```
/// use acs_chat_core::{ClientOptions, ProxyOptions, ProxyUrl};
///
/// let options = ClientOptions {
///     proxy: ProxyOptions::Url(ProxyUrl::parse("http://user:secret@proxy.corp.example:3128")?),
///     ..Default::default()
/// };
/// assert!(!format!("{options:?}").contains("secret"));
/// # Ok::<(), acs_chat_core::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyOptions {
    /// The proxy the environment names, read when the transport is built, as azure_core and
    /// curl read it: `HTTPS_PROXY` (or `https_proxy`), else `ALL_PROXY` (or `all_proxy`); hosts
    /// in `NO_PROXY` (or `no_proxy`) and loopback hosts go direct, so a local emulator needs no
    /// setting. The default.
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    Disabled,
    /// This proxy, for every host but loopback hosts and [`ProxyUrl::no_proxy`].
    Url(ProxyUrl),
}

impl fmt::Debug for ProxyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyOptions::FromEnvironment => f.write_str("FromEnvironment"),
            ProxyOptions::Disabled => f.write_str("Disabled"),
            ProxyOptions::Url(url) => f.debug_tuple("Url").field(url).finish(),
        }
    }
}

/// An HTTP proxy (it tunnels with `CONNECT`): `http://host:port`, optionally with basic-auth
/// credentials `http://user:password@host:port` (percent-encoded). Its `Debug` and `Display`
/// never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<String>,
    /// Hosts that go direct besides loopback ones: `host`, `.suffix` (its subdomains), `*`.
    pub no_proxy: Vec<String>,
    /// Send loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) through the proxy too (e.g. a
    /// debugging proxy in front of a local emulator). Default `false`.
    pub proxy_loopback: bool,
}

impl ProxyUrl {
    /// Parses `http://[user[:password]@]host[:port]` (port 80 when absent).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] naming `ClientOptions::proxy` for another scheme, no host, a
    /// bad port, a path, or bad percent-encoding; the password is never part of the message.
    pub fn parse(url: &str) -> Result<Self> {
        Self::parse_from(url, "ClientOptions::proxy")
    }

    /// `parse`, its errors naming `source` (an option or an environment variable).
    fn parse_from(url: &str, source: &'static str) -> Result<Self> {
        let refuse = |why: &str| {
            Error::invalid_argument(
                source,
                format!(
                    "the proxy URL `{}` {why}",
                    crate::endpoint::redact_userinfo(url.trim())
                ),
            )
        };
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => return Err(refuse("is not http:// (an HTTP CONNECT proxy)")),
            // `host:port` alone, as curl accepts it.
            None => url,
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(refuse("has a path, query or fragment"));
        }
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
                let port = port
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| refuse("has a bad port"))?;
                (host, port)
            }
            _ => (host_port, 80),
        };
        let valid_host = !host.is_empty()
            && host.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
            });
        if !valid_host {
            return Err(refuse("has no valid host"));
        }
        let decode = |part: &str| -> Result<String> {
            percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| refuse("has credentials that are not UTF-8 once decoded"))
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(info) => match info.split_once(':') {
                Some((user, password)) => (Some(decode(user)?), Some(decode(password)?)),
                None => (Some(decode(info)?), None),
            },
        };
        Ok(ProxyUrl {
            host: host.to_ascii_lowercase(),
            port,
            username,
            password,
            no_proxy: Vec::new(),
            proxy_loopback: false,
        })
    }

    /// The proxy's host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The basic-auth user name, if any.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The basic-auth password (for the transport; never shown by `Debug` or `Display`).
    #[doc(hidden)]
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("http://")?;
        if let Some(user) = &self.username {
            write!(f, "{user}")?;
            if self.password.is_some() {
                f.write_str(":<redacted>")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyUrl")
            .field("url", &self.to_string())
            .field("no_proxy", &self.no_proxy)
            .field("proxy_loopback", &self.proxy_loopback)
            .finish()
    }
}

/// The proxy a transport uses: `options` resolved against the environment (`env` reads a
/// variable). `None`: no proxy. The returned [`ProxyUrl::no_proxy`] holds `NO_PROXY`'s hosts
/// for a proxy from the environment.
///
/// # Errors
///
/// [`Error::InvalidArgument`] naming the variable (`HTTPS_PROXY`, ...) whose URL is malformed.
#[doc(hidden)]
pub fn resolve(
    options: &ProxyOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxyUrl>> {
    match options {
        ProxyOptions::Disabled => Ok(None),
        ProxyOptions::Url(url) => Ok(Some(url.clone())),
        ProxyOptions::FromEnvironment => {
            let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
            let found = [("HTTPS_PROXY", "https_proxy"), ("ALL_PROXY", "all_proxy")]
                .into_iter()
                .find_map(|(upper, lower)| {
                    set(upper)
                        .map(|v| (upper, v))
                        .or_else(|| set(lower).map(|v| (lower, v)))
                });
            let Some((name, value)) = found else {
                return Ok(None);
            };
            let mut url = ProxyUrl::parse_from(&value, name)?;
            url.no_proxy = set("NO_PROXY")
                .or_else(|| set("no_proxy"))
                .map(|list| {
                    list.split(',')
                        .map(|h| h.trim().to_string())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            Ok(Some(url))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_environment_names_the_proxy_and_the_hosts_that_go_direct() {
        let found = resolve(
            &ProxyOptions::FromEnvironment,
            &env(&[
                ("https_proxy", "http://proxy.corp.example:3128"),
                ("NO_PROXY", "internal.example, .corp.example,,"),
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!((found.host(), found.port()), ("proxy.corp.example", 3128));
        assert_eq!(found.no_proxy, ["internal.example", ".corp.example"]);
        assert!(!found.proxy_loopback);
        // HTTPS_PROXY wins over ALL_PROXY; nothing set is no proxy; Disabled ignores it all.
        let both = &env(&[
            ("ALL_PROXY", "http://all:1"),
            ("HTTPS_PROXY", "http://https:2"),
        ]);
        assert_eq!(
            resolve(&ProxyOptions::FromEnvironment, both)
                .unwrap()
                .unwrap()
                .host(),
            "https"
        );
        assert_eq!(
            resolve(&ProxyOptions::FromEnvironment, &env(&[])).unwrap(),
            None
        );
        assert_eq!(resolve(&ProxyOptions::Disabled, both).unwrap(), None);
    }

    #[test]
    fn a_malformed_proxy_is_refused_naming_its_source_never_its_password() {
        for (value, why) in [
            ("socks5://h:1", "is not http://"),
            ("http://user:hunter2@h:99999", "bad port"),
            ("http://user:hunter2@/", "no valid host"),
            ("http://user:hunter2@h:1/path", "path"),
        ] {
            let err = resolve(&ProxyOptions::FromEnvironment, &|name: &str| {
                (name == "HTTPS_PROXY").then(|| value.to_string())
            })
            .unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("HTTPS_PROXY: invalid argument"), "{text}");
            assert!(text.contains(why), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
        }
        let err = ProxyUrl::parse("ftp://u:hunter2@h:1")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("ClientOptions::proxy") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn credentials_are_decoded_and_never_shown() {
        let url = ProxyUrl::parse("http://us%40er:p%3Ass@Proxy.Example:8080/").unwrap();
        assert_eq!(url.username(), Some("us@er"));
        assert_eq!(url.password(), Some("p:ss"));
        assert_eq!(url.host(), "proxy.example");
        assert_eq!(
            url.to_string(),
            "http://us@er:<redacted>@proxy.example:8080"
        );
        assert!(!format!("{:?}", ProxyOptions::Url(url)).contains("p:ss"));
        assert_eq!(ProxyUrl::parse("proxy.example").unwrap().port(), 80);
    }
}
