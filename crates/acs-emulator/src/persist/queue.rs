//! The committer's side of the store: rows read from the state and staged in the order the state
//! changed (`Staged`, filled under the state lock), and the commit log they are written to
//! (`Queue`), a batch of staged commits per `write` (group commit).

use super::log::CommitLog;
use super::rows::Row;
use std::collections::{HashMap, VecDeque};
use std::ops::RangeInclusive;

/// Rows read from the state, not yet written; and how far the state has been read for them.
pub(super) struct Staged {
    /// Messages staged per thread (by position: the first n of the thread are staged).
    pub(super) messages: HashMap<String, usize>,
    /// Events staged (the index of the next one).
    pub(super) events: usize,
    pub(super) rows: Vec<Row>,
    /// The ticket of the last commit staged (tickets count from 1).
    pub(super) last: u64,
}

/// The most failed batches remembered for the commits still waiting to learn their outcome.
const LOST_KEPT: usize = 1024;

/// The commit log and which staged commits it holds.
pub(super) struct Queue {
    pub(super) log: CommitLog,
    /// Every ticket up to this one was written or lost.
    pub(super) done: u64,
    /// Tickets whose rows a failed `write` lost, newest last.
    pub(super) lost: VecDeque<RangeInclusive<u64>>,
    /// Events written (the index of the next one).
    pub(super) events: usize,
}

impl Staged {
    pub(super) fn new(messages: HashMap<String, usize>, events: usize) -> Self {
        Staged {
            messages,
            events,
            rows: Vec::new(),
            last: 0,
        }
    }
}

impl Queue {
    pub(super) fn new(log: CommitLog, events: usize) -> Self {
        Queue {
            log,
            done: 0,
            lost: VecDeque::new(),
            events,
        }
    }

    /// Whether the commit with `ticket` was lost by a failed write.
    pub(super) fn was_lost(&self, ticket: u64) -> bool {
        self.lost.iter().any(|range| range.contains(&ticket))
    }

    /// Records that the tickets `range` were lost.
    pub(super) fn lose(&mut self, range: RangeInclusive<u64>) {
        if self.lost.len() == LOST_KEPT {
            self.lost.pop_front();
        }
        self.done = self.done.max(*range.end());
        self.lost.push_back(range);
    }
}
