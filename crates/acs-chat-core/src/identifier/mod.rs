//! Communication identifiers: who sent, who participates, who read.
//!
//! Every identifier has a `raw_id` (e.g. `8:acs:<resource>_<guid>`); [`CommunicationIdentifier::from_raw_id`]
//! and [`CommunicationIdentifier::raw_id`] round-trip per the prefix rules of `@azure/communication-common`.
//! On the wire the identifier travels as [`CommunicationIdentifierModel`], which always carries `rawId`.
//!
//! This module holds the types; its `raw_id` submodule the raw-id grammar and `wire` the wire
//! model and its serde glue.

mod raw_id;
mod wire;

pub use wire::*;

use std::fmt;

extensible_enum! {
    /// The cloud an identifier lives in. Unknown values are kept.
    #[derive(Default)]
    CommunicationCloudEnvironment {
        /// Azure public cloud.
        #[default]
        Public = "public",
        /// US Department of Defense cloud.
        Dod = "dod",
        /// US Government Community Cloud High.
        Gcch = "gcch",
    }
}

/// An ACS user (`8:acs:...`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CommunicationUserIdentifier {
    /// The full user id, which is also its raw id.
    pub id: String,
}

/// A phone number (`4:+14255550123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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

impl CommunicationUserIdentifier {
    /// The user `id` (`8:acs:...`).
    pub fn new(id: impl Into<String>) -> Self {
        CommunicationUserIdentifier { id: id.into() }
    }
}

impl PhoneNumberIdentifier {
    /// The E.164 number `phone_number`.
    pub fn new(phone_number: impl Into<String>) -> Self {
        PhoneNumberIdentifier {
            phone_number: phone_number.into(),
            is_anonymous: false,
            asserted_id: None,
            raw_id: None,
        }
    }
}

impl MicrosoftTeamsUserIdentifier {
    /// The Teams user `user_id` (its Entra object id) in `cloud`.
    pub fn new(user_id: impl Into<String>, cloud: CommunicationCloudEnvironment) -> Self {
        MicrosoftTeamsUserIdentifier {
            user_id: user_id.into(),
            is_anonymous: false,
            cloud,
            raw_id: None,
        }
    }
}

impl MicrosoftTeamsAppIdentifier {
    /// The Teams app `app_id` in `cloud`.
    pub fn new(app_id: impl Into<String>, cloud: CommunicationCloudEnvironment) -> Self {
        MicrosoftTeamsAppIdentifier {
            app_id: app_id.into(),
            cloud,
            raw_id: None,
        }
    }
}

impl TeamsExtensionUserIdentifier {
    /// The Teams Phone extension user `user_id` of `tenant_id` on the ACS resource `resource_id`.
    pub fn new(
        user_id: impl Into<String>,
        tenant_id: impl Into<String>,
        resource_id: impl Into<String>,
        cloud: CommunicationCloudEnvironment,
    ) -> Self {
        TeamsExtensionUserIdentifier {
            user_id: user_id.into(),
            tenant_id: tenant_id.into(),
            resource_id: resource_id.into(),
            cloud,
            raw_id: None,
        }
    }
}

/// Any communication identifier. Unknown shapes are kept as [`CommunicationIdentifier::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
