//! The web console at `/console` of the emulator's own port: users, threads (participants,
//! properties, live messages, receipts, a send box) and the event log, as server-rendered HTML
//! with a little inline script. Every page but sign-in needs a session, opened with the access
//! key: nothing is shown without it, whatever address the emulator listens on.

mod assets;
mod live;
mod pages;
mod session;

use crate::api::rest::Req;
use crate::app::App;
use crate::http::in_process::{self, call, Caller};
use crate::http::router::{Body, Router};
use crate::wire::{
    AddParticipantsRequest, CreateThreadRequest, Identifier, Metadata, Participant, RetentionKind,
    RetentionPolicy, SendMessageRequest, TokenScope, UpdateThreadRequest,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use pages::Page;
use serde_json::Value;
use session::Sessions;

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

/// The console: its pages, and the sessions signed in to it (the server's to own, not the hub's).
#[derive(Default)]
pub(crate) struct Console {
    sessions: Sessions,
}

impl Console {
    /// Whether `path` is the console's (`/` and `/console/...`); every other path is the API's.
    pub(crate) fn serves(path: &str) -> bool {
        path == "/" || path == "/console" || path.starts_with("/console/")
    }

    /// Serves a console request; what it changes goes through `router` like any client's call.
    pub(crate) async fn serve(
        &self,
        router: &Router,
        request: hyper::Request<Incoming>,
    ) -> hyper::Response<Body> {
        let app = router.app();
        let out = match router.intake(request).await {
            Ok(req) if req.method == hyper::Method::POST && !from_own_pages(app, &req) => html(
                403,
                pages::problem(
                    "This form was posted from another site or another port of this host; \
                     the console accepts forms from its own pages only.",
                    "/console/threads",
                ),
            ),
            Ok(req) => self.page(router, &req),
            Err(reply) => html(
                reply.status,
                pages::sign_in(Some("The request was too large.")),
            ),
        };
        respond(app, out)
    }
}

fn respond(app: &App, out: Out) -> hyper::Response<Body> {
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

impl Console {
    fn page(&self, router: &Router, req: &Req) -> Out {
        let app = router.app();
        let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        let method = req.method.as_str();
        match (method, segments.as_slice()) {
            ("GET", []) | ("GET", ["console"]) => return redirect("/console/threads"),
            ("GET", ["console", "login"]) => return html(200, pages::sign_in(None)),
            ("POST", ["console", "login"]) => {
                let form = form(req);
                return match self.sessions.sign_in(&app.access_key, field(&form, "key")) {
                    Some(cookie) => Out::Redirect("/console/threads".into(), Some(cookie)),
                    None => html(401, pages::sign_in(Some("Wrong access key."))),
                };
            }
            _ => {}
        }
        if !self.sessions.signed_in(req) {
            return html(401, pages::sign_in(Some("Sign in with the access key.")));
        }
        let live = req.query("part") == Some("live");
        let form = form(req);
        let user = |id: &str| Identifier::user(id.to_string());
        match (method, segments.as_slice()) {
            ("POST", ["console", "logout"]) => {
                self.sessions.sign_out(req);
                Out::Redirect("/console/login".into(), Some(session::expired()))
            }
            ("GET", ["console", "live"]) => {
                let since = req.query("since").and_then(|s| s.parse().ok()).unwrap_or(0);
                Out::Stream(live::stream(app, since))
            }
            ("GET", ["console", "users"]) if live => part(app, &Page::Users),
            ("GET", ["console", "users"]) => html(200, pages::users(app)),
            ("POST", ["console", "users"]) => done(
                call(router, Caller::Resource, in_process::create_user()),
                "/console/users",
            ),
            ("POST", ["console", "users", id, "token"]) => {
                let request = in_process::issue_token(id, vec![TokenScope::Chat, TokenScope::Voip]);
                match call(router, Caller::Resource, request) {
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
                call(router, Caller::Resource, in_process::revoke_tokens(id)),
                "/console/users",
            ),
            ("POST", ["console", "users", id, "delete"]) => done(
                call(router, Caller::Resource, in_process::delete_user(id)),
                "/console/users",
            ),
            ("GET", ["console", "threads"]) if live => part(app, &Page::Threads),
            ("GET", ["console", "threads"]) => html(200, pages::threads(app)),
            ("POST", ["console", "threads"]) => create_thread(router, &form),
            ("GET", ["console", "threads", id]) if live => part(app, &Page::Thread(id.to_string())),
            ("GET", ["console", "threads", id]) => match pages::thread(app, id) {
                Some(page) => html(200, page),
                None => html(404, pages::problem("No such thread.", "/console/threads")),
            },
            ("POST", ["console", "threads", id, "messages"]) => {
                let body = SendMessageRequest {
                    content: field(&form, "content").to_string(),
                    sender_display_name: None,
                    kind: None,
                    metadata: None,
                };
                let request = in_process::send_message(id, &body);
                done(
                    call(router, Caller::User(field(&form, "sender")), request),
                    &back(id),
                )
            }
            ("POST", ["console", "threads", id, "properties"]) => {
                update_properties(router, id, &form)
            }
            ("POST", ["console", "threads", id, "participants"]) => {
                let Some(member) = first_participant(app, id) else {
                    return html(
                        400,
                        pages::problem("The thread has no participant to add others.", &back(id)),
                    );
                };
                let mut added = Participant::new(user(field(&form, "user")));
                let name = field(&form, "display_name").trim();
                if !name.is_empty() {
                    added.display_name = Some(name.to_string());
                }
                let body = AddParticipantsRequest {
                    participants: vec![added],
                };
                let request = in_process::add_participants(id, &body);
                done(call(router, Caller::User(&member), request), &back(id))
            }
            ("POST", ["console", "threads", id, "participants", "remove"]) => {
                let removed = field(&form, "user");
                // A participant may always remove themselves.
                let request = in_process::remove_participant(id, &user(removed));
                done(call(router, Caller::User(removed), request), &back(id))
            }
            ("GET", ["console", "events"]) => {
                let kind = req.query("type").unwrap_or_default().to_string();
                let thread = req.query("thread").unwrap_or_default().to_string();
                if live {
                    part(app, &Page::Events { kind, thread })
                } else {
                    html(
                        200,
                        pages::events(app, router.subscriptions(), &kind, &thread),
                    )
                }
            }
            _ => html(404, pages::problem("No such page.", "/console/threads")),
        }
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

fn create_thread(router: &Router, form: &[(String, String)]) -> Out {
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
    let body = CreateThreadRequest {
        topic: field(form, "topic").to_string(),
        participants: Some(
            chosen
                .iter()
                .map(|id| Participant::new(Identifier::user(id.to_string())))
                .collect(),
        ),
        metadata: None,
        retention_policy: None,
    };
    match call(
        router,
        Caller::User(creator),
        in_process::create_thread(&body),
    ) {
        Ok(created) => match created["chatThread"]["id"].as_str() {
            Some(id) => redirect(back(id)),
            None => redirect("/console/threads"),
        },
        Err(e) => html(400, pages::problem(&e, "/console/threads")),
    }
}

fn update_properties(router: &Router, id: &str, form: &[(String, String)]) -> Out {
    let app = router.app();
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
        RetentionPolicy {
            kind: RetentionKind::None,
            delete_thread_after_days: None,
        }
    } else {
        match retention.parse::<i32>() {
            Ok(days) => RetentionPolicy {
                kind: RetentionKind::ThreadCreationDate,
                delete_thread_after_days: Some(days),
            },
            Err(_) => return html(400, pages::problem("Days must be a number.", &back(id))),
        }
    };
    let body = UpdateThreadRequest {
        topic: Some(field(form, "topic").to_string()),
        metadata: Some(metadata),
        retention_policy: Some(retention_policy),
    };
    let request = in_process::update_thread(id, &body);
    done(call(router, Caller::User(&member), request), &back(id))
}

/// An `application/x-www-form-urlencoded` body.
fn form(req: &Req) -> Vec<(String, String)> {
    crate::api::rest::decode_pairs(&String::from_utf8_lossy(&req.body), true)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}
