//! What the commit log carries: the rows a write changed, serialized by the committer (so the
//! applier never waits for the state), and the one error conversion of this module.

use std::io;

pub(super) fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A row to write, serialized by the writer (so the committer never waits for the state).
pub(super) enum Row {
    User(String, Option<u64>),
    Thread(String, String),
    /// Thread, sequence number, message id, document.
    Message(String, usize, i64, String),
    Repeatability(String, String, String, Vec<u8>),
    Event(usize, String),
    /// Everything but the event log and the keys is gone (`POST /emulator/reset`).
    Reset,
}

/// A batch appended to the commit log: its sequence number and rows, for the applier.
pub(super) type Appended = (u64, Vec<Row>);
