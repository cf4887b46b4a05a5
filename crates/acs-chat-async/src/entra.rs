//! Microsoft Entra ID for the identity client: an `azure_core` `TokenCredential` (feature
//! `entra`), its token cached and refreshed like a chat credential's.

use crate::refresher::Refresher;
use crate::CommunicationIdentityClient;
use acs_chat_core::credential::ENTRA_ID_SCOPE;
use acs_chat_core::{AccessToken, CommunicationIdentityClientOptions, Error, Result};
use std::sync::Arc;

/// The credential types `with_token_credential` takes: azure_core's, so that any azure_identity
/// credential (`ManagedIdentityCredential`, `ClientSecretCredential`,
/// `WorkloadIdentityCredential`, `DeveloperToolsCredential`, …) plugs in as it is.
pub mod credentials {
    pub use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
}

impl CommunicationIdentityClient {
    #[doc = include_str!("facade/docs/with_token_credential.md")]
    ///
    /// # Example
    ///
    /// Needs the `entra` feature.
    ///
    /// ```no_run
    /// # use acs_chat_async::{credentials::TokenCredential, models::*, *};
    /// # use std::sync::Arc;
    /// # async fn example(credential: Arc<dyn TokenCredential>) -> Result<()> {
    /// // `credential`: e.g. azure_identity::ManagedIdentityCredential::new(None)?
    /// let identity = CommunicationIdentityClient::with_token_credential(
    ///     "https://<resource>.communication.azure.com",
    ///     credential,
    ///     None,
    /// )?;
    /// let (user, token) = identity
    ///     .create_user_and_token(&[CommunicationTokenScope::Chat], None)
    ///     .await?;
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
        let source: Refresher = Box::new(move || {
            let credential = credential.clone();
            Box::pin(async move {
                let token = credential
                    .get_token(&[ENTRA_ID_SCOPE], None)
                    .await
                    .map_err(Error::credential)?;
                Ok(AccessToken::new(token.token.secret(), token.expires_on))
            })
        });
        Self::with_token_source(endpoint, source, options)
    }
}
