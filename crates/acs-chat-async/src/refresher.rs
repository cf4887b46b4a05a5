//! The async shape of a token refresher.

use crate::CommunicationTokenCredential;
use acs_chat_core::{BoxError, CommunicationTokenCredentialOptions, Error, Result};
use futures_util::future::BoxFuture;
use std::future::Future;

/// An async refresher: resolves to a fresh token string.
pub(crate) type Refresher =
    Box<dyn Fn() -> BoxFuture<'static, Result<String, BoxError>> + Send + Sync>;

pub(crate) async fn refresh(refresher: &Refresher) -> Result<String> {
    refresher().await.map_err(Error::Credential)
}

impl CommunicationTokenCredential {
    /// A credential that awaits `refresher` for a new token when the current one is about to
    /// expire. Concurrent requests wait for one refresh: the refresher runs once, not per request.
    pub fn with_refresher<F, Fut>(
        token: &str,
        refresher: F,
        options: Option<CommunicationTokenCredentialOptions>,
    ) -> Result<Self>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
    {
        Self::build(
            token,
            Some(Box::new(move || Box::pin(refresher()))),
            options,
        )
    }
}
