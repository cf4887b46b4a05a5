//! Durable state in SQLite (`--data-dir`): the in-memory state stays the one that handlers read
//! and write; after every successful write, and before its 2xx goes out, the rows it changed are
//! committed (WAL, `synchronous=NORMAL`: a commit survives `kill -9` of the emulator, since it is
//! in the OS's hands; not a power cut). At start the state is loaded back.
//!
//! Rows: users (revocation generation), thread headers (everything but messages), messages by
//! sequence number, repeatability records, the event log (bounded), and `meta` (schema version,
//! token-signing key, resource id, access key).

use crate::http_util::{Reply, Req};
use crate::shared::App;
use crate::store::{Receipt, State, Thread, User};
use acs_chat_core::models::{ChatMessage, ChatParticipant, ChatRetentionPolicy, Metadata};
use acs_chat_core::CommunicationIdentifier;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use time::OffsetDateTime;

/// The schema this build writes. A data dir of a newer schema is refused, never rewritten.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, generation INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS threads (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    thread_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (thread_id, seq));
CREATE TABLE IF NOT EXISTS repeatability (
    caller TEXT NOT NULL, token TEXT NOT NULL, thread_id TEXT NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (caller, token));
CREATE TABLE IF NOT EXISTS events (idx INTEGER PRIMARY KEY, doc TEXT NOT NULL);
";

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A thread without its messages, as stored.
#[derive(Serialize, Deserialize)]
struct ThreadRow {
    topic: String,
    created_on: OffsetDateTime,
    created_by: CommunicationIdentifier,
    deleted_on: Option<OffsetDateTime>,
    metadata: Option<Metadata>,
    retention_policy: Option<ChatRetentionPolicy>,
    participants: Vec<ChatParticipant>,
    former_participants: Vec<String>,
    receipts: Vec<ReceiptRow>,
    last_message_received_on: Option<OffsetDateTime>,
}

#[derive(Serialize, Deserialize)]
struct ReceiptRow {
    sender: CommunicationIdentifier,
    message_id: String,
    sequence: usize,
    read_on: OffsetDateTime,
}

/// What a data dir held at start.
pub(crate) struct Loaded {
    pub(crate) state: State,
    pub(crate) token_secret: Vec<u8>,
    pub(crate) resource_id: String,
    pub(crate) access_key: Option<String>,
    pub(crate) events: Vec<(usize, serde_json::Value)>,
}

struct Inner {
    conn: Connection,
    /// Messages committed per thread (their sequence numbers are 1..=n).
    messages: HashMap<String, usize>,
    /// Events committed (the index of the next one).
    events: usize,
}

pub(crate) struct Store {
    inner: Mutex<Inner>,
    max_events: usize,
}

impl Store {
    /// Opens (or creates) `dir/acs-emulator.sqlite3` and loads what it holds. `fresh` supplies
    /// the keys of a new data dir.
    pub(crate) fn open(
        dir: &Path,
        max_events: usize,
        fresh: (Vec<u8>, String, String),
    ) -> io::Result<(Store, Loaded)> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("acs-emulator.sqlite3");
        let conn = Connection::open(&path).map_err(other)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(other)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(other)?;
        conn.execute_batch(SCHEMA).map_err(other)?;
        let meta = |key: &str| -> io::Result<Option<String>> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(other)
        };
        match meta("schema_version")? {
            None => {
                let (secret, resource_id, access_key) = &fresh;
                let put = |k: &str, v: &str| {
                    conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", [k, v])
                        .map_err(other)
                };
                put("schema_version", &SCHEMA_VERSION.to_string())?;
                put("token_secret", &hex(secret))?;
                put("resource_id", resource_id)?;
                put("access_key", access_key)?;
            }
            Some(version) => {
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
            }
        }
        let token_secret = unhex(&meta("token_secret")?.unwrap_or_default());
        let resource_id = meta("resource_id")?.unwrap_or_default();
        let access_key = meta("access_key")?;
        let (state, messages) = load_state(&conn)?;
        let events = load_events(&conn, max_events)?;
        let next_event = conn
            .query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM events", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(other)? as usize;
        let store = Store {
            inner: Mutex::new(Inner {
                conn,
                messages,
                events: next_event,
            }),
            max_events,
        };
        Ok((
            store,
            Loaded {
                state,
                token_secret,
                resource_id,
                access_key,
                events,
            },
        ))
    }

    /// Commits what a successful write request changed. Called before its reply is sent.
    pub(crate) fn after_write(&self, app: &App, req: &Req, reply: &Reply) -> io::Result<()> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let inner = &mut *inner;
        let tx = inner.conn.transaction().map_err(other)?;
        let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        match (req.method.as_str(), segments.as_slice()) {
            ("POST", ["identities"]) => {
                let body: serde_json::Value =
                    serde_json::from_slice(&reply.body).unwrap_or_default();
                if let Some(id) = body["identity"]["id"].as_str() {
                    upsert_user(&tx, app, id)?;
                }
            }
            ("DELETE", ["identities", id]) => {
                tx.execute("DELETE FROM users WHERE id = ?1", [id])
                    .map_err(other)?;
            }
            (_, ["identities", id, ..]) => upsert_user(&tx, app, id)?,
            ("POST", ["chat", "threads"]) => {
                let body: serde_json::Value =
                    serde_json::from_slice(&reply.body).unwrap_or_default();
                if let Some(id) = body["chatThread"]["id"].as_str() {
                    write_thread(&tx, app, id, &mut inner.messages, None)?;
                    let state = app.state();
                    for ((caller, token), (thread_id, body)) in &state.repeatability {
                        if thread_id == id {
                            tx.execute(
                                "INSERT OR REPLACE INTO repeatability VALUES (?1, ?2, ?3, ?4)",
                                params![caller, token, thread_id, body],
                            )
                            .map_err(other)?;
                        }
                    }
                }
            }
            (_, ["chat", "threads", id, rest @ ..]) => {
                let edited = match rest {
                    ["messages", message_id] => Some(*message_id),
                    _ => None,
                };
                write_thread(&tx, app, id, &mut inner.messages, edited)?;
            }
            _ => {}
        }
        // Events of this write (and of any concurrent one not yet committed).
        let total = app.events.total();
        if total > inner.events {
            for (idx, event) in app.events.indexed_since(inner.events) {
                tx.execute(
                    "INSERT OR REPLACE INTO events (idx, doc) VALUES (?1, ?2)",
                    params![idx as i64, event.to_string()],
                )
                .map_err(other)?;
            }
            inner.events = total;
            tx.execute(
                "DELETE FROM events WHERE idx < ?1",
                [total.saturating_sub(self.max_events) as i64],
            )
            .map_err(other)?;
        }
        tx.commit().map_err(other)
    }
}

fn upsert_user(tx: &rusqlite::Transaction<'_>, app: &App, id: &str) -> io::Result<()> {
    let generation = app.state().users.get(id).map(|u| u.generation);
    match generation {
        Some(generation) => tx
            .execute(
                "INSERT OR REPLACE INTO users (id, generation) VALUES (?1, ?2)",
                params![id, generation as i64],
            )
            .map(|_| ()),
        None => tx
            .execute("DELETE FROM users WHERE id = ?1", [id])
            .map(|_| ()),
    }
    .map_err(other)
}

/// Commits a thread's header, its messages past those already committed, and `edited`.
fn write_thread(
    tx: &rusqlite::Transaction<'_>,
    app: &App,
    id: &str,
    committed: &mut HashMap<String, usize>,
    edited: Option<&str>,
) -> io::Result<()> {
    let state = app.state();
    let Some(thread) = state.threads.get(id) else {
        return Ok(());
    };
    let row = ThreadRow {
        topic: thread.topic.clone(),
        created_on: thread.created_on,
        created_by: thread.created_by.clone(),
        deleted_on: thread.deleted_on,
        metadata: thread.metadata.clone(),
        retention_policy: thread.retention_policy.clone(),
        participants: thread.participants.clone(),
        former_participants: thread.former_participants.clone(),
        receipts: thread
            .receipts
            .iter()
            .map(|r| ReceiptRow {
                sender: r.sender.clone(),
                message_id: r.message_id.clone(),
                sequence: r.sequence,
                read_on: r.read_on,
            })
            .collect(),
        last_message_received_on: thread.last_message_received_on,
    };
    tx.execute(
        "INSERT OR REPLACE INTO threads (id, doc) VALUES (?1, ?2)",
        params![id, serde_json::to_string(&row).map_err(other)?],
    )
    .map_err(other)?;
    let done = committed.entry(id.to_string()).or_insert(0);
    let put = |seq: usize, message: &ChatMessage| -> io::Result<()> {
        tx.execute(
            "INSERT OR REPLACE INTO messages (thread_id, seq, doc) VALUES (?1, ?2, ?3)",
            params![
                id,
                seq as i64,
                serde_json::to_string(message).map_err(other)?
            ],
        )
        .map(|_| ())
        .map_err(other)
    };
    for (index, message) in thread.messages.iter().enumerate().skip(*done) {
        put(index + 1, message)?;
    }
    if let Some(message_id) = edited {
        if let Some(index) = thread.messages.iter().position(|m| m.id == message_id) {
            put(index + 1, &thread.messages[index])?;
        }
    }
    *done = thread.messages.len();
    Ok(())
}

fn load_state(conn: &Connection) -> io::Result<(State, HashMap<String, usize>)> {
    let mut state = State::default();
    let mut stmt = conn
        .prepare("SELECT id, generation FROM users")
        .map_err(other)?;
    let users = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(other)?;
    for user in users {
        let (id, generation) = user.map_err(other)?;
        state.users.insert(
            id,
            User {
                generation: generation as u64,
            },
        );
    }
    let mut stmt = conn.prepare("SELECT id, doc FROM threads").map_err(other)?;
    let threads = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(other)?;
    for thread in threads {
        let (id, doc) = thread.map_err(other)?;
        let row: ThreadRow = serde_json::from_str(&doc).map_err(other)?;
        state.threads.insert(
            id.clone(),
            Thread {
                id,
                topic: row.topic,
                created_on: row.created_on,
                created_by: row.created_by,
                deleted_on: row.deleted_on,
                metadata: row.metadata,
                retention_policy: row.retention_policy,
                participants: row.participants,
                former_participants: row.former_participants,
                messages: Vec::new(),
                receipts: row
                    .receipts
                    .into_iter()
                    .map(|r| Receipt {
                        sender: r.sender,
                        message_id: r.message_id,
                        sequence: r.sequence,
                        read_on: r.read_on,
                    })
                    .collect(),
                typing: Vec::new(),
                last_message_received_on: row.last_message_received_on,
            },
        );
    }
    let mut stmt = conn
        .prepare("SELECT thread_id, doc FROM messages ORDER BY thread_id, seq")
        .map_err(other)?;
    let messages = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(other)?;
    let mut last_id = 0i64;
    for message in messages {
        let (thread_id, doc) = message.map_err(other)?;
        let message: ChatMessage = serde_json::from_str(&doc).map_err(other)?;
        last_id = last_id.max(message.id.parse().unwrap_or(0));
        if let Some(thread) = state.threads.get_mut(&thread_id) {
            thread.messages.push(message);
        }
    }
    state.restore_last_message_id(last_id);
    let mut stmt = conn
        .prepare("SELECT caller, token, thread_id, body FROM repeatability")
        .map_err(other)?;
    let records = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        })
        .map_err(other)?;
    for record in records {
        let (caller, token, thread_id, body) = record.map_err(other)?;
        state
            .repeatability
            .insert((caller, token), (thread_id, body));
    }
    let committed = state
        .threads
        .iter()
        .map(|(id, t)| (id.clone(), t.messages.len()))
        .collect();
    Ok((state, committed))
}

fn load_events(conn: &Connection, max: usize) -> io::Result<Vec<(usize, serde_json::Value)>> {
    let mut stmt = conn
        .prepare("SELECT idx, doc FROM events ORDER BY idx DESC LIMIT ?1")
        .map_err(other)?;
    let rows = stmt
        .query_map([max as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(other)?;
    let mut events = Vec::new();
    for row in rows {
        let (idx, doc) = row.map_err(other)?;
        events.push((idx as usize, serde_json::from_str(&doc).map_err(other)?));
    }
    events.reverse();
    Ok(events)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}
