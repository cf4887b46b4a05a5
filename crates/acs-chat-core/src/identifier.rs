//! Communication identifiers: who sent, who participates, who read.
//!
//! Every identifier has a `raw_id` (e.g. `8:acs:<resource>_<guid>`); [`CommunicationIdentifier::from_raw_id`]
//! and [`CommunicationIdentifier::raw_id`] round-trip per the prefix rules of `@azure/communication-common`.
//! On the wire the identifier travels as [`CommunicationIdentifierModel`], which always carries `rawId`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The cloud an identifier lives in. Unknown values are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum CommunicationCloudEnvironment {
    /// Azure public cloud.
    #[default]
    Public,
    /// US Department of Defense cloud.
    Dod,
    /// US Government Community Cloud High.
    Gcch,
    /// A value this SDK does not know, kept as sent.
    Unknown(String),
}

impl CommunicationCloudEnvironment {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Public => "public",
            Self::Dod => "dod",
            Self::Gcch => "gcch",
            Self::Unknown(s) => s,
        }
    }
}

impl From<&str> for CommunicationCloudEnvironment {
    fn from(s: &str) -> Self {
        match s {
            "public" => Self::Public,
            "dod" => Self::Dod,
            "gcch" => Self::Gcch,
            other => Self::Unknown(other.to_string()),
        }
    }
}

impl Serialize for CommunicationCloudEnvironment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CommunicationCloudEnvironment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(String::deserialize(d)?.as_str().into())
    }
}

/// An ACS user (`8:acs:...`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommunicationUserIdentifier {
    /// The full user id, which is also its raw id.
    pub id: String,
}

/// A phone number (`4:+14255550123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumberIdentifier {
    /// The E.164 number.
    pub phone_number: String,
    /// Whether the number is anonymous (`4:anonymous`).
    pub is_anonymous: bool,
    /// The asserted id, for numbers that share one E.164 value.
    pub asserted_id: Option<String>,
    /// The raw id exactly as the service sent it, when it differs from the one computed from the
    /// other fields (the raw id is the identity: it is kept verbatim, never recomputed).
    pub raw_id: Option<String>,
}

/// A Microsoft Teams user (`8:orgid:...`, `8:teamsvisitor:...`, `8:dod:...`, `8:gcch:...`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MicrosoftTeamsUserIdentifier {
    /// The Entra object id of the user, or the visitor id.
    pub user_id: String,
    /// Whether this is an anonymous (visitor) user.
    pub is_anonymous: bool,
    /// The cloud.
    pub cloud: CommunicationCloudEnvironment,
    /// The raw id exactly as the service sent it, when it differs from the one computed from the
    /// other fields (the raw id is the identity: it is kept verbatim, never recomputed).
    pub raw_id: Option<String>,
}

/// A Microsoft Teams app, e.g. a bot (`28:orgid:...`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MicrosoftTeamsAppIdentifier {
    /// The app id.
    pub app_id: String,
    /// The cloud.
    pub cloud: CommunicationCloudEnvironment,
    /// The raw id exactly as the service sent it, when it differs from the one computed from the
    /// other fields (the raw id is the identity: it is kept verbatim, never recomputed).
    pub raw_id: Option<String>,
}

/// A Teams Phone extension user (`8:acs:<resourceId>_<tenantId>_<userId>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TeamsExtensionUserIdentifier {
    /// The Entra object id of the user.
    pub user_id: String,
    /// The tenant id of the user.
    pub tenant_id: String,
    /// The ACS resource id.
    pub resource_id: String,
    /// The cloud.
    pub cloud: CommunicationCloudEnvironment,
    /// The raw id exactly as the service sent it, when it differs from the one computed from the
    /// other fields (the raw id is the identity: it is kept verbatim, never recomputed).
    pub raw_id: Option<String>,
}

/// Any communication identifier. Unknown shapes are kept as [`CommunicationIdentifier::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CommunicationIdentifier {
    /// An ACS user.
    CommunicationUser(CommunicationUserIdentifier),
    /// A phone number.
    PhoneNumber(PhoneNumberIdentifier),
    /// A Teams user.
    MicrosoftTeamsUser(MicrosoftTeamsUserIdentifier),
    /// A Teams app.
    MicrosoftTeamsApp(MicrosoftTeamsAppIdentifier),
    /// A Teams Phone extension user.
    TeamsExtensionUser(TeamsExtensionUserIdentifier),
    /// An identifier this SDK does not recognise; its raw id.
    Unknown(String),
}

impl CommunicationIdentifier {
    /// An ACS user from its id (`8:acs:...`).
    pub fn user(id: impl Into<String>) -> Self {
        Self::CommunicationUser(CommunicationUserIdentifier { id: id.into() })
    }

    /// A phone number in E.164 form.
    pub fn phone_number(number: impl Into<String>) -> Self {
        Self::PhoneNumber(PhoneNumberIdentifier {
            phone_number: number.into(),
            is_anonymous: false,
            asserted_id: None,
            raw_id: None,
        })
    }

    /// The raw id of this identifier.
    pub fn raw_id(&self) -> String {
        use CommunicationCloudEnvironment as Cloud;
        if let Some(kept) = self.kept_raw_id() {
            return kept.to_string();
        }
        match self {
            Self::CommunicationUser(u) => u.id.clone(),
            Self::PhoneNumber(p) if p.is_anonymous => "4:anonymous".to_string(),
            Self::PhoneNumber(p) => {
                let number = p.phone_number.trim_start_matches('+');
                match &p.asserted_id {
                    Some(asserted) => format!("4:+{number}_{asserted}"),
                    None => format!("4:+{number}"),
                }
            }
            Self::MicrosoftTeamsUser(t) if t.is_anonymous => {
                format!("8:teamsvisitor:{}", t.user_id)
            }
            Self::MicrosoftTeamsUser(t) => match &t.cloud {
                Cloud::Public => format!("8:orgid:{}", t.user_id),
                Cloud::Dod => format!("8:dod:{}", t.user_id),
                Cloud::Gcch => format!("8:gcch:{}", t.user_id),
                Cloud::Unknown(_) => format!("8:orgid:{}", t.user_id),
            },
            Self::MicrosoftTeamsApp(a) => match &a.cloud {
                Cloud::Dod => format!("28:dod:{}", a.app_id),
                Cloud::Gcch => format!("28:gcch:{}", a.app_id),
                _ => format!("28:orgid:{}", a.app_id),
            },
            Self::TeamsExtensionUser(e) => {
                let prefix = match &e.cloud {
                    Cloud::Dod => "8:dod-acs:",
                    Cloud::Gcch => "8:gcch-acs:",
                    _ => "8:acs:",
                };
                format!("{prefix}{}_{}_{}", e.resource_id, e.tenant_id, e.user_id)
            }
            Self::Unknown(raw) => raw.clone(),
        }
    }

    fn kept_raw_id(&self) -> Option<&str> {
        match self {
            Self::PhoneNumber(p) => p.raw_id.as_deref(),
            Self::MicrosoftTeamsUser(t) => t.raw_id.as_deref(),
            Self::MicrosoftTeamsApp(a) => a.raw_id.as_deref(),
            Self::TeamsExtensionUser(e) => e.raw_id.as_deref(),
            Self::CommunicationUser(_) | Self::Unknown(_) => None,
        }
    }

    /// Parses a raw id by its prefix; anything unrecognised becomes [`CommunicationIdentifier::Unknown`].
    pub fn from_raw_id(raw_id: &str) -> Self {
        use CommunicationCloudEnvironment as Cloud;
        if let Some(rest) = raw_id.strip_prefix("4:") {
            if rest == "anonymous" {
                return Self::PhoneNumber(PhoneNumberIdentifier {
                    phone_number: String::new(),
                    is_anonymous: true,
                    asserted_id: None,
                    raw_id: None,
                });
            }
            let (number, asserted_id) = match rest.rsplit_once('_') {
                Some((n, a)) if !a.is_empty() => (n, Some(a.to_string())),
                _ => (rest, None),
            };
            let number = if number.starts_with('+') {
                number.to_string()
            } else {
                format!("+{number}")
            };
            return Self::PhoneNumber(PhoneNumberIdentifier {
                phone_number: number,
                is_anonymous: false,
                asserted_id,
                raw_id: None,
            });
        }
        let segments: Vec<&str> = raw_id.split(':').collect();
        if segments.len() != 3 {
            return Self::Unknown(raw_id.to_string());
        }
        let suffix = segments[2].to_string();
        let teams_user = |is_anonymous, cloud| {
            Self::MicrosoftTeamsUser(MicrosoftTeamsUserIdentifier {
                user_id: suffix.clone(),
                is_anonymous,
                cloud,
                raw_id: None,
            })
        };
        let teams_app = |cloud| {
            Self::MicrosoftTeamsApp(MicrosoftTeamsAppIdentifier {
                app_id: suffix.clone(),
                cloud,
                raw_id: None,
            })
        };
        match (segments[0], segments[1]) {
            ("8", "teamsvisitor") => teams_user(true, Cloud::Public),
            ("8", "orgid") => teams_user(false, Cloud::Public),
            ("8", "dod") => teams_user(false, Cloud::Dod),
            ("8", "gcch") => teams_user(false, Cloud::Gcch),
            ("28", "orgid") => teams_app(Cloud::Public),
            ("28", "dod") => teams_app(Cloud::Dod),
            ("28", "gcch") => teams_app(Cloud::Gcch),
            ("8", kind @ ("acs" | "dod-acs" | "gcch-acs" | "spool")) => {
                let parts: Vec<&str> = suffix.split('_').collect();
                let cloud = match kind {
                    "acs" => Some(Cloud::Public),
                    "dod-acs" => Some(Cloud::Dod),
                    "gcch-acs" => Some(Cloud::Gcch),
                    _ => None,
                };
                match (parts.as_slice(), cloud) {
                    ([resource, tenant, user], Some(cloud)) => {
                        Self::TeamsExtensionUser(TeamsExtensionUserIdentifier {
                            user_id: user.to_string(),
                            tenant_id: tenant.to_string(),
                            resource_id: resource.to_string(),
                            cloud,
                            raw_id: None,
                        })
                    }
                    _ => Self::user(raw_id),
                }
            }
            _ => Self::Unknown(raw_id.to_string()),
        }
    }

    /// The kind, as the wire model names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CommunicationUser(_) => "communicationUser",
            Self::PhoneNumber(_) => "phoneNumber",
            Self::MicrosoftTeamsUser(_) => "microsoftTeamsUser",
            Self::MicrosoftTeamsApp(_) => "microsoftTeamsApp",
            Self::TeamsExtensionUser(_) => "teamsExtensionUser",
            Self::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for CommunicationIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw_id())
    }
}

impl From<CommunicationUserIdentifier> for CommunicationIdentifier {
    fn from(u: CommunicationUserIdentifier) -> Self {
        Self::CommunicationUser(u)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ids_round_trip() {
        for raw in [
            "8:acs:8540c0de-899f-5cce-acb5-3ec493af3800_c94ff260-162d-46d6-94fd-e79f4d213715",
            "8:spool:resource_user",
            "8:gcch-acs:someuser",
            "4:+14255550123",
            "4:+14255550123_asserted",
            "4:anonymous",
            "8:orgid:45ab2481-1c1c-4005-be24-0ffb879b1130",
            "8:teamsvisitor:45ab2481",
            "8:dod:45ab2481",
            "8:gcch:45ab2481",
            "28:orgid:bot-app",
            "28:dod:bot-app",
            "28:gcch:bot-app",
            "8:acs:resource_tenant_user",
            "8:dod-acs:resource_tenant_user",
            "8:gcch-acs:resource_tenant_user",
            "whatever",
            "1:2:3:4",
        ] {
            let id = CommunicationIdentifier::from_raw_id(raw);
            assert_eq!(id.raw_id(), raw, "{id:?}");
        }
        assert!(matches!(
            CommunicationIdentifier::from_raw_id("8:acs:r_t_u"),
            CommunicationIdentifier::TeamsExtensionUser(ref e) if e.user_id == "u" && e.tenant_id == "t" && e.resource_id == "r"
        ));
        assert!(matches!(
            CommunicationIdentifier::from_raw_id("28:gcch:app"),
            CommunicationIdentifier::MicrosoftTeamsApp(ref a) if a.cloud == CommunicationCloudEnvironment::Gcch
        ));
        assert_eq!(
            CommunicationIdentifier::from_raw_id("whatever"),
            CommunicationIdentifier::Unknown("whatever".into())
        );
    }

    #[test]
    fn wire_model_always_carries_raw_id() {
        let id = CommunicationIdentifier::user("8:acs:r_u");
        let json = serde_json::to_value(&id).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"rawId": "8:acs:r_u", "communicationUser": {"id": "8:acs:r_u"}})
        );
        let teams: CommunicationIdentifier = serde_json::from_value(serde_json::json!({
            "kind": "microsoftTeamsUser", "rawId": "8:orgid:x",
            "microsoftTeamsUser": {"userId": "x", "cloud": "sovereign"}, "futureField": 1
        }))
        .unwrap();
        assert!(
            matches!(teams, CommunicationIdentifier::MicrosoftTeamsUser(ref t)
            if t.cloud == CommunicationCloudEnvironment::Unknown("sovereign".into()))
        );
        let only_raw: CommunicationIdentifier = serde_json::from_value(
            serde_json::json!({"kind": "somethingNew", "rawId": "4:+15550001111"}),
        )
        .unwrap();
        assert_eq!(
            only_raw,
            CommunicationIdentifier::phone_number("+15550001111")
        );
    }

    #[test]
    fn the_services_raw_id_is_kept_verbatim() {
        let phone: CommunicationIdentifier = serde_json::from_value(serde_json::json!({
            "rawId": "4:14255550123", "phoneNumber": {"value": "+14255550123"}
        }))
        .unwrap();
        assert_eq!(phone.raw_id(), "4:14255550123");
        let bot: CommunicationIdentifier = serde_json::from_value(serde_json::json!({
            "rawId": "28:dod-global:bot", "microsoftTeamsApp": {"appId": "bot", "cloud": "dod"}
        }))
        .unwrap();
        assert_eq!(bot.raw_id(), "28:dod-global:bot");
        let sent = serde_json::to_value(&bot).unwrap();
        assert_eq!(sent["rawId"], "28:dod-global:bot");
        // A raw id that matches the parts is not stored twice.
        let same: CommunicationIdentifier = serde_json::from_value(serde_json::json!({
            "rawId": "4:+14255550123", "phoneNumber": {"value": "+14255550123"}
        }))
        .unwrap();
        assert_eq!(same, CommunicationIdentifier::phone_number("+14255550123"));
    }
}
