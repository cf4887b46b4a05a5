//! Who is calling a chat operation, in which api-version: what every handler is given.

use crate::http_util::Req;
use crate::shared::App;
use crate::tokens::Claims;
use crate::wire::Identifier;

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

    pub(crate) fn has_scope(&self, scopes: &[&str]) -> bool {
        self.claims.scopes().any(|s| scopes.contains(&s))
    }
}
