//! The store: opening a data dir (loading what it holds), committing writes to the commit log
//! before their replies go out, and the checkpoint.

use super::applier;
use super::database::Database;
use super::log::{CommitLog, Record};
use super::queue::{Queue, Staged};
use super::rows::{other, Row};
use super::schema::{self, SCHEMA_VERSION};
use super::tables;
use crate::domain::state::State;
use crate::domain::Change;
use crate::events::EventLog;
use crate::wire::Message;
use rusqlite::OptionalExtension;
use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What a data dir held at start.
pub(crate) struct Loaded {
    pub(crate) state: State,
    pub(crate) token_secret: Vec<u8>,
    pub(crate) resource_id: String,
    pub(crate) access_key: Option<String>,
    pub(crate) events: Vec<(usize, serde_json::Value)>,
}

/// A write is committed by appending its rows to the commit log (`log`) in one `write` under
/// one lock, so that rows reach the log in the order the state changed; that makes it durable.
/// The applier thread writes them into SQLite in large transactions, off the request path.
pub(crate) struct Store {
    /// Rows read from the state, in the order it changed; taken under the state lock.
    staged: Mutex<Staged>,
    /// The commit log; taken after the state lock is released.
    queue: Arc<Mutex<Queue>>,
    pub(super) database: Arc<Mutex<Database>>,
    /// Batches for the applier; `None` once closing.
    applier: Mutex<Option<std::sync::mpsc::Sender<applier::Work>>>,
    applier_thread: Option<std::thread::JoinHandle<()>>,
    /// Events committed (the index of the next one): subscriptions deliver no further.
    events_committed: std::sync::atomic::AtomicUsize,
    /// Held while this store is open: a second emulator on the same data dir is refused.
    _lock: std::fs::File,
    /// The data dir.
    dir: std::path::PathBuf,
}

impl Store {
    /// Opens (or creates) `dir/acs-emulator.sqlite3` and loads what it holds. `fresh` supplies
    /// the keys of a new data dir.
    pub(crate) fn open(
        dir: &Path,
        max_events: usize,
        fresh: (Vec<u8>, String, String),
    ) -> io::Result<(Store, Loaded)> {
        let lock = crate::support::data_dir::create_dir(dir)?;
        let path = dir.join("acs-emulator.sqlite3");
        crate::support::data_dir::create_file(&path)?;
        let (conn, fresh_file) = schema::open(&path)?;
        let meta = |key: &str| -> io::Result<Option<String>> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(other)
        };
        if fresh_file {
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
        let token_secret = unhex(&meta("token_secret")?.unwrap_or_default());
        let resource_id = meta("resource_id")?.unwrap_or_default();
        let access_key = meta("access_key")?;
        // Records acknowledged but not yet in SQLite when the last emulator stopped (or was
        // killed): into SQLite first, then the log starts empty.
        let (mut commit_log, records) = CommitLog::open(dir)?;
        let applied: u64 = meta("log_applied")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let pending: Vec<&Record> = records.iter().filter(|r| r.seq > applied).collect();
        let mut threads = tables::thread_numbers(&conn)?;
        if let Some(last) = pending.last().map(|r| r.seq) {
            let tx = conn.unchecked_transaction().map_err(other)?;
            for record in &pending {
                tables::write_rows(&tx, &record.rows, &mut threads)?;
            }
            tables::set_applied(&tx, last)?;
            tx.commit().map_err(other)?;
        }
        commit_log.continue_after(applied);
        let first_open = commit_log.rotate()?;
        commit_log.delete_before(first_open)?;
        let (state, messages) = tables::load_state(&conn)?;
        let events = tables::load_events(&conn, max_events)?;
        let next_event = conn
            .query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM events", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(other)? as usize;
        let database = Arc::new(Mutex::new(Database {
            conn,
            threads,
            events_written: next_event,
            trimmed_at: next_event,
            max_events,
        }));
        let queue = Arc::new(Mutex::new(Queue::new(commit_log, next_event)));
        let staged = Mutex::new(Staged::new(messages, next_event));
        let (sender, batches) = std::sync::mpsc::channel();
        let applier_thread = {
            let (database, queue) = (database.clone(), queue.clone());
            std::thread::Builder::new()
                .name("acs-emulator-apply".into())
                .spawn(move || applier::apply_loop(&database, &queue, &batches))?
        };
        let store = Store {
            staged,
            queue,
            database,
            applier: Mutex::new(Some(sender)),
            applier_thread: Some(applier_thread),
            events_committed: next_event.into(),
            _lock: lock,
            dir: dir.to_path_buf(),
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

    /// Commits what a successful write request changed: once this returns, it survives a
    /// `kill -9`. Call before the reply is sent, with the state lock the handler took: the rows
    /// are read and staged under it (so they are staged in the order the state changed), then it
    /// is released before anything is written. Whoever takes the commit log next writes every
    /// staged commit in one `write` (group commit), so concurrent writers share a write and no
    /// reader of the state waits for one.
    pub(crate) fn commit(
        &self,
        state: MutexGuard<'_, State>,
        events: &EventLog,
        changes: &[Change],
    ) -> io::Result<()> {
        let ticket = {
            let mut staged = self.staged.lock().unwrap_or_else(PoisonError::into_inner);
            let staged = &mut *staged;
            let mut rows = Vec::new();
            if let Err(e) = snapshot(&state, changes, &mut staged.messages, &mut rows) {
                // What was counted as staged for these threads was not: rewrite them all later.
                staged.messages.clear();
                return Err(e);
            }
            let total = events.total();
            if total > staged.events {
                for (idx, event) in events.indexed_since(staged.events) {
                    rows.push(Row::Event(idx, event.json.clone()));
                }
                staged.events = total;
            }
            staged.rows.append(&mut rows);
            staged.last += 1;
            staged.last
        };
        drop(state);
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if ticket <= queue.done {
            // A writer that came after took this commit along.
            return match queue.was_lost(ticket) {
                true => Err(io::Error::other("the commit log could not be written")),
                false => Ok(()),
            };
        }
        let (rows, upto, events_upto) = {
            let mut staged = self.staged.lock().unwrap_or_else(PoisonError::into_inner);
            (std::mem::take(&mut staged.rows), staged.last, staged.events)
        };
        // One `write`, inline on this worker. On failure nothing of the batch is acknowledged,
        // and what it was to carry goes with a later write: its events (read again from the last
        // written), the threads' messages (all of them: how many were written is forgotten).
        match queue.log.append(&rows) {
            Ok(frame) => {
                queue.done = upto;
                queue.events = events_upto;
                self.events_committed
                    .fetch_max(events_upto, std::sync::atomic::Ordering::AcqRel);
                if let Some(applier) = &*self.applier.lock().unwrap_or_else(PoisonError::into_inner)
                {
                    let _ = applier.send(applier::Work::Batch(frame));
                }
                Ok(())
            }
            Err(e) => {
                let first = queue.done + 1;
                queue.lose(first..=upto);
                let mut staged = self.staged.lock().unwrap_or_else(PoisonError::into_inner);
                staged.messages.clear();
                staged.events = staged.events.min(queue.events);
                Err(e)
            }
        }
    }

    /// Applies everything committed so far to SQLite now, and waits for it (at most a minute):
    /// then the database file holds the whole state.
    pub(crate) fn checkpoint(&self) -> io::Result<()> {
        let (done, answer) = std::sync::mpsc::channel();
        match &*self.applier.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(applier) => applier
                .send(applier::Work::Checkpoint(done))
                .map_err(|_| io::Error::other("the commit log applier stopped"))?,
            None => return Err(io::Error::other("the emulator is shutting down")),
        }
        if let Some(thread) = &self.applier_thread {
            // Cut its gathering short.
            thread.thread().unpark();
        }
        answer
            .recv_timeout(std::time::Duration::from_secs(60))
            .map_err(|_| {
                io::Error::new(io::ErrorKind::TimedOut, "the checkpoint took over a minute")
            })?
    }

    /// Whether the data dir can be written now (`GET /health`): a probe file is written there
    /// and removed.
    pub(crate) fn dir_writable(&self) -> bool {
        crate::support::data_dir::writable(&self.dir)
    }

    /// How many events are committed (the index of the next one).
    pub(crate) fn events_committed(&self) -> usize {
        self.events_committed
            .load(std::sync::atomic::Ordering::Acquire)
    }
}

impl Drop for Store {
    /// Lets the applier write what is left into SQLite and empty the log, before the data dir's
    /// lock goes.
    fn drop(&mut self) {
        self.applier
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = self.applier_thread.take() {
            let _ = thread.join();
        }
    }
}

/// The rows of what a successful write reported it changed, read from the state now.
fn snapshot(
    state: &State,
    changes: &[Change],
    messages: &mut HashMap<String, usize>,
    rows: &mut Vec<Row>,
) -> io::Result<()> {
    for change in changes {
        match change {
            Change::User(id) => {
                let generation = state.users.get(id).map(|u| u.generation);
                rows.push(Row::User(id.clone(), generation));
            }
            Change::Thread(id) => thread_rows(state, id, messages, None, true, rows)?,
            Change::NewMessages(id) => thread_rows(state, id, messages, None, false, rows)?,
            Change::Message { thread, message } => {
                thread_rows(state, thread, messages, Some(message), false, rows)?
            }
            Change::Reset => {
                rows.push(Row::Reset);
                messages.clear();
            }
            Change::Repeatability { caller, token } => {
                if let Some((thread_id, body)) =
                    state.repeatability.get(&(caller.clone(), token.clone()))
                {
                    rows.push(Row::Repeatability(
                        caller.clone(),
                        token.clone(),
                        thread_id.clone(),
                        body.clone(),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A thread's header (when `header`), its messages past those already queued, and `edited`.
fn thread_rows(
    state: &State,
    id: &str,
    queued: &mut HashMap<String, usize>,
    edited: Option<&str>,
    header: bool,
    rows: &mut Vec<Row>,
) -> io::Result<()> {
    let Some(thread) = state.threads.get(id) else {
        return Ok(());
    };
    if header {
        rows.push(Row::Thread(
            id.to_string(),
            serde_json::to_string(thread).map_err(other)?,
        ));
    }
    let message_row = |index: usize, message: &Message| -> io::Result<Row> {
        let message_id = message.id.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("message id {:?} is not a number", message.id),
            )
        })?;
        Ok(Row::Message(
            id.to_string(),
            index + 1,
            message_id,
            serde_json::to_string(message).map_err(other)?,
        ))
    };
    let done = queued.entry(id.to_string()).or_insert(0);
    for (index, message) in thread.messages.iter().enumerate().skip(*done) {
        rows.push(message_row(index, message)?);
    }
    if let Some(message_id) = edited {
        if let Some(index) = thread.messages.iter().position(|m| m.id == message_id) {
            rows.push(message_row(index, &thread.messages[index])?);
        }
    }
    *done = thread.messages.len();
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::User;

    /// Writers committing at once share writes (group commit) and lose nothing: after a restart
    /// every committed user is there, with the generation it was committed with last.
    #[test]
    fn concurrent_commits_are_all_durable() {
        let dir = std::env::temp_dir().join(format!("acs-emu-group-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let fresh = || (vec![1; 16], "resource".to_string(), "a2V5".to_string());
        let (store, _) = Store::open(&dir, 100, fresh()).unwrap();
        let state = Mutex::new(State::default());
        let events = EventLog::new("resource", 100, true);
        std::thread::scope(|scope| {
            for writer in 0..8 {
                let (store, state, events) = (&store, &state, &events);
                scope.spawn(move || {
                    for n in 0..50u64 {
                        let id = format!("8:acs:resource_{writer}");
                        let mut guard = state.lock().unwrap();
                        guard.users.insert(id.clone(), User { generation: n });
                        store.commit(guard, events, &[Change::User(id)]).unwrap();
                    }
                });
            }
        });
        drop(store);
        let (_store, loaded) = Store::open(&dir, 100, fresh()).unwrap();
        for writer in 0..8 {
            let user = &loaded.state.users[&format!("8:acs:resource_{writer}")];
            assert_eq!(user.generation, 49, "writer {writer}");
        }
        drop(_store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
