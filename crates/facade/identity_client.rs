//! `CommunicationIdentityClient`: ACS users and their access tokens, authorized with the access
//! key (HMAC) or a Microsoft Entra token (the facade's `with_token_credential`).

use super::pipeline::{Auth, Pipeline};
use super::token_credential::CommunicationTokenCredential;
use crate::rt::maybe_async;
use acs_chat_core::requests::{decode_empty_response, decode_json_response, IdentityRequests};
use acs_chat_core::*;
use std::sync::Arc;

/// Creates and deletes ACS users, issues and revokes their tokens, and exchanges a Teams user's
/// Entra token for an ACS token.
///
/// Authenticates with the resource's access key ([`new`](Self::new),
/// [`from_connection_string`](Self::from_connection_string): HMAC-signed requests) or with
/// Microsoft Entra ID (`with_token_credential`: managed identity, workload identity, a service
/// principal). The tokens it issues are what the chat clients take: the chat service accepts ACS
/// user tokens only, never an Entra token.
///
/// Cheap to clone: clones share one connection pool (and one cached Entra token).
#[derive(Clone)]
pub struct CommunicationIdentityClient {
    inner: Arc<Inner>,
}

struct Inner {
    pipeline: Pipeline,
    requests: IdentityRequests,
}

impl std::fmt::Debug for CommunicationIdentityClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommunicationIdentityClient")
            .field("endpoint", &self.inner.requests.endpoint.as_str())
            .field("api_version", &self.inner.requests.api_version)
            .finish()
    }
}

impl CommunicationIdentityClient {
    /// A client for `endpoint` signing with `access_key`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidEndpoint`](crate::Error::InvalidEndpoint) for an endpoint that is not an
    /// absolute `https://` URL, [`Error::InsecureEndpoint`](crate::Error::InsecureEndpoint) for
    /// plain `http://` to a host that is not loopback, and the transport's error if extra CA
    /// certificates do not parse.
    pub fn new(
        endpoint: &str,
        access_key: AccessKey,
        options: Option<CommunicationIdentityClientOptions>,
    ) -> Result<Self> {
        Self::with_auth(endpoint, Auth::Key(access_key), options)
    }

    /// A client sending `Authorization: Bearer <token>` with Entra tokens from `source`, kept
    /// and refreshed by one credential as the chat credential's are (`with_token_credential` of
    /// each facade wraps its credential type into `source`).
    // Unused in acs-chat-async built without its `entra` feature.
    #[allow(dead_code)]
    pub(crate) fn with_token_source(
        endpoint: &str,
        source: crate::rt::Refresher,
        options: Option<CommunicationIdentityClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let cache = CommunicationTokenCredential::from_source(
            source,
            Some(options.token_credential_options.clone()),
        );
        Self::with_auth(endpoint, Auth::Bearer(cache), Some(options))
    }

    fn with_auth(
        endpoint: &str,
        auth: Auth,
        options: Option<CommunicationIdentityClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let client_options = &options.client_options;
        let endpoint = Endpoint::parse_with(endpoint, client_options.allow_insecure_http)?;
        Ok(CommunicationIdentityClient {
            inner: Arc::new(Inner {
                pipeline: Pipeline::new(
                    auth,
                    &endpoint,
                    client_options,
                    "CommunicationIdentityClient.new",
                )?,
                requests: IdentityRequests::new(endpoint, options.api_version.clone()),
            }),
        })
    }

    /// A client from `endpoint=https://...;accesskey=...` (keys case-insensitive, any order).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConnectionString`](crate::Error::InvalidConnectionString) for a string without `endpoint=` and
    /// `accesskey=`, and what `new` returns.
    pub fn from_connection_string(
        connection_string: &str,
        options: Option<CommunicationIdentityClientOptions>,
    ) -> Result<Self> {
        let parsed = ConnectionString::parse(connection_string)?;
        Self::new(&parsed.endpoint, parsed.access_key, options)
    }
}

#[maybe_async]
impl CommunicationIdentityClient {
    /// Creates a user.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (401 for a wrong access key);
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout)
    /// when no answer came within the call's budget (`method_options.timeout`, else the client's
    /// retry budget), and [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing
    /// sent, for a malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.create_user(None)")]
    pub async fn create_user(
        &self,
        options: Option<CreateUserOptions>,
    ) -> Result<CommunicationUserIdentifier> {
        self.create_user_with_response(options)
            .await
            .map(Response::into_value)
    }

    /// [`create_user`](Self::create_user), with the metadata of the response: its status, `MS-CV`,
    /// request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`create_user`](Self::create_user).
    ///
    /// # Example
    ///
    #[doc = response_example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.create_user_with_response(None)")]
    pub async fn create_user_with_response(
        &self,
        options: Option<CreateUserOptions>,
    ) -> Result<Response<CommunicationUserIdentifier>> {
        let request = self.inner.requests.create_user(None, None)?;
        let method = options.unwrap_or_default().method_options;
        let response: Response<CommunicationIdentityAccessTokenResult> =
            decode_json_response(self.inner.pipeline.send(request, &method).await?)?;
        Ok(response.map(|result| CommunicationUserIdentifier::new(result.identity.id)))
    }

    /// Creates a user and a token for it with `scopes`.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (400 `ValidationError` for an expiry outside 60
    /// minutes to 24 hours, 401 for a wrong access key),
    /// [`Error::UnexpectedResponse`](crate::Error::UnexpectedResponse) if the service returned no
    /// token; [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)")]
    pub async fn create_user_and_token(
        &self,
        scopes: &[CommunicationTokenScope],
        options: Option<CreateUserAndTokenOptions>,
    ) -> Result<(
        CommunicationUserIdentifier,
        CommunicationIdentityAccessToken,
    )> {
        self.create_user_and_token_with_response(scopes, options)
            .await
            .map(Response::into_value)
    }

    /// [`create_user_and_token`](Self::create_user_and_token), with the metadata of the response:
    /// its status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`create_user_and_token`](Self::create_user_and_token).
    ///
    /// # Example
    ///
    #[doc = response_example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.create_user_and_token_with_response(&[CommunicationTokenScope::Chat], None)")]
    pub async fn create_user_and_token_with_response(
        &self,
        scopes: &[CommunicationTokenScope],
        options: Option<CreateUserAndTokenOptions>,
    ) -> Result<
        Response<(
            CommunicationUserIdentifier,
            CommunicationIdentityAccessToken,
        )>,
    > {
        let options = options.unwrap_or_default();
        let request = self
            .inner
            .requests
            .create_user(Some(scopes), options.expires_in)?;
        let exchange = self
            .inner
            .pipeline
            .send(request, &options.method_options)
            .await?;
        let operation = exchange.operation;
        let response: Response<CommunicationIdentityAccessTokenResult> =
            decode_json_response(exchange)?;
        let (result, metadata) = response.into_parts();
        let token = result.access_token.ok_or_else(|| {
            Error::unexpected_response(
                operation,
                "the service created the user but returned no token",
            )
        })?;
        let user = CommunicationUserIdentifier::new(result.identity.id);
        Ok(Response::new((user, token), metadata))
    }

    /// Issues a token for `user` with `scopes`.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (400 `ValidationError` for bad scopes or expiry,
    /// 404 for an unknown user); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.get_token(user, &[CommunicationTokenScope::Chat], None)")]
    pub async fn get_token(
        &self,
        user: &CommunicationUserIdentifier,
        scopes: &[CommunicationTokenScope],
        options: Option<GetTokenOptions>,
    ) -> Result<CommunicationIdentityAccessToken> {
        self.get_token_with_response(user, scopes, options)
            .await
            .map(Response::into_value)
    }

    /// [`get_token`](Self::get_token), with the metadata of the response: its status, `MS-CV`,
    /// request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`get_token`](Self::get_token).
    ///
    /// # Example
    ///
    #[doc = response_example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.get_token_with_response(user, &[CommunicationTokenScope::Chat], None)")]
    pub async fn get_token_with_response(
        &self,
        user: &CommunicationUserIdentifier,
        scopes: &[CommunicationTokenScope],
        options: Option<GetTokenOptions>,
    ) -> Result<Response<CommunicationIdentityAccessToken>> {
        let options = options.unwrap_or_default();
        let request = self
            .inner
            .requests
            .get_token(&user.id, scopes, options.expires_in)?;
        decode_json_response(
            self.inner
                .pipeline
                .send(request, &options.method_options)
                .await?,
        )
    }

    /// Revokes every token of `user`.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (404 for an unknown user);
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout)
    /// when no answer came within the call's budget (`method_options.timeout`, else the client's
    /// retry budget), and [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing
    /// sent, for a malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.revoke_tokens(user, None)")]
    pub async fn revoke_tokens(
        &self,
        user: &CommunicationUserIdentifier,
        options: Option<RevokeTokensOptions>,
    ) -> Result<()> {
        self.revoke_tokens_with_response(user, options)
            .await
            .map(Response::into_value)
    }

    /// [`revoke_tokens`](Self::revoke_tokens), with the metadata of the response: its status, `MS-
    /// CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`revoke_tokens`](Self::revoke_tokens).
    ///
    /// # Example
    ///
    #[doc = response_example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.revoke_tokens_with_response(user, None)")]
    pub async fn revoke_tokens_with_response(
        &self,
        user: &CommunicationUserIdentifier,
        options: Option<RevokeTokensOptions>,
    ) -> Result<Response<()>> {
        let request = self.inner.requests.revoke_tokens(&user.id)?;
        let method = options.unwrap_or_default().method_options;
        decode_empty_response(self.inner.pipeline.send(request, &method).await?)
    }

    /// Exchanges a Teams user's Microsoft Entra token for an ACS access token of that user (Teams
    /// interop: Custom Teams Endpoint). `teams_user_aad_token` is the user's Entra token for
    /// `https://auth.msft.communication.azure.com` (scopes `Teamwork.ManageCalls`,
    /// `Teamwork.ManageChats`), `client_id` the Entra application that got it (its `appid`
    /// claim), `user_object_id` the user's object id (its `oid` claim).
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service): 401 `InvalidAccessToken` for a Teams token that
    /// is malformed, forged, expired or for another audience; 400 `ValidationError` (target
    /// `appId` or `userId`) when `client_id` or `user_object_id` is not the token's;
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout)
    /// when no answer came within the call's budget, and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for an empty
    /// argument or malformed `method_options`. The Teams token is never part of an error.
    ///
    /// # Example
    ///
    #[doc = example!("identity: &CommunicationIdentityClient, teams_token: &str, user: &CommunicationUserIdentifier", "identity.get_token_for_teams_user(teams_token, \"<client id>\", \"<user object id>\", None)")]
    pub async fn get_token_for_teams_user(
        &self,
        teams_user_aad_token: &str,
        client_id: &str,
        user_object_id: &str,
        options: Option<GetTokenForTeamsUserOptions>,
    ) -> Result<CommunicationIdentityAccessToken> {
        self.get_token_for_teams_user_with_response(
            teams_user_aad_token,
            client_id,
            user_object_id,
            options,
        )
        .await
        .map(Response::into_value)
    }

    /// [`get_token_for_teams_user`](Self::get_token_for_teams_user), with the metadata of the
    /// response: its status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`get_token_for_teams_user`](Self::get_token_for_teams_user).
    ///
    /// # Example
    ///
    #[doc = response_example!("identity: &CommunicationIdentityClient, teams_token: &str, user: &CommunicationUserIdentifier", "identity.get_token_for_teams_user_with_response(teams_token, \"<client id>\", \"<user object id>\", None)")]
    pub async fn get_token_for_teams_user_with_response(
        &self,
        teams_user_aad_token: &str,
        client_id: &str,
        user_object_id: &str,
        options: Option<GetTokenForTeamsUserOptions>,
    ) -> Result<Response<CommunicationIdentityAccessToken>> {
        let request = self.inner.requests.get_token_for_teams_user(
            teams_user_aad_token,
            client_id,
            user_object_id,
        )?;
        let method = options.unwrap_or_default().method_options;
        decode_json_response(self.inner.pipeline.send(request, &method).await?)
    }

    /// Deletes `user` and revokes its tokens.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (401 for a wrong access key);
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout)
    /// when no answer came within the call's budget (`method_options.timeout`, else the client's
    /// retry budget), and [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing
    /// sent, for a malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.delete_user(user, None)")]
    pub async fn delete_user(
        &self,
        user: &CommunicationUserIdentifier,
        options: Option<DeleteUserOptions>,
    ) -> Result<()> {
        self.delete_user_with_response(user, options)
            .await
            .map(Response::into_value)
    }

    /// [`delete_user`](Self::delete_user), with the metadata of the response: its status, `MS-CV`,
    /// request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`delete_user`](Self::delete_user).
    ///
    /// # Example
    ///
    #[doc = response_example!("identity: &CommunicationIdentityClient, user: &CommunicationUserIdentifier", "identity.delete_user_with_response(user, None)")]
    pub async fn delete_user_with_response(
        &self,
        user: &CommunicationUserIdentifier,
        options: Option<DeleteUserOptions>,
    ) -> Result<Response<()>> {
        let request = self.inner.requests.delete_user(&user.id)?;
        let method = options.unwrap_or_default().method_options;
        decode_empty_response(self.inner.pipeline.send(request, &method).await?)
    }
}
