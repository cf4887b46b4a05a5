//! Identity resources (REST api-versions 2021-03-07 … 2023-10-01).

use super::string_enum::string_enum;
use serde::{Deserialize, Serialize};

string_enum!(TokenScope {
    Chat = "chat",
    Voip = "voip",
    ChatJoin = "chat.join",
    ChatJoinLimited = "chat.join.limited",
    VoipJoin = "voip.join",
});

/// `CommunicationIdentity`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Identity {
    pub(crate) id: String,
}

/// `CommunicationIdentityAccessToken`; `expiresOn` as the service writes it (7 digits).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccessToken {
    pub(crate) token: String,
    pub(crate) expires_on: String,
}

/// `CommunicationIdentityAccessTokenResult`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentityAndToken {
    pub(crate) identity: Identity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) access_token: Option<AccessToken>,
}

/// `POST /identities` as the service reads it: every field optional.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateIdentityRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) create_token_with_scopes: Option<Vec<TokenScope>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_in_minutes: Option<i32>,
}

/// `POST /identities/{id}/:issueAccessToken`: `scopes` is required, but a missing or null one is
/// the service's validation error, not a malformed body.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IssueTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) scopes: Option<Vec<TokenScope>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_in_minutes: Option<i32>,
}
