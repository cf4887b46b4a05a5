//! The identity API: users and tokens, and the Teams user token exchange; authorized with the
//! access key (HMAC) or an Entra bearer token.

use crate::api::rest::{ApiError, Change, Reply, Req, Result, JSON};
use crate::app::App;
use crate::domain::state::User;
use crate::wire::{
    CreateIdentityRequest, Identity, IdentityAndToken, IssueTokenRequest, TokenScope,
};
use time::{Duration, OffsetDateTime};

pub(crate) const API_VERSIONS: &[&str] = &[
    "2021-03-07",
    "2021-10-31-preview",
    "2021-11-01",
    "2022-06-01",
    "2022-09-01",
    "2022-10-01",
    "2023-08-01",
    "2023-10-01",
];

/// The api-versions of `POST /teamsUser/:exchangeAccessToken` (added in 2021-10-31-preview; the
/// service lists `2021-10-31-preview, 2022-06-01, 2022-10-01` and the newer ones answer too).
pub(crate) const TEAMS_API_VERSIONS: &[&str] = &[
    "2021-10-31-preview",
    "2022-06-01",
    "2022-10-01",
    "2023-08-01",
    "2023-10-01",
];

/// A route's handler: given the hub, the request, its api-version and the path's id (if any).
type Handler = fn(&App, &Req, &str, &str) -> Result<Reply>;

/// The identity API's one route table: method, path (`*` for the id) and handler.
const ROUTES: &[(&str, &str, Handler)] = &[
    (
        "POST",
        "/teamsUser/:exchangeAccessToken",
        |app, req, _, _| exchange(app, req),
    ),
    ("POST", "/identities", |app, req, version, _| {
        create(app, req, version)
    }),
    ("DELETE", "/identities/*", |app, _, _, id| delete(app, id)),
    (
        "POST",
        "/identities/*/:issueAccessToken",
        |app, req, version, id| issue(app, req, version, id),
    ),
    (
        "POST",
        "/identities/*/:revokeAccessTokens",
        |app, _, _, id| revoke(app, id),
    ),
];

/// The identity routes as `METHOD /path` with `*` for an id (what fault rules name).
pub(crate) fn templates() -> impl Iterator<Item = String> {
    ROUTES
        .iter()
        .map(|(method, path, _)| format!("{method} {path}"))
}

/// The id in `segments` if they fit `path` (`*` takes one segment); `""` when it has none.
fn fit<'a>(path: &str, segments: &'a [String]) -> Option<&'a str> {
    let pattern: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if pattern.len() != segments.len() {
        return None;
    }
    let mut id = "";
    for (want, given) in pattern.iter().zip(segments) {
        match *want {
            "*" => id = given,
            literal if literal == given => {}
            _ => return None,
        }
    }
    Some(id)
}

/// Handles an identity request; `versions` are the api-versions of its route (the router's:
/// [`API_VERSIONS`], or [`TEAMS_API_VERSIONS`] under `/teamsUser`).
pub(crate) fn handle(app: &App, req: &Req, versions: &[&str]) -> Result<Reply> {
    let version = req.api_version(versions)?;
    crate::api::resource_auth::verify(app, req)?;
    let found = ROUTES.iter().find_map(|(method, path, handler)| {
        let id = fit(path, &req.segments)?;
        (*method == req.method.as_str()).then_some((handler, id))
    });
    match found {
        Some((handler, id)) => handler(app, req, &version, id),
        None if matches!(
            req.segments.first().map(String::as_str),
            Some("identities" | "teamsUser")
        ) =>
        {
            Err(ApiError::new(
                405,
                "MethodNotAllowed",
                "method not allowed here",
            ))
        }
        None => Err(ApiError::not_found(format!(
            "no route for {} {}",
            req.method, req.target
        ))),
    }
}

/// `POST /teamsUser/:exchangeAccessToken`, fields optional so that a missing one gets the
/// service's answer rather than a malformed-body error.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ExchangeRequest {
    token: Option<String>,
    app_id: Option<String>,
    user_id: Option<String>,
}

/// The service's validation error: code `ValidationError`, the field (Pascal-case) as target.
fn validation_error(target: &str, message: String) -> ApiError {
    ApiError::new(400, "ValidationError", message).with_target(target)
}

fn check_scopes(version: &str, scopes: &[TokenScope]) -> Result<()> {
    if scopes.is_empty() {
        return Err(validation_error(
            "Scopes",
            "Scopes: The Scopes field is required.".into(),
        ));
    }
    for scope in scopes {
        let known = match scope {
            TokenScope::Chat | TokenScope::Voip => true,
            TokenScope::Other(_) => false,
            _ => version >= "2022-06-01",
        };
        if !known {
            return Err(validation_error(
                "Scopes",
                format!("Scope `{scope}` is not valid for api-version {version}."),
            ));
        }
    }
    Ok(())
}

fn lifetime(minutes: Option<i32>) -> Result<Duration> {
    match minutes {
        None => Ok(Duration::minutes(1440)),
        Some(m) if (60..=1440).contains(&m) => Ok(Duration::minutes(m as i64)),
        Some(m) => Err(validation_error(
            "ExpiresInMinutes",
            format!("ExpiresInMinutes value {m} is invalid. Value must be within the [60, 1440] interval."),
        )),
    }
}

fn create(app: &App, req: &Req, version: &str) -> Result<Reply> {
    let body: CreateIdentityRequest = req.optional_json(JSON)?;
    let life = lifetime(body.expires_in_minutes)?;
    if let Some(scopes) = &body.create_token_with_scopes {
        check_scopes(version, scopes)?;
    }
    let id = format!("8:acs:{}_{}", app.resource_id, uuid::Uuid::new_v4());
    app.state().users.insert(id.clone(), User { generation: 0 });
    let access_token = body
        .create_token_with_scopes
        .as_deref()
        .map(|scopes| app.user_token(&id, 0, scopes, life));
    let result = IdentityAndToken {
        identity: Identity { id: id.clone() },
        access_token,
    };
    Ok(Reply::json(201, &result).changed(Change::User(id)))
}

fn issue(app: &App, req: &Req, version: &str, id: &str) -> Result<Reply> {
    let body: IssueTokenRequest = req.json(JSON)?;
    let scopes = body.scopes.unwrap_or_default();
    check_scopes(version, &scopes)?;
    let life = lifetime(body.expires_in_minutes)?;
    let generation = app
        .state()
        .users
        .get(id)
        .map(|u| u.generation)
        .ok_or_else(|| {
            ApiError::not_found(format!("Identity {id} was not found.")).with_target("id")
        })?;
    Ok(Reply::json(
        200,
        &app.user_token(id, generation, &scopes, life),
    ))
}

/// The Teams exchange, in the service's order: the token first (401 `InvalidAccessToken`, even
/// with other fields empty, as recorded), then the app id and the user id against its claims.
fn exchange(app: &App, req: &Req) -> Result<Reply> {
    let body: ExchangeRequest = req.json(JSON)?;
    let invalid = || {
        ApiError::new(
            401,
            "InvalidAccessToken",
            "Provided access token is not valid.",
        )
    };
    let token = body.token.unwrap_or_default();
    let claims = crate::api::entra::check(app, &token, &[crate::api::entra::TEAMS_AUDIENCE])
        .map_err(|_| invalid())?;
    if claims.idtyp != "user" {
        return Err(invalid());
    }
    if body.app_id.as_deref() != Some(claims.appid.as_str()) {
        return Err(ApiError::new(
            400,
            "ValidationError",
            "AAD application is not the expected one.",
        )
        .with_target("appId"));
    }
    if body.user_id.as_deref() != Some(claims.oid.as_str()) {
        return Err(
            ApiError::new(400, "ValidationError", "AAD user is not the expected one.")
                .with_target("userId"),
        );
    }
    // The ACS token expires with the Teams token, as the service's does.
    let life = Duration::seconds(claims.exp - OffsetDateTime::now_utc().unix_timestamp());
    let user_id = format!("8:orgid:{}", claims.oid);
    Ok(Reply::json(
        200,
        &app.user_token(&user_id, 0, &[TokenScope::Voip], life),
    ))
}

fn revoke(app: &App, id: &str) -> Result<Reply> {
    let mut state = app.state();
    let user = state.users.get_mut(id).ok_or_else(|| {
        ApiError::not_found(format!("Identity {id} was not found.")).with_target("id")
    })?;
    user.generation += 1;
    Ok(Reply::empty(204).changed(Change::User(id.to_string())))
}

fn delete(app: &App, id: &str) -> Result<Reply> {
    match app.state().users.remove(id) {
        Some(_) => Ok(Reply::empty(204).changed(Change::User(id.to_string()))),
        None => Err(ApiError::not_found(format!("Identity {id} was not found.")).with_target("id")),
    }
}
