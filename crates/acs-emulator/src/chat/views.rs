//! JSON as the requested api-version has it: thread and participant metadata and retention
//! policies exist only from 2025-03-15.

use super::Ctx;
use crate::store::{Receipt, Thread};
use acs_chat_core::models::{
    ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatThreadItem, ChatThreadProperties,
};
use serde_json::Value;

pub(crate) fn participant(ctx: &Ctx, p: &ChatParticipant) -> Value {
    let mut value = serde_json::to_value(p).unwrap_or_default();
    if !ctx.has_2025_fields() {
        if let Some(obj) = value.as_object_mut() {
            obj.remove("metadata");
        }
    }
    value
}

pub(crate) fn thread(ctx: &Ctx, t: &Thread) -> Value {
    let mut properties = ChatThreadProperties {
        id: t.id.clone(),
        topic: t.topic.clone(),
        created_on: t.created_on,
        created_by: t.created_by.clone(),
        deleted_on: t.deleted_on,
        metadata: t.metadata.clone(),
        retention_policy: t.retention_policy.clone(),
    };
    if !ctx.has_2025_fields() {
        properties.metadata = None;
        properties.retention_policy = None;
    }
    serde_json::to_value(properties).unwrap_or_default()
}

pub(crate) fn thread_item(t: &Thread) -> Value {
    serde_json::to_value(ChatThreadItem {
        id: t.id.clone(),
        topic: t.topic.clone(),
        deleted_on: t.deleted_on,
        last_message_received_on: t.last_message_received_on,
    })
    .unwrap_or_default()
}

pub(crate) fn message(ctx: &Ctx, m: &ChatMessage) -> Value {
    let mut value = serde_json::to_value(m).unwrap_or_default();
    if let Some(participants) = value
        .pointer_mut("/content/participants")
        .and_then(Value::as_array_mut)
    {
        for p in participants.iter_mut().filter_map(Value::as_object_mut) {
            if !ctx.has_2025_fields() {
                p.remove("metadata");
            }
        }
    }
    value
}

pub(crate) fn receipt(r: &Receipt) -> Value {
    serde_json::to_value(ChatMessageReadReceipt {
        sender: r.sender.clone(),
        chat_message_id: r.message_id.clone(),
        read_on: r.read_on,
    })
    .unwrap_or_default()
}
