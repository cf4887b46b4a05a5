//! Ids in paths and bodies that the service refuses as malformed (400) before it looks anything
//! up, as recorded against it: a thread id that is not `19:…@thread.…`, a message id that is not
//! a number, a communication user id that is not `8:acs:<resource>_<user>`.

use crate::api::rest::{ApiError, Result};

/// `19:<anything>@thread.<suffix>` (`@thread.v2`, `@thread.skype`, …).
pub(crate) fn check_thread(id: &str) -> Result<()> {
    let well_formed = id
        .strip_prefix("19:")
        .and_then(|rest| rest.rsplit_once("@thread."))
        .is_some_and(|(name, suffix)| !name.is_empty() && !suffix.is_empty());
    if well_formed {
        Ok(())
    } else {
        // The service names no message here (recorded: `{"Code": "BadRequest", "Details": []}`).
        Err(ApiError::bad_request(String::new()))
    }
}

/// Message ids are decimal numbers (epoch milliseconds).
pub(crate) fn check_message(id: &str) -> Result<()> {
    if !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Value for MessageId ({id}) is not valid."
        )))
    }
}

/// A communication user's raw id (`8:acs:` or `8:spool:`) must be `<resource guid>_<user>`;
/// other kinds (Teams users, phone numbers, unknown) are not checked here.
pub(crate) fn check_identifier(raw_id: &str) -> Result<()> {
    let Some(rest) = raw_id
        .strip_prefix("8:acs:")
        .or_else(|| raw_id.strip_prefix("8:spool:"))
    else {
        return Ok(());
    };
    let well_formed = rest.split_once('_').is_some_and(|(resource, user)| {
        uuid::Uuid::parse_str(resource).is_ok()
            && !user.is_empty()
            && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if well_formed {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Identifier format is invalid ({raw_id})."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_s_malformed_ids() {
        assert!(check_thread("19:abc@thread.v2").is_ok());
        assert!(check_thread("19:meeting_x@thread.skype").is_ok());
        for bad in [
            "invalid_chat_thread_id",
            "19:@thread.v2",
            "19:abc",
            "abc@thread.v2",
            "",
        ] {
            let err = check_thread(bad).unwrap_err();
            assert_eq!((err.status, err.message.as_str()), (400, ""), "{bad}");
        }
        assert!(check_message("1685151486588").is_ok());
        for bad in ["invalid_chat_message_id", "", "12a", "99999999999999999999"] {
            let err = check_message(bad).unwrap_err();
            assert_eq!(
                err.message,
                format!("Value for MessageId ({bad}) is not valid.")
            );
        }
        assert!(check_identifier(
            "8:acs:8540c0de-899f-5cce-acb5-3ec493af3800_0e59221d-0c1d-46ae-9544-c963ce56c10b"
        )
        .is_ok());
        assert!(check_identifier("8:orgid:whatever").is_ok());
        assert!(check_identifier("4:+14255550123").is_ok());
        for bad in [
            "8:acs:invalidUserId",
            "8:acs:",
            "8:acs:not-a-guid_x",
            "8:spool:_",
        ] {
            let err = check_identifier(bad).unwrap_err();
            assert_eq!(
                err.message,
                format!("Identifier format is invalid ({bad}).")
            );
        }
    }
}
