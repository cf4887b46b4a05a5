//! The emulator under abuse: slow, idle and hostile clients, shutdown with requests in flight,
//! spoofed Host headers, an event log that must not grow forever.

mod common;

use acs_emulator::{ConnectionLimits, Emulator};
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn plain(limits: ConnectionLimits) -> Emulator {
    Emulator::builder()
        .plain_http(true)
        .connection_limits(limits)
        .start()
        .expect("emulator")
}

fn address(emulator: &Emulator) -> String {
    emulator
        .endpoint()
        .trim_start_matches("http://")
        .to_string()
}

/// Reads whatever the server sends until it closes (or 20 s pass: a liveness bound, not a
/// measurement).
fn read_all(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut text = Vec::new();
    let _ = stream.read_to_end(&mut text);
    String::from_utf8_lossy(&text).into_owned()
}

fn get(address: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /chat/threads?api-version=2025-03-15 HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    read_all(&mut stream)
}

#[test]
fn idle_and_slow_clients_cannot_starve_others() {
    let emulator = plain(ConnectionLimits {
        max_connections: 4,
        idle_timeout: Duration::from_millis(300),
        header_timeout: Duration::from_millis(500),
        ..Default::default()
    });
    let address = address(&emulator);
    // Fill every slot: three silent connections and one that drips a header forever.
    let mut idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    let mut drip = TcpStream::connect(&address).unwrap();
    let dripping = std::thread::spawn(move || {
        let _ = drip.write_all(b"GET /chat/threads HTTP/1.1\r\n");
        for _ in 0..100 {
            if drip.write_all(b"x").is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    });
    // A real client still gets its answer: the silent ones are closed, freeing their slots.
    let reply = get(&address);
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    for stream in &mut idle {
        assert_eq!(
            read_all(stream),
            "",
            "an idle connection is closed by the server"
        );
    }
    assert!(dripping.join().unwrap(), "a slow-drip header is cut off");
}

#[test]
fn bodies_trickled_a_byte_at_a_time_cannot_starve_others() {
    let emulator = plain(ConnectionLimits {
        max_connections: 2,
        idle_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_millis(500),
        ..Default::default()
    });
    let address = address(&emulator);
    // Both slots taken by bodies sent at 10 B/s: each byte resets the idle timer.
    let drips: Vec<_> = (0..2)
        .map(|_| {
            let mut drip = TcpStream::connect(&address).unwrap();
            std::thread::spawn(move || {
                let _ = drip.write_all(
                    b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n",
                );
                for _ in 0..300 {
                    if drip.write_all(b"x").is_err() {
                        return true;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                false
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // A real client still gets its answer once the trickling bodies run out of time.
    let reply = get(&address);
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply:?}");
    for drip in drips {
        assert!(drip.join().unwrap(), "a trickled body is cut off");
    }
    // A body that stops short is answered 408 with the service's error shape, then closed.
    let mut stalled = TcpStream::connect(&address).unwrap();
    stalled
        .write_all(b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n{\"a")
        .unwrap();
    let reply = read_all(&mut stalled);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply:?}");
    assert!(reply.contains("\"RequestTimeout\""), "{reply:?}");
}

#[test]
fn shutdown_lets_in_flight_requests_finish() {
    let emulator = plain(ConnectionLimits::default());
    let address = address(&emulator);
    let mut stream = TcpStream::connect(&address).unwrap();
    let body = br#"{"createTokenWithScopes":["chat"]}"#;
    write!(
        stream,
        "POST /identities?api-version=2023-10-01 HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let stopping = std::thread::spawn(move || emulator.shutdown());
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(&body[10..]).unwrap();
    let reply = read_all(&mut stream);
    // Unsigned, so 401: what matters is that a whole response came back after shutdown began.
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply:?}");
    stopping.join().unwrap();
    assert!(TcpStream::connect(&address).is_err(), "no longer accepting");
}

#[test]
fn next_links_name_the_emulator_not_the_host_header() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    h.send(&alice, &thread, "one");
    h.send(&alice, &thread, "two");
    let reply = h.raw(
        "GET",
        &format!(
            "{}?maxPageSize=1&api-version=2025-03-15",
            messages_path(&thread)
        ),
        &[
            ("authorization", format!("Bearer {}", alice.token)),
            ("host", "evil.example".to_string()),
        ],
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let next = reply.body["nextLink"].as_str().unwrap();
    assert!(next.starts_with(h.emulator.endpoint()), "{next}");
}

#[test]
fn the_event_log_keeps_the_newest_events_only() {
    let emulator = Emulator::builder().max_events(5).start().unwrap();
    let h = harness_for(emulator);
    let alice = h.new_user();
    let bob = h.new_user();
    let thread = h.thread(&alice, &[&bob]);
    for i in 0..10 {
        h.send(&alice, &thread, &format!("m{i}"));
    }
    let events = h.emulator.events();
    assert_eq!(events.len(), 5);
    assert_eq!(
        events.last().unwrap()["data"]["messageBody"],
        "m9",
        "the newest are kept"
    );
}
