//! How to start an emulator: the builder, its defaults, and the connection limits.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::domain::Limits;
use crate::events::subscription::{EventSchema, EventSubscription};

/// The access key an emulator uses when none is given (and its data dir holds none): stable, so
/// a connection string saved in `.env` or a test config keeps working across restarts, like
/// Azurite's well-known account key. It is public: with it the emulator refuses to listen on
/// anything but a loopback address.
pub const DEVELOPMENT_ACCESS_KEY: &str =
    "YWNzLWVtdWxhdG9yIHdlbGwta25vd24gZGV2ZWxvcG1lbnQga2V5LiBOb3QgYSBzZWNyZXQ6IGxvb3BiYWNrIG9ubHkh";

/// How long the tokens of the Entra token endpoint live by default, as Entra's usual
/// `expires_in`.
pub(crate) const DEFAULT_TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3599);

/// How connections are bounded, so that slow, idle or abusive clients cannot starve others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most connections open at once; past it, new connections wait in the listen backlog
    /// (default 1,024).
    pub max_connections: usize,
    /// Longest TLS handshake (default 10 s).
    pub handshake_timeout: Duration,
    /// Longest time to receive a request's headers once it starts (default 10 s).
    pub header_timeout: Duration,
    /// A connection with nothing to read or write for this long is closed (default 120 s).
    pub idle_timeout: Duration,
    /// Longest time from a request's headers to its response being ready: reading the body and
    /// handling it (default 30 s). A client still sending its body then (one that trickles a byte
    /// at a time, which keeps the idle timer from firing) is answered 408 and disconnected.
    pub request_timeout: Duration,
    /// On shutdown, how long in-flight requests may take to finish (default 10 s).
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// How to start an emulator. Build with [`crate::Emulator::builder`].
#[derive(Clone)]
pub struct EmulatorBuilder {
    pub(crate) host: IpAddr,
    pub(crate) port: u16,
    pub(crate) access_key: Option<String>,
    pub(crate) cert_dir: Option<PathBuf>,
    pub(crate) plain_http: bool,
    pub(crate) limits: Limits,
    pub(crate) connections: ConnectionLimits,
    pub(crate) event_webhooks: Vec<String>,
    pub(crate) event_subscriptions: Vec<EventSubscription>,
    pub(crate) event_schema: EventSchema,
    pub(crate) event_types: Vec<String>,
    pub(crate) event_webhook_ca_pems: Vec<String>,
    pub(crate) event_retry_scale: f64,
    pub(crate) event_retry_seed: Option<u64>,
    pub(crate) event_dead_letter: bool,
    pub(crate) max_events: usize,
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) entra_token_lifetime: std::time::Duration,
    pub(crate) faults_json: Option<String>,
    pub(crate) seed_json: Option<String>,
}

/// The access key is never shown, nor webhook passwords and query values.
impl std::fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let webhooks: Vec<String> = self
            .event_webhooks
            .iter()
            .map(|url| crate::support::redact::url(url))
            .collect();
        f.debug_struct("EmulatorBuilder")
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "access_key",
                &self.access_key.as_ref().map(|_| "<redacted>"),
            )
            .field("cert_dir", &self.cert_dir)
            .field("plain_http", &self.plain_http)
            .field("limits", &self.limits)
            .field("connections", &self.connections)
            .field("event_webhooks", &webhooks)
            .field("event_subscriptions", &self.event_subscriptions)
            .field("event_schema", &self.event_schema)
            .field("event_types", &self.event_types)
            .field("event_webhook_ca_pems", &self.event_webhook_ca_pems.len())
            .field("event_retry_scale", &self.event_retry_scale)
            .field("event_retry_seed", &self.event_retry_seed)
            .field("event_dead_letter", &self.event_dead_letter)
            .field("max_events", &self.max_events)
            .field("data_dir", &self.data_dir)
            .field("entra_token_lifetime", &self.entra_token_lifetime)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            access_key: None,
            cert_dir: None,
            plain_http: false,
            limits: Limits::default(),
            connections: ConnectionLimits::default(),
            event_webhooks: Vec::new(),
            event_subscriptions: Vec::new(),
            event_schema: EventSchema::EventGrid,
            event_types: Vec::new(),
            event_webhook_ca_pems: Vec::new(),
            event_retry_scale: 1.0,
            event_retry_seed: None,
            event_dead_letter: false,
            max_events: 10_000,
            data_dir: None,
            entra_token_lifetime: DEFAULT_TOKEN_LIFETIME,
            faults_json: None,
            seed_json: None,
        }
    }
}

impl EmulatorBuilder {
    /// Fault and latency rules in force from the start: the JSON that `PUT /emulator/faults`
    /// takes, e.g. `{"rules": [{"route": "POST /chat/threads/*/messages", "fault": "throttle",
    /// "probability": 0.2, "retryAfterSeconds": 1}, {"route": "*", "latencyP50Ms": 100,
    /// "latencyP99Ms": 600}], "seed": 7}` (README, "Faults and latency on purpose"). Checked
    /// when the emulator starts: rules that do not parse or are out of range fail
    /// [`EmulatorBuilder::start`] with `InvalidInput`, naming the line or the field.
    pub fn faults_json(mut self, json: impl Into<String>) -> Self {
        self.faults_json = Some(json.into());
        self
    }

    /// Seed data created at start: users (fixed ids allowed), threads with participants,
    /// messages and read receipts (README, "Seed data"; an example is
    /// `crates/acs-emulator/seed.example.json`). The file is checked before anything is created:
    /// one that does not parse, breaks the schema or names a user it does not define fails
    /// [`EmulatorBuilder::start`] with `InvalidInput` naming the line or the JSON path. With a data
    /// dir that already holds the same seed nothing is created again. What was created, with a
    /// fresh token per user, is in [`EmulatorInfo::seeded`](crate::EmulatorInfo::seeded).
    pub fn seed_json(mut self, json: impl Into<String>) -> Self {
        self.seed_json = Some(json.into());
        self
    }

    /// How long the tokens of the Entra token endpoint (`POST /{tenant}/oauth2/v2.0/token`) live
    /// (default 3599 s, Entra's usual). Zero issues tokens that are already expired: for testing
    /// how a client takes a refused token.
    pub fn entra_token_lifetime(mut self, lifetime: std::time::Duration) -> Self {
        self.entra_token_lifetime = lifetime;
        self
    }

    /// The address to listen on (default 127.0.0.1).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The base64 access key that identity requests are signed with. Default: the key a
    /// `data_dir` keeps, else [`DEVELOPMENT_ACCESS_KEY`](crate::DEVELOPMENT_ACCESS_KEY), which
    /// everyone knows: with it the emulator listens on loopback addresses only.
    pub fn access_key(mut self, key: impl Into<String>) -> Self {
        self.access_key = Some(key.into());
        self
    }

    /// Where the CA and server certificates are written at first start and reused after.
    pub fn cert_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cert_dir = Some(dir.into());
        self
    }

    /// Serve plain HTTP instead of HTTPS (the official SDKs refuse it; ours allows loopback).
    pub fn plain_http(mut self, plain: bool) -> Self {
        self.plain_http = plain;
        self
    }

    /// Subscribes this `http://` or `https://` URL to the events, in the schema of
    /// [`event_schema`](Self::event_schema) and filtered by
    /// [`event_types`](Self::event_types) (see [`EventSubscription`] for what a subscription
    /// does). May be given more than once.
    pub fn event_webhook(mut self, url: impl Into<String>) -> Self {
        self.event_webhooks.push(url.into());
        self
    }

    /// Adds a subscription with its own schema and filter. May be given more than once.
    pub fn event_subscription(mut self, subscription: EventSubscription) -> Self {
        self.event_subscriptions.push(subscription);
        self
    }

    /// The delivery schema of the [`event_webhook`](Self::event_webhook) URLs (default Event
    /// Grid).
    pub fn event_schema(mut self, schema: EventSchema) -> Self {
        self.event_schema = schema;
        self
    }

    /// The event types the [`event_webhook`](Self::event_webhook) URLs receive (default: all).
    pub fn event_types(mut self, types: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.event_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Also trust this CA (PEM) for `https://` subscribers, besides the public CAs.
    pub fn event_webhook_ca_pem(mut self, pem: impl Into<String>) -> Self {
        self.event_webhook_ca_pems.push(pem.into());
        self
    }

    /// Fixes the random jitter added to retry delays (default: a random seed per
    /// subscription), so that a test sees the same delays every run.
    pub fn event_retry_seed(mut self, seed: u64) -> Self {
        self.event_retry_seed = Some(seed);
        self
    }

    /// Dead-letter what the [`event_webhook`](Self::event_webhook) URLs' subscriptions give up
    /// (listed at `GET /emulator/deadletter`) instead of dropping it (default off, as on Event
    /// Grid).
    pub fn event_dead_letter(mut self, dead_letter: bool) -> Self {
        self.event_dead_letter = dead_letter;
        self
    }

    /// Multiplies every delivery time: the retry delays and the events' time to live (default
    /// 1.0; tests use e.g. 0.001). The 30 s a webhook may take to answer is not scaled.
    pub fn event_retry_scale(mut self, scale: f64) -> Self {
        self.event_retry_scale = if scale.is_finite() && scale >= 0.0 {
            scale
        } else {
            1.0
        };
        self
    }

    /// Service limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Keep users, tokens' signing key, threads, messages, receipts, idempotency records and
    /// events in SQLite under `dir` (created if needed): every write answered 2xx survives a
    /// crash and a restart on the same directory. Without it, state lives in memory only.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// How many Event Grid events are kept for `GET /emulator/events` and `Emulator::events`
    /// (default 10,000; the oldest are dropped first, their indices stay counted).
    pub fn max_events(mut self, max_events: usize) -> Self {
        self.max_events = max_events;
        self
    }

    /// Connection limits and timeouts.
    pub fn connection_limits(mut self, connections: ConnectionLimits) -> Self {
        self.connections = connections;
        self
    }
}
