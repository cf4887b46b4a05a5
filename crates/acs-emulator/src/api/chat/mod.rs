//! The chat API: its route table (`routes`), who is calling (`context`), the handlers of the 16
//! operations (`threads`, `messages`, `participants`), what they share (`ops`), how resources
//! are written (`views`, `paging`) and the events they emit (`notify`).

mod auth;
mod context;
mod ids;
mod messages;
pub(crate) mod notify;
mod ops;
mod paging;
mod participants;
mod routes;

pub(crate) use ids::check_identifier;
pub(crate) use routes::{templates, API_VERSIONS};
mod threads;
mod views;

/// Handles a chat request: errors in the chat service's own envelope (see
/// [`ApiError::into_chat_reply`]).
pub(crate) fn handle(
    app: &crate::app::App,
    req: &crate::api::rest::Req,
) -> crate::api::rest::Reply {
    routes::handle(app, req).unwrap_or_else(crate::api::rest::ApiError::into_chat_reply)
}
