//! **acs-emulator**: a local Azure Communication Services chat + identity service.
//!
//! It speaks the ACS REST API (chat api-versions 2021-03-07 to 2025-03-15, identity 2021-03-07 to
//! 2023-10-01) over HTTPS with a generated CA, HMAC-authenticated identity calls and bearer-token
//! chat calls, so the official SDKs (Python, JS) and this workspace's Rust SDK run against it
//! unmodified.
//!
//! ```no_run
//! let emulator = acs_emulator::Emulator::builder().start()?;
//! println!("{}", emulator.connection_string());
//! let ca_pem = emulator.ca_certificate_pem(); // trust this in your client
//! # let _ = ca_pem;
//! emulator.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs)]

// The layers, bottom to top (every import points down; `tools/check_layers.py` checks it):
mod api;
mod app;
mod delivery;
mod domain;
mod events;
mod http;
mod persist;
mod server;
mod support;
mod wire;

pub use domain::Limits;
pub use events::subscription::{EventSchema, EventSubscription, RetryPolicy};
pub use persist::SCHEMA_VERSION;
pub use server::config::{ConnectionLimits, EmulatorBuilder, DEVELOPMENT_ACCESS_KEY};
pub use server::{BoundEmulator, EmulatorInfo};

use std::io;
use std::thread::JoinHandle;

/// A running emulator on its own thread and runtime, usable from blocking and async code alike.
/// Dropping it shuts it down.
pub struct Emulator {
    info: EmulatorInfo,
    subscriptions: delivery::Subscriptions,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("info", &self.info)
            .finish()
    }
}

impl Emulator {
    /// A builder: loopback, any free port, HTTPS with fresh certificates, random access key.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub fn endpoint(&self) -> &str {
        &self.info.endpoint
    }

    /// `endpoint=https://127.0.0.1:PORT/;accesskey=KEY`.
    pub fn connection_string(&self) -> String {
        self.info.connection_string()
    }

    /// The CA certificate (PEM) to trust; `None` when serving plain HTTP.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.info.ca_certificate_pem.as_deref()
    }

    /// The Event Grid events (EventGrid schema) emitted so far, oldest first; the same as
    /// `GET /emulator/events`.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.subscriptions.events().since(0)
    }

    /// Subscribes a webhook from now on, like creating an Event Grid event subscription (see
    /// [`EventSubscription`]); with a data dir it is kept, and delivery goes on after a restart.
    /// Fails if the URL is not `http://` or `https://`.
    pub fn add_event_subscription(&self, subscription: EventSubscription) -> io::Result<()> {
        self.subscriptions.put(subscription, true).map(|_| ())
    }

    /// Deletes the subscription named `name` (see [`EventSubscription::name`]; an unnamed one
    /// is listed under its derived name at `GET /emulator/subscriptions`): its delivery stops and
    /// its queue is dropped; its dead letters stay. Whether there was one.
    pub fn remove_event_subscription(&self, name: &str) -> io::Result<bool> {
        self.subscriptions.delete(name)
    }

    /// The events subscriptions gave up and dead-lettered (all subscriptions' for `None`), each
    /// the event with Event Grid's dead-letter fields and `subscription`; the same as
    /// `GET /emulator/deadletter`.
    pub fn dead_lettered_events(&self, subscription: Option<&str>) -> Vec<serde_json::Value> {
        self.subscriptions.dead_letters(subscription)
    }

    /// With a data dir, applies what is committed but still only in the commit log to the
    /// SQLite database now (the emulator otherwise does so every 200 ms) and returns once it is
    /// there: then the database alone holds the whole state. Benchmarks call it to count that
    /// deferred work in the time of the writes that caused it. Without a data dir it does
    /// nothing.
    ///
    /// # Errors
    ///
    /// What SQLite reported, if the records could not be applied (they stay in the commit log
    /// and are applied at the next start), or `TimedOut` after a minute.
    pub fn checkpoint(&self) -> io::Result<()> {
        match self.subscriptions.store() {
            Some(store) => store.checkpoint(),
            None => Ok(()),
        }
    }

    /// Everything about where it runs.
    pub fn info(&self) -> &EmulatorInfo {
        &self.info
    }

    /// Stops serving and waits for the emulator's thread to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

impl EmulatorBuilder {
    /// Starts the emulator on a thread of its own with its own tokio runtime and returns once it
    /// listens. Works from blocking code and from inside an async runtime.
    pub fn start(self) -> io::Result<Emulator> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("acs-emulator".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match self.bind().await {
                        Ok(bound) => {
                            let _ = ready_tx.send(Ok((bound.info.clone(), bound.subscriptions())));
                            bound
                                .serve(async {
                                    let _ = shutdown_rx.await;
                                })
                                .await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        let (info, subscriptions) = ready_rx
            .recv()
            .map_err(|_| io::Error::other("the emulator thread ended before listening"))??;
        Ok(Emulator {
            info,
            subscriptions,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }
}
