//! What a write request changed, as its handler reports it: with a data dir, exactly this is
//! committed (nothing is inferred from the URL).

/// What a successful write changed, reported by its handler: with a data dir, exactly this is
/// committed before the reply goes out (nothing is inferred from the URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// A user was created, revoked or deleted.
    User(String),
    /// A thread's header (participants, topic, receipts, deletion) and any new messages.
    Thread(String),
    /// New messages of a thread only (a send: the header's one derived field is recomputed on
    /// load).
    NewMessages(String),
    /// One existing message was edited or deleted.
    Message { thread: String, message: String },
    /// Users, threads, messages and idempotency records all went (`POST /emulator/reset`).
    Reset,
    /// The record that makes a create with this `repeatability-request-id` idempotent.
    Repeatability { caller: String, token: String },
}
