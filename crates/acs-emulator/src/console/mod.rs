//! The web console at `/console` of the emulator's own port: users, threads (participants,
//! properties, live messages, receipts, a send box) and the event log, as server-rendered HTML
//! with a little inline script. Every page but sign-in needs a session, opened with the access
//! key: nothing is shown without it, whatever address the emulator listens on.

mod actions;
mod assets;
mod live;
mod pages;
mod session;

pub(crate) use session::Sessions;

use crate::http_util::Req;
use crate::shared::App;
use acs_chat_core::models::{
    ChatParticipant, ChatRetentionPolicy, CommunicationTokenScope, Metadata,
};
use acs_chat_core::options::{CreateChatThreadOptions, UpdatePropertiesOptions};
use acs_chat_core::requests::ChatRequests;
use acs_chat_core::CommunicationIdentifier;
use actions::{call, Caller};
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde_json::Value;
use std::convert::Infallible;
use std::sync::Arc;

/// A response body of either kind: a whole page or an event stream.
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// A page with a `#live` part.
pub(crate) enum Page {
    Users,
    Threads,
    Thread(String),
    Events { kind: String, thread: String },
}

enum Out {
    Html(u16, String),
    Redirect(String, Option<String>),
    Stream(live::EventStream),
}

fn html(status: u16, body: String) -> Out {
    Out::Html(status, body)
}

fn redirect(to: impl Into<String>) -> Out {
    Out::Redirect(to.into(), None)
}

/// Serves `/` and `/console/...` here, everything else through the REST router.
pub(crate) async fn or_api(
    app: &Arc<App>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Body> {
    let path = request.uri().path();
    if path != "/" && path != "/console" && !path.starts_with("/console/") {
        return crate::router::handle(app, request)
            .await
            .map(BodyExt::boxed);
    }
    let out = match crate::router::intake(app, request).await {
        Ok(req) if req.method == hyper::Method::POST && !from_own_pages(app, &req) => html(
            403,
            pages::problem(
                "This form was posted from another site or another port of this host; \
                 the console accepts forms from its own pages only.",
                "/console/threads",
            ),
        ),
        Ok(req) => serve(app, &req).await,
        Err(reply) => html(
            reply.status,
            pages::sign_in(Some("The request was too large.")),
        ),
    };
    let https = app.base_url.starts_with("https:");
    let builder = hyper::Response::builder()
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        // `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends `Origin: null`
        // with the console's own form posts, which the origin check below must then refuse.
        .header("referrer-policy", "same-origin")
        // No page of the console may be framed (clickjacking of revoke, delete, sign-out), and
        // nothing but its own inline script and style (by hash), fetches and forms may run.
        .header("content-security-policy", assets::content_security_policy())
        .header("x-frame-options", "DENY");
    let response = match out {
        Out::Html(status, page) => builder
            .status(status)
            .header("content-type", "text/html; charset=utf-8")
            .body(Full::new(Bytes::from(page)).boxed()),
        Out::Redirect(to, cookie) => {
            let mut builder = builder.status(303).header("location", to);
            if let Some(cookie) = cookie {
                let secure = if https { "; Secure" } else { "" };
                builder = builder.header(
                    "set-cookie",
                    format!("{cookie}; Path=/console; HttpOnly; SameSite=Strict{secure}"),
                );
            }
            builder.body(Full::new(Bytes::new()).boxed())
        }
        Out::Stream(stream) => builder
            .status(200)
            .header("content-type", "text/event-stream")
            .body(stream.boxed()),
    };
    response.unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::new()).boxed());
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// Whether a form post comes from the console's own pages. Browsers send `Sec-Fetch-Site` and
/// `Origin` with form posts; a page of another site or of another port of this host (which a
/// SameSite cookie does not tell apart) is refused. A client that sends neither is not a
/// browser, so it cannot be made to post by a page, and is let through. `Origin: null` (a
/// sandboxed frame, or a browser hiding the origin) passes only with `Sec-Fetch-Site:
/// same-origin`.
fn from_own_pages(app: &App, req: &Req) -> bool {
    let site = req.header("sec-fetch-site");
    if site.is_some_and(|site| !site.eq_ignore_ascii_case("same-origin")) {
        return false;
    }
    let origin = match req.header("origin") {
        None => return true,
        Some("null") => return site.is_some(),
        Some(origin) => origin,
    };
    let scheme = if app.base_url.starts_with("https:") {
        "https://"
    } else {
        "http://"
    };
    let own = req.header("host").map(|host| format!("{scheme}{host}"));
    own.is_some_and(|own| own.eq_ignore_ascii_case(origin))
}

async fn serve(app: &Arc<App>, req: &Req) -> Out {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let method = req.method.as_str();
    match (method, segments.as_slice()) {
        ("GET", []) | ("GET", ["console"]) => return redirect("/console/threads"),
        ("GET", ["console", "login"]) => return html(200, pages::sign_in(None)),
        ("POST", ["console", "login"]) => {
            let form = form(req);
            return match app.console.sign_in(app, field(&form, "key")) {
                Some(cookie) => Out::Redirect("/console/threads".into(), Some(cookie)),
                None => html(401, pages::sign_in(Some("Wrong access key."))),
            };
        }
        _ => {}
    }
    if !app.console.signed_in(req) {
        return html(401, pages::sign_in(Some("Sign in with the access key.")));
    }
    let live = req.query("part") == Some("live");
    let form = form(req);
    let (chat, identity) = match actions::builders(app) {
        Ok(builders) => builders,
        Err(e) => return html(500, pages::problem(&e, "/console/threads")),
    };
    let user = |id: &str| CommunicationIdentifier::user(id.to_string());
    match (method, segments.as_slice()) {
        ("POST", ["console", "logout"]) => {
            app.console.sign_out(req);
            Out::Redirect("/console/login".into(), Some(session::expired()))
        }
        ("GET", ["console", "live"]) => {
            let since = req.query("since").and_then(|s| s.parse().ok()).unwrap_or(0);
            Out::Stream(live::stream(app, since))
        }
        ("GET", ["console", "users"]) if live => part(app, &Page::Users),
        ("GET", ["console", "users"]) => html(200, pages::users(app)),
        ("POST", ["console", "users"]) => done(
            call(
                app,
                Caller::Resource,
                identity.create_user(None, &Default::default()),
            )
            .await,
            "/console/users",
        ),
        ("POST", ["console", "users", id, "token"]) => {
            let scopes = [CommunicationTokenScope::Chat, CommunicationTokenScope::Voip];
            let request = identity.get_token(id, &scopes, &Default::default());
            match call(app, Caller::Resource, request).await {
                Ok(token) => html(
                    200,
                    pages::token(
                        id,
                        token["token"].as_str().unwrap_or_default(),
                        token["expiresOn"].as_str().unwrap_or_default(),
                    ),
                ),
                Err(e) => html(400, pages::problem(&e, "/console/users")),
            }
        }
        ("POST", ["console", "users", id, "revoke"]) => done(
            call(app, Caller::Resource, identity.revoke_tokens(id)).await,
            "/console/users",
        ),
        ("POST", ["console", "users", id, "delete"]) => done(
            call(app, Caller::Resource, identity.delete_user(id)).await,
            "/console/users",
        ),
        ("GET", ["console", "threads"]) if live => part(app, &Page::Threads),
        ("GET", ["console", "threads"]) => html(200, pages::threads(app)),
        ("POST", ["console", "threads"]) => create_thread(app, &chat, &form).await,
        ("GET", ["console", "threads", id]) if live => part(app, &Page::Thread(id.to_string())),
        ("GET", ["console", "threads", id]) => match pages::thread(app, id) {
            Some(page) => html(200, page),
            None => html(404, pages::problem("No such thread.", "/console/threads")),
        },
        ("POST", ["console", "threads", id, "messages"]) => {
            let request = chat.send_message(id, field(&form, "content"), &Default::default());
            done(
                call(app, Caller::User(field(&form, "sender")), request).await,
                &back(id),
            )
        }
        ("POST", ["console", "threads", id, "properties"]) => {
            update_properties(app, &chat, id, &form).await
        }
        ("POST", ["console", "threads", id, "participants"]) => {
            let Some(member) = first_participant(app, id) else {
                return html(
                    400,
                    pages::problem("The thread has no participant to add others.", &back(id)),
                );
            };
            let mut added = ChatParticipant::new(user(field(&form, "user")));
            let name = field(&form, "display_name").trim();
            if !name.is_empty() {
                added = added.with_display_name(name);
            }
            let request = match chat.add_participants(id, &[added]) {
                Ok(Some(request)) => Ok(request),
                // Only an empty list builds no request.
                Ok(None) => return redirect(back(id)),
                Err(e) => Err(e),
            };
            done(call(app, Caller::User(&member), request).await, &back(id))
        }
        ("POST", ["console", "threads", id, "participants", "remove"]) => {
            let removed = field(&form, "user");
            // A participant may always remove themselves.
            let request = chat.remove_participant(id, &user(removed));
            done(call(app, Caller::User(removed), request).await, &back(id))
        }
        ("GET", ["console", "events"]) => {
            let kind = req.query("type").unwrap_or_default().to_string();
            let thread = req.query("thread").unwrap_or_default().to_string();
            if live {
                part(app, &Page::Events { kind, thread })
            } else {
                html(200, pages::events(app, &kind, &thread))
            }
        }
        _ => html(404, pages::problem("No such page.", "/console/threads")),
    }
}

fn back(thread_id: &str) -> String {
    format!("/console/threads/{}", crate::wire::text::encode(thread_id))
}

fn part(app: &App, page: &Page) -> Out {
    match pages::live_part(app, page) {
        Some(part) => html(200, part),
        None => html(404, String::new()),
    }
}

/// Back to `to` after a change, or a page saying why it failed.
fn done(outcome: Result<Value, String>, to: &str) -> Out {
    match outcome {
        Ok(_) => redirect(to),
        Err(e) => html(400, pages::problem(&e, to)),
    }
}

fn first_participant(app: &App, thread_id: &str) -> Option<String> {
    let state = app.state();
    let thread = state.threads.get(thread_id)?;
    thread
        .participants
        .iter()
        .map(|p| p.identifier.raw_id())
        .find(|id| state.users.contains_key(*id))
        .map(str::to_string)
}

async fn create_thread(app: &Arc<App>, chat: &ChatRequests, form: &[(String, String)]) -> Out {
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "participant")
        .map(|(_, v)| v.as_str())
        .collect();
    let Some(creator) = chosen.first() else {
        return html(
            400,
            pages::problem("Check at least one participant.", "/console/threads"),
        );
    };
    let options = CreateChatThreadOptions {
        participants: Some(
            chosen
                .iter()
                .map(|id| ChatParticipant::new(CommunicationIdentifier::user(id.to_string())))
                .collect(),
        ),
        ..Default::default()
    };
    let request = chat.create_chat_thread(field(form, "topic"), &options);
    match call(app, Caller::User(creator), request).await {
        Ok(created) => match created["chatThread"]["id"].as_str() {
            Some(id) => redirect(back(id)),
            None => redirect("/console/threads"),
        },
        Err(e) => html(400, pages::problem(&e, "/console/threads")),
    }
}

async fn update_properties(
    app: &Arc<App>,
    chat: &ChatRequests,
    id: &str,
    form: &[(String, String)],
) -> Out {
    let Some(member) = first_participant(app, id) else {
        return html(
            400,
            pages::problem("The thread has no participant to change it.", &back(id)),
        );
    };
    let metadata: Metadata = field(form, "metadata")
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(k, _)| !k.trim().is_empty())
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let retention = field(form, "retention").trim();
    let retention_policy = if retention.is_empty() {
        ChatRetentionPolicy::none()
    } else {
        match retention.parse::<i32>() {
            Ok(days) => ChatRetentionPolicy::thread_creation_date(days),
            Err(_) => return html(400, pages::problem("Days must be a number.", &back(id))),
        }
    };
    let options = UpdatePropertiesOptions {
        topic: Some(field(form, "topic").to_string()),
        metadata: Some(metadata),
        retention_policy: Some(retention_policy),
        ..Default::default()
    };
    let request = chat.update_properties(id, &options);
    done(call(app, Caller::User(&member), request).await, &back(id))
}

/// An `application/x-www-form-urlencoded` body.
fn form(req: &Req) -> Vec<(String, String)> {
    crate::http_util::decode_pairs(&String::from_utf8_lossy(&req.body), true)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}
