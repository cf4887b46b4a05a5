//! Requests per second for send-message and get-message on loopback HTTPS, in memory and with
//! `--data-dir` (SQLite), side by side in one run; then the memory each stored message costs.
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

/// (sends/s, gets/s) with `clients` concurrent clients of `per_client` requests each.
fn run(h: &common::Harness, clients: usize, per_client: usize) -> (f64, f64) {
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let message = h.send(&alice, &thread, "warm-up");
    let get_path = format!(
        "/chat/threads/{}/messages/{message}",
        common::encode(&thread)
    );
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let own = h.client();
                for i in 0..per_client {
                    own.send(&alice, &thread, &format!("message {i}"));
                }
            });
        }
    });
    let sends = (clients * per_client) as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let own = h.client();
                for _ in 0..per_client {
                    let reply = own.chat(&alice, "GET", &get_path, None);
                    assert_eq!(reply.status, 200);
                }
            });
        }
    });
    let gets = (clients * per_client) as f64 / start.elapsed().as_secs_f64();
    (sends, gets)
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

    println!("acs-emulator throughput, {per_client} requests per client, loopback HTTPS (rustls), HTTP/1.1 keep-alive, interleaved");
    println!();
    println!("| clients | state | send msg/s | get msg/s |");
    println!("|---|---|---|---|");
    for clients in [1usize, 4] {
        let (ms, mg) = run(&memory, clients, per_client);
        let (ds, dg) = run(&durable, clients, per_client);
        println!("| {clients} | memory | {ms:.0} | {mg:.0} |");
        println!(
            "| {clients} | --data-dir | {ds:.0} ({:.2}×) | {dg:.0} ({:.2}×) |",
            ds / ms,
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
