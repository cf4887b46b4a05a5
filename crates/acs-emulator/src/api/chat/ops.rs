//! What several handlers do to the state: find the caller's thread, append messages (user and
//! system ones), check metadata sizes.

use super::context::Ctx;
use crate::api::rest::{ApiError, Result};
use crate::domain::state::{State, Thread};
use crate::wire::{Identifier, Message, MessageContent, MessageType, Metadata, Participant};
use time::OffsetDateTime;

/// The live thread, if the caller participates in it: 404 for unknown or deleted, 403 otherwise.
pub(crate) fn thread_for<'s>(state: &'s mut State, ctx: &Ctx, id: &str) -> Result<&'s mut Thread> {
    let thread = state
        .threads
        .get_mut(id)
        .filter(|t| t.deleted_on.is_none())
        .ok_or_else(|| {
            ApiError::not_found("The specified thread id was not found.")
                .with_target("chatThreadId")
        })?;
    if thread.participant(&ctx.caller_id()).is_none() {
        return Err(ApiError::forbidden(
            "The caller is not a participant of the thread.",
        ));
    }
    Ok(thread)
}

/// Appends a message with the next sequence id.
pub(crate) fn append(
    state: &mut State,
    thread_id: &str,
    kind: MessageType,
    content: MessageContent,
    sender: Option<(Identifier, Option<String>)>,
    metadata: Option<Metadata>,
) -> String {
    let now = OffsetDateTime::now_utc();
    let id = state.next_message_id(now);
    if let Some(thread) = state.threads.get_mut(thread_id) {
        let (sender, sender_display_name) = match sender {
            Some((who, name)) => (Some(who), name),
            None => (None, None),
        };
        thread.push_message(Message {
            id: id.clone(),
            kind,
            sequence_id: String::new(),
            version: id.clone(),
            content: Some(content),
            sender_display_name,
            created_on: now,
            sender,
            deleted_on: None,
            edited_on: None,
            metadata,
        });
        thread.last_message_received_on = Some(now);
    }
    id
}

/// A system message about participants joining or leaving.
pub(crate) fn membership_message(
    state: &mut State,
    thread_id: &str,
    ctx: &Ctx,
    kind: MessageType,
    who: Vec<Participant>,
) {
    let content = MessageContent {
        participants: who,
        initiator: Some(ctx.caller.clone()),
        ..Default::default()
    };
    append(state, thread_id, kind, content, None, None);
}

/// A system message: the topic changed (or was set at creation).
pub(crate) fn topic_message(state: &mut State, thread_id: &str, ctx: &Ctx, topic: String) {
    let content = MessageContent {
        topic: Some(topic),
        initiator: Some(ctx.caller.clone()),
        ..Default::default()
    };
    append(
        state,
        thread_id,
        MessageType::TopicUpdated,
        content,
        None,
        None,
    );
}

/// Rejects metadata over the size limit.
pub(crate) fn check_metadata(ctx: &Ctx, target: &str, metadata: Option<&Metadata>) -> Result<()> {
    let size: usize = metadata
        .map(|m| m.iter().map(|(k, v)| k.len() + v.len()).sum())
        .unwrap_or(0);
    let max = ctx.app.limits.max_metadata_bytes;
    if size > max {
        return Err(ApiError::limit(
            target,
            format!("{target} is {size} bytes; at most {max} bytes are allowed."),
        ));
    }
    Ok(())
}
