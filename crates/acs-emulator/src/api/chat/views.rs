//! JSON as the requested api-version has it (thread and participant metadata and retention
//! policies exist only from 2025-03-15), and as the service writes it: timestamps in whole
//! seconds (`2021-09-07T20:38:12Z`), and a participant added without `shareHistoryTime` shown
//! with `1970-01-01T00:00:00Z` (both recorded against the service).

use super::context::Ctx;
use crate::domain::state::{Receipt, Thread};
use crate::wire::{Message, Participant, ReadReceipt, ThreadItem, ThreadProperties};
use serde_json::Value;

/// The timestamp fields of chat resources.
const TIMESTAMPS: &[&str] = &[
    "createdOn",
    "deletedOn",
    "editedOn",
    "shareHistoryTime",
    "readOn",
    "lastMessageReceivedOn",
];

/// `value` (any chat resource) with every timestamp field cut to whole seconds.
fn whole_seconds(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, field) in map.iter_mut() {
                    match field {
                        Value::String(text) if TIMESTAMPS.contains(&key.as_str()) => {
                            if let Some(cut) = cut_to_seconds(text) {
                                *text = cut;
                            }
                        }
                        other => walk(other),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// `2021-09-07T20:38:12.123456Z` → `2021-09-07T20:38:12Z`.
fn cut_to_seconds(text: &str) -> Option<String> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    let t = t.to_offset(time::UtcOffset::UTC);
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// A participant as listed (and inside membership system messages).
fn participant_value(ctx: &Ctx, value: &mut Value) {
    if let Some(obj) = value.as_object_mut() {
        if !ctx.has_2025_fields() {
            obj.remove("metadata");
        }
        obj.entry("shareHistoryTime")
            .or_insert_with(|| Value::String("1970-01-01T00:00:00Z".into()));
    }
}

pub(crate) fn participant(ctx: &Ctx, p: &Participant) -> Value {
    let mut value = serde_json::to_value(p).unwrap_or_default();
    participant_value(ctx, &mut value);
    whole_seconds(value)
}

pub(crate) fn thread(ctx: &Ctx, t: &Thread) -> Value {
    let mut properties = ThreadProperties {
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
    whole_seconds(serde_json::to_value(properties).unwrap_or_default())
}

pub(crate) fn thread_item(t: &Thread) -> Value {
    whole_seconds(
        serde_json::to_value(ThreadItem {
            id: t.id.clone(),
            topic: t.topic.clone(),
            deleted_on: t.deleted_on,
            last_message_received_on: t.last_message_received_on,
        })
        .unwrap_or_default(),
    )
}

pub(crate) fn message(ctx: &Ctx, m: &Message) -> Value {
    let mut value = serde_json::to_value(m).unwrap_or_default();
    if let Some(participants) = value
        .pointer_mut("/content/participants")
        .and_then(Value::as_array_mut)
    {
        participants
            .iter_mut()
            .for_each(|p| participant_value(ctx, p));
    }
    whole_seconds(value)
}

pub(crate) fn receipt(r: &Receipt) -> Value {
    whole_seconds(
        serde_json::to_value(ReadReceipt {
            sender: r.sender.clone(),
            chat_message_id: r.message_id.clone(),
            read_on: r.read_on,
        })
        .unwrap_or_default(),
    )
}
