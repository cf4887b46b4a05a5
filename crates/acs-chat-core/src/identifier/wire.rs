//! The wire form of identifiers (`CommunicationIdentifierModel`) and the serde glue between it
//! and [`CommunicationIdentifier`].

use super::*;
use serde::{Deserialize, Serialize};

/// `communicationUser` of the wire model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunicationUserModel {
    /// The user id.
    pub id: String,
}

/// `phoneNumber` of the wire model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumberModel {
    /// The E.164 number.
    pub value: String,
    /// Whether the number is anonymous (2025-03-15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    /// The asserted id (2025-03-15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asserted_id: Option<String>,
}

/// `microsoftTeamsUser` of the wire model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicrosoftTeamsUserModel {
    /// The user id.
    pub user_id: String,
    /// Whether the user is anonymous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    /// The cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CommunicationCloudEnvironment>,
}

/// `microsoftTeamsApp` of the wire model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicrosoftTeamsAppModel {
    /// The app id.
    pub app_id: String,
    /// The cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CommunicationCloudEnvironment>,
}

/// `teamsExtensionUser` of the wire model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsExtensionUserModel {
    /// The user id.
    pub user_id: String,
    /// The tenant id.
    pub tenant_id: String,
    /// The resource id.
    pub resource_id: String,
    /// The cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CommunicationCloudEnvironment>,
}

/// The wire form of an identifier (`CommunicationIdentifierModel`).
///
/// Requests carry `rawId` plus the one nested object of the identifier's kind and no `kind`, like the
/// official examples and the Python SDK; responses are read from the nested object when present and
/// from `rawId` otherwise, and unknown kinds or properties are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationIdentifierModel {
    /// The kind (`communicationUser`, ...); extensible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The raw id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_id: Option<String>,
    /// An ACS user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication_user: Option<CommunicationUserModel>,
    /// A phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<PhoneNumberModel>,
    /// A Teams user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_teams_user: Option<MicrosoftTeamsUserModel>,
    /// A Teams app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_teams_app: Option<MicrosoftTeamsAppModel>,
    /// A Teams Phone extension user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams_extension_user: Option<TeamsExtensionUserModel>,
}

impl From<&CommunicationIdentifier> for CommunicationIdentifierModel {
    fn from(id: &CommunicationIdentifier) -> Self {
        let mut model = CommunicationIdentifierModel {
            raw_id: Some(id.raw_id()),
            ..Default::default()
        };
        let cloud = |c: &CommunicationCloudEnvironment| Some(c.clone());
        match id {
            CommunicationIdentifier::CommunicationUser(u) => {
                model.communication_user = Some(CommunicationUserModel { id: u.id.clone() })
            }
            CommunicationIdentifier::PhoneNumber(p) => {
                model.phone_number = Some(PhoneNumberModel {
                    value: p.phone_number.clone(),
                    is_anonymous: p.is_anonymous.then_some(true),
                    asserted_id: p.asserted_id.clone(),
                })
            }
            CommunicationIdentifier::MicrosoftTeamsUser(t) => {
                model.microsoft_teams_user = Some(MicrosoftTeamsUserModel {
                    user_id: t.user_id.clone(),
                    is_anonymous: Some(t.is_anonymous),
                    cloud: cloud(&t.cloud),
                })
            }
            CommunicationIdentifier::MicrosoftTeamsApp(a) => {
                model.microsoft_teams_app = Some(MicrosoftTeamsAppModel {
                    app_id: a.app_id.clone(),
                    cloud: cloud(&a.cloud),
                })
            }
            CommunicationIdentifier::TeamsExtensionUser(e) => {
                model.teams_extension_user = Some(TeamsExtensionUserModel {
                    user_id: e.user_id.clone(),
                    tenant_id: e.tenant_id.clone(),
                    resource_id: e.resource_id.clone(),
                    cloud: cloud(&e.cloud),
                })
            }
            CommunicationIdentifier::Unknown(_) => {}
        }
        model
    }
}

impl From<&CommunicationIdentifierModel> for CommunicationIdentifier {
    fn from(m: &CommunicationIdentifierModel) -> Self {
        let mut id = from_parts(m)
            .unwrap_or_else(|| Self::from_raw_id(m.raw_id.as_deref().unwrap_or_default()));
        if let Some(sent) = m.raw_id.as_deref().filter(|r| !r.is_empty()) {
            if id.raw_id() != sent {
                id.keep_raw_id(sent);
            }
        }
        id
    }
}

impl CommunicationIdentifier {
    fn keep_raw_id(&mut self, raw: &str) {
        let kept = Some(raw.to_string());
        match self {
            Self::PhoneNumber(p) => p.raw_id = kept,
            Self::MicrosoftTeamsUser(t) => t.raw_id = kept,
            Self::MicrosoftTeamsApp(a) => a.raw_id = kept,
            Self::TeamsExtensionUser(e) => e.raw_id = kept,
            // A user's id is its raw id; an unknown identifier is nothing but its raw id.
            Self::CommunicationUser(_) => {}
            Self::Unknown(r) => *r = raw.to_string(),
        }
    }
}

/// The identifier from the nested object of its kind, if the model has one.
fn from_parts(m: &CommunicationIdentifierModel) -> Option<CommunicationIdentifier> {
    if let Some(u) = &m.communication_user {
        return Some(CommunicationIdentifier::user(u.id.clone()));
    }
    if let Some(p) = &m.phone_number {
        return Some(CommunicationIdentifier::PhoneNumber(
            PhoneNumberIdentifier {
                phone_number: p.value.clone(),
                is_anonymous: p.is_anonymous.unwrap_or(false),
                asserted_id: p.asserted_id.clone(),
                raw_id: None,
            },
        ));
    }
    if let Some(t) = &m.microsoft_teams_user {
        return Some(CommunicationIdentifier::MicrosoftTeamsUser(
            MicrosoftTeamsUserIdentifier {
                user_id: t.user_id.clone(),
                is_anonymous: t.is_anonymous.unwrap_or(false),
                cloud: t.cloud.clone().unwrap_or_default(),
                raw_id: None,
            },
        ));
    }
    if let Some(a) = &m.microsoft_teams_app {
        return Some(CommunicationIdentifier::MicrosoftTeamsApp(
            MicrosoftTeamsAppIdentifier {
                app_id: a.app_id.clone(),
                cloud: a.cloud.clone().unwrap_or_default(),
                raw_id: None,
            },
        ));
    }
    if let Some(e) = &m.teams_extension_user {
        return Some(CommunicationIdentifier::TeamsExtensionUser(
            TeamsExtensionUserIdentifier {
                user_id: e.user_id.clone(),
                tenant_id: e.tenant_id.clone(),
                resource_id: e.resource_id.clone(),
                cloud: e.cloud.clone().unwrap_or_default(),
                raw_id: None,
            },
        ));
    }
    None
}

impl Serialize for CommunicationIdentifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CommunicationIdentifierModel::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for CommunicationIdentifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok((&CommunicationIdentifierModel::deserialize(d)?).into())
    }
}
