//! Small named values kept in the data dir's `meta` table beside the keys (written directly, not
//! through the commit log): what a seed file created, so that a restart does not seed twice.

use super::store::Store;
use rusqlite::OptionalExtension;
use std::io;

impl Store {
    /// The value stored under `key`, if any.
    pub(crate) fn meta(&self, key: &str) -> io::Result<Option<String>> {
        self.with_conn(|conn| {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
        })
    }

    /// Stores `value` under `key`, replacing what was there.
    pub(crate) fn set_meta(&self, key: &str, value: &str) -> io::Result<()> {
        self.with_conn(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [key, value],
            )
            .map(|_| ())
        })
    }
}
