//! The chat API: routes, authorization, and the handlers of the 16 operations.

mod ids;
mod messages;
pub(crate) mod notify;
mod paging;
mod participants;
mod threads;
mod views;

use crate::http_util::{ApiError, Reply, Req, Result};
use crate::shared::App;
use crate::store::{State, Thread};
use crate::tokens::Claims;
use crate::wire::Identifier;
use crate::wire::{Message, MessageContent, MessageType, Metadata, Participant};
use time::OffsetDateTime;

pub(crate) const API_VERSIONS: &[&str] = &[
    "2021-03-07",
    "2021-09-07",
    "2023-11-07",
    "2024-03-07",
    "2025-03-15",
];

/// Who is calling, in which api-version.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a App,
    pub(crate) req: &'a Req,
    pub(crate) version: String,
    pub(crate) caller: Identifier,
    pub(crate) claims: std::sync::Arc<Claims>,
}

impl Ctx<'_> {
    pub(crate) fn caller_id(&self) -> String {
        self.caller.raw_id().to_string()
    }

    /// Whether the api-version has thread/participant metadata and retention policies.
    pub(crate) fn has_2025_fields(&self) -> bool {
        self.version.as_str() >= "2025-03-15"
    }

    fn has_scope(&self, scopes: &[&str]) -> bool {
        self.claims.scopes().any(|s| scopes.contains(&s))
    }
}

pub(crate) fn handle(app: &App, req: &Req) -> Result<Reply> {
    let version = req.api_version(API_VERSIONS)?;
    let claims = crate::auth::authenticate(app, req)?;
    let caller = Identifier::user(claims.user_id());
    let ctx = Ctx {
        app,
        req,
        version,
        caller,
        claims,
    };
    if !ctx.has_scope(&["chat", "chat.join", "chat.join.limited"]) {
        return Err(ApiError::forbidden("The token has no chat scope."));
    }
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let method = req.method.as_str();
    if app.limits.rate_limits {
        let rules = rate_rules(method, &segments, &ctx.caller_id());
        if let Err(wait) = app.rate_limiter.check(&rules) {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Ok(
                ApiError::new(429, "TooManyRequests", "Rate limit exceeded.")
                    .into_reply()
                    .header("retry-after", seconds.max(1).to_string()),
            );
        }
    }
    // Malformed ids are 400 before anything is looked up, as on the service.
    if let ["chat", "threads", id, rest @ ..] = segments.as_slice() {
        ids::check_thread(id)?;
        if let ["messages", message_id] = rest {
            ids::check_message(message_id)?;
        }
    }
    match (method, segments.as_slice()) {
        ("POST", ["chat", "threads"]) => {
            if !ctx.has_scope(&["chat"]) {
                return Err(ApiError::forbidden(
                    "Creating threads needs the chat scope.",
                ));
            }
            threads::create(&ctx)
        }
        ("GET", ["chat", "threads"]) => threads::list(&ctx),
        ("GET", ["chat", "threads", id]) => threads::get(&ctx, id),
        ("PATCH", ["chat", "threads", id]) => threads::update(&ctx, id),
        ("DELETE", ["chat", "threads", id]) => threads::delete(&ctx, id),
        ("POST", ["chat", "threads", id, "messages"]) => messages::send(&ctx, id),
        ("GET", ["chat", "threads", id, "messages"]) => messages::list(&ctx, id),
        ("GET", ["chat", "threads", id, "messages", mid]) => messages::get(&ctx, id, mid),
        ("PATCH", ["chat", "threads", id, "messages", mid]) => messages::update(&ctx, id, mid),
        ("DELETE", ["chat", "threads", id, "messages", mid]) => messages::delete(&ctx, id, mid),
        ("GET", ["chat", "threads", id, "participants"]) => participants::list(&ctx, id),
        ("POST", ["chat", "threads", id, "participants", action @ (":add" | ":remove")]) => {
            if !ctx.has_scope(&["chat", "chat.join"]) {
                return Err(ApiError::forbidden(
                    "Changing participants needs the chat or chat.join scope.",
                ));
            }
            if *action == ":add" {
                participants::add(&ctx, id)
            } else {
                participants::remove(&ctx, id)
            }
        }
        ("POST", ["chat", "threads", id, "typing"]) => messages::typing(&ctx, id),
        ("POST", ["chat", "threads", id, "readReceipts"]) => messages::send_receipt(&ctx, id),
        ("GET", ["chat", "threads", id, "readReceipts"]) => messages::list_receipts(&ctx, id),
        (_, ["chat", "threads", ..]) => Err(ApiError::new(
            405,
            "MethodNotAllowed",
            format!("{method} is not allowed on {}", req.target),
        )),
        _ => Err(ApiError::not_found(format!(
            "No route for {method} {}.",
            req.target
        ))),
    }
}

/// The live thread, if the caller participates in it: 404 for unknown or deleted, 403 otherwise.
pub(crate) fn thread_for<'s>(state: &'s mut State, ctx: &Ctx, id: &str) -> Result<&'s mut Thread> {
    let thread = state
        .threads
        .get_mut(id)
        .filter(|t| t.deleted_on.is_none())
        .ok_or_else(|| {
            ApiError::not_found(format!("Thread {id} was not found.")).with_target("chatThreadId")
        })?;
    if thread.participant(&ctx.caller_id()).is_none() {
        return Err(ApiError::forbidden(
            "The caller is not a participant of the thread.",
        ));
    }
    Ok(thread)
}

/// Appends a message with the next sequence id.
pub(crate) fn append(
    state: &mut State,
    thread_id: &str,
    kind: MessageType,
    content: MessageContent,
    sender: Option<(Identifier, Option<String>)>,
    metadata: Option<Metadata>,
) -> String {
    let now = OffsetDateTime::now_utc();
    let id = state.next_message_id(now);
    if let Some(thread) = state.threads.get_mut(thread_id) {
        let (sender, sender_display_name) = match sender {
            Some((who, name)) => (Some(who), name),
            None => (None, None),
        };
        thread.messages.push(Message {
            id: id.clone(),
            kind,
            sequence_id: (thread.messages.len() + 1).to_string(),
            version: id.clone(),
            content: Some(content),
            sender_display_name,
            created_on: now,
            sender,
            deleted_on: None,
            edited_on: None,
            metadata,
        });
        thread.last_message_received_on = Some(now);
    }
    id
}

/// A system message about participants joining or leaving.
pub(crate) fn membership_message(
    state: &mut State,
    thread_id: &str,
    ctx: &Ctx,
    kind: MessageType,
    who: Vec<Participant>,
) {
    let content = MessageContent {
        participants: who,
        initiator: Some(ctx.caller.clone()),
        ..Default::default()
    };
    append(state, thread_id, kind, content, None, None);
}

/// A system message: the topic changed (or was set at creation).
pub(crate) fn topic_message(state: &mut State, thread_id: &str, ctx: &Ctx, topic: String) {
    let content = MessageContent {
        topic: Some(topic),
        initiator: Some(ctx.caller.clone()),
        ..Default::default()
    };
    append(
        state,
        thread_id,
        MessageType::TopicUpdated,
        content,
        None,
        None,
    );
}

/// Rejects metadata over the size limit.
pub(crate) fn check_metadata(ctx: &Ctx, target: &str, metadata: Option<&Metadata>) -> Result<()> {
    let size: usize = metadata
        .map(|m| m.iter().map(|(k, v)| k.len() + v.len()).sum())
        .unwrap_or(0);
    let max = ctx.app.limits.max_metadata_bytes;
    if size > max {
        return Err(ApiError::limit(
            target,
            format!("{target} is {size} bytes; at most {max} bytes are allowed."),
        ));
    }
    Ok(())
}

/// The service's documented chat rate limits (Service limits for Azure Communication Services).
fn rate_rules(method: &str, segments: &[&str], user: &str) -> Vec<crate::rate_limit::Rule> {
    use crate::rate_limit::Rule;
    let per_user_thread = |name: &str, thread: &str, limit, secs| {
        Rule::new(name, &format!("{user}@{thread}"), limit, secs)
    };
    match (method, segments) {
        ("POST", ["chat", "threads"]) => vec![Rule::new("create-thread", user, 10, 10)],
        ("DELETE", ["chat", "threads", _]) => vec![Rule::new("delete-thread", user, 10, 10)],
        ("GET", ["chat", "threads"] | ["chat", "threads", _]) => {
            vec![Rule::new("get-thread", user, 50, 10)]
        }
        ("PATCH", ["chat", "threads", t]) => vec![Rule::new("update-thread", t, 5, 10)],
        ("POST", ["chat", "threads", t, "participants", _]) => {
            vec![
                Rule::new("participants", t, 10, 10),
                Rule::new("participants", t, 30, 60),
            ]
        }
        ("GET", ["chat", "threads", t, "participants"]) => {
            vec![
                per_user_thread("list-participants", t, 10, 10),
                Rule::new("list-participants", t, 250, 10),
            ]
        }
        ("GET", ["chat", "threads", t, "messages", _]) => {
            vec![
                per_user_thread("get-message", t, 50, 10),
                Rule::new("get-message", t, 250, 10),
            ]
        }
        ("GET", ["chat", "threads", t, "messages"]) => vec![
            per_user_thread("list-messages", t, 50, 10),
            per_user_thread("list-messages", t, 200, 60),
            Rule::new("list-messages", t, 250, 10),
            Rule::new("list-messages", t, 400, 60),
        ],
        ("POST" | "PATCH" | "DELETE", ["chat", "threads", t, "messages", ..]) => {
            vec![
                Rule::new("write-message", t, 10, 10),
                Rule::new("write-message", t, 30, 60),
            ]
        }
        ("GET", ["chat", "threads", t, "readReceipts"]) => {
            vec![
                per_user_thread("get-receipts", t, 5, 10),
                Rule::new("get-receipts", t, 100, 10),
            ]
        }
        ("POST", ["chat", "threads", t, "readReceipts"]) => {
            vec![
                per_user_thread("send-receipt", t, 10, 10),
                per_user_thread("send-receipt", t, 30, 60),
            ]
        }
        ("POST", ["chat", "threads", t, "typing"]) => vec![
            per_user_thread("typing", t, 5, 10),
            per_user_thread("typing", t, 15, 60),
            Rule::new("typing", t, 10, 10),
            Rule::new("typing", t, 30, 60),
        ],
        _ => Vec::new(),
    }
}
