//! The commit log with what has been written to it: the committer's side of the store.

use super::log::CommitLog;
use std::collections::HashMap;

/// The commit log and how far the state has been written to it.
pub(super) struct Queue {
    pub(super) log: CommitLog,
    /// Messages written per thread (by position: the first n of the thread are written).
    pub(super) messages: HashMap<String, usize>,
    /// Events written (the index of the next one).
    pub(super) events: usize,
}
