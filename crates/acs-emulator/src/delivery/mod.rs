//! Webhook delivery, the way Event Grid delivers: the registry of subscriptions (`registry`),
//! one task per subscription (`worker`) over its retry queue, the validation handshakes
//! (`handshake`) and the HTTP requests (`webhook_client`). The tasks hold the event log and the
//! store they deliver from and record in, never the hub.

mod handshake;
mod registry;
mod webhook_client;
mod worker;

pub(crate) use registry::{Put, Subscriptions};
