//! Communication identifiers (`CommunicationIdentifierModel`): the service keys everyone by raw
//! id and writes the kind's object from it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

/// An identifier, held as its raw id (`8:acs:…`, `4:+1…`, `8:orgid:…`, `28:orgid:…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Identifier {
    raw_id: String,
}

/// Raw-id prefixes of Teams users and bots, with their cloud and anonymity.
const TEAMS_USERS: &[(&str, &str, bool)] = &[
    ("8:orgid:", "public", false),
    ("8:dod:", "dod", false),
    ("8:gcch:", "gcch", false),
    ("8:teamsvisitor:", "public", true),
];
const TEAMS_APPS: &[(&str, &str)] = &[
    ("28:orgid:", "public"),
    ("28:dod:", "dod"),
    ("28:gcch:", "gcch"),
];
const USERS: &[&str] = &["8:acs:", "8:spool:", "8:dod-acs:", "8:gcch-acs:"];

impl Identifier {
    /// A communication user (`8:acs:…`).
    pub(crate) fn user(id: impl Into<String>) -> Self {
        Identifier { raw_id: id.into() }
    }

    pub(crate) fn raw_id(&self) -> &str {
        &self.raw_id
    }

    /// Whether this is a communication user (`8:acs:`, `8:spool:`, …).
    pub(crate) fn is_user(&self) -> bool {
        USERS.iter().any(|p| self.raw_id.starts_with(p))
    }

    /// The raw id of a model that gave none: from its kind's object.
    fn raw_from_parts(model: &Map<String, Value>) -> Option<String> {
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
        if let Some(user) = model.get("communicationUser") {
            return text(user, "id");
        }
        if let Some(phone) = model.get("phoneNumber") {
            return text(phone, "value").map(|v| format!("4:{v}"));
        }
        if let Some(teams) = model.get("microsoftTeamsUser") {
            let id = text(teams, "userId")?;
            let anonymous = teams
                .get("isAnonymous")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let cloud = text(teams, "cloud").unwrap_or_else(|| "public".into());
            let prefix = TEAMS_USERS
                .iter()
                .find(|(_, c, a)| *a == anonymous && (anonymous || *c == cloud))
                .map(|(p, _, _)| *p)
                .unwrap_or("8:orgid:");
            return Some(format!("{prefix}{id}"));
        }
        if let Some(app) = model.get("microsoftTeamsApp") {
            let id = text(app, "appId")?;
            let cloud = text(app, "cloud").unwrap_or_else(|| "public".into());
            let prefix = TEAMS_APPS
                .iter()
                .find(|(_, c)| *c == cloud)
                .map(|(p, _)| *p)
                .unwrap_or("28:orgid:");
            return Some(format!("{prefix}{id}"));
        }
        None
    }

    /// The model the service writes: `rawId` and the kind's object.
    fn to_model(&self) -> Value {
        let raw = &self.raw_id;
        let mut model = json!({ "rawId": raw });
        if self.is_user() {
            model["communicationUser"] = json!({ "id": raw });
        } else if let Some(number) = raw.strip_prefix("4:") {
            model["phoneNumber"] = json!({ "value": number });
        } else if let Some((prefix, cloud, anonymous)) =
            TEAMS_USERS.iter().find(|(p, _, _)| raw.starts_with(p))
        {
            model["microsoftTeamsUser"] = json!({
                "userId": &raw[prefix.len()..],
                "isAnonymous": anonymous,
                "cloud": cloud,
            });
        } else if let Some((prefix, cloud)) = TEAMS_APPS.iter().find(|(p, _)| raw.starts_with(p)) {
            model["microsoftTeamsApp"] = json!({ "appId": &raw[prefix.len()..], "cloud": cloud });
        }
        model
    }
}

impl Serialize for Identifier {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_model().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Identifier {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let model = Map::<String, Value>::deserialize(d)?;
        let raw_id = model
            .get("rawId")
            .and_then(Value::as_str)
            .filter(|raw| !raw.is_empty())
            .map(str::to_string)
            .or_else(|| Identifier::raw_from_parts(&model))
            .unwrap_or_default();
        Ok(Identifier { raw_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_round_trip_through_the_raw_id() {
        for (given, raw) in [
            (
                json!({"communicationUser": {"id": "8:acs:r_u"}}),
                "8:acs:r_u",
            ),
            (json!({"rawId": "8:acs:r_u"}), "8:acs:r_u"),
            (
                json!({"phoneNumber": {"value": "+14255550123"}}),
                "4:+14255550123",
            ),
            (
                json!({"microsoftTeamsUser": {"userId": "u", "cloud": "gcch"}}),
                "8:gcch:u",
            ),
            (
                json!({"microsoftTeamsUser": {"userId": "v", "isAnonymous": true}}),
                "8:teamsvisitor:v",
            ),
            (json!({"microsoftTeamsApp": {"appId": "a"}}), "28:orgid:a"),
            (json!({"rawId": "whatever:else"}), "whatever:else"),
        ] {
            let id: Identifier = serde_json::from_value(given.clone()).unwrap();
            assert_eq!(id.raw_id(), raw, "{given}");
            let again: Identifier =
                serde_json::from_value(serde_json::to_value(&id).unwrap()).unwrap();
            assert_eq!(again, id);
        }
        assert_eq!(
            serde_json::to_value(Identifier::user("8:acs:r_u")).unwrap(),
            json!({"rawId": "8:acs:r_u", "communicationUser": {"id": "8:acs:r_u"}})
        );
        assert_eq!(
            serde_json::to_value(Identifier::user("8:orgid:x")).unwrap(),
            json!({"rawId": "8:orgid:x", "microsoftTeamsUser": {"userId": "x", "isAnonymous": false, "cloud": "public"}})
        );
    }
}
