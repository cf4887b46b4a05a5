//! Durable state (`--data-dir`): the in-memory state stays the one that handlers read and
//! write; after every successful write, and before its 2xx goes out, the rows it changed are
//! appended to the commit log (`log`: in the OS's hands once `write` returns, so it survives
//! `kill -9` of the emulator; not a power cut). The applier (`applier`) writes them into SQLite
//! (`schema`, `tables`) every 200 ms, off the request path. At start the log is applied and the
//! state loaded back.
//!
//! Rows: users (revocation generation), thread headers (everything but messages), messages,
//! repeatability records, the event log (bounded), and `meta` (schema version, token-signing
//! key, resource id, access key, how far the log is applied); and, written directly rather than
//! through the commit log (`deliveries`): how far each webhook subscription took events, its
//! events not yet acknowledged, its dead letters, and the subscriptions added at run time.

mod applier;
mod database;
mod deliveries;
mod log;
mod meta;
mod queue;
mod rows;
mod schema;
mod store;
mod tables;

pub use schema::SCHEMA_VERSION;
pub(crate) use store::{Loaded, Store};
