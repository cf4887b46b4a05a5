// A small HTTP CONNECT proxy for tests: counts tunnels, records every byte clients send it (the
// CONNECT heads and the tunnelled bytes alike), and can demand basic-auth credentials.

/// A running proxy; its threads end with the test process.
struct ConnectProxy {
    /// `http://127.0.0.1:PORT`.
    url: String,
    /// Tunnels opened to a target.
    tunnels: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Every CONNECT target asked for, `host:port`, in order.
    targets: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Every byte a client sent the proxy.
    seen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl ConnectProxy {
    /// Starts one; with `credentials` (`user:password`) a CONNECT without the matching
    /// `Proxy-Authorization: Basic` gets 407.
    fn start(credentials: Option<&str>) -> ConnectProxy {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let tunnels = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let targets = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let expected = credentials.map(|c| {
            use base64::Engine;
            format!(
                "proxy-authorization: basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(c)
                    .to_ascii_lowercase()
            )
        });
        let (t, g, s) = (tunnels.clone(), targets.clone(), seen.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { continue };
                let (tunnels, targets, seen, expected) =
                    (t.clone(), g.clone(), s.clone(), expected.clone());
                std::thread::spawn(move || {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match client.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    seen.lock().unwrap().extend_from_slice(&head);
                    let text = String::from_utf8_lossy(&head).to_string();
                    let target = text
                        .strip_prefix("CONNECT ")
                        .and_then(|rest| rest.split(' ').next())
                        .unwrap_or_default()
                        .to_string();
                    targets.lock().unwrap().push(target.clone());
                    if let Some(expected) = &expected {
                        if !text.to_ascii_lowercase().contains(expected.as_str()) {
                            let _ = client.write_all(
                                b"HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"test\"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                            );
                            return;
                        }
                    }
                    let Ok(upstream) = std::net::TcpStream::connect(target.as_str()) else {
                        let _ = client.write_all(
                            b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        );
                        return;
                    };
                    tunnels.fetch_add(1, Ordering::SeqCst);
                    if client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                    let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
                    let mut down_write = client.try_clone().unwrap();
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut up_read, &mut down_write);
                        let _ = down_write.shutdown(std::net::Shutdown::Both);
                    });
                    let mut buffer = [0u8; 16 * 1024];
                    loop {
                        match client.read(&mut buffer) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                seen.lock().unwrap().extend_from_slice(&buffer[..n]);
                                if up_write.write_all(&buffer[..n]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = up_write.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        ConnectProxy {
            url: format!("http://127.0.0.1:{port}"),
            tunnels,
            targets,
            seen,
        }
    }

    fn tunnels(&self) -> usize {
        self.tunnels.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }

    /// Whether `secret` crossed the proxy in the clear (in a CONNECT head or a tunnel).
    fn saw(&self, secret: &str) -> bool {
        let seen = self.seen.lock().unwrap();
        seen.windows(secret.len()).any(|w| w == secret.as_bytes())
    }
}
