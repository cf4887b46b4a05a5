//! Requests per second for send-message, create-thread and get-message on loopback HTTPS, in
//! memory and with `--data-dir` (SQLite), side by side in one run; then the memory each stored
//! message costs.
//!
//! `cargo bench -p acs-emulator --bench throughput` (add `-- N` for N requests per client, and
//! `-- N M` for M messages in the memory measurement; defaults 2000 and 100000).

#[path = "../tests/common/mod.rs"]
mod common;

use acs_emulator::Emulator;
use std::time::Instant;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// What one harness is measured on: a user, a thread and a message to read.
struct Subject {
    user: common::User,
    thread: String,
    get_path: String,
}

fn subject(h: &common::Harness) -> Subject {
    let user = h.new_user();
    let thread = h.thread(&user, &[]);
    let message = h.send(&user, &thread, "warm-up");
    let get_path = format!(
        "/chat/threads/{}/messages/{message}",
        common::encode(&thread)
    );
    Subject {
        user,
        thread,
        get_path,
    }
}

/// Seconds `clients` concurrent clients take for `per_client` calls of `call(client, n)` each.
fn timed(clients: usize, per_client: usize, call: impl Fn(usize, usize) + Sync) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..clients {
            let call = &call;
            scope.spawn(move || {
                for n in 0..per_client {
                    call(client, n);
                }
            });
        }
    });
    start.elapsed().as_secs_f64()
}

/// Requests per second of (sends, creates, gets) for memory and durable, measured in `SLICES`
/// interleaved slices (memory, durable, memory, ...) so that the machine's drift during the run
/// falls on both alike; thread creates are a quarter as many.
fn run(
    harnesses: [&common::Harness; 2],
    clients: usize,
    per_client: usize,
) -> [(f64, f64, f64); 2] {
    const SLICES: usize = 5;
    let subjects = harnesses.map(subject);
    let per_slice = (per_client / SLICES).max(1);
    let creates_per_slice = (per_slice / 4).max(1);
    let mut seconds = [(0.0, 0.0, 0.0); 2];
    for _ in 0..SLICES {
        for (i, h) in harnesses.iter().enumerate() {
            let s = &subjects[i];
            // A connection pool per client, made (and warmed by the first call) per slice.
            let own: Vec<common::Harness> = (0..clients).map(|_| h.client()).collect();
            seconds[i].0 += timed(clients, per_slice, |c, n| {
                own[c].send(&s.user, &s.thread, &format!("message {n}"));
            });
            seconds[i].1 += timed(clients, creates_per_slice, |c, _| {
                own[c].thread(&s.user, &[]);
            });
            seconds[i].2 += timed(clients, per_slice, |c, _| {
                let reply = own[c].chat(&s.user, "GET", &s.get_path, None);
                assert_eq!(reply.status, 200);
            });
        }
    }
    let requests = (clients * per_slice * SLICES) as f64;
    let creates = (clients * creates_per_slice * SLICES) as f64;
    seconds.map(|(s, c, g)| (requests / s, creates / c, requests / g))
}

fn main() {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let per_client = numbers.first().copied().unwrap_or(2000);
    let stored = numbers.get(1).copied().unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("acs-emulator-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let memory = common::harness_for(Emulator::builder().start().expect("emulator"));
    let durable = common::harness_for(
        Emulator::builder()
            .data_dir(&dir)
            .start()
            .expect("emulator with --data-dir"),
    );

    println!("acs-emulator throughput, {per_client} requests per client, loopback HTTPS (rustls), HTTP/1.1 keep-alive, memory and --data-dir in 5 interleaved slices");
    println!();
    println!("| clients | state | send msg/s | create thread/s | get msg/s |");
    println!("|---|---|---|---|---|");
    for clients in [1usize, 4] {
        let [(ms, mc, mg), (ds, dc, dg)] = run([&memory, &durable], clients, per_client);
        println!("| {clients} | memory | {ms:.0} | {mc:.0} | {mg:.0} |");
        println!(
            "| {clients} | --data-dir | {ds:.0} ({:.2}×) | {dc:.0} ({:.2}×) | {dg:.0} ({:.2}×) |",
            ds / ms,
            dc / mc,
            dg / mg
        );
    }
    drop(durable);
    let _ = std::fs::remove_dir_all(&dir);

    // Memory per stored message: 20-byte texts into a fresh in-memory emulator.
    let h = common::harness_for(Emulator::builder().start().expect("emulator"));
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let before = rss_kb();
    for i in 0..stored {
        h.send(&alice, &thread, &format!("twenty-byte text {i:03}")[..20]);
    }
    let after = rss_kb();
    println!();
    println!(
        "memory: {stored} stored 20-byte messages raised RSS by {:.1} MB: {:.0} bytes per message (event log at its default bound of 10,000)",
        (after - before) as f64 / 1024.0,
        (after - before) as f64 * 1024.0 / stored as f64
    );
}
