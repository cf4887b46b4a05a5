//! Who is calling a chat operation, in which api-version: what every handler is given, and the
//! one lock of the state a request takes (held from the token's user check through the handler
//! to the commit of what it changed).

use crate::api::rest::Req;
use crate::app::App;
use crate::domain::state::State;
use crate::domain::tokens::Claims;
use crate::wire::Identifier;
use std::cell::{RefCell, RefMut};
use std::sync::MutexGuard;

/// Who is calling, in which api-version.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a App,
    pub(crate) req: &'a Req,
    pub(crate) version: String,
    pub(crate) caller: Identifier,
    pub(crate) claims: std::sync::Arc<Claims>,
    /// The state lock, once taken: kept until the request's changes are committed.
    held: RefCell<Option<MutexGuard<'a, State>>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        app: &'a App,
        req: &'a Req,
        version: String,
        claims: std::sync::Arc<Claims>,
    ) -> Self {
        Ctx {
            app,
            req,
            version,
            caller: Identifier::user(claims.user_id()),
            claims,
            held: RefCell::new(None),
        }
    }

    /// The state, locked on first use and held for the rest of the request. A handler holds at
    /// most one of these at a time (as it could hold only one lock guard).
    pub(crate) fn state(&self) -> RefMut<'_, State> {
        RefMut::map(self.held.borrow_mut(), |held| {
            &mut **held.get_or_insert_with(|| self.app.state())
        })
    }

    /// The state lock, if the request took it: for the commit, which reads under it.
    pub(crate) fn into_held(self) -> Option<MutexGuard<'a, State>> {
        self.held.into_inner()
    }

    pub(crate) fn caller_id(&self) -> String {
        self.caller.raw_id().to_string()
    }

    /// Whether the api-version has thread/participant metadata and retention policies.
    pub(crate) fn has_2025_fields(&self) -> bool {
        self.version.as_str() >= "2025-03-15"
    }

    pub(crate) fn has_scope(&self, scopes: &[&str]) -> bool {
        self.claims.scopes().any(|s| scopes.contains(&s))
    }
}
