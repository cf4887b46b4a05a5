//! The rows of the SQLite tables: written by the applier (and at open, for what the commit log
//! held), read back at start.

use super::rows::{other, Row};
use crate::domain::state::{State, Thread, User};
use crate::wire::{Message, MessageType};
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::io;

/// Each thread's row number in `threads` (rows are appended; a thread's later versions
/// replace its row in place).
pub(super) type ThreadNumbers = HashMap<String, i64>;

/// The thread numbers of a data dir.
pub(super) fn thread_numbers(conn: &Connection) -> io::Result<ThreadNumbers> {
    let mut stmt = conn.prepare("SELECT id, n FROM threads").map_err(other)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(other)?;
    rows.map(|row| row.map_err(other)).collect()
}

/// Writes rows in a transaction.
pub(super) fn write_rows(
    tx: &rusqlite::Transaction<'_>,
    rows: &[Row],
    threads: &mut ThreadNumbers,
) -> io::Result<()> {
    for row in rows {
        match row {
            Row::User(id, Some(generation)) => tx
                .prepare_cached("INSERT OR REPLACE INTO users (id, generation) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![id, *generation as i64])),
            Row::User(id, None) => tx
                .prepare_cached("DELETE FROM users WHERE id = ?1")
                .and_then(|mut s| s.execute([id])),
            Row::Thread(id, doc) => match threads.get(id) {
                Some(n) => tx
                    .prepare_cached("INSERT OR REPLACE INTO threads (n, id, doc) VALUES (?1, ?2, ?3)")
                    .and_then(|mut s| s.execute(params![n, id, doc])),
                None => tx
                    .prepare_cached("INSERT INTO threads (id, doc) VALUES (?1, ?2)")
                    .and_then(|mut s| s.execute(params![id, doc]))
                    .inspect(|_| {
                        threads.insert(id.clone(), tx.last_insert_rowid());
                    }),
            },
            Row::Message(thread, seq, message_id, doc) => tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO messages (id, thread_id, seq, doc) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut s| s.execute(params![message_id, thread, *seq as i64, doc])),
            Row::Repeatability(caller, token, thread, body) => tx
                .prepare_cached("INSERT INTO repeatability VALUES (?1, ?2, ?3, ?4)")
                .and_then(|mut s| s.execute(params![caller, token, thread, body])),
            Row::Event(idx, doc) => tx
                .prepare_cached("INSERT OR REPLACE INTO events (idx, doc) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![*idx as i64, doc])),
            Row::Reset => {
                threads.clear();
                tx.execute_batch(
                    "DELETE FROM users; DELETE FROM threads; DELETE FROM messages; \
                     DELETE FROM repeatability;",
                )
                .map(|()| 0)
            }
        }
        .map_err(other)?;
    }
    Ok(())
}

/// Records in SQLite how far the commit log is applied.
pub(super) fn set_applied(tx: &rusqlite::Transaction<'_>, seq: u64) -> io::Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES ('log_applied', ?1)")
        .and_then(|mut s| s.execute([seq.to_string()]))
        .map(|_| ())
        .map_err(other)
}

/// The state a data dir holds, and how many messages of each thread it holds.
pub(super) fn load_state(conn: &Connection) -> io::Result<(State, HashMap<String, usize>)> {
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
    let mut stmt = conn
        .prepare("SELECT id, doc FROM threads ORDER BY n")
        .map_err(other)?;
    let threads = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(other)?;
    for thread in threads {
        let (id, doc) = thread.map_err(other)?;
        let mut thread: Thread = serde_json::from_str(&doc).map_err(other)?;
        thread.id = id.clone();
        state.threads.insert(id, thread);
    }
    // In id order, which is each thread's sequence order too (ids only grow); sorted by
    // sequence number all the same, so that a thread's order never rests on that.
    let mut stmt = conn
        .prepare("SELECT thread_id, seq, doc FROM messages ORDER BY id")
        .map_err(other)?;
    let messages = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .map_err(other)?;
    let mut last_id = 0i64;
    let mut by_thread: HashMap<String, Vec<(i64, Message)>> = HashMap::new();
    for message in messages {
        let (thread_id, seq, doc) = message.map_err(other)?;
        let message: Message = serde_json::from_str(&doc).map_err(other)?;
        last_id = last_id.max(message.id.parse().unwrap_or(0));
        by_thread.entry(thread_id).or_default().push((seq, message));
    }
    for (thread_id, mut messages) in by_thread {
        let Some(thread) = state.threads.get_mut(&thread_id) else {
            continue;
        };
        messages.sort_by_key(|(seq, _)| *seq);
        for (_, message) in messages {
            if matches!(message.kind, MessageType::Text | MessageType::Html) {
                thread.last_message_received_on = thread
                    .last_message_received_on
                    .max(Some(message.created_on));
            }
            thread.messages.push(message);
        }
        thread.reindex();
    }
    state.restore_last_message_id(last_id);
    let mut stmt = conn
        .prepare("SELECT caller, token, thread_id, body FROM repeatability ORDER BY rowid")
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

/// The last `max` events, oldest first.
pub(super) fn load_events(
    conn: &Connection,
    max: usize,
) -> io::Result<Vec<(usize, serde_json::Value)>> {
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
