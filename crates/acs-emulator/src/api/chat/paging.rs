//! Page sizes, opaque continuation state, and absolute `nextLink`s that carry the request's
//! api-version (JS follows them verbatim; Python swaps in its own).

use super::context::Ctx;
use crate::api::rest::{ApiError, Result};
use crate::wire::Collection;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Which listings the service caps: only message listings document a largest page size (200,
/// the limits page); the others take any positive `maxPageSize`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cap {
    /// Pages of at most `Limits::max_page_size`.
    Documented,
    /// No documented cap: the requested size is honoured (up to i32, the spec's type).
    None,
}

/// The page size asked for; `Limits::max_page_size` when absent.
pub(crate) fn page_size(ctx: &Ctx, cap: Cap) -> Result<usize> {
    let max = ctx.app.limits.max_page_size;
    match ctx.req.query("maxPageSize") {
        None => Ok(max),
        Some(text) => match text.parse::<i32>() {
            Ok(n) if n >= 1 && cap == Cap::Documented => Ok((n as usize).min(max)),
            Ok(n) if n >= 1 => Ok(n as usize),
            _ => Err(ApiError::bad_request(format!(
                "maxPageSize `{text}` must be a positive integer."
            ))
            .with_target("maxPageSize")),
        },
    }
}

pub(crate) fn skip(ctx: &Ctx) -> Result<usize> {
    match ctx.req.query("skip") {
        None => Ok(0),
        Some(text) => text.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("skip `{text}` must be a non-negative integer."))
                .with_target("skip")
        }),
    }
}

pub(crate) fn start_time(ctx: &Ctx) -> Result<Option<time::OffsetDateTime>> {
    ctx.req
        .query("startTime")
        .map(|text| {
            crate::wire::text::parse_rfc3339(text).ok_or_else(|| {
                ApiError::bad_request(format!("startTime `{text}` is not an RFC 3339 date-time."))
                    .with_target("startTime")
            })
        })
        .transpose()
}

/// The continuation state of a listing, if this is a later page.
pub(crate) fn sync_state<T: DeserializeOwned>(ctx: &Ctx) -> Result<Option<T>> {
    let Some(text) = ctx.req.query("syncState") else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_request("syncState is not a continuation token of this emulator.")
                .with_target("syncState")
        })
}

/// `<base>/<path>?<params>&maxPageSize=..&api-version=<the request's>`.
pub(crate) fn next_link(ctx: &Ctx, path: &str, params: Vec<(&str, String)>, size: usize) -> String {
    let mut link = format!("{}{path}?", ctx.req.base_url);
    for (name, value) in params {
        link.push_str(&format!("{name}={}&", crate::wire::text::encode(&value)));
    }
    link.push_str(&format!("maxPageSize={size}&api-version={}", ctx.version));
    link
}

pub(crate) fn encode_state(state: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(state).unwrap_or_default())
}

/// `{"value": [...], "nextLink"?: ...}`.
pub(crate) fn collection<T: Serialize>(value: Vec<T>, next_link: Option<String>) -> Collection<T> {
    Collection { value, next_link }
}

/// The thread path with its id percent-encoded.
pub(crate) fn thread_path(id: &str, rest: &str) -> String {
    format!("/chat/threads/{}{rest}", crate::wire::text::encode(id))
}

/// The `Location` of a created thread (`rest` empty) or message (`rest` `/messages/<id>`): under
/// the emulator's configured endpoint, never the request's `Host`, `X-Forwarded-Host` or
/// `Forwarded`, which a client controls.
pub(crate) fn location(ctx: &Ctx, thread_id: &str, rest: &str) -> String {
    format!(
        "{}/chat/threads/{}{rest}",
        ctx.app.base_url,
        crate::wire::text::encode_location(thread_id)
    )
}

/// A skip-based page of `items` (participants, read receipts), linking on with `skip=N`.
pub(crate) fn skip_page<'a, T, V: Serialize>(
    ctx: &Ctx,
    path: &str,
    (size, skip): (usize, usize),
    items: &'a [T],
    render: impl Fn(&'a T) -> V,
) -> crate::api::rest::Reply {
    let values: Vec<V> = items.iter().skip(skip).take(size).map(render).collect();
    // `skip` comes from the client: any usize, so the sum may not fit.
    let end = skip.saturating_add(size);
    let next =
        (items.len() > end).then(|| next_link(ctx, path, vec![("skip", end.to_string())], size));
    crate::api::rest::Reply::json(200, &collection(values, next))
}
