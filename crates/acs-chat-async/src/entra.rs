//! Microsoft Entra ID for the identity client: a token-credential trait of this crate (the async
//! twin of the blocking facade's), and with the `entra` feature an adapter for any azure_core
//! credential; its token cached and refreshed like a chat credential's.

use crate::refresher::Refresher;
use crate::CommunicationIdentityClient;
use acs_chat_core::credential::ENTRA_ID_SCOPE;
use acs_chat_core::{CommunicationIdentityClientOptions, Error, Result};
use std::sync::Arc;

/// The credential `with_token_credential` takes: this SDK's own types, the same in both facades,
/// and (feature `entra`) [`AzureCoreCredential`](credentials::AzureCoreCredential) for
/// azure_identity's credentials.
pub mod credentials {
    use acs_chat_core::BoxError;
    pub use acs_chat_core::{AccessToken, TokenRequestOptions};
    use futures_util::future::BoxFuture;
    use std::fmt;
    use std::future::Future;

    /// An async source of Microsoft Entra access tokens. Implement it, wrap a function in
    /// [`TokenCredentialFn`], or (feature `entra`) wrap an azure_core credential in
    /// [`AzureCoreCredential`]; the scopes asked for are
    /// [`ENTRA_ID_SCOPE`](acs_chat_core::ENTRA_ID_SCOPE).
    pub trait TokenCredential: Send + Sync {
        /// A token for `scopes` and its expiry. Awaited once per refresh, never more than once
        /// at a time per client.
        ///
        /// # Errors
        ///
        /// Whatever the source reports; the client's operations return it as
        /// `Error::Credential`.
        fn get_token<'a>(
            &'a self,
            scopes: &'a [&'a str],
            options: Option<TokenRequestOptions>,
        ) -> BoxFuture<'a, Result<AccessToken, BoxError>>;
    }

    /// A [`TokenCredential`] made of an async function of the scopes.
    ///
    /// ```
    /// use acs_chat_async::credentials::{AccessToken, TokenCredentialFn};
    ///
    /// let credential = TokenCredentialFn::new(|_scopes: Vec<String>| async {
    ///     Ok(AccessToken::new("<entra token>", time::OffsetDateTime::now_utc()))
    /// });
    /// # let _ = credential;
    /// ```
    pub struct TokenCredentialFn<F>(F);

    impl<F, Fut> TokenCredentialFn<F>
    where
        F: Fn(Vec<String>) -> Fut + Send + Sync,
        Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
    {
        /// Wraps `f`, which is given the scopes.
        pub fn new(f: F) -> Self {
            TokenCredentialFn(f)
        }
    }

    impl<F, Fut> TokenCredential for TokenCredentialFn<F>
    where
        F: Fn(Vec<String>) -> Fut + Send + Sync,
        Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
    {
        fn get_token<'a>(
            &'a self,
            scopes: &'a [&'a str],
            _options: Option<TokenRequestOptions>,
        ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
            Box::pin((self.0)(scopes.iter().map(|s| s.to_string()).collect()))
        }
    }

    impl<F> fmt::Debug for TokenCredentialFn<F> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("TokenCredentialFn")
        }
    }

    /// Any azure_core credential as this SDK's: `ManagedIdentityCredential`,
    /// `ClientSecretCredential`, `WorkloadIdentityCredential`, `DeveloperToolsCredential`, ….
    /// Feature `entra`.
    #[cfg(feature = "entra")]
    #[derive(Clone)]
    pub struct AzureCoreCredential(std::sync::Arc<dyn azure_core::credentials::TokenCredential>);

    #[cfg(feature = "entra")]
    impl AzureCoreCredential {
        /// Wraps `credential`.
        pub fn new(
            credential: std::sync::Arc<dyn azure_core::credentials::TokenCredential>,
        ) -> Self {
            AzureCoreCredential(credential)
        }
    }

    #[cfg(feature = "entra")]
    impl TokenCredential for AzureCoreCredential {
        fn get_token<'a>(
            &'a self,
            scopes: &'a [&'a str],
            _options: Option<TokenRequestOptions>,
        ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
            Box::pin(async move {
                let token = self.0.get_token(scopes, None).await?;
                Ok(AccessToken::new(token.token.secret(), token.expires_on))
            })
        }
    }

    #[cfg(feature = "entra")]
    impl fmt::Debug for AzureCoreCredential {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            // azure_identity's credentials keep their secrets out of their Debug.
            f.debug_tuple("AzureCoreCredential").field(&self.0).finish()
        }
    }
}

impl CommunicationIdentityClient {
    #[doc = include_str!("facade/docs/with_token_credential.md")]
    ///
    /// # Example
    ///
    /// With the `entra` feature, any azure_identity credential plugs in as
    /// `Arc::new(AzureCoreCredential::new(azure_identity::ManagedIdentityCredential::new(None)?))`;
    /// any async function from scopes to a token does too:
    ///
    /// ```no_run
    /// # use acs_chat_async::{credentials::{AccessToken, TokenCredentialFn}, models::*, *};
    /// # use std::sync::Arc;
    /// # async fn fetch_entra_token(scopes: Vec<String>) -> std::result::Result<AccessToken, BoxError> { unimplemented!() }
    /// # async fn example() -> Result<()> {
    /// let identity = CommunicationIdentityClient::with_token_credential(
    ///     "https://<resource>.communication.azure.com",
    ///     Arc::new(TokenCredentialFn::new(fetch_entra_token)),
    ///     None,
    /// )?;
    /// let (user, token) = identity
    ///     .create_user_and_token(&[CommunicationTokenScope::Chat], None)
    ///     .await?;
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
        let source: Refresher = Box::new(move || {
            let credential = credential.clone();
            Box::pin(async move {
                credential
                    .get_token(&[ENTRA_ID_SCOPE], None)
                    .await
                    .map_err(Error::credential)
            })
        });
        Self::with_token_source(endpoint, source, options)
    }
}
