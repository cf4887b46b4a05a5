//! Microsoft Entra ID for the identity client: a token-credential trait of this crate (the
//! blocking twin of the async facade's), its token cached and refreshed like a chat credential's.

use crate::CommunicationIdentityClient;
use acs_chat_core::credential::ENTRA_ID_SCOPE;
use acs_chat_core::{CommunicationIdentityClientOptions, Error, Result};
use std::sync::Arc;

/// The credential `with_token_credential` takes: this SDK's own types, the same in both facades.
pub mod credentials {
    use acs_chat_core::BoxError;
    pub use acs_chat_core::{AccessToken, TokenRequestOptions};
    use std::fmt;

    /// A blocking source of Microsoft Entra access tokens: the synchronous counterpart of
    /// `azure_core::credentials::TokenCredential`. Implement it, or wrap a function in
    /// [`TokenCredentialFn`]; the scopes asked for are
    /// [`ENTRA_ID_SCOPE`](acs_chat_core::ENTRA_ID_SCOPE).
    ///
    /// From a script, an azure_identity credential is bridged with a small tokio runtime of the
    /// script's own (azure_identity needs tokio anyway). This crate depends on neither, so the
    /// bridge is shown as text; `examples/entra_identity.rs` runs it:
    ///
    /// ```text
    /// use acs_chat_blocking::credentials::{AccessToken, TokenCredentialFn};
    /// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let azure = azure_identity::DeveloperToolsCredential::new(None)?;
    /// let credential = TokenCredentialFn::new(move |scopes: &[&str]| {
    ///     use azure_core::credentials::TokenCredential;
    ///     let token = runtime.block_on(azure.get_token(scopes, None))?;
    ///     Ok(AccessToken::new(token.token.secret(), token.expires_on))
    /// });
    /// ```
    pub trait TokenCredential: Send + Sync {
        /// A token for `scopes` and its expiry. Called once per refresh, from a thread of the
        /// client's own, never more than once at a time per client.
        ///
        /// # Errors
        ///
        /// Whatever the source reports; the client's operations return it as
        /// `Error::Credential`.
        fn get_token(
            &self,
            scopes: &[&str],
            options: Option<TokenRequestOptions>,
        ) -> Result<AccessToken, BoxError>;
    }

    /// A [`TokenCredential`] made of a function from the scopes to a token.
    ///
    /// ```
    /// use acs_chat_blocking::credentials::{AccessToken, TokenCredential, TokenCredentialFn};
    ///
    /// let credential = TokenCredentialFn::new(|_scopes: &[&str]| {
    ///     Ok(AccessToken::new("<entra token>", time::OffsetDateTime::now_utc()))
    /// });
    /// assert!(credential.get_token(&["scope"], None).is_ok());
    /// ```
    pub struct TokenCredentialFn<F>(F);

    impl<F> TokenCredentialFn<F>
    where
        F: Fn(&[&str]) -> Result<AccessToken, BoxError> + Send + Sync,
    {
        /// Wraps `f`.
        pub fn new(f: F) -> Self {
            TokenCredentialFn(f)
        }
    }

    impl<F> TokenCredential for TokenCredentialFn<F>
    where
        F: Fn(&[&str]) -> Result<AccessToken, BoxError> + Send + Sync,
    {
        fn get_token(
            &self,
            scopes: &[&str],
            _options: Option<TokenRequestOptions>,
        ) -> Result<AccessToken, BoxError> {
            (self.0)(scopes)
        }
    }

    impl<F> fmt::Debug for TokenCredentialFn<F> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("TokenCredentialFn")
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
    /// # use acs_chat_blocking::{credentials::{AccessToken, TokenCredentialFn}, models::*, *};
    /// # use std::sync::Arc;
    /// # fn fetch_entra_token(scopes: &[&str]) -> std::result::Result<AccessToken, BoxError> { unimplemented!() }
    /// # fn example() -> Result<()> {
    /// // Any function from scopes to a token and its expiry.
    /// let credential = Arc::new(TokenCredentialFn::new(fetch_entra_token));
    /// let identity = CommunicationIdentityClient::with_token_credential(
    ///     "https://<resource>.communication.azure.com",
    ///     credential,
    ///     None,
    /// )?;
    /// let (user, token) = identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)?;
    /// let chat = ChatClient::new(
    ///     "https://<resource>.communication.azure.com",
    ///     CommunicationTokenCredential::from(token),
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
                .get_token(&[ENTRA_ID_SCOPE], None)
                .map_err(Error::credential)
        });
        Self::with_token_source(endpoint, source, options)
    }
}
