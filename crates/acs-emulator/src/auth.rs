//! Who is calling: the bearer token of chat requests, checked against the tokens this emulator
//! issued and the users it holds.

use crate::http_util::{ApiError, Req, Result};
use crate::shared::App;
use crate::tokens::Claims;
use time::OffsetDateTime;

/// The user a bearer token speaks for, or 401 for expired, revoked, forged or orphaned tokens.
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
    match app.state().users.get(&claims.user_id()) {
        None => Err(ApiError::unauthorized("The token's user does not exist.")),
        Some(user) if user.generation != claims.generation => {
            Err(ApiError::unauthorized("The token has been revoked."))
        }
        Some(_) => Ok(claims),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;
    use crate::identity::token_for;
    use crate::store::User;
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

    #[test]
    fn expired_tokens_are_refused() {
        let app = App::new(
            Limits::default(),
            vec![7; 32],
            "https://127.0.0.1:1".into(),
            10,
            None,
        );
        let id = format!("8:acs:{}_user", app.resource_id);
        app.state().users.insert(id.clone(), User { generation: 0 });
        let live = token_for(&app, &id, 0, &[TokenScope::Chat], Duration::minutes(60));
        assert_eq!(
            authenticate(&app, &request_with(&live.token))
                .unwrap()
                .user_id(),
            id
        );
        let expired = token_for(&app, &id, 0, &[TokenScope::Chat], Duration::minutes(-1));
        let err = authenticate(&app, &request_with(&expired.token)).unwrap_err();
        assert_eq!(err.status, 401);
        assert!(err.message.contains("expired"), "{}", err.message);
    }
}
