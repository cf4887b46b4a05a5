//! Webhook delivery bookkeeping, written straight into SQLite (not through the commit log): a
//! subscription's cursor (the next event of the log it has not taken yet), its queue of events
//! not yet acknowledged (attempts, next due time), its dead letters, and the subscriptions
//! added at run time. Taking events and advancing the cursor is one transaction, so an event is
//! either queued or still ahead of the cursor, never lost between the two.

use super::rows::other;
use super::store::Store;
use crate::events::QueuedRow;
use rusqlite::{params, OptionalExtension};
use std::io;
use std::sync::PoisonError;

impl Store {
    pub(super) fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> io::Result<T> {
        let mut inner = self.database.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut inner.conn).map_err(other)
    }

    /// Where a subscription stopped taking events, if it was ever validated.
    pub(crate) fn delivery_cursor(&self, subscription: &str) -> io::Result<Option<usize>> {
        self.with_conn(|conn| {
            conn.query_row(
                "SELECT next_event FROM deliveries WHERE subscription = ?1",
                [subscription],
                |r| r.get::<_, i64>(0),
            )
            .optional()
        })
        .map(|next| next.map(|n| n.max(0) as usize))
    }

    /// Queues `rows` and moves the cursor to `next`, in one transaction.
    pub(crate) fn take_events(
        &self,
        subscription: &str,
        rows: &[QueuedRow],
        next: usize,
    ) -> io::Result<()> {
        self.with_conn(|conn| {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR REPLACE INTO delivery_queue
                     (subscription, idx, attempts, due_ms, published_ms, doc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for row in rows {
                    insert.execute(params![
                        subscription,
                        row.index as i64,
                        row.attempts,
                        row.due_ms,
                        row.published_ms,
                        row.doc
                    ])?;
                }
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO deliveries (subscription, next_event) VALUES (?1, ?2)",
                )?
                .execute(params![subscription, next as i64])?;
            }
            tx.commit()
        })
    }

    /// A queued event's attempts so far and next due time.
    pub(crate) fn reschedule(
        &self,
        subscription: &str,
        index: usize,
        attempts: u32,
        due_ms: i64,
    ) -> io::Result<()> {
        self.with_conn(|conn| {
            conn.prepare_cached(
                "UPDATE delivery_queue SET attempts = ?3, due_ms = ?4
                 WHERE subscription = ?1 AND idx = ?2",
            )?
            .execute(params![subscription, index as i64, attempts, due_ms])
            .map(|_| ())
        })
    }

    /// A queued event is done with; with `dead_letter`, kept among the dead letters in the same
    /// transaction.
    pub(crate) fn finish_event(
        &self,
        subscription: &str,
        index: usize,
        dead_letter: Option<&str>,
    ) -> io::Result<()> {
        self.with_conn(|conn| {
            let tx = conn.transaction()?;
            tx.prepare_cached("DELETE FROM delivery_queue WHERE subscription = ?1 AND idx = ?2")?
                .execute(params![subscription, index as i64])?;
            if let Some(doc) = dead_letter {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO dead_letters (subscription, idx, doc)
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![subscription, index as i64, doc])?;
            }
            tx.commit()
        })
    }

    /// A subscription's queued events.
    pub(crate) fn queued_events(&self, subscription: &str) -> io::Result<Vec<QueuedRow>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare(
                "SELECT idx, attempts, due_ms, published_ms, doc FROM delivery_queue
                 WHERE subscription = ?1 ORDER BY idx",
            )?;
            let rows = statement
                .query_map([subscription], |r| {
                    Ok(QueuedRow {
                        index: r.get::<_, i64>(0)?.max(0) as usize,
                        attempts: r.get(1)?,
                        due_ms: r.get(2)?,
                        published_ms: r.get(3)?,
                        doc: r.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>();
            rows
        })
    }

    /// Every dead letter kept: (subscription, document), oldest event first.
    pub(crate) fn dead_letters(&self) -> io::Result<Vec<(String, String)>> {
        self.with_conn(|conn| {
            let mut statement =
                conn.prepare("SELECT subscription, doc FROM dead_letters ORDER BY idx")?;
            let rows = statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>();
            rows
        })
    }

    /// Keeps a subscription added at run time.
    pub(crate) fn save_subscription(&self, subscription: &str, doc: &str) -> io::Result<()> {
        self.with_conn(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO subscriptions (subscription, doc) VALUES (?1, ?2)",
                params![subscription, doc],
            )
            .map(|_| ())
        })
    }

    /// Forgets a subscription: its document, cursor and queue (its dead letters stay, as Event
    /// Grid's stay in their storage account).
    pub(crate) fn forget_subscription(&self, subscription: &str) -> io::Result<()> {
        self.with_conn(|conn| {
            let tx = conn.transaction()?;
            for table in ["subscriptions", "deliveries", "delivery_queue"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE subscription = ?1"),
                    [subscription],
                )?;
            }
            tx.commit()
        })
    }

    /// The subscriptions added at run time, as stored.
    pub(crate) fn stored_subscriptions(&self) -> io::Result<Vec<String>> {
        self.with_conn(|conn| {
            let mut statement = conn.prepare("SELECT doc FROM subscriptions ORDER BY rowid")?;
            let docs = statement
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>();
            docs
        })
    }
}
