//! The echo bot's webhook: Event Grid's and CloudEvents' handshakes, event decoding, and a reply
//! to every message addressed to the bot. Shared by `examples/echo_bot/main.rs` and its e2e test
//! (`tests/echo_bot.rs`).
//!
//! Event Grid delivers at least once and in no particular order, several deliveries at a time:
//! the bot never relies on order, drops an event it already handled (by event id), lets only
//! one delivery of an event work on it at a time, and keys its reply by the message id, so that
//! a redelivery, or a reply whose outcome was lost, never makes a second reply.

use acs_chat_async::events::{
    abuse_protection_response, parse_webhook, validation_response, ChatEvent, WebhookRequest,
};
use acs_chat_async::{models::SendMessageOptions, ChatClient};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Where Event Grid is pointed: `http(s)://<host>/api/events`.
pub const WEBHOOK_PATH: &str = "/api/events";

/// How many recent event ids are remembered to drop redeliveries.
const REMEMBERED: usize = 4096;

/// The bot: its own identity and a chat client acting as it.
pub struct EchoBot {
    bot_raw_id: String,
    chat: ChatClient,
    recent: Mutex<Recent>,
    /// Events decoded (every type), and how many of them were of a type the SDK does not know.
    pub events_seen: AtomicUsize,
    /// Events of an unknown type (`ChatEvent::Unknown`).
    pub unknown_events: AtomicUsize,
    /// Replies sent.
    pub replies: AtomicUsize,
}

/// Event ids already handled, oldest first, and those being handled now.
#[derive(Default)]
struct Recent {
    ids: HashSet<String>,
    order: VecDeque<String>,
    in_progress: HashSet<String>,
}

impl Recent {
    fn remember(&mut self, id: &str) {
        if self.ids.insert(id.to_string()) {
            self.order.push_back(id.to_string());
            if self.order.len() > REMEMBERED {
                if let Some(old) = self.order.pop_front() {
                    self.ids.remove(&old);
                }
            }
        }
    }
}

impl EchoBot {
    /// A bot whose user id is `bot_raw_id`, replying through `chat` (a client with the bot's
    /// token).
    pub fn new(bot_raw_id: impl Into<String>, chat: ChatClient) -> Arc<Self> {
        Arc::new(EchoBot {
            bot_raw_id: bot_raw_id.into(),
            chat,
            recent: Mutex::new(Recent::default()),
            events_seen: AtomicUsize::new(0),
            unknown_events: AtomicUsize::new(0),
            replies: AtomicUsize::new(0),
        })
    }

    /// The webhook as an axum router (any web framework works the same way: the handshakes and
    /// the parsing are plain functions of the SDK).
    pub fn router(self: &Arc<Self>) -> axum::Router {
        axum::Router::new()
            .route(WEBHOOK_PATH, axum::routing::any(webhook))
            .with_state(self.clone())
    }

    /// Takes `id` to work on: `false` when it was handled already or another delivery of it is
    /// being handled now (that one answers for it).
    fn claim(&self, id: &str) -> bool {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        !recent.ids.contains(id) && recent.in_progress.insert(id.to_string())
    }

    /// Done with `id`: remembered when `handled`, else free to be tried again.
    fn release(&self, id: &str, handled: bool) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.in_progress.remove(id);
        if handled {
            recent.remember(id);
        }
    }

    /// Answers one `ChatMessageReceived` addressed to the bot. The reply is keyed by the
    /// message's id, so a send whose outcome is unknown (a dropped connection) is reconciled
    /// rather than repeated, and a message is answered once however often it is delivered.
    async fn reply(
        &self,
        message_id: &str,
        thread_id: &str,
        text: &str,
    ) -> acs_chat_async::Result<()> {
        let options = SendMessageOptions {
            sender_display_name: Some("Echo Bot".into()),
            idempotency_key: Some(format!("echo-{message_id}")),
            ..Default::default()
        };
        self.chat
            .get_chat_thread_client(thread_id)
            .send_message(&format!("echo: {text}"), Some(options))
            .await?;
        self.replies.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Whether `identifier` is the user `raw_id`.
fn is(identifier: &Option<acs_chat_async::models::CommunicationIdentifier>, raw_id: &str) -> bool {
    identifier.as_ref().is_some_and(|i| i.raw_id() == raw_id)
}

/// `OPTIONS`: CloudEvents abuse protection. `POST`: a validation handshake or events.
async fn webhook(
    State(bot): State<Arc<EchoBot>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(allow) =
        abuse_protection_response(method.as_str(), header("webhook-request-origin"))
    {
        let mut response = StatusCode::OK.into_response();
        for (name, value) in allow {
            if let Ok(value) = value.parse() {
                response.headers_mut().insert(name, value);
            }
        }
        return response;
    }
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let events = match parse_webhook(header("content-type"), &body) {
        Ok(WebhookRequest::SubscriptionValidation {
            validation_code, ..
        }) => {
            return (
                [("content-type", "application/json")],
                validation_response(&validation_code),
            )
                .into_response()
        }
        Ok(WebhookRequest::Events(events)) => events,
        // A kind of request this SDK version does not know: nothing to do.
        Ok(_) => return StatusCode::OK.into_response(),
        // Event Grid does not retry a 400: a body that is not events never will be.
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    for envelope in events {
        if !bot.claim(&envelope.id) {
            continue;
        }
        match &envelope.event {
            ChatEvent::MessageReceived(message)
                if is(&message.recipient_communication_identifier, &bot.bot_raw_id)
                    && !is(&message.sender_communication_identifier, &bot.bot_raw_id) =>
            {
                let text = message.message_body.as_deref().unwrap_or_default();
                if let Err(e) = bot
                    .reply(&message.message_id, &message.thread_id, text)
                    .await
                {
                    // Not remembered: Event Grid sends it again, and the key keeps it single.
                    bot.release(&envelope.id, false);
                    eprintln!("echo bot: could not reply to event {}: {e}", envelope.id);
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
            }
            ChatEvent::Unknown { .. } => {
                bot.unknown_events.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
        bot.events_seen.fetch_add(1, Ordering::Relaxed);
        bot.release(&envelope.id, true);
    }
    StatusCode::OK.into_response()
}
