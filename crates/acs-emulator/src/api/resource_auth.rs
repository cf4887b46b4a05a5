//! Who may act for the resource (the identity routes, `/emulator/events`): the holder of the
//! access key (an HMAC-signed request) or an Entra principal (a bearer token from the
//! emulator's token endpoint, for the ACS audience).

use crate::api::rest::{Req, Result};
use crate::app::App;

pub(crate) fn verify(app: &App, req: &Req) -> Result<()> {
    let bearer = req.header("authorization").and_then(|header| {
        header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
    });
    match bearer {
        Some(token) => crate::api::entra::authenticate_bearer(app, token),
        None => crate::api::hmac_auth::verify(req, &app.access_key),
    }
}
