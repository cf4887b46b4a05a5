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
use actions::{call, identity_path, participant, thread_path, Caller};
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::Arc;

/// A response body of either kind: a whole page or an event stream.
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// The chat event types, for the events filter.
const EVENT_TYPES: &[&str] = &[
    "ChatMessageReceived",
    "ChatMessageEdited",
    "ChatMessageDeleted",
    "ChatMessageReceivedInThread",
    "ChatMessageEditedInThread",
    "ChatMessageDeletedInThread",
    "ChatThreadCreated",
    "ChatThreadCreatedWithUser",
    "ChatThreadDeleted",
    "ChatThreadWithUserDeleted",
    "ChatThreadPropertiesUpdated",
    "ChatThreadPropertiesUpdatedPerUser",
    "ChatThreadParticipantAdded",
    "ChatParticipantAddedToThreadWithUser",
    "ChatThreadParticipantRemoved",
    "ChatParticipantRemovedFromThreadWithUser",
];

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
        .header("referrer-policy", "no-referrer");
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
                "POST",
                "/identities",
                Some(json!({})),
            )
            .await,
            "/console/users",
        ),
        ("POST", ["console", "users", id, "token"]) => {
            let body = json!({"scopes": ["chat", "voip"]});
            let path = format!("{}/:issueAccessToken", identity_path(id));
            match call(app, Caller::Resource, "POST", &path, Some(body)).await {
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
        ("POST", ["console", "users", id, "revoke"]) => {
            let path = format!("{}/:revokeAccessTokens", identity_path(id));
            done(
                call(app, Caller::Resource, "POST", &path, None).await,
                "/console/users",
            )
        }
        ("POST", ["console", "users", id, "delete"]) => done(
            call(app, Caller::Resource, "DELETE", &identity_path(id), None).await,
            "/console/users",
        ),
        ("GET", ["console", "threads"]) if live => part(app, &Page::Threads),
        ("GET", ["console", "threads"]) => html(200, pages::threads(app)),
        ("POST", ["console", "threads"]) => create_thread(app, &form).await,
        ("GET", ["console", "threads", id]) if live => part(app, &Page::Thread(id.to_string())),
        ("GET", ["console", "threads", id]) => match pages::thread(app, id) {
            Some(page) => html(200, page),
            None => html(404, pages::problem("No such thread.", "/console/threads")),
        },
        ("POST", ["console", "threads", id, "messages"]) => {
            let body = json!({"content": field(&form, "content"), "type": "text"});
            let path = format!("{}/messages", thread_path(id));
            let sender = field(&form, "sender");
            done(
                call(app, Caller::User(sender), "POST", &path, Some(body)).await,
                &back(id),
            )
        }
        ("POST", ["console", "threads", id, "properties"]) => {
            update_properties(app, id, &form).await
        }
        ("POST", ["console", "threads", id, "participants"]) => {
            let Some(member) = first_participant(app, id) else {
                return html(
                    400,
                    pages::problem("The thread has no participant to add others.", &back(id)),
                );
            };
            let user = field(&form, "user");
            let name = field(&form, "display_name");
            let body = json!({"participants": [participant(user, Some(name))]});
            let path = format!("{}/participants/:add", thread_path(id));
            done(
                call(app, Caller::User(&member), "POST", &path, Some(body)).await,
                &back(id),
            )
        }
        ("POST", ["console", "threads", id, "participants", "remove"]) => {
            let user = field(&form, "user");
            let body = json!({"rawId": user, "communicationUser": {"id": user}});
            let path = format!("{}/participants/:remove", thread_path(id));
            // A participant may always remove themselves.
            done(
                call(app, Caller::User(user), "POST", &path, Some(body)).await,
                &back(id),
            )
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
    format!(
        "/console/threads/{}",
        acs_chat_core::endpoint::encode_component(thread_id)
    )
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
        .find(|id| state.users.contains_key(id))
}

async fn create_thread(app: &Arc<App>, form: &[(String, String)]) -> Out {
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
    let participants: Vec<Value> = chosen.iter().map(|id| participant(id, None)).collect();
    let body = json!({"topic": field(form, "topic"), "participants": participants});
    match call(
        app,
        Caller::User(creator),
        "POST",
        "/chat/threads",
        Some(body),
    )
    .await
    {
        Ok(created) => match created["chatThread"]["id"].as_str() {
            Some(id) => redirect(back(id)),
            None => redirect("/console/threads"),
        },
        Err(e) => html(400, pages::problem(&e, "/console/threads")),
    }
}

async fn update_properties(app: &Arc<App>, id: &str, form: &[(String, String)]) -> Out {
    let Some(member) = first_participant(app, id) else {
        return html(
            400,
            pages::problem("The thread has no participant to change it.", &back(id)),
        );
    };
    let mut metadata = serde_json::Map::new();
    for line in field(form, "metadata").lines() {
        if let Some((k, v)) = line.split_once('=') {
            if !k.trim().is_empty() {
                metadata.insert(k.trim().to_string(), Value::from(v.trim()));
            }
        }
    }
    let mut body = json!({"topic": field(form, "topic"), "metadata": metadata});
    let retention = field(form, "retention").trim();
    body["retentionPolicy"] = if retention.is_empty() {
        json!({"kind": "none"})
    } else {
        match retention.parse::<u64>() {
            Ok(days) => json!({"kind": "threadCreationDate", "deleteThreadAfterDays": days}),
            Err(_) => return html(400, pages::problem("Days must be a number.", &back(id))),
        }
    };
    done(
        call(
            app,
            Caller::User(&member),
            "PATCH",
            &thread_path(id),
            Some(body),
        )
        .await,
        &back(id),
    )
}

/// An `application/x-www-form-urlencoded` body.
fn form(req: &Req) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(&req.body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}
