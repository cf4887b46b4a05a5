//! Timestamps: the service sends RFC 3339 with 7 fractional digits; we send RFC 3339 in UTC with `Z`.

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Formats a timestamp as RFC 3339 in UTC (`2024-01-02T03:04:05.123Z`).
pub fn format(t: OffsetDateTime) -> String {
    // Formatting a UTC time as RFC 3339 fails only for years outside 0..=9999.
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// Parses an RFC 3339 timestamp with any number of fractional digits.
pub fn parse(s: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(s, &Rfc3339)
}

/// serde for required timestamps.
pub mod rfc3339 {
    use super::*;

    /// Serializes as RFC 3339 UTC.
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*t))
    }

    /// Deserializes RFC 3339.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}

/// serde for optional timestamps.
pub mod rfc3339_opt {
    use super::*;

    /// Serializes as RFC 3339 UTC.
    pub fn serialize<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format(*t)),
            None => s.serialize_none(),
        }
    }

    /// Deserializes RFC 3339, `null` or absent.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seven_digits_and_formats_with_z() {
        let t = parse("2020-06-06T05:55:41.6460000Z").unwrap();
        assert_eq!(t.millisecond(), 646);
        assert_eq!(format(t), "2020-06-06T05:55:41.646Z");
        let offset = parse("2023-10-10T21:39:39.3244584+02:00").unwrap();
        assert_eq!(format(offset), "2023-10-10T19:39:39.3244584Z");
    }
}
