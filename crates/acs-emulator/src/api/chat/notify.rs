//! The Event Grid events of each chat change (see `crate::events`).

use super::context::Ctx;
use crate::domain::state::Thread;
use crate::events::{types, EventPair};
use crate::wire::Identifier;
use crate::wire::{Message, Participant};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::wire::text::rfc3339 as format;

fn now() -> String {
    format(OffsetDateTime::now_utc())
}

fn id(identifier: &Identifier) -> Value {
    serde_json::to_value(identifier).unwrap_or_default()
}

fn version() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Everyone in the thread but `actor`, who does not get user-level events for their own change.
fn others(thread: &Thread, actor: &Identifier) -> Vec<Identifier> {
    thread
        .participants
        .iter()
        .map(|p| p.identifier.clone())
        .filter(|p| p != actor)
        .collect()
}

fn participant(p: &Participant) -> Value {
    let mut value = json!({
        "displayName": p.display_name,
        "participantCommunicationIdentifier": id(&p.identifier),
    });
    if let Some(t) = p.share_history_time {
        value["shareHistoryTime"] = json!(format(t));
    }
    if let Some(m) = &p.metadata {
        value["metadata"] = json!(m);
    }
    value
}

/// Which message change happened.
pub(crate) enum MessageChange {
    Received,
    Edited,
    Deleted,
}

/// `data` of the message events, serialized straight from the message (the hottest event:
/// one per send).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageData<'a> {
    message_id: &'a str,
    sender_communication_identifier: &'a Identifier,
    sender_display_name: Option<&'a str>,
    compose_time: String,
    #[serde(rename = "type")]
    kind: &'a str,
    version: i64,
    thread_id: &'a str,
    transaction_id: String,
    /// Not on deleted events.
    #[serde(skip_serializing_if = "Option::is_none")]
    message_body: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a crate::wire::Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edit_time: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_time: Option<Option<String>>,
}

pub(crate) fn message(ctx: &Ctx, thread: &Thread, m: &Message, change: MessageChange) {
    let Some(sender) = &m.sender else { return };
    let no_metadata = crate::wire::Metadata::new();
    let deleted = matches!(change, MessageChange::Deleted);
    let mut data = MessageData {
        message_id: &m.id,
        sender_communication_identifier: sender,
        sender_display_name: m.sender_display_name.as_deref(),
        compose_time: format(m.created_on),
        kind: m.kind.as_str(),
        version: m.version.parse::<i64>().unwrap_or_default(),
        thread_id: &thread.id,
        transaction_id: crate::wire::text::new_id(),
        message_body: (!deleted).then(|| m.content.as_ref().and_then(|c| c.message.as_deref())),
        metadata: (!deleted).then(|| m.metadata.as_ref().unwrap_or(&no_metadata)),
        edit_time: None,
        delete_time: None,
    };
    let types = match change {
        MessageChange::Received => types::MESSAGE_RECEIVED,
        MessageChange::Edited => {
            data.edit_time = Some(m.edited_on.map(format));
            types::MESSAGE_EDITED
        }
        MessageChange::Deleted => {
            data.delete_time = Some(m.deleted_on.map(format));
            types::MESSAGE_DELETED
        }
    };
    let subject = format!("thread/{}/sender/{}", thread.id, sender.raw_id());
    ctx.app.events.publish_pair(
        EventPair::new(types.thread, types.user, subject),
        &data,
        &thread.id,
        &others(thread, sender),
    );
}

fn thread_base(thread: &Thread) -> Value {
    json!({
        "createTime": format(thread.created_on),
        "version": version(),
        "threadId": thread.id,
        "transactionId": crate::wire::text::new_id(),
    })
}

fn properties(thread: &Thread) -> Value {
    let mut properties = json!({ "topic": thread.topic });
    if let Some(m) = &thread.metadata {
        properties["metadata"] = json!(m);
    }
    properties
}

pub(crate) fn thread_created(ctx: &Ctx, thread: &Thread) {
    let mut data = thread_base(thread);
    data["createdByCommunicationIdentifier"] = id(&ctx.caller);
    data["properties"] = properties(thread);
    data["participants"] = thread.participants.iter().map(participant).collect();
    if let Some(policy) = &thread.retention_policy {
        data["retentionPolicy"] = json!(policy);
    }
    let subject = format!("thread/{}/createdBy/{}", thread.id, ctx.caller_id());
    ctx.app.events.publish_pair(
        EventPair::new(
            types::THREAD_CREATED.thread,
            types::THREAD_CREATED.user,
            subject,
        ),
        &data,
        &thread.id,
        &others(thread, &ctx.caller),
    );
}

pub(crate) fn thread_updated(ctx: &Ctx, thread: &Thread) {
    let mut data = thread_base(thread);
    data["editedByCommunicationIdentifier"] = id(&ctx.caller);
    data["editTime"] = json!(now());
    data["properties"] = properties(thread);
    data["metadata"] = json!(thread.metadata.clone().unwrap_or_default());
    if let Some(policy) = &thread.retention_policy {
        data["retentionPolicy"] = json!(policy);
    }
    let subject = format!("thread/{}/editedBy/{}", thread.id, ctx.caller_id());
    ctx.app.events.publish_pair(
        EventPair::new(
            types::THREAD_UPDATED.thread,
            types::THREAD_UPDATED.user,
            subject,
        ),
        &data,
        &thread.id,
        &others(thread, &ctx.caller),
    );
}

pub(crate) fn thread_deleted(ctx: &Ctx, thread: &Thread) {
    let mut data = thread_base(thread);
    data["deletedByCommunicationIdentifier"] = id(&ctx.caller);
    data["deleteTime"] = json!(thread.deleted_on.map(format));
    let subject = format!("thread/{}/deletedBy/{}", thread.id, ctx.caller_id());
    ctx.app.events.publish_pair(
        EventPair::new(
            types::THREAD_DELETED.thread,
            types::THREAD_DELETED.user,
            subject,
        ),
        &data,
        &thread.id,
        &others(thread, &ctx.caller),
    );
}

/// `who` joined (`added`) or left; someone who left is told too, unless they removed themselves.
pub(crate) fn membership(ctx: &Ctx, thread: &Thread, who: &Participant, added: bool) {
    let mut data = thread_base(thread);
    data["time"] = json!(now());
    let (types, by, field, thread_subject, user_subject) = if added {
        (
            types::PARTICIPANT_ADDED,
            "addedByCommunicationIdentifier",
            "participantAdded",
            "participantadded",
            "participantAdded",
        )
    } else {
        (
            types::PARTICIPANT_REMOVED,
            "removedByCommunicationIdentifier",
            "participantRemoved",
            "participantremoved",
            "participantRemoved",
        )
    };
    data[by] = id(&ctx.caller);
    data[field] = participant(who);
    let mut recipients = others(thread, &ctx.caller);
    if !added && who.identifier != ctx.caller {
        recipients.push(who.identifier.clone());
    }
    let raw = who.identifier.raw_id();
    let pair = EventPair {
        thread_event: types.thread,
        thread_subject: format!("thread/{}/{thread_subject}/{raw}", thread.id),
        user_event: types.user,
        user_subject: format!("thread/{}/{user_subject}/{raw}", thread.id),
    };
    ctx.app
        .events
        .publish_pair(pair, &data, &thread.id, &recipients);
}
