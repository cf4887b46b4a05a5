//! The ACS REST API: requests and replies as the handlers see them (`rest`), the chat API
//! (`chat`), the identity API (`identity`), the emulator's Entra ID authority (`entra`), and who
//! may act for the resource (`hmac_auth`, `resource_auth`).

pub(crate) mod chat;
pub(crate) mod commit;
pub(crate) mod entra;
pub(crate) mod hmac_auth;
pub(crate) mod identity;
pub(crate) mod resource_auth;
pub(crate) mod rest;
