//! The chat event types, named once: each change emits a thread-level event and one user-level
//! event per other participant (`thread`, `user`).

/// A thread-level event type and its user-level twin (without `Microsoft.Communication.`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventTypes {
    pub(crate) thread: &'static str,
    pub(crate) user: &'static str,
}

pub(crate) const MESSAGE_RECEIVED: EventTypes = EventTypes {
    thread: "ChatMessageReceivedInThread",
    user: "ChatMessageReceived",
};
pub(crate) const MESSAGE_EDITED: EventTypes = EventTypes {
    thread: "ChatMessageEditedInThread",
    user: "ChatMessageEdited",
};
pub(crate) const MESSAGE_DELETED: EventTypes = EventTypes {
    thread: "ChatMessageDeletedInThread",
    user: "ChatMessageDeleted",
};
pub(crate) const THREAD_CREATED: EventTypes = EventTypes {
    thread: "ChatThreadCreated",
    user: "ChatThreadCreatedWithUser",
};
pub(crate) const THREAD_DELETED: EventTypes = EventTypes {
    thread: "ChatThreadDeleted",
    user: "ChatThreadWithUserDeleted",
};
pub(crate) const THREAD_UPDATED: EventTypes = EventTypes {
    thread: "ChatThreadPropertiesUpdated",
    user: "ChatThreadPropertiesUpdatedPerUser",
};
pub(crate) const PARTICIPANT_ADDED: EventTypes = EventTypes {
    thread: "ChatThreadParticipantAdded",
    user: "ChatParticipantAddedToThreadWithUser",
};
pub(crate) const PARTICIPANT_REMOVED: EventTypes = EventTypes {
    thread: "ChatThreadParticipantRemoved",
    user: "ChatParticipantRemovedFromThreadWithUser",
};

/// Every pair, for lists and filters.
pub(crate) const ALL: [EventTypes; 8] = [
    MESSAGE_RECEIVED,
    MESSAGE_EDITED,
    MESSAGE_DELETED,
    THREAD_CREATED,
    THREAD_DELETED,
    THREAD_UPDATED,
    PARTICIPANT_ADDED,
    PARTICIPANT_REMOVED,
];
