//! `acs-bench users`: a server acting for many users, on acs-chat-blocking.
//!
//! - Making a per-user client: `ChatClient::new` (its own transport: connection pool, TLS
//!   configuration, trust store), `ChatClient::new` given a shared `Transport`, and
//!   `ChatClient::with_credential` (both facades).
//! - Sending: `--users` users each send one message through their own client, all clients on
//!   one shared transport (built beforehand, not timed), against one client sending as many
//!   messages; then the same per-user sends on clients that each built their own transport.
//! - The TCP connections the emulator accepted during each phase (`GET /health`).
//!
//! Each figure is the median of `--reps` runs; the phases of a run are interleaved.

use crate::child::Emulator;
use crate::BoxError;
use acs_chat_blocking as chat;
use chat::models::CommunicationTokenScope;
use std::time::{Duration, Instant};

struct Settings {
    users: usize,
    constructions: usize,
    reps: usize,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Settings, BoxError> {
    let mut settings = Settings {
        users: 1000,
        constructions: 200,
        reps: 3,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--users" => settings.users = value()?.parse()?,
            "--constructions" => settings.constructions = value()?.parse()?,
            "--reps" => settings.reps = value()?.parse()?,
            "-h" | "--help" => {
                println!("acs-bench users [--users 1000] [--constructions 200] [--reps 3]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if settings.users == 0 || settings.constructions == 0 || settings.reps == 0 {
        return Err("--users, --constructions and --reps must be at least 1".into());
    }
    Ok(settings)
}

/// A user of the benchmark: a token and a thread of their own.
struct User {
    token: String,
    thread: String,
}

pub(crate) fn run(args: impl Iterator<Item = String>) -> Result<(), BoxError> {
    let settings = parse(args)?;
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p acs-bench -- users`");
    }
    let emulator = Emulator::spawn()?;
    let client_options = chat::ClientOptions {
        additional_ca_certificates_pem: vec![emulator.ca_pem.clone()],
        ..Default::default()
    };
    let identity = chat::CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string,
        Some(chat::CommunicationIdentityClientOptions {
            client_options: client_options.clone(),
            ..Default::default()
        }),
    )?;
    let transport = chat::Transport::new(&client_options)?;
    let shared = chat::ChatClientOptions {
        client_options: chat::ClientOptions {
            transport: Some(transport.into()),
            ..client_options.clone()
        },
        ..Default::default()
    };
    let own = chat::ChatClientOptions {
        client_options: client_options.clone(),
        ..Default::default()
    };
    eprintln!("making {} users, each with a thread", settings.users + 1);
    let mut users = Vec::with_capacity(settings.users + 1);
    for _ in 0..=settings.users {
        let (_, token) = identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)?;
        let token = token.token.expose().to_string();
        let client = client(&emulator, &token, &shared)?;
        let thread = client.create_chat_thread("bench", None)?.chat_thread.id;
        users.push(User { token, thread });
    }
    let (first, others) = users.split_first().ok_or("no users")?;
    let service = client(&emulator, &first.token, &shared)?;

    let mut rows: Vec<(&str, Vec<f64>)> = vec![
        ("new, own transport (µs per client)", Vec::new()),
        ("new, shared transport (µs per client)", Vec::new()),
        ("with_credential (µs per client)", Vec::new()),
        ("async new, own transport (µs per client)", Vec::new()),
        ("async with_credential (µs per client)", Vec::new()),
        ("one client, N sends (ms)", Vec::new()),
        (
            "N per-user clients, shared transport, 1 send each (ms)",
            Vec::new(),
        ),
        (
            "N per-user clients, own transports, 1 send each (ms)",
            Vec::new(),
        ),
    ];
    let mut connections: [Vec<u64>; 3] = Default::default();
    let async_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let async_options = acs_chat_async::ChatClientOptions {
        client_options: acs_chat_async::ClientOptions {
            additional_ca_certificates_pem: vec![emulator.ca_pem.clone()],
            ..Default::default()
        },
        ..Default::default()
    };
    for rep in 0..settings.reps {
        eprintln!("rep {}/{}", rep + 1, settings.reps);
        let n = settings.constructions;
        let tokens: Vec<&str> = others
            .iter()
            .cycle()
            .take(n)
            .map(|u| u.token.as_str())
            .collect();
        rows[0].1.push(per_item_us(n, || {
            for token in &tokens {
                std::hint::black_box(client(&emulator, token, &own)?);
            }
            Ok(())
        })?);
        rows[1].1.push(per_item_us(n, || {
            for token in &tokens {
                std::hint::black_box(client(&emulator, token, &shared)?);
            }
            Ok(())
        })?);
        rows[2].1.push(per_item_us(n, || {
            for token in &tokens {
                let credential = chat::CommunicationTokenCredential::new(token)?;
                std::hint::black_box(service.with_credential(credential));
            }
            Ok(())
        })?);
        // The async facade's clients are built inside its runtime, as a server builds them.
        let _guard = async_runtime.enter();
        rows[3].1.push(per_item_us(n, || {
            for token in &tokens {
                let credential = acs_chat_async::CommunicationTokenCredential::new(token)?;
                std::hint::black_box(acs_chat_async::ChatClient::new(
                    &emulator.endpoint,
                    credential,
                    Some(async_options.clone()),
                )?);
            }
            Ok(())
        })?);
        let async_service = acs_chat_async::ChatClient::new(
            &emulator.endpoint,
            acs_chat_async::CommunicationTokenCredential::new(&first.token)?,
            Some(async_options.clone()),
        )?;
        rows[4].1.push(per_item_us(n, || {
            for token in &tokens {
                let credential = acs_chat_async::CommunicationTokenCredential::new(token)?;
                std::hint::black_box(async_service.with_credential(credential));
            }
            Ok(())
        })?);
        drop(_guard);

        // Sends: one client, then per-user clients on the shared transport, then per-user
        // clients with their own transports. Clients are built before the clock starts.
        let one = service.get_chat_thread_client(&first.thread);
        let before = health_connections(&emulator)?;
        let started = Instant::now();
        for _ in 0..others.len() {
            one.send_message("hello", None)?;
        }
        rows[5].1.push(ms(started.elapsed()));
        connections[0].push(health_connections(&emulator)? - before - 1);

        let per_user: Vec<chat::ChatThreadClient> = others
            .iter()
            .map(|u| {
                let credential = chat::CommunicationTokenCredential::new(&u.token)?;
                Ok(service
                    .with_credential(credential)
                    .get_chat_thread_client(&u.thread))
            })
            .collect::<Result<_, BoxError>>()?;
        let before = health_connections(&emulator)?;
        let started = Instant::now();
        for client in &per_user {
            client.send_message("hello", None)?;
        }
        rows[6].1.push(ms(started.elapsed()));
        connections[1].push(health_connections(&emulator)? - before - 1);

        let per_user: Vec<chat::ChatThreadClient> = others
            .iter()
            .map(|u| Ok(client(&emulator, &u.token, &own)?.get_chat_thread_client(&u.thread)))
            .collect::<Result<_, BoxError>>()?;
        let before = health_connections(&emulator)?;
        let started = Instant::now();
        for client in &per_user {
            client.send_message("hello", None)?;
        }
        rows[7].1.push(ms(started.elapsed()));
        connections[2].push(health_connections(&emulator)? - before - 1);
    }

    println!(
        "acs-bench users: {} users, {} constructions, median of {} reps (acs-chat-blocking unless marked async)",
        settings.users, settings.constructions, settings.reps
    );
    println!("| measure | median |");
    println!("|---|---|");
    for (name, values) in &rows {
        println!(
            "| {} | {:.1} |",
            name.replace('N', &settings.users.to_string()),
            median(values)
        );
    }
    let new = median(&rows[0].1);
    println!(
        "| new (own transport) ÷ with_credential | {:.0}× |",
        new / median(&rows[2].1).max(f64::EPSILON)
    );
    println!(
        "| async new (own transport) ÷ async with_credential | {:.0}× |",
        median(&rows[3].1) / median(&rows[4].1).max(f64::EPSILON)
    );
    println!(
        "| per-user clients on one transport ÷ one client (time) | {:.2}× |",
        median(&rows[6].1) / median(&rows[5].1).max(f64::EPSILON)
    );
    println!(
        "| per-user clients with own transports ÷ one client (time) | {:.2}× |",
        median(&rows[7].1) / median(&rows[5].1).max(f64::EPSILON)
    );
    let medians: Vec<u64> = connections.iter().map(|c| median_u64(c)).collect();
    println!(
        "| connections opened: one client / per-user on one transport / per-user own transports | {} / {} / {} |",
        medians[0], medians[1], medians[2]
    );
    Ok(())
}

fn client(
    emulator: &Emulator,
    token: &str,
    options: &chat::ChatClientOptions,
) -> Result<chat::ChatClient, BoxError> {
    let credential = chat::CommunicationTokenCredential::new(token)?;
    Ok(chat::ChatClient::new(
        &emulator.endpoint,
        credential,
        Some(options.clone()),
    )?)
}

/// Microseconds per item of `n` items done by `work`.
fn per_item_us(n: usize, work: impl FnOnce() -> Result<(), BoxError>) -> Result<f64, BoxError> {
    let started = Instant::now();
    work()?;
    Ok(started.elapsed().as_secs_f64() * 1e6 / n as f64)
}

fn ms(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e3
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn median_u64(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// The emulator's `connectionsAccepted` (`GET /health`), this call's own connection included.
fn health_connections(emulator: &Emulator) -> Result<u64, BoxError> {
    let agent = crate::workloads::agent_trusting(&emulator.ca_pem)?;
    let text = agent
        .get(format!("{}/health", emulator.endpoint))
        .call()?
        .body_mut()
        .read_to_string()?;
    let health: serde_json::Value = serde_json::from_str(&text)?;
    health["connectionsAccepted"]
        .as_u64()
        .ok_or_else(|| "no connectionsAccepted in /health".into())
}
