//! The chat API's one route table: each operation's method and path, the scopes its token needs,
//! the service's documented rate limits for it, and its handler. Adding an operation is one entry
//! here and its handler; what it changed, the handler reports in its reply (`Change`), which is
//! what `--data-dir` commits.

use super::context::Ctx;
use super::{ids, messages, participants, threads};
use crate::api::rest::{ApiError, Reply, Req, Result};
use crate::app::App;
use crate::domain::rate_limit::Rule;

/// The chat api-versions the emulator answers.
pub(crate) const API_VERSIONS: &[&str] = &[
    "2021-03-07",
    "2021-09-07",
    "2023-11-07",
    "2024-03-07",
    "2025-03-15",
];

/// One segment of a route's path after `/chat`.
enum Seg {
    Lit(&'static str),
    /// A thread id (checked for form before anything is looked up).
    Thread,
    /// A message id (likewise).
    Message,
}

use Seg::{Lit, Message as MessageId, Thread as ThreadId};

/// Whose requests a rate limit counts.
#[derive(Clone, Copy)]
enum Per {
    User,
    Thread,
    UserInThread,
}

/// At most `limit` requests per `secs` seconds, counted per `per`.
struct Rate(&'static str, Per, usize, u64);

/// The ids in a request's path.
pub(crate) struct Params<'a> {
    pub(crate) thread: &'a str,
    pub(crate) message: &'a str,
}

struct Route {
    method: &'static str,
    path: &'static [Seg],
    /// The token needs one of these scopes.
    scopes: &'static [&'static str],
    rates: &'static [Rate],
    handler: fn(&Ctx, &Params) -> Result<Reply>,
}

const ANY_CHAT: &[&str] = &["chat", "chat.join", "chat.join.limited"];
const THREADS: &[Seg] = &[Lit("threads")];
const THREAD: &[Seg] = &[Lit("threads"), ThreadId];
const MESSAGES: &[Seg] = &[Lit("threads"), ThreadId, Lit("messages")];
const MESSAGE: &[Seg] = &[Lit("threads"), ThreadId, Lit("messages"), MessageId];
const PARTICIPANTS: &[Seg] = &[Lit("threads"), ThreadId, Lit("participants")];
const RECEIPTS: &[Seg] = &[Lit("threads"), ThreadId, Lit("readReceipts")];
const WRITE_MESSAGE: &[Rate] = &[
    Rate("write-message", Per::Thread, 10, 10),
    Rate("write-message", Per::Thread, 30, 60),
];
const CHANGE_PARTICIPANTS: &[Rate] = &[
    Rate("participants", Per::Thread, 10, 10),
    Rate("participants", Per::Thread, 30, 60),
];

/// The 16 operations. Rate limits: "Service limits for Azure Communication Services", chat.
const ROUTES: &[Route] = &[
    Route {
        method: "POST",
        path: THREADS,
        scopes: &["chat"],
        rates: &[Rate("create-thread", Per::User, 10, 10)],
        handler: |ctx, _| threads::create(ctx),
    },
    Route {
        method: "GET",
        path: THREADS,
        scopes: ANY_CHAT,
        rates: &[Rate("get-thread", Per::User, 50, 10)],
        handler: |ctx, _| threads::list(ctx),
    },
    Route {
        method: "GET",
        path: THREAD,
        scopes: ANY_CHAT,
        rates: &[Rate("get-thread", Per::User, 50, 10)],
        handler: |ctx, p| threads::get(ctx, p.thread),
    },
    Route {
        method: "PATCH",
        path: THREAD,
        scopes: ANY_CHAT,
        rates: &[Rate("update-thread", Per::Thread, 5, 10)],
        handler: |ctx, p| threads::update(ctx, p.thread),
    },
    Route {
        method: "DELETE",
        path: THREAD,
        scopes: ANY_CHAT,
        rates: &[Rate("delete-thread", Per::User, 10, 10)],
        handler: |ctx, p| threads::delete(ctx, p.thread),
    },
    Route {
        method: "POST",
        path: MESSAGES,
        scopes: ANY_CHAT,
        rates: WRITE_MESSAGE,
        handler: |ctx, p| messages::send(ctx, p.thread),
    },
    Route {
        method: "GET",
        path: MESSAGES,
        scopes: ANY_CHAT,
        rates: &[
            Rate("list-messages", Per::UserInThread, 50, 10),
            Rate("list-messages", Per::UserInThread, 200, 60),
            Rate("list-messages", Per::Thread, 250, 10),
            Rate("list-messages", Per::Thread, 400, 60),
        ],
        handler: |ctx, p| messages::list(ctx, p.thread),
    },
    Route {
        method: "GET",
        path: MESSAGE,
        scopes: ANY_CHAT,
        rates: &[
            Rate("get-message", Per::UserInThread, 50, 10),
            Rate("get-message", Per::Thread, 250, 10),
        ],
        handler: |ctx, p| messages::get(ctx, p.thread, p.message),
    },
    Route {
        method: "PATCH",
        path: MESSAGE,
        scopes: ANY_CHAT,
        rates: WRITE_MESSAGE,
        handler: |ctx, p| messages::update(ctx, p.thread, p.message),
    },
    Route {
        method: "DELETE",
        path: MESSAGE,
        scopes: ANY_CHAT,
        rates: WRITE_MESSAGE,
        handler: |ctx, p| messages::delete(ctx, p.thread, p.message),
    },
    Route {
        method: "GET",
        path: PARTICIPANTS,
        scopes: ANY_CHAT,
        rates: &[
            Rate("list-participants", Per::UserInThread, 10, 10),
            Rate("list-participants", Per::Thread, 250, 10),
        ],
        handler: |ctx, p| participants::list(ctx, p.thread),
    },
    Route {
        method: "POST",
        path: &[Lit("threads"), ThreadId, Lit("participants"), Lit(":add")],
        scopes: &["chat", "chat.join"],
        rates: CHANGE_PARTICIPANTS,
        handler: |ctx, p| participants::add(ctx, p.thread),
    },
    Route {
        method: "POST",
        path: &[
            Lit("threads"),
            ThreadId,
            Lit("participants"),
            Lit(":remove"),
        ],
        scopes: &["chat", "chat.join"],
        rates: CHANGE_PARTICIPANTS,
        handler: |ctx, p| participants::remove(ctx, p.thread),
    },
    Route {
        method: "POST",
        path: &[Lit("threads"), ThreadId, Lit("typing")],
        scopes: ANY_CHAT,
        rates: &[
            Rate("typing", Per::UserInThread, 5, 10),
            Rate("typing", Per::UserInThread, 15, 60),
            Rate("typing", Per::Thread, 10, 10),
            Rate("typing", Per::Thread, 30, 60),
        ],
        handler: |ctx, p| messages::typing(ctx, p.thread),
    },
    Route {
        method: "POST",
        path: RECEIPTS,
        scopes: ANY_CHAT,
        rates: &[
            Rate("send-receipt", Per::UserInThread, 10, 10),
            Rate("send-receipt", Per::UserInThread, 30, 60),
        ],
        handler: |ctx, p| messages::send_receipt(ctx, p.thread),
    },
    Route {
        method: "GET",
        path: RECEIPTS,
        scopes: ANY_CHAT,
        rates: &[
            Rate("get-receipts", Per::UserInThread, 5, 10),
            Rate("get-receipts", Per::Thread, 100, 10),
        ],
        handler: |ctx, p| messages::list_receipts(ctx, p.thread),
    },
];

/// Every route as `METHOD /chat/...` with `*` for an id (what fault rules name).
pub(crate) fn templates() -> impl Iterator<Item = String> {
    ROUTES.iter().map(|route| {
        let path: String = route
            .path
            .iter()
            .map(|seg| match seg {
                Lit(lit) => format!("/{lit}"),
                ThreadId | MessageId => "/*".to_string(),
            })
            .collect();
        format!("{} /chat{path}", route.method)
    })
}

/// The ids of `segments` (after `chat`) if they fit `path`.
fn fit<'a>(path: &[Seg], segments: &[&'a str]) -> Option<Params<'a>> {
    if path.len() != segments.len() {
        return None;
    }
    let mut params = Params {
        thread: "",
        message: "",
    };
    for (seg, given) in path.iter().zip(segments) {
        match seg {
            Lit(lit) if lit == given => {}
            Lit(_) => return None,
            ThreadId => params.thread = given,
            MessageId => params.message = given,
        }
    }
    Some(params)
}

/// Authenticates, finds the route, checks scopes, ids and rate limits, and runs the handler.
pub(crate) fn handle(app: &App, req: &Req) -> Result<Reply> {
    let version = req.api_version(API_VERSIONS)?;
    let claims = super::auth::authenticate(app, req)?;
    let ctx = Ctx::new(app, req, version, claims);
    // The request's one lock of the state: taken here, held through the handler and the commit.
    super::auth::check_user(&ctx.state(), &ctx.claims)?;
    if !ctx.has_scope(ANY_CHAT) {
        return Err(ApiError::forbidden("The token has no chat scope."));
    }
    let segments: Vec<&str> = req.segments.iter().skip(1).map(String::as_str).collect();
    let method = req.method.as_str();
    let mut path_fits = false;
    let found = ROUTES.iter().find_map(|route| {
        let params = fit(route.path, &segments)?;
        path_fits = true;
        (route.method == method).then_some((route, params))
    });
    let Some((route, params)) = found else {
        return Err(if path_fits {
            ApiError::new(
                405,
                "MethodNotAllowed",
                format!("{method} is not allowed on {}", req.target),
            )
        } else {
            ApiError::not_found(format!("No route for {method} {}.", req.target))
        });
    };
    if !ctx.has_scope(route.scopes) {
        return Err(ApiError::forbidden(format!(
            "This operation needs one of the scopes {}.",
            route.scopes.join(", ")
        )));
    }
    // Malformed ids are 400 before anything is looked up, as on the service.
    if !params.thread.is_empty() {
        ids::check_thread(params.thread)?;
    }
    if !params.message.is_empty() {
        ids::check_message(params.message)?;
    }
    if app.limits.rate_limits {
        let user = ctx.caller_id();
        let rules: Vec<Rule> = route
            .rates
            .iter()
            .map(|Rate(name, per, limit, secs)| {
                let scope = match per {
                    Per::User => user.clone(),
                    Per::Thread => params.thread.to_string(),
                    Per::UserInThread => format!("{user}@{}", params.thread),
                };
                Rule::new(name, &scope, *limit, *secs)
            })
            .collect();
        if let Err(wait) = app.rate_limiter.check(&rules) {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Ok(
                ApiError::new(429, "TooManyRequests", "Rate limit exceeded.")
                    .into_reply()
                    .header("retry-after", seconds.max(1).to_string()),
            );
        }
    }
    let reply = (route.handler)(&ctx, &params)?;
    Ok(crate::api::commit::commit(app, ctx.into_held(), req, reply))
}
