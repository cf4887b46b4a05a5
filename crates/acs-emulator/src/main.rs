//! `acs-emulator`: run a local ACS chat + identity service.

use acs_emulator::Emulator;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
acs-emulator: a local Azure Communication Services chat + identity service

USAGE:
    acs-emulator [--host 127.0.0.1] [--port 8443] [--access-key BASE64] [--cert-dir DIR] [--plain-http]

OPTIONS:
    --host ADDR         address to listen on (default 127.0.0.1, loopback only)
    --port PORT         port (default 8443; 0 takes a free port)
    --access-key KEY    base64 access key for identity HMAC signing (default: random)
    --cert-dir DIR      where ca.pem, server.pem and server.key are written at first start and
                        reused after (default: $HOME/.acs-emulator); trust DIR/ca.pem in clients
    --plain-http        serve http:// instead of https:// (the official SDKs refuse http)
    --rate-limits       enforce the service's documented chat rate limits (429 + Retry-After)
    --event-webhook URL POST every Event Grid chat event to this http:// URL (also listed at
                        GET /emulator/events)
    -h, --help          this text

The first line on stdout is the connection string:
    endpoint=https://127.0.0.1:PORT/;accesskey=KEY
Logs go to stderr (RUST_LOG=debug for more). Ctrl-C shuts down cleanly.

Point the official SDKs at it:
    Python: export REQUESTS_CA_BUNDLE=DIR/ca.pem SSL_CERT_FILE=DIR/ca.pem
    Node:   export NODE_EXTRA_CA_CERTS=DIR/ca.pem
    Rust (acs-chat): ClientOptions { additional_ca_certificates_pem: vec![<DIR/ca.pem>], .. }
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("acs-emulator: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut builder = Emulator::builder().port(8443);
    let mut cert_dir = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".acs-emulator"))
        .unwrap_or_else(|| PathBuf::from(".acs-emulator"));
    let mut plain = false;
    let mut rate_limits = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value (see --help)"))
        };
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            "--host" => {
                let host: IpAddr = value("--host")?
                    .parse()
                    .map_err(|e| format!("--host: {e}"))?;
                builder = builder.host(host);
            }
            "--port" => {
                builder = builder.port(
                    value("--port")?
                        .parse()
                        .map_err(|e| format!("--port: {e}"))?,
                )
            }
            "--access-key" => builder = builder.access_key(value("--access-key")?),
            "--cert-dir" => cert_dir = PathBuf::from(value("--cert-dir")?),
            "--plain-http" => plain = true,
            "--rate-limits" => rate_limits = true,
            "--event-webhook" => builder = builder.event_webhook(value("--event-webhook")?),
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    builder = builder
        .plain_http(plain)
        .cert_dir(cert_dir.clone())
        .limits(acs_emulator::Limits {
            rate_limits,
            ..Default::default()
        });

    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let bound = builder
            .bind()
            .await
            .map_err(|e| format!("cannot start: {e}"))?;
        println!("{}", bound.info().connection_string());
        if !plain {
            tracing::info!("CA certificate: {}", cert_dir.join("ca.pem").display());
        }
        tracing::info!("listening on {}", bound.info().endpoint);
        bound.serve(shutdown_signal()).await;
        tracing::info!("shut down");
        Ok(())
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
