//! Event Grid chat events (`Microsoft.Communication.*`, Event Grid schema, dataVersion 1.0):
//! published into a log (`log`), served at `GET /emulator/events`, and delivered to webhook
//! subscriptions like Event Grid's (`delivery`, over `webhook_client`).

mod delivery;
mod log;
pub(crate) mod types;
mod webhook_client;

pub(crate) use delivery::Subscriptions;
pub(crate) use log::{Event, EventLog, EventPair};
