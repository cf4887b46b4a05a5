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

/// RFC 3339 in UTC. Every time here is now or was parsed from RFC 3339, so it is in range.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// An RFC 3339 timestamp with any number of fractional digits.
pub(crate) fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// One path segment or query value, percent-encoded (`19:a@thread.v2` → `19%3Aa%40thread.v2`).
pub(crate) fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// A fresh UUID (v4), hyphenated.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
