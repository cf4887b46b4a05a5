//! Requests per second for send-message and get-message on loopback HTTPS.
//!
//! `cargo bench -p acs-emulator --bench throughput` (add `-- N` for N requests per client).
//! One keep-alive connection per client; 1 and 4 concurrent clients.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

fn main() {
    let per_client: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let h = common::start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    let message = h.send(&alice, &thread, "warm-up");
    let get_path = format!(
        "/chat/threads/{}/messages/{message}",
        common::encode(&thread)
    );

    println!("acs-emulator throughput, {per_client} requests per client, loopback HTTPS (rustls), HTTP/1.1 keep-alive");
    for clients in [1usize, 4] {
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
        println!("clients={clients}: send {sends:.0} req/s, get {gets:.0} req/s");
    }
}
