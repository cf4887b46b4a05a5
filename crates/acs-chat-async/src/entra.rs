//! Microsoft Entra ID for the identity client: an `azure_core` `TokenCredential` (feature
//! `entra`), its token cached and refreshed like a chat credential's.

use crate::refresher::Refresher;
use crate::{CommunicationIdentityClient, CommunicationTokenCredential};
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
    /// A client for `endpoint` authenticated with Microsoft Entra ID: every request carries
    /// `Authorization: Bearer <token>` from `credential`, asked for the scope
    /// [`ENTRA_ID_SCOPE`](crate::sansio::credential::ENTRA_ID_SCOPE)
    /// (`https://communication.azure.com//.default`). The token is cached until fewer than 2
    /// minutes remain before its `expires_on` (10 with `proactive_refresh` in
    /// `options.token_credential_options`); then one call to `credential` refreshes it for every
    /// request waiting, each waiting no longer than its own operation's budget.
    ///
    /// The identity of `credential` needs a role on the ACS resource that allows identity
    /// operations (e.g. *Contributor*). The chat clients do not take Entra tokens: hand them
    /// the ACS user tokens this client issues.
    ///
    /// Needs the `entra` feature.
    ///
    /// # Errors
    ///
    /// What [`new`](Self::new) returns for the endpoint and options. Failures of `credential`
    /// come later, from the operations, as [`Error::Credential`](crate::Error::Credential).
    ///
    /// # Example
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
        let options = options.unwrap_or_default();
        let source: Refresher = Box::new(move || {
            let credential = credential.clone();
            Box::pin(async move {
                let token = credential
                    .get_token(&[ENTRA_ID_SCOPE], None)
                    .await
                    .map_err(|e| Error::Credential(Box::new(e)))?;
                Ok(AccessToken::new(token.token.secret(), token.expires_on))
            })
        });
        let cache = CommunicationTokenCredential::from_source(
            source,
            Some(options.token_credential_options.clone()),
        );
        Self::with_bearer(endpoint, cache, Some(options))
    }
}
