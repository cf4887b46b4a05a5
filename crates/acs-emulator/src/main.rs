//! `acs-emulator`: run a local ACS chat + identity service.

use acs_emulator::{ConnectionLimits, Emulator, Limits};
use clap::Parser;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const AFTER_HELP: &str = "\
Every option can also be set with the environment variable shown in brackets.

The first line on stdout is the connection string:
    endpoint=https://127.0.0.1:PORT/;accesskey=KEY
or, with --ready-json, one JSON record (also what --ready-file PATH writes, once it serves):
    {\"status\":\"ready\",\"version\",\"pid\",\"endpoint\",\"connectionString\",\"accessKey\",
     \"caCertificatePath\",\"caCertificateUrl\",\"consoleUrl\",\"healthUrl\"}
For scripts and CI, without a credential:
    GET /health            200 {\"status\":\"healthy\",\"version\",\"uptimeSeconds\",\"dataDir\"}
                           once it serves (503 \"degraded\" when the data dir cannot be written)
    GET /emulator/ca.pem   the CA certificate to trust

Faults and latency on purpose, for the chat and identity APIs (authorized like the identity
routes; also from the start with --faults FILE):
    PUT    /emulator/faults   {\"rules\": [{\"route\": \"*\"|\"chat\"|\"identity\"|\"POST /chat/threads/*/messages\",
           \"latencyMs\": N | \"latencyP50Ms\": N, \"latencyP99Ms\": M,
           \"fault\": \"throttle\"|\"unavailable\"|\"internalError\"|\"drop\"|\"late\",
           \"probability\": 0..1, \"retryAfterSeconds\": N, \"lateMs\": N, \"times\": N}], \"seed\": N}
           throttle: 429 + Retry-After, unavailable: 503, internalError: 500 (nothing done);
           drop: done, then the connection closes unanswered; late: done, answered lateMs later.
           The first rule whose route fits a request applies.
    GET    /emulator/faults, DELETE /emulator/faults
    --seed FILE            users, threads, messages and read receipts created at start:
           {\"users\": [{\"name\": \"alice\", \"id\"?: \"alice-1\" | \"8:acs:<guid>_<id>\"}],
            \"threads\": [{\"name\", \"topic\", \"createdBy\": \"alice\", \"participants\": [\"bob\" |
            {\"user\": \"bob\", \"displayName\": \"Bob\"}], \"messages\": [{\"from\", \"content\",
            \"type\"?, \"senderDisplayName\"?}], \"readReceipts\": [{\"user\", \"message\": INDEX}]}]}
    POST   /emulator/reset    empties users, threads and messages (keeps the key, the event
           log and the subscriptions; {\"subscriptions\": true} deletes those too)
Logs go to stderr: startup, shutdown and errors at info; one line per request at debug
(--log-level debug, or RUST_LOG, which wins when set). Ctrl-C or SIGTERM stops accepting, lets
in-flight requests finish (at most 10 s) and exits.

Point the official SDKs at it:
    Python: export REQUESTS_CA_BUNDLE=DIR/ca.pem SSL_CERT_FILE=DIR/ca.pem
    Node:   export NODE_EXTRA_CA_CERTS=DIR/ca.pem
    Rust (acs-chat): ClientOptions { additional_ca_certificates_pem: vec![<DIR/ca.pem>], .. },
                     or ACS_CHAT_CA_CERTIFICATE_FILE=DIR/ca.pem for the examples

Event delivery, as Event Grid's: every new event is tried at once, independently of the others
(order is not guaranteed; at most 16 requests in flight per subscription; at least once). A
failed or unanswered (30 s) event is retried on its own after 10 s, 30 s, 1 min, 5 min, 10 min,
30 min, 1 h, 3 h, 6 h, then every 12 h (plus up to 10 % jitter), until its subscription's
retryPolicy ends it (maxDeliveryAttempts 1-30, default 30; eventTimeToLiveInMinutes 1-1440,
default 1440). A webhook's 400, 401, 403 and 413 are never retried. What is given up is
dead-lettered (deadLetter: true / --event-dead-letter) or dropped.
    GET    /emulator/subscriptions              list, with each one's deliveryState
    PUT    /emulator/subscriptions/NAME         create or replace: {\"endpointUrl\": ...,
           \"schema\": \"EventGrid\"|\"CloudEvents\", \"includedEventTypes\": [...],
           \"retryPolicy\": {\"maxDeliveryAttempts\": N, \"eventTimeToLiveInMinutes\": M},
           \"deadLetter\": true, \"maxEventsPerBatch\": N, \"preferredBatchSizeInKilobytes\": K,
           \"deliveryHeaders\": {...}}; kept with --data-dir
    GET    /emulator/subscriptions/NAME, DELETE /emulator/subscriptions/NAME
    GET    /emulator/deadletter[?subscription=NAME]   the events given up, with Event Grid's
           deadLetterReason, deliveryAttempts, lastDeliveryOutcome, lastHttpStatusCode
    Authorized like the identity routes: HMAC with the access key, or an Entra bearer token.

Microsoft Entra ID, offline: the emulator is also its own Entra authority.
    POST /{tenant}/oauth2/v2.0/token   (form-encoded, as login.microsoftonline.com; any tenant;
    its metadata for MSAL at GET /{tenant}/v2.0/.well-known/openid-configuration)
      grant_type=client_credentials&client_id=ANY&client_secret=KEY
          &scope=https://communication.azure.com//.default
        -> {\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":...}
        The identity routes (and /emulator/events) take that token as
        `Authorization: Bearer ...` instead of an HMAC signature; a token for another
        audience, an expired one or a forged one gets 401.
      grant_type=password&client_id=APP&username=NAME&password=KEY
          &scope=https://auth.msft.communication.azure.com/Teamwork.ManageCalls
        -> a \"Teams user\" token (claims appid=APP, oid=a UUID derived from NAME) for
        POST /teamsUser/:exchangeAccessToken {token, appId, userId}: 200 {token, expiresOn};
        a malformed, forged or expired token: 401 InvalidAccessToken; another appId or
        userId: 400 ValidationError.
    KEY is the access key of the connection string. azure_identity (Rust):
    AZURE_AUTHORITY_HOST=https://127.0.0.1:PORT with a transport that trusts DIR/ca.pem;
    azure-identity (Python): authority=https://127.0.0.1:PORT, disable_instance_discovery=True.";

/// acs-emulator: a local Azure Communication Services chat + identity service.
#[derive(Debug, Parser)]
#[command(name = "acs-emulator", version, after_help = AFTER_HELP)]
struct Cli {
    /// Address to listen on (loopback only by default).
    #[arg(long, env = "ACS_EMULATOR_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port; 0 takes a free port.
    #[arg(long, env = "ACS_EMULATOR_PORT", default_value_t = 8443)]
    port: u16,
    /// Base64 access key for identity HMAC signing [default: the one --data-dir keeps, else the
    /// well-known development key (acs_emulator::DEVELOPMENT_ACCESS_KEY), which is refused on
    /// non-loopback --host].
    #[arg(long, env = "ACS_EMULATOR_ACCESS_KEY", hide_env_values = true)]
    access_key: Option<String>,
    /// Where ca.pem, server.pem and server.key are written at first start and reused after;
    /// trust DIR/ca.pem in clients [default: $HOME/.acs-emulator].
    #[arg(long, env = "ACS_EMULATOR_CERT_DIR")]
    cert_dir: Option<PathBuf>,
    /// Keep all state in SQLite under DIR: every write answered 2xx survives a crash or restart on
    /// the same DIR (also the access key, so the connection string stays) [default: in memory].
    #[arg(long, env = "ACS_EMULATOR_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Serve http:// instead of https:// (the official SDKs refuse http).
    #[arg(long, env = "ACS_EMULATOR_PLAIN_HTTP")]
    plain_http: bool,
    /// Enforce the service's documented chat rate limits (429 + Retry-After).
    #[arg(long, env = "ACS_EMULATOR_RATE_LIMITS")]
    rate_limits: bool,
    /// Subscribe this http:// or https:// URL to the chat events (they are also listed,
    /// HMAC-signed, at GET /emulator/events). May be repeated; the environment variable takes a
    /// comma-separated list. Subscribers must pass the schema's validation handshake first; then
    /// events are delivered as Event Grid does (see below); with --data-dir, delivery goes on
    /// after a restart where it stopped.
    #[arg(long, env = "ACS_EMULATOR_EVENT_WEBHOOK", value_delimiter = ',')]
    event_webhook: Vec<String>,
    /// Deliver only these event types to the webhooks (e.g. ChatMessageReceived), comma-separated
    /// [default: all].
    #[arg(long, env = "ACS_EMULATOR_EVENT_TYPES", value_delimiter = ',')]
    event_types: Vec<String>,
    /// A PEM file of CA certificates to trust for https:// webhooks, besides the public CAs.
    #[arg(long, env = "ACS_EMULATOR_EVENT_WEBHOOK_CA")]
    event_webhook_ca: Option<PathBuf>,
    /// Delivery schema of the webhooks: eventgrid or cloudevents.
    #[arg(long, env = "ACS_EMULATOR_EVENT_SCHEMA", default_value = "eventgrid", value_parser = ["eventgrid", "cloudevents"])]
    event_schema: String,
    /// Dead-letter what the --event-webhook subscriptions give up (GET /emulator/deadletter)
    /// instead of dropping it.
    #[arg(long, env = "ACS_EMULATOR_EVENT_DEAD_LETTER")]
    event_dead_letter: bool,
    /// Fix the random jitter of the retry delays [default: random].
    #[arg(long, env = "ACS_EMULATOR_EVENT_RETRY_SEED")]
    event_retry_seed: Option<u64>,
    /// Events kept for GET /emulator/events (the oldest are dropped first).
    #[arg(long, env = "ACS_EMULATOR_MAX_EVENTS", default_value_t = 10_000)]
    max_events: usize,
    /// Most connections open at once; more wait in the listen backlog.
    #[arg(long, env = "ACS_EMULATOR_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Seconds a connection may stay silent before it is closed.
    #[arg(long, env = "ACS_EMULATOR_IDLE_TIMEOUT", default_value_t = 120)]
    idle_timeout: u64,
    /// Seconds a request may take from its headers to its response (its body included).
    #[arg(long, env = "ACS_EMULATOR_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u64,
    /// Seconds a client may take to send a request's headers or finish the TLS handshake.
    #[arg(long, env = "ACS_EMULATOR_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds the tokens of the Entra token endpoint live (0: already expired, for testing
    /// refusals).
    #[arg(
        long,
        env = "ACS_EMULATOR_ENTRA_TOKEN_LIFETIME",
        default_value_t = 3599
    )]
    entra_token_lifetime: u64,
    /// Log level: error, warn, info, debug or trace (RUST_LOG wins when set).
    #[arg(long, env = "ACS_EMULATOR_LOG_LEVEL", default_value = "info")]
    log_level: String,
    /// Log format: text (colours only when stderr is a terminal and NO_COLOR is unset) or json
    /// (one JSON object per line).
    #[arg(long, env = "ACS_EMULATOR_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    /// Once it serves, write the ready record (JSON: endpoint, connection string, access key, CA
    /// path and URL, console and health URLs) to this file (owner-only; replaced atomically; a
    /// stale one is removed at start and the file is removed at a clean exit).
    #[arg(long, env = "ACS_EMULATOR_READY_FILE")]
    ready_file: Option<PathBuf>,
    /// Fault and latency rules in force from the start: a JSON file with what
    /// `PUT /emulator/faults` takes (see below).
    #[arg(long, env = "ACS_EMULATOR_FAULTS")]
    faults: Option<PathBuf>,
    /// Seed data created at start (JSON: users, threads, participants, messages, read receipts;
    /// see crates/acs-emulator/seed.example.json); the ready record has each seeded user's
    /// token. A data dir that already holds the same seed is not seeded again.
    #[arg(long, env = "ACS_EMULATOR_SEED")]
    seed: Option<PathBuf>,
    /// Print the ready record as one JSON line on stdout instead of the bare connection string.
    #[arg(long, env = "ACS_EMULATOR_READY_JSON")]
    ready_json: bool,
}

/// Writes `text` to `path` as a whole: a temporary file beside it, owner-only (the record holds
/// the access key), then renamed over it, so a reader never sees half a record.
fn write_ready_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let temporary = path.with_file_name(name);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary)?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// Removes a ready file left by an earlier run, so that its presence means this one serves.
fn remove_stale(path: &std::path::Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Colours only for a person at a terminal: never in a file or a pipe (CI logs, `2>log`), and
/// never when `NO_COLOR` is set to anything (https://no-color.org).
fn ansi_colours(stderr_is_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|value| value.is_empty())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("acs-emulator: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => tracing_subscriber::EnvFilter::new(spec),
        _ => tracing_subscriber::EnvFilter::try_new(&cli.log_level)
            .map_err(|e| format!("--log-level `{}`: {e}", cli.log_level))?,
    };
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    if cli.log_format == "json" {
        logs.json().init();
    } else {
        use std::io::IsTerminal;
        let ansi = ansi_colours(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR"),
        );
        logs.with_ansi(ansi).init();
    }

    let cert_dir = cli.cert_dir.clone().unwrap_or_else(|| {
        std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".acs-emulator"))
            .unwrap_or_else(|| PathBuf::from(".acs-emulator"))
    });
    let mut builder = Emulator::builder()
        .host(cli.host)
        .port(cli.port)
        .plain_http(cli.plain_http)
        .cert_dir(cert_dir.clone())
        .max_events(cli.max_events)
        .entra_token_lifetime(Duration::from_secs(cli.entra_token_lifetime))
        .limits(Limits {
            rate_limits: cli.rate_limits,
            ..Default::default()
        })
        .connection_limits(ConnectionLimits {
            max_connections: cli.max_connections,
            idle_timeout: Duration::from_secs(cli.idle_timeout),
            header_timeout: Duration::from_secs(cli.header_timeout),
            request_timeout: Duration::from_secs(cli.request_timeout),
            handshake_timeout: Duration::from_secs(cli.header_timeout),
            ..Default::default()
        });
    if let Some(dir) = &cli.data_dir {
        builder = builder.data_dir(dir.clone());
    }
    if let Some(key) = &cli.access_key {
        builder = builder.access_key(key.clone());
    }
    for url in &cli.event_webhook {
        builder = builder.event_webhook(url.clone());
    }
    if !cli.event_types.is_empty() {
        builder = builder.event_types(cli.event_types.clone());
    }
    if let Some(path) = &cli.event_webhook_ca {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("--event-webhook-ca {}: {e}", path.display()))?;
        builder = builder.event_webhook_ca_pem(pem);
    }
    if let Some(path) = &cli.seed {
        let json =
            std::fs::read_to_string(path).map_err(|e| format!("--seed {}: {e}", path.display()))?;
        builder = builder.seed_json(json);
    }
    if let Some(path) = &cli.faults {
        let json = std::fs::read_to_string(path)
            .map_err(|e| format!("--faults {}: {e}", path.display()))?;
        builder = builder.faults_json(json);
    }
    if let Some(seed) = cli.event_retry_seed {
        builder = builder.event_retry_seed(seed);
    }
    builder = builder.event_dead_letter(cli.event_dead_letter);
    if cli.event_schema == "cloudevents" {
        builder = builder.event_schema(acs_emulator::EventSchema::CloudEvents);
    }

    if let Some(path) = &cli.ready_file {
        remove_stale(path).map_err(|e| {
            format!(
                "--ready-file {}: cannot remove the old one: {e}",
                path.display()
            )
        })?;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let bound = builder.bind().await.map_err(|e| {
            let text = e.to_string();
            // A problem of a file the command line named is reported under that flag and path.
            let named = |flag: &str, path: &Option<PathBuf>, prefix: &str| {
                let why = text.strip_prefix(prefix)?;
                let path = path.as_ref()?;
                Some(format!("cannot start: {flag} {}: {why}", path.display()))
            };
            named("--faults", &cli.faults, "fault rules: ")
                .or_else(|| named("--seed", &cli.seed, "seed: "))
                .unwrap_or_else(|| format!("cannot start: {text}"))
        })?;
        // Handlers go in before the connection string is printed: a Ctrl-C that follows it at
        // once must be a clean shutdown, not the default kill.
        let shutdown = shutdown_signal().map_err(|e| format!("cannot handle signals: {e}"))?;
        let ca_path = cert_dir.join("ca.pem");
        let record = bound.info().ready_record(Some(&ca_path)).to_string();
        if let Some(path) = &cli.ready_file {
            write_ready_file(path, &record).map_err(|e| {
                format!(
                    "--ready-file {}: cannot write the ready record: {e}",
                    path.display()
                )
            })?;
        }
        if cli.ready_json {
            println!("{record}");
        } else {
            println!("{}", bound.info().connection_string());
        }
        if !cli.plain_http {
            tracing::info!("CA certificate: {}", cert_dir.join("ca.pem").display());
        }
        tracing::info!("listening on {}", bound.info().endpoint);
        tracing::info!(
            "console: {} (sign in with the access key)",
            bound.info().console_url()
        );
        if let Some(seeded) = &bound.info().seeded {
            let count = |key: &str| seeded[key].as_object().map_or(0, |m| m.len());
            tracing::info!(
                "seeded {} users and {} threads (their tokens are in the ready record)",
                count("users"),
                count("threads")
            );
        }
        match &cli.data_dir {
            Some(dir) => tracing::info!("state kept in {}", dir.display()),
            None => tracing::info!("state kept in memory only (--data-dir DIR to keep it)"),
        }
        bound.serve(shutdown).await;
        if let Some(path) = &cli.ready_file {
            let _ = std::fs::remove_file(path);
        }
        tracing::info!("shut down");
        Ok(())
    })
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is called, not
/// when the future is first polled.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn colours_only_at_a_terminal_without_no_color() {
        assert!(super::ansi_colours(true, None));
        assert!(super::ansi_colours(true, Some("".into())));
        assert!(!super::ansi_colours(true, Some("1".into())));
        assert!(!super::ansi_colours(false, None));
    }
}
