//! With `--data-dir`, a successful write is committed before its reply goes out; if that fails
//! the client is told (500) rather than shown a success that a restart would undo.

use crate::api::rest::{ApiError, Reply, Req};
use crate::app::App;
use crate::domain::state::State;
use crate::domain::Change;
use std::sync::MutexGuard;

/// Commits what `reply` reports changed. `held`: the state lock the handler still holds (the
/// rows are read under it, so a request locks the state once), or `None` to take it here. A
/// reply's changes are committed once: a second call does nothing.
pub(crate) fn commit(
    app: &App,
    held: Option<MutexGuard<'_, State>>,
    req: &Req,
    mut reply: Reply,
) -> Reply {
    if app.store.is_none() || reply.changes.is_empty() || !(200..300).contains(&reply.status) {
        return reply;
    }
    let changes = std::mem::take(&mut reply.changes);
    match commit_changes(app, held, &changes) {
        Ok(()) => reply,
        Err(e) => {
            tracing::error!("could not commit {} {}: {e}", req.method, req.target);
            ApiError::new(500, "InternalError", "The change could not be stored.").into_reply()
        }
    }
}

/// Commits `changes` (nothing without a data dir) and lets the events they published be
/// delivered; `held` as for [`commit`].
pub(crate) fn commit_changes(
    app: &App,
    held: Option<MutexGuard<'_, State>>,
    changes: &[Change],
) -> std::io::Result<()> {
    let Some(store) = &app.store else {
        return Ok(());
    };
    let state = held.unwrap_or_else(|| app.state());
    store.commit(state, &app.events, changes)?;
    app.events.mark_deliverable(store.events_committed());
    Ok(())
}
