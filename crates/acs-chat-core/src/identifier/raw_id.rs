//! The raw-id grammar of `@azure/communication-common`: computing an identifier's raw id and
//! parsing one back by its prefix. A raw id the service sent is kept verbatim.

use super::*;

impl CommunicationIdentifier {
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
}
