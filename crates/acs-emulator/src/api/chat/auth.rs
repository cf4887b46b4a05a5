//! Who is calling: the bearer token of chat requests, checked against the tokens this emulator
//! issued (`authenticate`, no lock) and the users it holds (`check_user`, under the request's
//! state lock).

use crate::api::rest::{ApiError, Req, Result};
use crate::app::App;
use crate::domain::state::State;
use crate::domain::tokens::Claims;
use time::OffsetDateTime;

/// The claims of a request's bearer token, or 401 for a missing, expired, forged or malformed
/// one.
pub(crate) fn authenticate(app: &App, req: &Req) -> Result<std::sync::Arc<Claims>> {
    let header = req
        .header("authorization")
        .ok_or_else(|| ApiError::unauthorized("No Authorization header."))?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("The Authorization scheme must be Bearer."))?;
    let claims = app
        .verified_tokens
        .verify(token.trim(), &app.token_secret)
        .ok_or_else(|| {
            ApiError::unauthorized("The token is malformed or its signature is invalid.")
        })?;
    if claims.exp <= OffsetDateTime::now_utc().unix_timestamp() {
        return Err(ApiError::unauthorized("The token has expired."));
    }
    Ok(claims)
}

/// 401 unless the token's user still exists and its tokens were not revoked since it was issued.
pub(crate) fn check_user(state: &State, claims: &Claims) -> Result<()> {
    match state.users.get(&claims.user_id()) {
        None => Err(ApiError::unauthorized("The token's user does not exist.")),
        Some(user) if user.generation != claims.generation => {
            Err(ApiError::unauthorized("The token has been revoked."))
        }
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{App, Settings};
    use crate::domain::state::User;
    use crate::domain::Limits;
    use crate::wire::TokenScope;
    use time::Duration;

    fn request_with(token: &str) -> Req {
        let mut headers = hyper::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        Req {
            method: hyper::Method::GET,
            target: "/chat/threads".into(),
            segments: vec![],
            query: vec![],
            headers,
            body: bytes::Bytes::new(),
            base_url: "https://127.0.0.1".into(),
        }
    }

    fn app() -> App {
        App::new(
            Settings {
                limits: Limits::default(),
                access_key: vec![7; 32],
                base_url: "https://127.0.0.1:1".into(),
                max_events: 10,
                entra_token_lifetime: std::time::Duration::from_secs(60),
            },
            None,
        )
    }

    #[test]
    fn expired_tokens_are_refused() {
        let app = app();
        let id = format!("8:acs:{}_user", app.resource_id);
        app.state().users.insert(id.clone(), User { generation: 0 });
        let live = app.user_token(&id, 0, &[TokenScope::Chat], Duration::minutes(60));
        let claims = authenticate(&app, &request_with(&live.token)).unwrap();
        assert_eq!(claims.user_id(), id);
        assert!(check_user(&app.state(), &claims).is_ok());
        let expired = app.user_token(&id, 0, &[TokenScope::Chat], Duration::minutes(-1));
        let err = authenticate(&app, &request_with(&expired.token)).unwrap_err();
        assert_eq!(err.status, 401);
        assert!(err.message.contains("expired"), "{}", err.message);
    }

    #[test]
    fn revoked_and_deleted_users_are_refused() {
        let app = app();
        let id = format!("8:acs:{}_user", app.resource_id);
        app.state().users.insert(id.clone(), User { generation: 0 });
        let token = app.user_token(&id, 0, &[TokenScope::Chat], Duration::minutes(60));
        let claims = authenticate(&app, &request_with(&token.token)).unwrap();
        app.state().users.insert(id.clone(), User { generation: 1 });
        let err = check_user(&app.state(), &claims).unwrap_err();
        assert!(err.message.contains("revoked"), "{}", err.message);
        app.state().users.remove(&id);
        let err = check_user(&app.state(), &claims).unwrap_err();
        assert!(err.message.contains("does not exist"), "{}", err.message);
    }
}
