//! The service's JSON, as the emulator reads and writes it: its own types, written from the REST
//! spec and the recordings, not the SDK's public models. The SDK's API can change (new fields,
//! `#[non_exhaustive]`) without touching the emulator, and the two stay independent
//! implementations of one wire format that check each other in the tests.

mod chat;
mod identifier;
mod identity;
mod string_enum;
pub(crate) mod text;

pub(crate) use chat::*;
pub(crate) use identifier::Identifier;
pub(crate) use identity::*;
