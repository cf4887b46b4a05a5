//! The emulator's state: users, threads, messages, receipts, idempotency records.

use crate::wire::Identifier;
use crate::wire::{Message, Metadata, Participant, RetentionPolicy};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// An ACS user created through the identity API.
pub(crate) struct User {
    /// Bumped by revoke: tokens of an older generation are refused.
    pub(crate) generation: u64,
}

/// A read receipt: the latest message a participant has read.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Receipt {
    pub(crate) sender: Identifier,
    pub(crate) message_id: String,
    pub(crate) sequence: usize,
    pub(crate) read_on: OffsetDateTime,
}

/// A thread. With `--data-dir` it is stored as is (serde), less its id (the row's key), its
/// messages (rows of their own) and typing (never stored).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Thread {
    #[serde(skip)]
    pub(crate) id: String,
    pub(crate) topic: String,
    pub(crate) created_on: OffsetDateTime,
    pub(crate) created_by: Identifier,
    pub(crate) deleted_on: Option<OffsetDateTime>,
    pub(crate) metadata: Option<Metadata>,
    pub(crate) retention_policy: Option<RetentionPolicy>,
    pub(crate) participants: Vec<Participant>,
    /// Raw ids of removed participants: the service keeps listing the thread for them.
    pub(crate) former_participants: Vec<String>,
    /// In the order they were sent (a message keeps its place: persistence and read receipts
    /// count positions); their sequence ids are in `by_sequence`.
    #[serde(skip)]
    pub(crate) messages: Vec<Message>,
    /// The last sequence id given: a send, an edit and a deletion each take the next one (an
    /// edited or deleted message moves to the end of the thread's order, as on the service).
    #[serde(skip)]
    pub(crate) last_sequence: u64,
    /// Positions in `messages` by current sequence id: the thread's order, for listing.
    #[serde(skip)]
    pub(crate) by_sequence: BTreeMap<u64, usize>,
    pub(crate) receipts: Vec<Receipt>,
    /// Who typed last, and when (recorded; nothing reads it back over REST).
    #[serde(skip)]
    pub(crate) typing: Vec<(String, OffsetDateTime)>,
    pub(crate) last_message_received_on: Option<OffsetDateTime>,
}

impl Thread {
    /// Appends a message (its sequence id is set here: the next one).
    pub(crate) fn push_message(&mut self, mut message: Message) {
        self.last_sequence += 1;
        message.sequence_id = self.last_sequence.to_string();
        self.by_sequence
            .insert(self.last_sequence, self.messages.len());
        self.messages.push(message);
    }

    /// Gives the message at `position` the next sequence id (after an edit or a deletion).
    pub(crate) fn resequence(&mut self, position: usize) {
        let Some(message) = self.messages.get_mut(position) else {
            return;
        };
        if let Ok(old) = message.sequence_id.parse::<u64>() {
            self.by_sequence.remove(&old);
        }
        self.last_sequence += 1;
        message.sequence_id = self.last_sequence.to_string();
        self.by_sequence.insert(self.last_sequence, position);
    }

    /// Rebuilds the sequence index from the messages' own sequence ids (after loading them).
    pub(crate) fn reindex(&mut self) {
        self.by_sequence = self
            .messages
            .iter()
            .enumerate()
            .filter_map(|(position, m)| Some((m.sequence_id.parse::<u64>().ok()?, position)))
            .collect();
        self.last_sequence = self.by_sequence.keys().next_back().copied().unwrap_or(0);
    }

    /// The messages with a sequence id below `bound`, the newest (highest) first.
    pub(crate) fn messages_before(&self, bound: u64) -> impl Iterator<Item = &Message> {
        self.by_sequence
            .range(..bound)
            .rev()
            .filter_map(|(_, position)| self.messages.get(*position))
    }

    pub(crate) fn participant(&self, raw_id: &str) -> Option<&Participant> {
        self.participants
            .iter()
            .find(|p| p.identifier.raw_id() == raw_id)
    }

    /// Whether `message` is inside the history the participant `viewer` (a raw id) may see
    /// (`shareHistoryTime`); never for non-participants.
    pub(crate) fn visible_to(&self, viewer: &str, message: &Message) -> bool {
        self.participant(viewer).is_some_and(|p| {
            p.share_history_time
                .is_none_or(|from| message.created_on >= from)
        })
    }
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) users: HashMap<String, User>,
    pub(crate) threads: HashMap<String, Thread>,
    /// (caller, repeatability-request-id) -> the thread id and the 201 body returned.
    pub(crate) repeatability: HashMap<(String, String), (String, Vec<u8>)>,
    last_message_id: i64,
}

impl State {
    /// Empties it (`POST /emulator/reset`); message ids go on increasing.
    pub(crate) fn reset(&mut self) {
        let last_message_id = self.last_message_id;
        *self = State::default();
        self.last_message_id = last_message_id;
    }

    /// After loading stored messages: new ids stay above every stored one.
    pub(crate) fn restore_last_message_id(&mut self, last: i64) {
        self.last_message_id = self.last_message_id.max(last);
    }

    /// A fresh message id: epoch milliseconds, strictly increasing even within one millisecond.
    pub(crate) fn next_message_id(&mut self, now: OffsetDateTime) -> String {
        let millis = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        self.last_message_id = millis.max(self.last_message_id + 1);
        self.last_message_id.to_string()
    }
}
