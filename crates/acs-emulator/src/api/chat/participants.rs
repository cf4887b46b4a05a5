//! List, add and remove participants.

use super::context::Ctx;
use super::ops::{membership_message, thread_for};
use super::paging::{self, thread_path};
use super::threads::{admit, check_participants};
use super::{notify, views};
use crate::api::rest::{ApiError, Change, Reply, Result, JSON};
use crate::wire::Identifier;
use crate::wire::{AddParticipantsRequest, MessageType};
use serde_json::json;

pub(crate) fn list(ctx: &Ctx, id: &str) -> Result<Reply> {
    let window = (
        paging::page_size(ctx, paging::Cap::None)?,
        paging::skip(ctx)?,
    );
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    let path = thread_path(id, "/participants");
    Ok(paging::skip_page(
        ctx,
        &path,
        window,
        &thread.participants,
        |p| views::participant(ctx, p),
    ))
}

pub(crate) fn add(ctx: &Ctx, id: &str) -> Result<Reply> {
    let body: AddParticipantsRequest = ctx.req.json(JSON)?;
    if body.participants.is_empty() {
        return Err(
            ApiError::bad_request("participants must not be empty.").with_target("participants")
        );
    }
    check_participants(ctx, &body.participants)?;
    let mut state = ctx.state();
    let existing = thread_for(&mut state, ctx, id)?.participants.clone();
    let (added, invalid) = admit(ctx, &state, &existing, body.participants);
    let thread = thread_for(&mut state, ctx, id)?;
    let max = ctx.app.limits.max_participants_per_thread;
    if thread.participants.len() + added.len() > max {
        return Err(ApiError::limit(
            "participants",
            format!("A thread holds at most {max} participants."),
        ));
    }
    thread.participants.extend(added.iter().cloned());
    thread
        .former_participants
        .retain(|id| !added.iter().any(|p| p.identifier.raw_id() == *id));
    for p in &added {
        notify::membership(ctx, thread, p, true);
    }
    if !added.is_empty() {
        membership_message(&mut state, id, ctx, MessageType::ParticipantAdded, added);
    }
    let body = if invalid.is_empty() {
        json!({})
    } else {
        json!({ "invalidParticipants": invalid })
    };
    Ok(Reply::json(201, &body).changed(Change::Thread(id.to_string())))
}

pub(crate) fn remove(ctx: &Ctx, id: &str) -> Result<Reply> {
    let identifier: Identifier = ctx.req.json(JSON)?;
    let raw_id = identifier.raw_id().to_string();
    if raw_id.is_empty() {
        return Err(
            ApiError::bad_request("The identifier has no rawId or known kind.")
                .with_target("rawId"),
        );
    }
    super::ids::check_identifier(&raw_id)?;
    let mut state = ctx.state();
    let thread = thread_for(&mut state, ctx, id)?;
    // Removing someone who is not a participant succeeds (the official samples rely on it).
    if let Some(index) = thread
        .participants
        .iter()
        .position(|p| p.identifier.raw_id() == raw_id)
    {
        let removed = thread.participants.remove(index);
        if !thread.former_participants.contains(&raw_id) {
            thread.former_participants.push(raw_id.clone());
        }
        notify::membership(ctx, thread, &removed, false);
        membership_message(
            &mut state,
            id,
            ctx,
            MessageType::ParticipantRemoved,
            vec![removed],
        );
        return Ok(Reply::empty(204).changed(Change::Thread(id.to_string())));
    }
    Ok(Reply::empty(204))
}
