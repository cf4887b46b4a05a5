//! The console's pages, rendered on the server from the emulator's state. Every page has a
//! `#live` part that the script re-fetches (`?part=live`) when a matching event is published.

use super::assets;
use crate::app::App;
use crate::delivery::Subscriptions;
use crate::wire::text::encode as encode_component;
use crate::wire::Message;
use time::OffsetDateTime;

/// A page with a `#live` part.
pub(crate) enum Page {
    Users,
    Threads,
    Thread(String),
    Events { kind: String, thread: String },
}

/// HTML-escapes text for element content and quoted attributes.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn when(t: OffsetDateTime) -> String {
    crate::wire::text::rfc3339(t)
}

/// A whole page. `live`: `all`, a thread id, or `None` for a page that does not follow events.
pub(crate) fn layout(title: &str, live: Option<&str>, since: usize, body: &str) -> String {
    let live = live
        .map(|l| format!(" data-live=\"{}\" data-since=\"{since}\"", esc(l)))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
<title>{title} · ACS emulator</title><style>{css}</style></head><body>\
<nav><span class=brand>ACS emulator</span><a href=/console/threads>Threads</a><a href=/console/users>Users</a>\
<a href=/console/events>Events</a><form method=post action=/console/logout><button>Sign out</button></form></nav>\
<main{live}>{body}</main><script>{js}</script></body></html>",
        title = esc(title),
        css = assets::CSS,
        js = assets::JS,
    )
}

/// The sign-in page (also the 401 page).
pub(crate) fn sign_in(message: Option<&str>) -> String {
    let message = message
        .map(|m| format!("<p class=error>{}</p>", esc(m)))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Sign in · ACS emulator</title>\
<style>{css}</style></head><body><nav><span class=brand>ACS emulator</span></nav><main>\
<h1>Sign in</h1>{message}<div class=card><form method=post action=/console/login>\
<p>The access key of this emulator (the <code>accesskey=</code> part of its connection string):</p>\
<input type=password name=key id=key size=60 autocomplete=off autofocus> \
<button class=primary id=sign-in>Sign in</button></form></div></main></body></html>",
        css = assets::CSS
    )
}

/// A page that only says what went wrong.
pub(crate) fn problem(message: &str, back: &str) -> String {
    layout(
        "Error",
        None,
        0,
        &format!(
            "<h1>That did not work</h1><p class=error>{}</p><p><a href=\"{}\">Back</a></p>",
            esc(message),
            esc(back)
        ),
    )
}

fn user_ids(app: &App) -> Vec<String> {
    let mut ids: Vec<String> = app.state().users.keys().cloned().collect();
    ids.sort();
    ids
}

/// `/console/users`.
pub(crate) fn users(app: &App) -> String {
    let body = format!(
        "<h1>Users</h1><div class=card><form method=post action=/console/users>\
<button class=primary id=create-user>Create user</button></form></div><div id=live>{}</div>",
        users_part(app)
    );
    layout("Users", None, 0, &body)
}

fn users_part(app: &App) -> String {
    let state = app.state();
    let mut rows = String::new();
    let mut ids: Vec<(&String, u64)> = state
        .users
        .iter()
        .map(|(id, u)| (id, u.generation))
        .collect();
    ids.sort();
    for (id, generation) in ids {
        let threads = state
            .threads
            .values()
            .filter(|t| t.deleted_on.is_none() && t.participant(id).is_some())
            .count();
        let path = format!("/console/users/{}", encode_component(id));
        rows.push_str(&format!(
            "<tr><td><code>{id}</code></td><td>{threads}</td><td>{generation}</td><td>\
<form class=inline method=post action=\"{path}/token\"><button>Issue token</button></form> \
<form class=inline method=post action=\"{path}/revoke\"><button>Revoke tokens</button></form> \
<form class=inline method=post action=\"{path}/delete\"><button>Delete</button></form></td></tr>",
            id = esc(id),
            path = esc(&path),
        ));
    }
    if rows.is_empty() {
        rows = "<tr><td colspan=4 class=muted>No users yet.</td></tr>".into();
    }
    format!(
        "<table id=users><tr><th>User id</th><th>Threads</th><th>Revocations</th><th></th></tr>{rows}</table>"
    )
}

/// The page after a token was issued, with a copy button.
pub(crate) fn token(user: &str, token: &str, expires_on: &str) -> String {
    layout(
        "Token",
        None,
        0,
        &format!(
            "<h1>Token for <code>{}</code></h1><div class=card><p>Chat + VoIP, expires {}.</p>\
<textarea id=token rows=6 cols=100 readonly>{}</textarea><p><button data-copy=token>Copy</button> \
<a href=/console/users>Back to users</a></p></div>",
            esc(user),
            esc(expires_on),
            esc(token)
        ),
    )
}

/// `/console/threads`.
pub(crate) fn threads(app: &App) -> String {
    let since = app.events.total();
    let mut users = String::new();
    for id in user_ids(app) {
        users.push_str(&format!(
            "<label><input type=checkbox name=participant value=\"{id}\"> <code>{id}</code></label><br>",
            id = esc(&id)
        ));
    }
    if users.is_empty() {
        users = "<p class=muted>Create users first.</p>".into();
    }
    let body = format!(
        "<h1>Threads</h1><div class=card><h2>New thread</h2><form method=post action=/console/threads id=new-thread>\
<p><input name=topic id=topic placeholder=Topic size=40 required></p>\
<p class=muted>Participants (the first one checked creates it):</p>{users}\
<p><button class=primary id=create-thread>Create thread</button></p></form></div><div id=live>{}</div>",
        threads_part(app)
    );
    layout("Threads", Some("all"), since, &body)
}

fn threads_part(app: &App) -> String {
    let state = app.state();
    let mut threads: Vec<_> = state.threads.values().collect();
    threads.sort_by_key(|t| std::cmp::Reverse(t.last_message_received_on.unwrap_or(t.created_on)));
    let mut rows = String::new();
    for t in threads {
        let last = t.last_message_received_on.unwrap_or(t.created_on);
        let deleted = if t.deleted_on.is_some() {
            "<span class=badge>deleted</span>"
        } else {
            ""
        };
        rows.push_str(&format!(
            "<tr><td><a href=\"/console/threads/{path}\">{topic}</a>{deleted}</td><td><code>{id}</code></td>\
<td>{participants}</td><td>{messages}</td><td>{last}</td></tr>",
            path = esc(&encode_component(&t.id)),
            topic = esc(&t.topic),
            id = esc(&t.id),
            participants = t.participants.len(),
            messages = t.messages.len(),
            last = when(last),
        ));
    }
    if rows.is_empty() {
        rows = "<tr><td colspan=5 class=muted>No threads yet.</td></tr>".into();
    }
    format!(
        "<table id=threads><tr><th>Topic</th><th>Id</th><th>Participants</th><th>Messages</th><th>Last activity</th></tr>{rows}</table>"
    )
}

/// `/console/threads/{id}`; `None` when there is no such thread.
pub(crate) fn thread(app: &App, id: &str) -> Option<String> {
    let since = app.events.total();
    let live = thread_part(app, id)?;
    let state = app.state();
    let t = state.threads.get(id)?;
    let path = format!("/console/threads/{}", encode_component(id));
    let mut senders = String::new();
    for p in &t.participants {
        let raw = p.identifier.raw_id();
        senders.push_str(&format!(
            "<option value=\"{raw}\">{name}</option>",
            raw = esc(raw),
            name = esc(p.display_name.as_deref().unwrap_or(raw))
        ));
    }
    let mut others = String::new();
    let mut ids: Vec<&String> = state.users.keys().collect();
    ids.sort();
    for uid in ids.into_iter().filter(|u| t.participant(u).is_none()) {
        others.push_str(&format!("<option value=\"{u}\">{u}</option>", u = esc(uid)));
    }
    let metadata = t
        .metadata
        .as_ref()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let retention = t
        .retention_policy
        .as_ref()
        .and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| v["deleteThreadAfterDays"].as_u64())
        .map(|d| d.to_string())
        .unwrap_or_default();
    let body = format!(
        "<h1>{topic}</h1><p class=muted><code>{id}</code> · created {created} by <code>{creator}</code></p>\
<div class=cols><div>\
<div class=card><h2>Send a message</h2><form method=post action=\"{path}/messages\" id=send>\
<p>As <select name=sender id=sender>{senders}</select></p>\
<p><textarea name=content id=content rows=3 cols=40 required></textarea></p>\
<p><button class=primary id=send-button>Send</button></p></form></div>\
<div class=card><h2>Properties</h2><form method=post action=\"{path}/properties\">\
<p>Topic<br><input name=topic value=\"{topic}\" size=36></p>\
<p>Metadata (key=value per line)<br><textarea name=metadata rows=3 cols=36>{metadata}</textarea></p>\
<p>Delete after days (30–90, empty for none)<br><input name=retention value=\"{retention}\" size=4></p>\
<p><button>Save</button></p></form></div>\
<div class=card><h2>Add a participant</h2><form method=post action=\"{path}/participants\">\
<p><select name=user>{others}</select></p><p><input name=display_name placeholder=\"Display name\"></p>\
<p><button>Add</button></p></form></div>\
</div><div id=live>{live}</div></div>",
        topic = esc(&t.topic),
        id = esc(id),
        created = when(t.created_on),
        creator = esc(t.created_by.raw_id()),
        path = esc(&path),
        metadata = esc(&metadata),
        retention = esc(&retention),
    );
    drop(state);
    Some(layout(&format!("Thread {id}"), Some(id), since, &body))
}

/// The thread's participants, read receipts and messages (what events change).
fn thread_part(app: &App, id: &str) -> Option<String> {
    let state = app.state();
    let t = state.threads.get(id)?;
    let path = format!("/console/threads/{}", encode_component(id));
    let mut participants = String::new();
    for p in &t.participants {
        let raw = p.identifier.raw_id();
        participants.push_str(&format!(
            "<tr><td><code>{raw}</code></td><td>{name}</td><td><form class=inline method=post action=\"{path}/participants/remove\">\
<input type=hidden name=user value=\"{raw}\"><button>Remove</button></form></td></tr>",
            raw = esc(raw),
            name = esc(p.display_name.as_deref().unwrap_or("")),
            path = esc(&path),
        ));
    }
    let mut receipts = String::new();
    for r in &t.receipts {
        receipts.push_str(&format!(
            "<li><code>{}</code> read up to message {} at {}</li>",
            esc(r.sender.raw_id()),
            esc(&r.message_id),
            when(r.read_on)
        ));
    }
    if receipts.is_empty() {
        receipts = "<li class=muted>None yet.</li>".into();
    }
    let mut messages = String::new();
    for m in t.messages.iter().rev() {
        messages.push_str(&message(m));
    }
    if messages.is_empty() {
        messages = "<p class=muted>No messages yet.</p>".into();
    }
    Some(format!(
        "<div class=card><h2>Participants ({count})</h2><table id=participants>{participants}</table></div>\
<div class=card><h2>Read receipts</h2><ul id=receipts>{receipts}</ul></div>\
<div class=card><h2>Messages</h2><div id=messages>{messages}</div></div>",
        count = t.participants.len()
    ))
}

fn message(m: &Message) -> String {
    let sender = m
        .sender_display_name
        .clone()
        .or_else(|| m.sender.as_ref().map(|s| s.raw_id().to_string()))
        .unwrap_or_else(|| "system".into());
    let text = match &m.content {
        _ if m.deleted_on.is_some() => "(deleted)".to_string(),
        Some(c) => c
            .message
            .clone()
            .or_else(|| c.topic.clone().map(|t| format!("topic: {t}")))
            .unwrap_or_else(|| {
                let ids: Vec<String> = c
                    .participants
                    .iter()
                    .map(|p| p.identifier.raw_id().to_string())
                    .collect();
                ids.join(", ")
            }),
        None => String::new(),
    };
    let edited = if m.edited_on.is_some() && m.deleted_on.is_none() {
        "<span class=badge>edited</span>"
    } else {
        ""
    };
    format!(
        "<div class=\"msg{deleted}\" data-id=\"{id}\"><span class=who>{sender}</span> <span class=badge>{kind}</span>{edited} \
<span class=muted>#{seq} · {created}</span><div class=text>{text}</div></div>",
        deleted = if m.deleted_on.is_some() { " deleted" } else { "" },
        id = esc(&m.id),
        sender = esc(&sender),
        kind = esc(&m.kind.to_string()),
        seq = esc(&m.sequence_id),
        created = when(m.created_on),
        text = esc(&text),
    )
}

/// `/console/events?type=&thread=`.
pub(crate) fn events(app: &App, subscriptions: &Subscriptions, kind: &str, thread: &str) -> String {
    let since = app.events.total();
    let mut options = String::from("<option value=\"\">every type</option>");
    let all = crate::events::types::ALL;
    for t in all.iter().flat_map(|pair| [pair.user, pair.thread]) {
        let selected = if t == kind { " selected" } else { "" };
        options.push_str(&format!("<option{selected}>{t}</option>"));
    }
    let body = format!(
        "<h1>Events</h1>{subscriptions}<div class=card><form method=get action=/console/events>\
Type <select name=type>{options}</select> Thread <input name=thread value=\"{thread}\" size=40> \
<button>Filter</button></form></div><div id=live>{}</div>",
        events_part(app, kind, thread),
        subscriptions = subscriptions_card(subscriptions),
        thread = esc(thread),
    );
    layout("Events", Some("all"), since, &body)
}

/// The webhook subscriptions and where their delivery stands (as `GET /emulator/subscriptions`).
fn subscriptions_card(subscriptions: &Subscriptions) -> String {
    let list = subscriptions.list();
    let mut rows = String::new();
    for s in &list {
        let state = &s["deliveryState"];
        let count = |k: &str| state[k].as_u64().unwrap_or(0);
        rows.push_str(&format!(
            "<tr><td>{name}</td><td><code>{url}</code></td><td>{provisioning}</td><td>{delivered}</td>\
<td>{queued}</td><td>{in_flight}</td><td>{dead}</td><td>{dropped}</td></tr>",
            name = esc(s["name"].as_str().unwrap_or_default()),
            url = esc(s["endpointUrl"].as_str().unwrap_or_default()),
            provisioning = esc(state["provisioningState"].as_str().unwrap_or_default()),
            delivered = count("delivered"),
            queued = count("queued"),
            in_flight = count("inFlight"),
            dead = count("deadLettered"),
            dropped = count("dropped"),
        ));
    }
    if rows.is_empty() {
        rows = "<tr><td colspan=8 class=muted>No webhook subscriptions.</td></tr>".into();
    }
    format!(
        "<div class=card><h2>Webhook subscriptions</h2><table id=subscriptions><tr><th>Name</th>\
<th>Endpoint</th><th>State</th><th>Delivered</th><th>Queued</th><th>In flight</th>\
<th>Dead-lettered</th><th>Dropped</th></tr>{rows}</table></div>"
    )
}

fn events_part(app: &App, kind: &str, thread: &str) -> String {
    let mut rows = String::new();
    let all = app.events.indexed_since(0);
    for (index, event) in all.iter().rev() {
        let short = event
            .event_type
            .trim_start_matches("Microsoft.Communication.");
        if !kind.is_empty() && short != kind {
            continue;
        }
        if !thread.is_empty() && event.thread_id.as_deref() != Some(thread) {
            continue;
        }
        let e = event.value();
        rows.push_str(&format!(
            "<tr><td>{index}</td><td>{time}</td><td>{short}</td><td><code>{subject}</code></td>\
<td><details><summary>data</summary><pre>{data}</pre></details></td></tr>",
            time = esc(e["eventTime"].as_str().unwrap_or_default()),
            short = esc(short),
            subject = esc(e["subject"].as_str().unwrap_or_default()),
            data = esc(&serde_json::to_string_pretty(&e["data"]).unwrap_or_default()),
        ));
    }
    if rows.is_empty() {
        rows = "<tr><td colspan=5 class=muted>No events.</td></tr>".into();
    }
    format!(
        "<table id=events><tr><th>#</th><th>Time</th><th>Type</th><th>Subject</th><th></th></tr>{rows}</table>"
    )
}

/// The `#live` part of a page, for `?part=live`.
pub(crate) fn live_part(app: &App, page: &Page) -> Option<String> {
    match page {
        Page::Users => Some(users_part(app)),
        Page::Threads => Some(threads_part(app)),
        Page::Thread(id) => thread_part(app, id),
        Page::Events { kind, thread } => Some(events_part(app, kind, thread)),
    }
}
