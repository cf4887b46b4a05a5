//! Chat resources as the requested api-version has them (thread and participant metadata and
//! retention policies exist only from 2025-03-15), written into the wire types that answer them
//! (whole-second timestamps, `shareHistoryTime` 1970 when unset: see `crate::wire`).

use super::context::Ctx;
use crate::domain::state::{Receipt, Thread};
use crate::wire::{
    Message, MessageView, Participant, ParticipantView, ReadReceipt, ThreadItem, ThreadProperties,
};

pub(crate) fn participant<'a>(ctx: &Ctx, p: &'a Participant) -> ParticipantView<'a> {
    ParticipantView::new(p, ctx.has_2025_fields())
}

pub(crate) fn thread(ctx: &Ctx, t: &Thread) -> ThreadProperties {
    let with_2025_fields = ctx.has_2025_fields();
    ThreadProperties {
        id: t.id.clone(),
        topic: t.topic.clone(),
        created_on: t.created_on,
        created_by: t.created_by.clone(),
        deleted_on: t.deleted_on,
        metadata: t.metadata.clone().filter(|_| with_2025_fields),
        retention_policy: t.retention_policy.clone().filter(|_| with_2025_fields),
    }
}

pub(crate) fn thread_item(t: &Thread) -> ThreadItem {
    ThreadItem {
        id: t.id.clone(),
        topic: t.topic.clone(),
        deleted_on: t.deleted_on,
        last_message_received_on: t.last_message_received_on,
    }
}

pub(crate) fn message<'a>(ctx: &Ctx, m: &'a Message) -> MessageView<'a> {
    MessageView::new(m, ctx.has_2025_fields())
}

pub(crate) fn receipt(r: &Receipt) -> ReadReceipt {
    ReadReceipt {
        sender: r.sender.clone(),
        chat_message_id: r.message_id.clone(),
        read_on: r.read_on,
    }
}
