use serde::{Deserialize, Serialize};

extensible_enum! {
    /// A scope of a user access token.
    CommunicationTokenScope {
        /// Chat.
        Chat = "chat",
        /// Calling.
        Voip = "voip",
        /// Join existing chats only.
        ChatJoin = "chat.join",
        /// Join existing chats, without adding or removing participants.
        ChatJoinLimited = "chat.join.limited",
        /// Join existing calls only.
        VoipJoin = "voip.join",
    }
}

/// `identity` in identity responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CommunicationIdentity {
    /// The user id, `8:acs:...`.
    pub id: String,
}

/// A token as the identity service returns it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CommunicationIdentityAccessToken {
    /// The JWT, never shown by `Debug` (`expose()` to put it on the wire; or make a credential
    /// of the whole token with `CommunicationTokenCredential::from`).
    pub token: crate::credential::Secret,
    /// When it expires.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_on: time::OffsetDateTime,
}

impl std::fmt::Debug for CommunicationIdentityAccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommunicationIdentityAccessToken")
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// Body of `POST /identities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationIdentityCreateRequest {
    /// Scopes of a token to issue with the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_token_with_scopes: Option<Vec<CommunicationTokenScope>>,
    /// Token lifetime in minutes, 60..=1440.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_minutes: Option<i32>,
}

/// Response of `POST /identities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CommunicationIdentityAccessTokenResult {
    /// The user.
    pub identity: CommunicationIdentity,
    /// The token, when scopes were asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<CommunicationIdentityAccessToken>,
}

/// Body of `POST /identities/{id}/:issueAccessToken`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationIdentityAccessTokenRequest {
    /// Scopes.
    pub scopes: Vec<CommunicationTokenScope>,
    /// Token lifetime in minutes, 60..=1440.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_minutes: Option<i32>,
}

/// Body of `POST /teamsUser/:exchangeAccessToken`. Its `Debug` leaves the token out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsUserExchangeTokenRequest {
    /// The Teams user's Microsoft Entra access token (audience
    /// `https://auth.msft.communication.azure.com`).
    pub token: String,
    /// The client (application) id of the Entra application that got the token; the service
    /// checks it against the token's `appid` claim.
    pub app_id: String,
    /// The Teams user's object id; the service checks it against the token's `oid` claim.
    pub user_id: String,
}

impl std::fmt::Debug for TeamsUserExchangeTokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamsUserExchangeTokenRequest")
            .field("token", &"<redacted>")
            .field("app_id", &self.app_id)
            .field("user_id", &self.user_id)
            .finish()
    }
}
