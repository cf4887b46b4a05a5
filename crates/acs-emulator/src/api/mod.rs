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

/// Every route of the ACS APIs as `METHOD /path`, `*` for an id: what fault rules may name.
pub(crate) fn route_templates() -> Vec<String> {
    chat::templates().chain(identity::templates()).collect()
}

/// Whether a path is one of the ACS APIs' (chat, identity), which fault rules apply to.
pub(crate) fn is_service_path(segments: &[String]) -> bool {
    matches!(
        segments.first().map(String::as_str),
        Some("chat" | "identities" | "teamsUser")
    )
}
