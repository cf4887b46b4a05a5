//! Identity operations: users and their tokens.

use crate::endpoint::{encode_component, Endpoint, EndpointUrl};
use crate::error::{Error, Result};
use crate::http::{HttpRequest, Method, Replay};
use crate::models::*;
use std::time::Duration;

const JSON: &str = "application/json";

/// Builds the identity requests of one endpoint and api-version.
#[derive(Debug, Clone)]
pub struct IdentityRequests {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The api-version sent.
    pub api_version: String,
}

impl IdentityRequests {
    /// For an endpoint and an api-version (`None`: [`crate::DEFAULT_IDENTITY_API_VERSION`]).
    pub fn new(endpoint: Endpoint, api_version: Option<String>) -> Self {
        IdentityRequests {
            endpoint,
            api_version: api_version
                .unwrap_or_else(|| crate::DEFAULT_IDENTITY_API_VERSION.to_string()),
        }
    }

    fn url(&self, path: &str) -> EndpointUrl {
        self.endpoint
            .url(path, &[("api-version", self.api_version.clone())])
    }

    fn user_path(operation: &'static str, user_id: &str, rest: &str) -> Result<String> {
        if user_id.trim().is_empty() {
            return Err(Error::invalid_argument(operation, "the user id is empty"));
        }
        Ok(format!("/identities/{}{rest}", encode_component(user_id)))
    }

    /// `POST /identities`, optionally with a token.
    pub fn create_user(
        &self,
        scopes: Option<&[CommunicationTokenScope]>,
        expires_in: Option<Duration>,
    ) -> Result<HttpRequest> {
        const OP: &str = "CommunicationIdentityClient.create_user";
        let body = CommunicationIdentityCreateRequest {
            create_token_with_scopes: scopes.map(<[_]>::to_vec),
            expires_in_minutes: expires_in_minutes(OP, expires_in)?,
        };
        HttpRequest::new(OP, Method::Post, self.url("/identities"), 201).json_body(JSON, &body)
    }

    /// `POST /identities/{id}/:issueAccessToken`.
    pub fn get_token(
        &self,
        user_id: &str,
        scopes: &[CommunicationTokenScope],
        expires_in: Option<Duration>,
    ) -> Result<HttpRequest> {
        const OP: &str = "CommunicationIdentityClient.get_token";
        if scopes.is_empty() {
            return Err(Error::invalid_argument(OP, "at least one scope is needed"));
        }
        let path = Self::user_path(OP, user_id, "/:issueAccessToken")?;
        let body = CommunicationIdentityAccessTokenRequest {
            scopes: scopes.to_vec(),
            expires_in_minutes: expires_in_minutes(OP, expires_in)?,
        };
        // Issuing twice only yields a second valid token.
        Ok(HttpRequest::new(OP, Method::Post, self.url(&path), 200)
            .json_body(JSON, &body)?
            .replay(Replay::Safe))
    }

    /// `POST /identities/{id}/:revokeAccessTokens`.
    pub fn revoke_tokens(&self, user_id: &str) -> Result<HttpRequest> {
        const OP: &str = "CommunicationIdentityClient.revoke_tokens";
        let path = Self::user_path(OP, user_id, "/:revokeAccessTokens")?;
        Ok(HttpRequest::new(OP, Method::Post, self.url(&path), 204).replay(Replay::Safe))
    }

    /// `POST /teamsUser/:exchangeAccessToken`: an ACS token for a Teams user, in exchange for the
    /// user's Entra token. Needs api-version 2021-10-31-preview or later (the default is).
    pub fn get_token_for_teams_user(
        &self,
        teams_user_aad_token: &str,
        client_id: &str,
        user_object_id: &str,
    ) -> Result<HttpRequest> {
        const OP: &str = "CommunicationIdentityClient.get_token_for_teams_user";
        for (value, what) in [
            (teams_user_aad_token, "the Teams user's Entra token"),
            (client_id, "the client id"),
            (user_object_id, "the user object id"),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid_argument(OP, format!("{what} is empty")));
            }
        }
        let body = TeamsUserExchangeTokenRequest {
            token: teams_user_aad_token.to_string(),
            app_id: client_id.to_string(),
            user_id: user_object_id.to_string(),
        };
        // Exchanging twice only yields a second valid token.
        Ok(HttpRequest::new(
            OP,
            Method::Post,
            self.url("/teamsUser/:exchangeAccessToken"),
            200,
        )
        .json_body(JSON, &body)?
        .replay(Replay::Safe))
    }

    /// `DELETE /identities/{id}`.
    pub fn delete_user(&self, user_id: &str) -> Result<HttpRequest> {
        const OP: &str = "CommunicationIdentityClient.delete_user";
        let path = Self::user_path(OP, user_id, "")?;
        Ok(HttpRequest::new(OP, Method::Delete, self.url(&path), 204))
    }
}

fn expires_in_minutes(
    operation: &'static str,
    expires_in: Option<Duration>,
) -> Result<Option<i32>> {
    let Some(d) = expires_in else {
        return Ok(None);
    };
    let minutes = d.as_secs() / 60;
    if d.as_secs() % 60 != 0 || !(60..=1440).contains(&minutes) {
        return Err(Error::invalid_argument(
            operation,
            "expires_in must be whole minutes from 60 minutes to 24 hours",
        ));
    }
    Ok(Some(minutes as i32))
}
