//! The Event Grid model, with no I/O: chat events (`Microsoft.Communication.*`, Event Grid
//! schema, dataVersion 1.0) published into a log (`log`, `types`), the subscriptions' settings
//! (`subscription`), Event Grid's delivery rules (`policy`), each subscription's retry queue
//! (`retry_queue`) and the events given up (`dead_letter`). Delivering them over HTTP is
//! `crate::delivery`'s.

pub(crate) mod dead_letter;
mod log;
pub(crate) mod policy;
pub(crate) mod retry_queue;
pub(crate) mod subscription;
pub(crate) mod target;
pub(crate) mod types;

pub(crate) use log::{Event, EventLog, EventPair};
pub(crate) use retry_queue::QueuedRow;
