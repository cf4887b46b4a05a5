//! Event Grid chat events (`Microsoft.Communication.*`, Event Grid schema, dataVersion 1.0):
//! published into a log (`log`), served at `GET /emulator/events`, and delivered to webhook
//! subscriptions like Event Grid's: the subscriptions (`subscription`, `delivery`), one task per
//! subscription (`worker`) over its retry queue (`retry_queue`) under Event Grid's rules
//! (`policy`), the handshakes (`handshake`), the requests (`webhook_client`) and the events
//! given up (`dead_letter`).

mod dead_letter;
mod delivery;
mod handshake;
mod log;
mod policy;
mod retry_queue;
pub(crate) mod subscription;
pub(crate) mod types;
mod webhook_client;
mod worker;

pub(crate) use delivery::{Put, Subscriptions};
pub(crate) use log::{Event, EventLog, EventPair};
