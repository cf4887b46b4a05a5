//! The emulator as an Entra authority, over raw HTTPS: the token endpoint's grants and refusals
//! in Entra's shape, bearer auth of the identity routes, and the Teams exchange's answers in the
//! recorded service's order.

mod common;

use acs_chat_core::Method;
use common::*;
use serde_json::{json, Value};

const ACS_SCOPE: &str = "https://communication.azure.com//.default";
const TEAMS_SCOPE: &str = "https://auth.msft.communication.azure.com/Teamwork.ManageCalls";

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn token_request(h: &Harness, pairs: &[(&str, &str)]) -> Reply {
    h.raw(
        "POST",
        "/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
        &[(
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        )],
        Some(form(pairs)),
    )
}

fn key_of(h: &Harness) -> String {
    h.emulator.info().access_key.clone()
}

fn client_credentials(h: &Harness, scope: &str) -> Reply {
    let key = key_of(h);
    token_request(
        h,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "app"),
            ("client_secret", &key),
            ("scope", scope),
        ],
    )
}

fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn bearer_create(h: &Harness, token: &str) -> Reply {
    h.raw(
        "POST",
        &format!("/identities?api-version={IDENTITY}"),
        &[
            ("authorization", format!("Bearer {token}")),
            ("content-type", "application/json".to_string()),
        ],
        Some(b"{}".to_vec()),
    )
}

fn exchange(h: &Harness, body: Value) -> Reply {
    h.identity(
        Method::Post,
        &format!("/teamsUser/:exchangeAccessToken?api-version={IDENTITY}"),
        Some(body),
    )
}

#[test]
fn client_credentials_issue_a_bearer_token_the_identity_routes_take() {
    let h = start();
    let reply = client_credentials(&h, ACS_SCOPE);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 3599);
    assert_eq!(reply.body["ext_expires_in"], 3599);
    assert_eq!(reply.header("cache-control"), Some("no-store, no-cache"));
    let token = reply.body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["aud"], "https://communication.azure.com/");
    assert_eq!(c["appid"], "app");
    assert_eq!(c["tid"], "72f988bf-86f1-41af-91ab-2d7cd011db47");
    assert_eq!(c["idtyp"], "app");

    let created = bearer_create(&h, token);
    assert_eq!(created.status, 201, "{}", created.text);
    // The admin route takes it too.
    let events = h.raw(
        "GET",
        "/emulator/events",
        &[("authorization", format!("Bearer {token}"))],
        None,
    );
    assert_eq!(events.status, 200, "{}", events.text);
    // An Entra token is not an ACS user token, and an ACS user token is not an Entra token.
    let chat = h.raw(
        "GET",
        &format!("/chat/threads?api-version={CHAT}"),
        &[("authorization", format!("Bearer {token}"))],
        None,
    );
    assert_eq!(chat.status, 401, "{}", chat.text);
    let user = h.new_user();
    let refused = bearer_create(&h, &user.token);
    assert_eq!(refused.status, 401, "{}", refused.text);
}

#[test]
fn bearer_tokens_for_another_audience_forged_or_expired_get_401_with_the_service_body() {
    let h = start();
    let graph = client_credentials(&h, "https://graph.microsoft.com/.default").body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let good = client_credentials(&h, ACS_SCOPE).body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let forged = format!(
        "{}.{}",
        good.rsplit_once('.').unwrap().0,
        graph.rsplit_once('.').unwrap().1
    );
    let expired_emulator = harness_for(
        acs_emulator::Emulator::builder()
            .entra_token_lifetime(std::time::Duration::ZERO)
            .start()
            .unwrap(),
    );
    let expired = client_credentials(&expired_emulator, ACS_SCOPE).body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    for (h, token, why) in [
        (&h, graph.as_str(), "another audience"),
        (&h, forged.as_str(), "signature"),
        (&h, "not-a-jwt", "malformed"),
        (&expired_emulator, expired.as_str(), "expired"),
    ] {
        let reply = bearer_create(h, token);
        assert_eq!(reply.status, 401, "{why}: {}", reply.text);
        assert_eq!(reply.error_code(), "Unauthorized", "{why}");
        assert!(reply.body["error"]["message"].is_string(), "{why}");
    }
}

#[test]
fn token_endpoint_refusals_are_entra_shaped() {
    let h = start();
    let key = key_of(&h);
    // The form sent, then the status, `error` and AADSTS code Entra answers with.
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str, u64);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "app"),
                ("client_secret", "d3Jvbmc="),
                ("scope", ACS_SCOPE),
            ],
            401,
            "invalid_client",
            7000215,
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "app"),
                ("scope", ACS_SCOPE),
            ],
            401,
            "invalid_client",
            7000216,
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "app"),
                ("client_secret", &key),
            ],
            400,
            "invalid_request",
            900144,
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "app"),
                ("client_secret", &key),
                ("scope", "https://communication.azure.com/"),
            ],
            400,
            "invalid_scope",
            1002012,
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", "app"),
                ("scope", ACS_SCOPE),
            ],
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "app"),
                ("username", "alice@contoso.com"),
                ("password", "wrong"),
                ("scope", TEAMS_SCOPE),
            ],
            400,
            "invalid_grant",
            50126,
        ),
    ];
    for (pairs, status, error, code) in cases {
        let reply = token_request(&h, &pairs);
        assert_eq!(reply.status, status, "{pairs:?}: {}", reply.text);
        assert_eq!(reply.body["error"], error, "{pairs:?}");
        assert_eq!(reply.body["error_codes"], json!([code]), "{pairs:?}");
        let description = reply.body["error_description"].as_str().unwrap();
        assert!(
            description.starts_with(&format!("AADSTS{code}: ")),
            "{description}"
        );
        // The secret sent is never echoed back.
        assert!(!reply.text.contains(&key), "{}", reply.text);
        assert!(reply.body["trace_id"].is_string() && reply.body["correlation_id"].is_string());
    }
    let get = h.raw("GET", "/common/oauth2/v2.0/token", &[], None);
    assert_eq!(
        (get.status, get.body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[test]
fn the_teams_exchange_answers_in_the_recorded_order() {
    let h = start();
    let key = key_of(&h);
    let teams = token_request(
        &h,
        &[
            ("grant_type", "password"),
            ("client_id", "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac"),
            ("username", "alice@contoso.com"),
            ("password", &key),
            ("scope", &format!("openid {TEAMS_SCOPE}")),
        ],
    );
    assert_eq!(teams.status, 200, "{}", teams.text);
    assert_eq!(teams.body["scope"], "Teamwork.ManageCalls");
    let token = teams.body["access_token"].as_str().unwrap().to_string();
    let c = claims(&token);
    assert_eq!(c["aud"], "https://auth.msft.communication.azure.com");
    assert_eq!(c["idtyp"], "user");
    assert_eq!(c["upn"], "alice@contoso.com");
    let oid = c["oid"].as_str().unwrap().to_string();

    // The official example's body shape, with live values: 200 {token, expiresOn}.
    let ok = exchange(
        &h,
        json!({"token": token, "appId": "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac", "userId": oid}),
    );
    assert_eq!(ok.status, 200, "{}", ok.text);
    let keys: Vec<&String> = ok.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["expiresOn", "token"]);
    assert_eq!(
        claims(ok.body["token"].as_str().unwrap())["skypeid"],
        format!("orgid:{oid}")
    );
    assert!(ok
        .header("api-supported-versions")
        .unwrap()
        .starts_with("2021-10-31-preview, 2022-06-01, 2022-10-01"));

    // As recorded: an invalid token is 401 even with an empty userId.
    let invalid = exchange(&h, json!({"token": "invalid", "appId": "x", "userId": ""}));
    assert_eq!(invalid.status, 401, "{}", invalid.text);
    assert_eq!(
        invalid.body,
        json!({"error": {"code": "InvalidAccessToken", "message": "Provided access token is not valid."}})
    );
    let wrong_app = exchange(
        &h,
        json!({"token": token, "appId": "81e78ca8-ade5-4998-9c05-1e17f850fcfe", "userId": oid}),
    );
    assert_eq!(wrong_app.status, 400, "{}", wrong_app.text);
    assert_eq!(
        wrong_app.body,
        json!({"error": {"code": "ValidationError", "message": "AAD application is not the expected one.", "target": "appId"}})
    );
    let wrong_user = exchange(
        &h,
        json!({"token": token, "appId": "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac", "userId": "someone-else"}),
    );
    assert_eq!(
        (
            wrong_user.status,
            wrong_user.error_code(),
            wrong_user.body["error"]["target"].as_str()
        ),
        (400, "ValidationError", Some("userId"))
    );
    // Not before 2021-10-31-preview.
    let old = h.identity(
        Method::Post,
        "/teamsUser/:exchangeAccessToken?api-version=2021-03-07",
        Some(json!({"token": token, "appId": "x", "userId": oid})),
    );
    assert_eq!(old.status, 400, "{}", old.text);
    // The exchange needs the resource's authorization like every identity route.
    let unsigned = h.raw(
        "POST",
        &format!("/teamsUser/:exchangeAccessToken?api-version={IDENTITY}"),
        &[("content-type", "application/json".to_string())],
        Some(serde_json::to_vec(&json!({"token": token, "appId": "x", "userId": oid})).unwrap()),
    );
    assert_eq!(unsigned.status, 401, "{}", unsigned.text);
}

#[test]
fn the_openid_configuration_names_this_emulators_token_endpoint() {
    let h = start();
    let reply = h.raw(
        "GET",
        "/contoso/v2.0/.well-known/openid-configuration",
        &[],
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let token_endpoint = reply.body["token_endpoint"].as_str().unwrap();
    assert_eq!(token_endpoint, h.url("/contoso/oauth2/v2.0/token"));
    // What MSAL (Python, Node) requires of the metadata.
    for field in ["authorization_endpoint", "jwks_uri"] {
        assert!(reply.body[field].is_string(), "{field}");
    }
    assert_eq!(reply.body["issuer"], h.url("/contoso/v2.0"));
}

#[test]
fn entra_tokens_outlive_a_restart_on_the_same_data_dir() {
    let dir = std::env::temp_dir().join(format!("acs-entra-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start_on = |dir: &std::path::Path| {
        harness_for(
            acs_emulator::Emulator::builder()
                .data_dir(dir)
                .start()
                .unwrap(),
        )
    };
    let first = start_on(&dir);
    let token = client_credentials(&first, ACS_SCOPE).body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(bearer_create(&first, &token).status, 201);
    drop(first);
    let second = start_on(&dir);
    let reply = bearer_create(&second, &token);
    assert_eq!(reply.status, 201, "{}", reply.text);
    // Another emulator (another token secret) does not take it.
    let other = start();
    assert_eq!(bearer_create(&other, &token).status, 401);
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}
