//! The SQLite file: how it is opened, its tables, and the upgrade of older data dirs.

use super::rows::other;
use rusqlite::{Connection, OptionalExtension};
use std::io;
use std::path::Path;

/// The schema this build writes. A data dir of a newer schema is refused, never rewritten; an
/// older one is upgraded in place, in one transaction.
///
/// - 1: threads, messages and repeatability records keyed by their ids.
/// - 2: the same rows under keys that only grow (a thread's number, a message's numeric id), so
///   that a transaction of many new rows appends to a few pages at the end of each table
///   instead of dirtying one page per row all over a B-tree (a thread id is random).
pub const SCHEMA_VERSION: i64 = 2;

const META: &str = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, generation INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS threads (n INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY, thread_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repeatability (
    caller TEXT NOT NULL, token TEXT NOT NULL, thread_id TEXT NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS events (idx INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (subscription TEXT PRIMARY KEY, next_event INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (subscription TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS delivery_queue (
    subscription TEXT NOT NULL, idx INTEGER NOT NULL, attempts INTEGER NOT NULL,
    due_ms INTEGER NOT NULL, published_ms INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (subscription, idx));
CREATE TABLE IF NOT EXISTS dead_letters (
    subscription TEXT NOT NULL, idx INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (subscription, idx));
";

/// Version 1's tables to version 2's (the message id is the `id` of its document).
const FROM_V1: &str = "
ALTER TABLE threads RENAME TO threads_v1;
ALTER TABLE messages RENAME TO messages_v1;
ALTER TABLE repeatability RENAME TO repeatability_v1;
CREATE TABLE threads (n INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY, thread_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE repeatability (
    caller TEXT NOT NULL, token TEXT NOT NULL, thread_id TEXT NOT NULL, body BLOB NOT NULL);
INSERT INTO threads (id, doc) SELECT id, doc FROM threads_v1;
INSERT INTO messages (id, thread_id, seq, doc)
    SELECT CAST(json_extract(doc, '$.id') AS INTEGER), thread_id, seq, doc FROM messages_v1
    ORDER BY thread_id, seq;
INSERT INTO repeatability SELECT caller, token, thread_id, body FROM repeatability_v1;
DROP TABLE threads_v1;
DROP TABLE messages_v1;
DROP TABLE repeatability_v1;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
";

/// Opens the database at `path` for this emulator alone and brings its tables to
/// [`SCHEMA_VERSION`]; whether it was new.
pub(super) fn open(path: &Path) -> io::Result<(Connection, bool)> {
    let conn = Connection::open(path).map_err(other)?;
    // One emulator per data dir (the data dir's lock): SQLite may hold its file lock for good
    // and keep the WAL index in memory instead of locking and mapping per transaction.
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(other)?;
    // Takes effect only in a new file: pages of 16 KiB, a quarter of the writes per megabyte
    // the applier appends (older data dirs keep their 4 KiB pages).
    conn.pragma_update(None, "page_size", 16_384)
        .map_err(other)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(other)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(other)?;
    // Checkpoints (which copy the WAL into the database and sync both) at 40 MiB of WAL rather
    // than SQLite's default of 1,000 pages, and a 64 MiB page cache: the applier's transactions
    // are large.
    conn.pragma_update(None, "wal_autocheckpoint", 2_500)
        .map_err(other)?;
    conn.pragma_update(None, "cache_size", -65_536)
        .map_err(other)?;
    conn.execute_batch(META).map_err(other)?;
    let version = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(other)?;
    let fresh = version.is_none();
    if let Some(version) = version {
        let version: i64 = version.parse().map_err(other)?;
        if version > SCHEMA_VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} holds schema version {version}, newer than this emulator's {SCHEMA_VERSION}: use a newer acs-emulator or another --data-dir (nothing was changed)",
                    path.display()
                ),
            ));
        }
        if version == 1 {
            let tx = conn.unchecked_transaction().map_err(other)?;
            tx.execute_batch(FROM_V1).map_err(|e| {
                other(format!(
                    "could not upgrade {} from schema version 1 (nothing was changed): {e}",
                    path.display()
                ))
            })?;
            tx.commit().map_err(other)?;
        }
    }
    conn.execute_batch(TABLES).map_err(other)?;
    Ok((conn, fresh))
}
