//! The transport clients share: built once, handed to every client through
//! `ClientOptions::transport`.

use crate::rt;
use acs_chat_core::{ClientOptions, Error, Result, TransportOptions};
use std::sync::Arc;

/// This facade's HTTP transport: a connection pool, the TLS configuration and its trust store.
///
/// A client builds its own unless `ClientOptions::transport` gives it one. A server acting for
/// many users builds one and gives it to every client (or makes each user's client with
/// `ChatClient::with_credential`), so that all of them share one pool and one TLS set-up instead
/// of paying for their own. Cheap to clone: clones are the same transport.
///
/// ```no_run
#[doc = concat!("use ", env!("CARGO_CRATE_NAME"), "::{ChatClientOptions, ClientOptions, Transport};")]
///
/// let transport = Transport::new(&ClientOptions::default())?;
/// let options = ChatClientOptions {
///     client_options: ClientOptions {
///         transport: Some(transport.into()),
///         ..Default::default()
///     },
///     ..Default::default()
/// };
/// // `options.clone()` for every user's client: they share the transport.
/// # let _ = options;
#[doc = concat!("# Ok::<(), ", env!("CARGO_CRATE_NAME"), "::Error>(())")]
/// ```
#[derive(Clone)]
pub struct Transport(Arc<rt::Transport>);

impl Transport {
    /// Builds a transport with the transport settings of `options`: CA certificates, the OS
    /// store, the per-attempt timeout cap, the response body cap, raw wire logging. (Its
    /// `transport` field is ignored.)
    ///
    /// # Errors
    ///
    /// [`Error::Tls`](crate::Error::Tls) when an additional CA certificate does not parse.
    pub fn new(options: &ClientOptions) -> Result<Self> {
        Ok(Transport(Arc::new(rt::Transport::new(options)?)))
    }
}

impl Transport {
    /// Wraps a facade's own transport engine (its `from_*` constructors).
    pub(crate) fn from_engine(engine: rt::Transport) -> Self {
        Transport(Arc::new(engine))
    }
}

impl From<Transport> for TransportOptions {
    fn from(transport: Transport) -> Self {
        TransportOptions::new(rt::FACADE, transport.0)
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Transport({})", rt::FACADE)
    }
}

/// The proxy of `options`, the environment read here (the one place either facade reads it):
/// `None` for none.
pub(crate) fn proxy_of(options: &ClientOptions) -> Result<Option<acs_chat_core::ProxyUrl>> {
    acs_chat_core::proxy::resolve(&options.proxy, &|name| std::env::var(name).ok())
}

/// The transport a client made with `options` uses: the one they give, or a new one.
pub(crate) fn of(options: &ClientOptions, operation: &'static str) -> Result<Arc<rt::Transport>> {
    match &options.transport {
        None => Ok(Arc::new(rt::Transport::new(options)?)),
        Some(given) => given.get::<rt::Transport>().ok_or_else(|| {
            Error::invalid_argument(
                operation,
                format!(
                    "ClientOptions::transport was made by {}, not by {}",
                    given.facade(),
                    rt::FACADE
                ),
            )
        }),
    }
}
