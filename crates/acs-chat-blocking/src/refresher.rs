//! The blocking shape of a token refresher.

use crate::CommunicationTokenCredential;
use acs_chat_core::{BoxError, CommunicationTokenCredentialOptions, Error, Result};

/// A blocking refresher: returns a fresh token string.
pub(crate) type Refresher = Box<dyn Fn() -> Result<String, BoxError> + Send + Sync>;

pub(crate) fn refresh(refresher: &Refresher) -> Result<String> {
    refresher().map_err(Error::Credential)
}

impl CommunicationTokenCredential {
    /// A credential that calls `refresher` for a new token when the current one is about to
    /// expire (one call however many threads are waiting).
    pub fn with_refresher<F>(
        token: &str,
        refresher: F,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Result<Self>
    where
        F: Fn() -> Result<String, BoxError> + Send + Sync + 'static,
    {
        Self::build(token, Some(Box::new(refresher)), options)
    }
}
