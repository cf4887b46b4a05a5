//! Create, list, get, update and delete threads.

use super::context::Ctx;
use super::ops::{check_metadata, membership_message, thread_for, topic_message};
use super::paging::{self, collection, encode_state, next_link};
use super::{notify, views};
use crate::api::rest::{ApiError, Change, Reply, Result, JSON, PATCH_JSON};
use crate::domain::state::{State, Thread};
use crate::wire::RetentionPolicy;
use crate::wire::{
    CommunicationError, CreateThreadRequest, MessageType, Participant, RetentionKind,
    UpdateThreadRequest,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

/// Splits `requested` into the participants to add and the refused ones: users of this
/// emulator's resource must exist (others are taken as given); anyone already in `existing` or
/// listed twice is added once ("if participants already exist, no change occurs").
pub(crate) fn admit(
    ctx: &Ctx,
    state: &State,
    existing: &[Participant],
    requested: Vec<Participant>,
) -> (Vec<Participant>, Vec<CommunicationError>) {
    let ours = format!("8:acs:{}_", ctx.app.resource_id);
    let mut admitted: Vec<Participant> = Vec::new();
    let mut refused = Vec::new();
    for p in requested {
        let raw = p.identifier.raw_id();
        let known = if raw.starts_with(&ours) {
            state.users.contains_key(raw)
        } else {
            !raw.is_empty()
        };
        if !known {
            refused.push(CommunicationError {
                code: "404".into(),
                message: "Not found".into(),
                target: Some(p.identifier.raw_id().to_string()),
                ..Default::default()
            });
        } else if !existing
            .iter()
            .chain(&admitted)
            .any(|q| q.identifier == p.identifier)
        {
            admitted.push(p);
        }
    }
    (admitted, refused)
}

pub(crate) fn check_participants(ctx: &Ctx, participants: &[Participant]) -> Result<()> {
    let max = ctx.app.limits.max_participants_per_batch;
    if participants.len() > max {
        return Err(ApiError::limit(
            "participants",
            format!(
                "{} participants were given; at most {max} can be added at once.",
                participants.len()
            ),
        ));
    }
    for p in participants {
        super::ids::check_identifier(p.identifier.raw_id())?;
        check_metadata(ctx, "participants.metadata", p.metadata.as_ref())?;
    }
    Ok(())
}

fn check_retention(policy: Option<&RetentionPolicy>) -> Result<()> {
    match policy {
        Some(p) if p.kind == RetentionKind::ThreadCreationDate => {
            match p.delete_thread_after_days {
                // The documented range (limits page): 30 to 90 days.
                Some(days) if (30..=90).contains(&days) => Ok(()),
                _ => Err(
                    ApiError::bad_request("deleteThreadAfterDays must be from 30 to 90.")
                        .with_target("retentionPolicy"),
                ),
            }
        }
        Some(RetentionPolicy {
            kind: RetentionKind::Other(kind),
            ..
        }) => Err(ApiError::bad_request(format!(
            "Retention policy kind `{kind}` is not supported."
        ))
        .with_target("retentionPolicy")),
        _ => Ok(()),
    }
}

pub(crate) fn create(ctx: &Ctx) -> Result<Reply> {
    let body: CreateThreadRequest = ctx.req.json(JSON)?;
    let topic = body.topic.trim().to_string();
    if topic.is_empty() {
        return Err(ApiError::bad_request("The topic is required.").with_target("topic"));
    }
    let requested = body.participants.unwrap_or_default();
    check_participants(ctx, &requested)?;
    check_metadata(ctx, "metadata", body.metadata.as_ref())?;
    check_retention(body.retention_policy.as_ref())?;

    let caller = ctx.caller_id();
    let key = ctx
        .req
        .header("repeatability-request-id")
        .map(|t| (caller.clone(), t.to_string()));
    let mut state = ctx.state();
    if let Some((thread_id, body)) = key.as_ref().and_then(|k| state.repeatability.get(k)) {
        return Ok(Reply {
            status: 201,
            headers: vec![
                ("content-type", "application/json; charset=utf-8".into()),
                ("location", paging::location(ctx, thread_id, "")),
            ],
            body: body.clone().into(),
            changes: Vec::new(),
        });
    }

    let (mut participants, invalid) = admit(ctx, &state, &[], requested);
    if !participants.iter().any(|p| p.identifier.raw_id() == caller) {
        participants.insert(0, Participant::new(ctx.caller.clone()));
    }
    let max = ctx.app.limits.max_participants_per_thread;
    if participants.len() > max {
        return Err(ApiError::limit(
            "participants",
            format!("A thread holds at most {max} participants."),
        ));
    }

    let id = format!("19:{}@thread.v2", uuid::Uuid::new_v4().simple());
    let now = OffsetDateTime::now_utc();
    state.threads.insert(
        id.clone(),
        Thread {
            id: id.clone(),
            topic: topic.clone(),
            created_on: now,
            created_by: ctx.caller.clone(),
            deleted_on: None,
            metadata: body.metadata,
            retention_policy: body.retention_policy,
            participants: participants.clone(),
            former_participants: Vec::new(),
            messages: Vec::new(),
            last_sequence: 0,
            by_sequence: Default::default(),
            receipts: Vec::new(),
            typing: Vec::new(),
            last_message_received_on: None,
        },
    );
    membership_message(
        &mut state,
        &id,
        ctx,
        MessageType::ParticipantAdded,
        participants,
    );
    topic_message(&mut state, &id, ctx, topic);
    if let Some(created) = state.threads.get(&id) {
        notify::thread_created(ctx, created);
    }

    let thread = state.threads.get(&id).map(|t| views::thread(ctx, t));
    let mut result = json!({ "chatThread": thread });
    if !invalid.is_empty() {
        result["invalidParticipants"] = serde_json::to_value(&invalid).unwrap_or_default();
    }
    let bytes = serde_json::to_vec(&result).unwrap_or_default();
    let mut changes = vec![Change::Thread(id.clone())];
    if let Some(key) = key {
        changes.push(Change::Repeatability {
            caller: key.0.clone(),
            token: key.1.clone(),
        });
        state.repeatability.insert(key, (id.clone(), bytes.clone()));
    }
    Ok(Reply {
        status: 201,
        headers: vec![
            ("content-type", "application/json; charset=utf-8".into()),
            ("location", paging::location(ctx, &id, "")),
        ],
        body: bytes.into(),
        changes,
    })
}

/// Threads are listed newest first by creation, so activity between pages cannot reorder them.
#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Creation time (ns) and id of the last thread returned.
    c: i128,
    i: String,
    /// The listing's startTime (ns), if any.
    s: Option<i128>,
}

pub(crate) fn list(ctx: &Ctx) -> Result<Reply> {
    let size = paging::page_size(ctx, paging::Cap::None)?;
    let cursor: Option<Cursor> = paging::sync_state(ctx)?;
    let start = match &cursor {
        Some(c) => c.s,
        None => paging::start_time(ctx)?.map(OffsetDateTime::unix_timestamp_nanos),
    };
    let caller = ctx.caller_id();
    let state = ctx.state();
    let mut mine: Vec<&Thread> = state
        .threads
        .values()
        // Like the service, threads the caller has left stay in the listing, and deleted ones
        // stay with `deletedOn` set (the spec's Threads_ListChatThreadsWithPageSize example).
        .filter(|t| t.participant(&caller).is_some() || t.former_participants.contains(&caller))
        .filter(|t| {
            start.is_none_or(|s| {
                t.last_message_received_on
                    .unwrap_or(t.created_on)
                    .unix_timestamp_nanos()
                    >= s
            })
        })
        .filter(|t| {
            cursor.as_ref().is_none_or(|c| {
                (t.created_on.unix_timestamp_nanos(), t.id.as_str()) < (c.c, c.i.as_str())
            })
        })
        .collect();
    mine.sort_by(|a, b| (b.created_on, &b.id).cmp(&(a.created_on, &a.id)));
    let more = mine.len() > size;
    mine.truncate(size);
    let next = match mine.last() {
        Some(last) if more => {
            let state = encode_state(&Cursor {
                c: last.created_on.unix_timestamp_nanos(),
                i: last.id.clone(),
                s: start,
            });
            Some(next_link(
                ctx,
                "/chat/threads",
                vec![("syncState", state)],
                size,
            ))
        }
        _ => None,
    };
    let values = mine
        .iter()
        .map(|t| views::thread_item(t))
        .collect::<Vec<_>>();
    Ok(Reply::json(200, &collection(values, next)))
}

pub(crate) fn get(ctx: &Ctx, id: &str) -> Result<Reply> {
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    Ok(Reply::json(200, &views::thread(ctx, thread)))
}

pub(crate) fn update(ctx: &Ctx, id: &str) -> Result<Reply> {
    let body: UpdateThreadRequest = ctx.req.json(PATCH_JSON)?;
    if body.topic.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(ApiError::bad_request("The topic cannot be empty.").with_target("topic"));
    }
    check_metadata(ctx, "metadata", body.metadata.as_ref())?;
    check_retention(body.retention_policy.as_ref())?;
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    if let Some(metadata) = body.metadata {
        thread.metadata = Some(metadata);
    }
    if let Some(policy) = body.retention_policy {
        thread.retention_policy = Some(policy);
    }
    if let Some(topic) = body.topic {
        if topic != thread.topic {
            thread.topic = topic.clone();
            topic_message(&mut state, id, ctx, topic);
        }
    }
    if let Some(updated) = state.threads.get(id) {
        notify::thread_updated(ctx, updated);
    }
    Ok(Reply::empty(204).changed(Change::Thread(id.to_string())))
}

pub(crate) fn delete(ctx: &Ctx, id: &str) -> Result<Reply> {
    let mut state = ctx.state();
    match state.threads.get_mut(id) {
        Some(thread) if thread.deleted_on.is_none() => {
            if thread.participant(&ctx.caller_id()).is_none() {
                return Err(ApiError::forbidden(
                    "The caller is not a participant of the thread.",
                ));
            }
            thread.deleted_on = Some(OffsetDateTime::now_utc());
            notify::thread_deleted(ctx, thread);
            Ok(Reply::empty(204).changed(Change::Thread(id.to_string())))
        }
        // Deleting a deleted or unknown thread succeeds, as on the service.
        _ => Ok(Reply::empty(204)),
    }
}
