//! The SQLite side of the store: the connection, and applying batches of the commit log to it.

use super::rows::{other, Appended, Row};
use super::tables::{self, ThreadNumbers};
use rusqlite::Connection;
use std::io;

/// The SQLite database and what the applier has written to it: the applier's side of the store.
pub(super) struct Database {
    pub(super) conn: Connection,
    pub(super) threads: ThreadNumbers,
    pub(super) events_written: usize,
    /// `events_written` at the last trim of the events table.
    pub(super) trimmed_at: usize,
    pub(super) max_events: usize,
}

impl Database {
    /// One transaction for batches of the commit log, up to and including `last`.
    pub(super) fn apply(&mut self, batches: &[Appended], last: u64) -> io::Result<()> {
        let tx = self.conn.transaction().map_err(other)?;
        for (_, rows) in batches {
            tables::write_rows(&tx, rows, &mut self.threads)?;
            for row in rows {
                if let Row::Event(idx, _) = row {
                    self.events_written = self.events_written.max(idx + 1);
                }
            }
        }
        tables::set_applied(&tx, last)?;
        // Trim the event log in steps, not on every commit.
        if self.events_written >= self.trimmed_at + 256 {
            let keep_from = self.events_written.saturating_sub(self.max_events);
            tx.prepare_cached("DELETE FROM events WHERE idx < ?1")
                .and_then(|mut s| s.execute([keep_from as i64]))
                .map_err(other)?;
            self.trimmed_at = self.events_written;
        }
        tx.commit().map_err(other)
    }
}
