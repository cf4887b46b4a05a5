//! Text forms on the wire: RFC 3339 times, percent-encoded path segments and query values, and
//! fresh ids.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Everything but RFC 3986's unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A thread id in a `Location` header, as the service writes it: `19%3A…@thread.v2` (`@` kept).
const LOCATION: &AsciiSet = &COMPONENT.remove(b'@');

/// RFC 3339 in UTC. Every time here is now or was parsed from RFC 3339, so it is in range.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// `2021-09-07T20:38:12Z`: RFC 3339 in UTC cut to whole seconds, as the chat service writes its
/// timestamps (recorded). Written straight from the time value, with no parsing or re-formatting.
pub(crate) fn whole_seconds(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Serde: a time as [`whole_seconds`] (serialize only: what the emulator answers).
pub(crate) mod seconds {
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: serde::Serializer>(
        t: &OffsetDateTime,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::whole_seconds(*t))
    }

    /// The same for an optional time (`skip_serializing_if = "Option::is_none"` leaves out `None`).
    pub(crate) mod option {
        use time::OffsetDateTime;

        pub(crate) fn serialize<S: serde::Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }
    }
}

/// An RFC 3339 timestamp with any number of fractional digits.
pub(crate) fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// One path segment or query value, percent-encoded (`19:a@thread.v2` → `19%3Aa%40thread.v2`).
pub(crate) fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// One path segment of a `Location` header (`19:a@thread.v2` → `19%3Aa@thread.v2`).
pub(crate) fn encode_location(text: &str) -> String {
    utf8_percent_encode(text, LOCATION).to_string()
}

/// A fresh UUID (v4), hyphenated.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
