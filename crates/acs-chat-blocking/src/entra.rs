//! Microsoft Entra ID for the identity client: a synchronous credential trait of this crate
//! (azure_core's `TokenCredential` is async), its token cached and refreshed like a chat
//! credential's.

use crate::CommunicationIdentityClient;
use acs_chat_core::credential::ENTRA_ID_SCOPE;
use acs_chat_core::{CommunicationIdentityClientOptions, Error, Result};
use std::sync::Arc;

/// The credential `with_token_credential` takes.
pub mod credentials {
    pub use acs_chat_core::AccessToken;
    use acs_chat_core::BoxError;

    /// A blocking source of Microsoft Entra access tokens: the synchronous counterpart of
    /// `azure_core::credentials::TokenCredential`. Any closure
    /// `Fn(&[&str]) -> Result<AccessToken, BoxError>` is one, so any token source can be
    /// wrapped; the scopes asked for are [`ENTRA_ID_SCOPE`](acs_chat_core::credential::ENTRA_ID_SCOPE).
    ///
    /// From a script, an azure_identity credential is bridged with a small tokio runtime of the
    /// script's own (azure_identity needs tokio anyway). This crate depends on neither, so the
    /// bridge is shown as text; the workspace README compiles it, and
    /// `examples/entra_identity.rs` runs it:
    ///
    /// ```text
    /// use acs_chat_blocking::credentials::AccessToken;
    /// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let azure = azure_identity::DeveloperToolsCredential::new(None)?;
    /// let credential = move |scopes: &[&str]| {
    ///     use azure_core::credentials::TokenCredential;
    ///     let token = runtime.block_on(azure.get_token(scopes, None))?;
    ///     Ok(AccessToken::new(token.token.secret(), token.expires_on))
    /// };
    /// ```
    pub trait TokenCredential: Send + Sync {
        /// A token for `scopes` and its expiry. Called once per refresh, from a thread of the
        /// client's own, never more than once at a time per client.
        ///
        /// # Errors
        ///
        /// Whatever the source reports; the client's operations return it as
        /// `Error::Credential`.
        fn get_token(&self, scopes: &[&str]) -> Result<AccessToken, BoxError>;
    }

    impl<F> TokenCredential for F
    where
        F: Fn(&[&str]) -> Result<AccessToken, BoxError> + Send + Sync,
    {
        fn get_token(&self, scopes: &[&str]) -> Result<AccessToken, BoxError> {
            self(scopes)
        }
    }
}

impl CommunicationIdentityClient {
    #[doc = include_str!("facade/docs/with_token_credential.md")]
    ///
    /// # Example
    ///
    /// `credential` is called on a thread of the client's own, one refresh at a time.
    ///
    /// ```no_run
    /// # use acs_chat_blocking::{credentials::{AccessToken, TokenCredential}, models::*, *};
    /// # use std::sync::Arc;
    /// # fn fetch_entra_token(scopes: &[&str]) -> std::result::Result<AccessToken, BoxError> { unimplemented!() }
    /// # fn example() -> Result<()> {
    /// // Any function from scopes to a token and its expiry.
    /// let credential: Arc<dyn TokenCredential> = Arc::new(fetch_entra_token);
    /// let identity = CommunicationIdentityClient::with_token_credential(
    ///     "https://<resource>.communication.azure.com",
    ///     credential,
    ///     None,
    /// )?;
    /// let (user, token) = identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)?;
    /// let chat = ChatClient::new(
    ///     "https://<resource>.communication.azure.com",
    ///     CommunicationTokenCredential::new(&token.token)?,
    ///     None,
    /// )?;
    /// # let _ = (user, chat);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_token_credential(
        endpoint: &str,
        credential: Arc<dyn credentials::TokenCredential>,
        options: Option<CommunicationIdentityClientOptions>,
    ) -> Result<Self> {
        let source: crate::refresher::Refresher = Box::new(move || {
            credential
                .get_token(&[ENTRA_ID_SCOPE])
                .map_err(Error::credential)
        });
        Self::with_token_source(endpoint, source, options)
    }
}
