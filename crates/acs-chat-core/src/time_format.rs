//! Timestamps on the wire. Models use `time::serde::rfc3339` (any number of fractional digits in,
//! RFC 3339 out); query values are written in UTC with `Z`. A timestamp RFC 3339 cannot express
//! (a year outside 0000..=9999) is an error, never rewritten.

use crate::error::{Error, Result};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// RFC 3339 in UTC (`2024-01-02T03:04:05.123Z`), or the formatting error.
pub fn to_rfc3339(t: OffsetDateTime) -> std::result::Result<String, time::error::Format> {
    t.to_offset(UtcOffset::UTC).format(&Rfc3339)
}

/// A timestamp as a query value of `operation`; an out-of-range one is an invalid argument.
pub fn format(operation: &'static str, t: OffsetDateTime) -> Result<String> {
    to_rfc3339(t).map_err(|e| Error::invalid_argument(operation, format!("timestamp {t}: {e}")))
}

/// Parses an RFC 3339 timestamp with any number of fractional digits.
pub fn parse(s: &str) -> std::result::Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(s, &Rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seven_digits_and_formats_with_z() {
        let t = parse("2020-06-06T05:55:41.6460000Z").unwrap();
        assert_eq!(t.millisecond(), 646);
        assert_eq!(format("op", t).unwrap(), "2020-06-06T05:55:41.646Z");
        let offset = parse("2023-10-10T21:39:39.3244584+02:00").unwrap();
        assert_eq!(
            format("op", offset).unwrap(),
            "2023-10-10T19:39:39.3244584Z"
        );
    }

    #[test]
    fn out_of_range_years_are_errors_not_the_epoch() {
        let far = OffsetDateTime::from_unix_timestamp(-100_000_000_000).unwrap();
        let err = format("op", far).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidArgument {
                    operation: "op",
                    ..
                }
            ),
            "{err}"
        );
    }
}
