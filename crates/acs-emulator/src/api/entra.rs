//! What Microsoft Entra ID does for an ACS resource, offline: an OAuth 2.0 token endpoint shaped
//! like `login.microsoftonline.com/{tenant}/oauth2/v2.0/token`, and the checks of the tokens it
//! issues (bearer auth of the identity routes; the Teams user token of the Teams exchange).
//!
//! Grants: `client_credentials` (any tenant and client id; the client secret is the emulator's
//! access key, base64 as in the connection string) and `password` for a "Teams user" (any
//! username; the password is the access key). Tokens are HS256 JWTs signed with a key derived
//! from the emulator's token secret, so they survive a restart with `--data-dir` and are never
//! mistaken for ACS user tokens.

use crate::api::rest::{decode_pairs, ApiError, Reply, Req};
use crate::app::App;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The audiences an identity request's bearer token may have: the ACS resource application
/// (`https://communication.azure.com//.default` asks for the first).
pub(crate) const RESOURCE_AUDIENCES: &[&str] = &[
    "https://communication.azure.com/",
    "https://communication.azure.com",
];

/// The audience of a Teams user's token that the Teams exchange takes.
pub(crate) const TEAMS_AUDIENCE: &str = "https://auth.msft.communication.azure.com";

const HEADER: &str = r#"{"alg":"HS256","kid":"acs-emulator-entra","typ":"JWT"}"#;

/// The claims of an emulator Entra token (those of a v1 Entra access token that the checks use).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EntraClaims {
    pub(crate) aud: String,
    pub(crate) iss: String,
    pub(crate) iat: i64,
    pub(crate) nbf: i64,
    pub(crate) exp: i64,
    /// The client (application) id that asked for the token.
    pub(crate) appid: String,
    /// `app` for client credentials, `user` for a Teams user.
    pub(crate) idtyp: String,
    /// The object id of the service principal or user.
    pub(crate) oid: String,
    pub(crate) sub: String,
    pub(crate) tid: String,
    /// Delegated scopes (user tokens only), space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) scp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) upn: Option<String>,
    pub(crate) ver: String,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Malformed,
    Expired,
    WrongAudience,
}

impl Refusal {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Refusal::Malformed => "The Entra token is malformed or its signature is invalid.",
            Refusal::Expired => "The Entra token has expired.",
            Refusal::WrongAudience => "The Entra token was issued for another audience.",
        }
    }
}

/// The signing key of Entra tokens: derived from the token secret, distinct from it.
fn key(app: &App) -> Vec<u8> {
    crate::domain::tokens::sign(&app.token_secret, "acs-emulator entra tokens")
}

/// Checks a token's signature, expiry and audience (one of `audiences`).
pub(crate) fn check(app: &App, token: &str, audiences: &[&str]) -> Result<EntraClaims, Refusal> {
    let claims: EntraClaims =
        crate::domain::tokens::verify(token.trim(), &key(app)).ok_or(Refusal::Malformed)?;
    if claims.exp <= OffsetDateTime::now_utc().unix_timestamp() {
        return Err(Refusal::Expired);
    }
    if !audiences.contains(&claims.aud.as_str()) {
        return Err(Refusal::WrongAudience);
    }
    Ok(claims)
}

/// A stable object id for a name: the first 16 bytes of its SHA-256, as a UUID.
fn object_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{kind}:{}", name.to_lowercase()));
    uuid::Uuid::from_slice(&digest[..16])
        .map(|id| id.to_string())
        .unwrap_or_default()
}

/// The authority's two routes under `/{tenant}/`.
enum Route {
    /// `POST /{tenant}/oauth2/v2.0/token`.
    Token,
    /// `GET /{tenant}/v2.0/.well-known/openid-configuration`: what MSAL (azure-identity for
    /// Python and JS) reads before asking for a token.
    OpenIdConfiguration,
}

fn route_of(segments: &[String]) -> Option<Route> {
    let rest: Vec<&str> = segments.iter().skip(1).map(String::as_str).collect();
    match rest.as_slice() {
        ["oauth2", "v2.0", "token"] => Some(Route::Token),
        ["v2.0", ".well-known", "openid-configuration"] => Some(Route::OpenIdConfiguration),
        _ => None,
    }
}

/// Whether the path is one of the authority's.
pub(crate) fn is_authority_path(segments: &[String]) -> bool {
    route_of(segments).is_some()
}

/// Answers a request to one of the authority's paths.
pub(crate) fn handle(app: &App, req: &Req) -> Reply {
    match route_of(&req.segments) {
        Some(Route::Token) => token_endpoint(app, req),
        Some(Route::OpenIdConfiguration) => openid_configuration(app, req),
        None => {
            ApiError::not_found(format!("No route for {} {}.", req.method, req.target)).into_reply()
        }
    }
}

/// The tenant's OpenID Connect metadata, with this emulator's endpoints.
fn openid_configuration(app: &App, req: &Req) -> Reply {
    let tenant = &req.segments[0];
    let base = format!("{}/{tenant}", app.base_url.trim_end_matches('/'));
    Reply::json(
        200,
        &serde_json::json!({
            "token_endpoint": format!("{base}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
            "issuer": format!("{base}/v2.0"),
            // MSAL for Node requires it; nothing is served there (the tokens are HS256).
            "jwks_uri": format!("{base}/discovery/v2.0/keys"),
            "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "tenant_region_scope": null,
            "cloud_instance_name": "acs-emulator",
        }),
    )
}

/// An OAuth 2.0 error as Entra writes it.
fn oauth_error(status: u16, error: &str, code: u32, description: &str) -> Reply {
    let now = OffsetDateTime::now_utc();
    let trace = uuid::Uuid::new_v4().to_string();
    Reply::json(
        status,
        &serde_json::json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description} Trace ID: {trace}"),
            "error_codes": [code],
            "timestamp": now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "trace_id": trace,
            "correlation_id": uuid::Uuid::new_v4().to_string(),
        }),
    )
}

fn missing(name: &str) -> Reply {
    oauth_error(
        400,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// Compares a presented secret with the access key in constant time.
fn is_access_key(app: &App, presented: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(presented.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(b"compare").expect("any key length");
    mac.update(&app.access_key);
    let expected = mac.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(b"compare").expect("any key length");
    mac.update(&bytes);
    mac.verify_slice(&expected).is_ok()
}

/// `POST /{tenant}/oauth2/v2.0/token`.
fn token_endpoint(app: &App, req: &Req) -> Reply {
    let tenant = req.segments[0].as_str();
    if req.method != hyper::Method::POST {
        return oauth_error(
            400,
            "invalid_request",
            900561,
            "The endpoint only accepts POST, OPTIONS requests.",
        );
    }
    let form = decode_pairs(&String::from_utf8_lossy(&req.body), true);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let Some(grant_type) = field("grant_type") else {
        return missing("grant_type");
    };
    let Some(client_id) = field("client_id") else {
        return missing("client_id");
    };
    let Some(scope) = field("scope") else {
        return missing("scope");
    };
    let (audience, scp, idtyp, oid, upn) = match grant_type {
        "client_credentials" => {
            let Some(secret) = field("client_secret") else {
                return oauth_error(
                    401,
                    "invalid_client",
                    7000216,
                    "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
                );
            };
            if !is_access_key(app, secret) {
                return oauth_error(
                    401,
                    "invalid_client",
                    7000215,
                    &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
                );
            }
            let scopes: Vec<&str> = scope.split_whitespace().collect();
            let [only] = scopes.as_slice() else {
                return oauth_error(400, "invalid_scope", 1002012, "Client credential flows must have exactly one scope value with /.default suffixed to the resource identifier (application ID URI).");
            };
            let Some(resource) = only.strip_suffix("/.default") else {
                return oauth_error(400, "invalid_scope", 1002012, &format!("The provided value for scope {only} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."));
            };
            (
                resource.to_string(),
                None,
                "app",
                object_id("app", client_id),
                None,
            )
        }
        "password" => {
            let Some(username) = field("username") else {
                return missing("username");
            };
            if !field("password").is_some_and(|p| is_access_key(app, p)) {
                return oauth_error(
                    400,
                    "invalid_grant",
                    50126,
                    "Error validating credentials due to invalid username or password.",
                );
            }
            // `https://auth.msft.communication.azure.com/Teamwork.ManageCalls …`: one resource,
            // its scope names; the OpenID Connect scopes are not the resource's.
            let mut resource = None;
            let mut names = Vec::new();
            for s in scope.split_whitespace() {
                if matches!(s, "openid" | "profile" | "offline_access" | "email") {
                    continue;
                }
                let Some((res, name)) = s.rsplit_once('/') else {
                    names.push(s.to_string());
                    continue;
                };
                if resource.is_some_and(|r| r != res) {
                    return oauth_error(400, "invalid_scope", 28000, "Provided value for the input parameter scope is not valid because it contains more than one resource.");
                }
                resource = Some(res);
                names.push(name.to_string());
            }
            let Some(resource) = resource else {
                return oauth_error(
                    400,
                    "invalid_scope",
                    70011,
                    "The provided value for the input parameter 'scope' is not valid.",
                );
            };
            (
                resource.to_string(),
                Some(names.join(" ")),
                "user",
                object_id("user", username),
                Some(username.to_string()),
            )
        }
        other => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{other}'."),
            )
        }
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let lifetime = app.entra_token_lifetime.as_secs() as i64;
    let claims = EntraClaims {
        aud: audience,
        iss: format!("https://sts.windows.net/{tenant}/"),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: client_id.to_string(),
        idtyp: idtyp.to_string(),
        sub: oid.clone(),
        oid,
        tid: tenant.to_string(),
        scp: scp.clone(),
        upn,
        ver: "1.0".into(),
    };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let token = crate::domain::tokens::signed(&URL_SAFE_NO_PAD.encode(HEADER), &payload, &key(app));
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": token,
    });
    if let Some(scp) = scp {
        body["scope"] = serde_json::Value::String(scp);
    }
    Reply::json(200, &body)
        .header("cache-control", "no-store, no-cache".into())
        .header("pragma", "no-cache".into())
}

/// An identity route's bearer token, checked: 401 (the service's error body) for a forged,
/// malformed or expired token or one for another audience.
pub(crate) fn authenticate_bearer(app: &App, token: &str) -> crate::api::rest::Result<()> {
    check(app, token, RESOURCE_AUDIENCES)
        .map(|_| ())
        .map_err(|refusal| ApiError::unauthorized(refusal.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_stable_uuids_per_name() {
        let a = object_id("user", "alice@contoso.com");
        assert_eq!(a, object_id("user", "Alice@Contoso.com"));
        assert_ne!(a, object_id("user", "bob@contoso.com"));
        assert_ne!(a, object_id("app", "alice@contoso.com"));
        assert!(uuid::Uuid::parse_str(&a).is_ok(), "{a}");
    }

    #[test]
    fn authority_paths_are_under_a_tenant() {
        let path = |p: &str| -> Vec<String> {
            p.split('/')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        assert!(is_authority_path(&path("/contoso/oauth2/v2.0/token")));
        assert!(is_authority_path(&path(
            "/contoso/v2.0/.well-known/openid-configuration"
        )));
        assert!(!is_authority_path(&path("/oauth2/v2.0/token")));
        assert!(!is_authority_path(&path("/t/oauth2/v1.0/token")));
        assert!(!is_authority_path(&path("/t/oauth2/v2.0/token/x")));
    }
}
