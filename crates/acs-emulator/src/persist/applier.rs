//! The applier thread: batches from the commit log into SQLite, as many per transaction as were
//! appended while it gathered; then the segments they were in are deleted.

use super::database::Database;
use super::log::Frame;
use super::queue::Queue;
use super::rows::Appended;
use std::io;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Mutex, PoisonError};

/// What the applier is sent.
pub(super) enum Work {
    /// A record appended to the log.
    Batch(Frame),
    /// Apply everything now and answer.
    Checkpoint(Sender<io::Result<()>>),
}

/// How long the applier gathers batches into one SQLite transaction. Each transaction costs a
/// few milliseconds of fixed work (B-tree pages rewritten, the WAL frames of shared pages), so
/// 200 ms rather than 20 ms: measured with the throughput bench at 4 clients, the applier's CPU
/// fell from 69-76 to 42-58 ticks per run. The log holds what is not yet applied (a few
/// megabytes at full load).
const APPLY_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Runs until the store closes (every sender gone) and everything sent is applied.
pub(super) fn apply_loop(database: &Mutex<Database>, queue: &Mutex<Queue>, work: &Receiver<Work>) {
    while let Ok(first) = work.recv() {
        // Let batches gather: one transaction for many costs a fraction of one each (the log
        // already made them durable; reads are served from memory). Parked, not waiting on the
        // channel, so that a writer's send wakes nobody; a checkpoint unparks it.
        if matches!(first, Work::Batch(..)) {
            std::thread::park_timeout(APPLY_EVERY);
        }
        // Under the writers' lock: everything appended so far is in `pending`, and what comes
        // next goes to a new segment, so the segments before it can go once `pending` is in.
        let mut pending: Vec<Appended> = Vec::new();
        let mut unreadable = false;
        let mut waiting = Vec::new();
        let open_segment = {
            let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            for item in std::iter::once(first).chain(std::iter::from_fn(|| work.try_recv().ok())) {
                match item {
                    Work::Batch(frame) => match frame.record() {
                        Some(record) => pending.push((record.seq, record.rows)),
                        // Never (the log wrote it); if it were, nothing is deleted below.
                        None => unreadable = true,
                    },
                    Work::Checkpoint(done) => waiting.push(done),
                }
            }
            queue.log.rotate()
        };
        let outcome = if unreadable {
            // Nothing is applied or deleted: the next start reads the log from its files.
            Err(io::Error::other("a commit log record did not read back"))
        } else {
            apply(database, queue, &pending, open_segment)
        };
        if let Err(e) = &outcome {
            tracing::error!("could not apply the commit log to SQLite: {e}");
        }
        for done in waiting {
            let _ = done.send(
                outcome
                    .as_ref()
                    .map(|_| ())
                    .map_err(|e| io::Error::new(e.kind(), e.to_string())),
            );
        }
    }
}

/// One transaction for `pending`, then the segments before `open_segment` go.
fn apply(
    database: &Mutex<Database>,
    queue: &Mutex<Queue>,
    pending: &[Appended],
    open_segment: io::Result<u64>,
) -> io::Result<()> {
    let Some(last) = pending.last().map(|(seq, _)| *seq) else {
        return Ok(());
    };
    // On failure the records stay in the log and are applied at the next start.
    database
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .apply(pending, last)?;
    match open_segment {
        Ok(open) => {
            let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            if let Err(e) = queue.log.delete_before(open) {
                tracing::warn!("could not delete applied commit log segments: {e}");
            }
        }
        Err(e) => tracing::warn!("could not start a commit log segment: {e}"),
    }
    Ok(())
}
