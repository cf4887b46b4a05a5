//! Requests per second for send-message, create-thread and get-message on loopback HTTPS, in
//! memory and with `--data-dir` (SQLite), side by side in one run; then the memory each stored
//! message costs.
//!
//! `cargo bench -p acs-emulator --bench throughput` (add `-- MS` for slices of MS milliseconds,
//! and `-- MS M` for M messages in the memory measurement; defaults 1000 and 100000).

#[path = "../tests/common/mod.rs"]
mod common;

use acs_emulator::Emulator;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

/// Requests done and seconds taken by `clients` concurrent clients calling `call(client, n)`
/// for `slice`, until `h`'s emulator has also applied them to its database: with `--data-dir`,
/// SQLite is written in the background every 200 ms, and without the wait that work would fall
/// on whichever slice runs next. A slice several times that period long keeps the part applied
/// after the clients stop (on one core, while the other idles) small.
fn timed(
    h: &common::Harness,
    clients: usize,
    slice: Duration,
    call: impl Fn(usize, usize) + Sync,
) -> (usize, f64) {
    let done = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..clients {
            let (call, done) = (&call, &done);
            scope.spawn(move || {
                let mut n = 0;
                while start.elapsed() < slice {
                    call(client, n);
                    n += 1;
                }
                done.fetch_add(n, Ordering::Relaxed);
            });
        }
    });
    h.emulator.checkpoint().expect("checkpoint");
    (done.into_inner(), start.elapsed().as_secs_f64())
}

/// Requests per second of (sends, creates, gets) for memory and durable, measured in `SLICES`
/// interleaved slices of each (memory, durable, memory, ...) so that the machine's drift during
/// the run falls on both alike.
fn run(harnesses: [&common::Harness; 2], clients: usize, slice: Duration) -> [[f64; 3]; 2] {
    const SLICES: usize = 5;
    let subjects = harnesses.map(subject);
    // Per harness and operation: requests and seconds.
    let mut totals = [[(0usize, 0.0f64); 3]; 2];
    for _ in 0..SLICES {
        for (i, h) in harnesses.iter().enumerate() {
            let s = &subjects[i];
            // A connection pool per client, made (and warmed by the first call) per slice.
            let own: Vec<common::Harness> = (0..clients).map(|_| h.client()).collect();
            let measured = [
                timed(h, clients, slice, |c, n| {
                    own[c].send(&s.user, &s.thread, &format!("message {n}"));
                }),
                timed(h, clients, slice, |c, _| {
                    own[c].thread(&s.user, &[]);
                }),
                timed(h, clients, slice, |c, _| {
                    let reply = own[c].chat(&s.user, "GET", &s.get_path, None);
                    assert_eq!(reply.status, 200);
                }),
            ];
            for (total, (requests, seconds)) in totals[i].iter_mut().zip(measured) {
                total.0 += requests;
                total.1 += seconds;
            }
        }
    }
    totals.map(|ops| ops.map(|(requests, seconds)| requests as f64 / seconds))
}

fn main() {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let slice = Duration::from_millis(numbers.first().copied().unwrap_or(1000) as u64);
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

    println!(
        "acs-emulator throughput, loopback HTTPS (rustls), HTTP/1.1 keep-alive, memory and --data-dir in 5 interleaved slices of {} ms per operation",
        slice.as_millis()
    );
    println!();
    println!("| clients | state | send msg/s | create thread/s | get msg/s |");
    println!("|---|---|---|---|---|");
    for clients in [1usize, 4] {
        let [[ms, mc, mg], [ds, dc, dg]] = run([&memory, &durable], clients, slice);
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
