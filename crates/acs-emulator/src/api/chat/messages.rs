//! Messages, typing notifications and read receipts.

use super::context::Ctx;
use super::ops::{append, check_metadata, thread_for};
use super::paging::{self, collection, encode_state, next_link, thread_path};
use super::{notify, views};
use crate::api::rest::{ApiError, Change, Reply, Result, JSON};
use crate::domain::state::{Receipt, Thread};
use crate::wire::{
    Identifier, MessageContent, MessageType, SendMessageRequest, SendReadReceiptRequest,
    TypingRequest, UpdateMessageRequest,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

fn check_content(ctx: &Ctx, content: &str) -> Result<()> {
    let max = ctx.app.limits.max_message_bytes;
    if content.len() > max {
        return Err(ApiError::limit(
            "content",
            format!(
                "The content is {} bytes; at most {max} are allowed.",
                content.len()
            ),
        ));
    }
    Ok(())
}

pub(crate) fn send(ctx: &Ctx, id: &str) -> Result<Reply> {
    let body: SendMessageRequest = ctx.req.json(JSON)?;
    if body.content.is_empty() {
        return Err(ApiError::bad_request("The content is required.").with_target("content"));
    }
    check_content(ctx, &body.content)?;
    check_metadata(ctx, "metadata", body.metadata.as_ref())?;
    let kind = body.kind.unwrap_or(MessageType::Text);
    if !matches!(kind, MessageType::Text | MessageType::Html) {
        return Err(
            ApiError::bad_request(format!("Message type `{kind}` cannot be sent."))
                .with_target("type"),
        );
    }
    let mut state = ctx.state();
    thread_for(&mut state, ctx, id)?;
    let content = MessageContent {
        message: Some(body.content),
        ..Default::default()
    };
    let sender = Some((ctx.caller.clone(), body.sender_display_name));
    let message_id = append(&mut state, id, kind, content, sender, body.metadata);
    if let Some(thread) = state.threads.get(id) {
        if let Some(sent) = thread.messages.last() {
            notify::message(ctx, thread, sent, notify::MessageChange::Received);
        }
    }
    let location = paging::location(ctx, id, &format!("/messages/{message_id}"));
    Ok(Reply::json(201, &json!({ "id": message_id }))
        .header("location", location)
        .changed(Change::NewMessages(id.to_string())))
}

/// Messages are listed by sequence id, highest first (an edited or deleted message has moved up,
/// as on the service); the cursor is a sequence bound, so messages sent between pages are never
/// repeated or skipped.
#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Return messages with a sequence id below this.
    b: u64,
    /// The listing's startTime (ns), if any.
    s: Option<i128>,
}

pub(crate) fn list(ctx: &Ctx, id: &str) -> Result<Reply> {
    let size = paging::page_size(ctx, paging::Cap::Documented)?;
    let cursor: Option<Cursor> = paging::sync_state(ctx)?;
    let start = match &cursor {
        Some(c) => c.s,
        None => paging::start_time(ctx)?.map(OffsetDateTime::unix_timestamp_nanos),
    };
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    let viewer = ctx.caller_id();
    let bound = cursor.map_or(u64::MAX, |c| c.b);
    let mut page: Vec<_> = thread
        .messages_before(bound)
        .filter(|m| thread.visible_to(&viewer, m))
        .filter(|m| start.is_none_or(|s| m.created_on.unix_timestamp_nanos() >= s))
        .take(size + 1)
        .collect();
    let more = page.len() > size;
    page.truncate(size);
    let next = match page.last() {
        Some(last) if more => {
            let b = last.sequence_id.parse().unwrap_or(0);
            let state = encode_state(&Cursor { b, s: start });
            Some(next_link(
                ctx,
                &thread_path(id, "/messages"),
                vec![("syncState", state)],
                size,
            ))
        }
        _ => None,
    };
    let values = page
        .iter()
        .map(|m| views::message(ctx, m))
        .collect::<Vec<_>>();
    Ok(Reply::json(200, &collection(values, next)))
}

fn not_found(message_id: &str) -> ApiError {
    ApiError::not_found(format!("Message {message_id} was not found.")).with_target("chatMessageId")
}

pub(crate) fn get(ctx: &Ctx, id: &str, message_id: &str) -> Result<Reply> {
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    let viewer = ctx.caller_id();
    let message = thread
        .messages
        .iter()
        .find(|m| m.id == message_id && thread.visible_to(&viewer, m))
        .ok_or_else(|| not_found(message_id))?;
    Ok(Reply::json(200, &views::message(ctx, message)))
}

/// What the sender does to their own message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    /// Only a message not deleted can be edited.
    Edit,
    /// Deleting a deleted message is a no-op success.
    Delete,
}

/// The position of `message_id` in `thread`, if `caller` sent it: 404 if there is none (or, for
/// an edit, it is deleted), 403 if someone else sent it.
fn own_message(
    thread: &Thread,
    message_id: &str,
    caller: &Identifier,
    verb: Verb,
) -> Result<usize> {
    let position = thread
        .messages
        .iter()
        .position(|m| m.id == message_id && (verb == Verb::Delete || m.deleted_on.is_none()))
        .ok_or_else(|| not_found(message_id))?;
    if thread.messages[position].sender.as_ref() != Some(caller) {
        let verb = if verb == Verb::Edit { "edit" } else { "delete" };
        return Err(ApiError::forbidden(format!(
            "Only the sender can {verb} a message."
        )));
    }
    Ok(position)
}

pub(crate) fn update(ctx: &Ctx, id: &str, message_id: &str) -> Result<Reply> {
    let body: UpdateMessageRequest = ctx.req.json(crate::api::rest::PATCH_JSON)?;
    if let Some(content) = &body.content {
        check_content(ctx, content)?;
    }
    check_metadata(ctx, "metadata", body.metadata.as_ref())?;
    let mut state = ctx.state();
    let now = OffsetDateTime::now_utc();
    let version = state.next_message_id(now);
    let thread = thread_for(&mut state, ctx, id)?;
    let position = own_message(thread, message_id, &ctx.caller, Verb::Edit)?;
    let message = &mut thread.messages[position];
    // Metadata merges, as on the service: keys not named are kept, a key set to "" goes.
    let metadata = body.metadata.map(|changes| {
        let mut merged = message.metadata.clone().unwrap_or_default();
        for (key, value) in changes {
            if value.is_empty() {
                merged.remove(&key);
            } else {
                merged.insert(key, value);
            }
        }
        merged
    });
    if let Some(merged) = &metadata {
        check_metadata(ctx, "metadata", Some(merged))?;
    }
    if let Some(content) = body.content {
        message.content.get_or_insert_with(Default::default).message = Some(content);
    }
    if let Some(merged) = metadata {
        message.metadata = (!merged.is_empty()).then_some(merged);
    }
    message.edited_on = Some(now);
    message.version = version;
    // An edit moves the message to the end of the thread's order (recorded on the service: a
    // new sequenceId, the thread's next).
    thread.resequence(position);
    let edited = thread.messages[position].clone();
    notify::message(ctx, thread, &edited, notify::MessageChange::Edited);
    Ok(Reply::empty(204).changed(Change::Message {
        thread: id.to_string(),
        message: message_id.to_string(),
    }))
}

pub(crate) fn delete(ctx: &Ctx, id: &str, message_id: &str) -> Result<Reply> {
    let mut state = ctx.state();
    let now = OffsetDateTime::now_utc();
    let version = state.next_message_id(now);
    let thread = thread_for(&mut state, ctx, id)?;
    let position = own_message(thread, message_id, &ctx.caller, Verb::Delete)?;
    let message = &mut thread.messages[position];
    if message.deleted_on.is_none() {
        // As recorded on the service: the message stays, with `deletedOn`, empty content, a new
        // version, no `editedOn`, and the thread's next sequenceId.
        message.deleted_on = Some(now);
        message.edited_on = None;
        message.version = version;
        message.content = Some(MessageContent {
            message: Some(String::new()),
            ..Default::default()
        });
        thread.resequence(position);
        let deleted = thread.messages[position].clone();
        notify::message(ctx, thread, &deleted, notify::MessageChange::Deleted);
        return Ok(Reply::empty(204).changed(Change::Message {
            thread: id.to_string(),
            message: message_id.to_string(),
        }));
    }
    Ok(Reply::empty(204))
}

pub(crate) fn typing(ctx: &Ctx, id: &str) -> Result<Reply> {
    // 2021-09-07 also took merge-patch here; later versions take JSON only.
    let accepted: &[&str] = if ctx.version.as_str() < "2023-11-07" {
        crate::api::rest::PATCH_JSON
    } else {
        JSON
    };
    let body: TypingRequest = ctx.req.optional_json(accepted)?;
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    let who = body.sender_display_name.unwrap_or_else(|| ctx.caller_id());
    thread.typing.push((who, OffsetDateTime::now_utc()));
    if thread.typing.len() > 100 {
        thread.typing.remove(0);
    }
    Ok(Reply::empty(200))
}

pub(crate) fn send_receipt(ctx: &Ctx, id: &str) -> Result<Reply> {
    let body: SendReadReceiptRequest = ctx.req.json(JSON)?;
    let caller = ctx.caller.clone();
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    let sequence = thread
        .messages
        .iter()
        .position(|m| m.id == body.chat_message_id)
        .ok_or_else(|| not_found(&body.chat_message_id))?;
    if thread.participants.len() > ctx.app.limits.max_participants_for_read_receipts {
        // The service answers 200 but keeps no receipts in large threads.
        return Ok(Reply::empty(200));
    }
    let now = OffsetDateTime::now_utc();
    match thread.receipts.iter_mut().find(|r| r.sender == caller) {
        // Only the latest message read counts.
        Some(receipt) if receipt.sequence >= sequence => {}
        Some(receipt) => {
            receipt.sequence = sequence;
            receipt.message_id = body.chat_message_id;
            receipt.read_on = now;
        }
        None => thread.receipts.push(Receipt {
            sender: caller,
            message_id: body.chat_message_id,
            sequence,
            read_on: now,
        }),
    }
    Ok(Reply::empty(200).changed(Change::Thread(id.to_string())))
}

pub(crate) fn list_receipts(ctx: &Ctx, id: &str) -> Result<Reply> {
    let window = (
        paging::page_size(ctx, paging::Cap::None)?,
        paging::skip(ctx)?,
    );
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    let path = thread_path(id, "/readReceipts");
    Ok(paging::skip_page(
        ctx,
        &path,
        window,
        &thread.receipts,
        views::receipt,
    ))
}
