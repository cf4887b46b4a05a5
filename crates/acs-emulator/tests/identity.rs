//! Identity over real HTTPS: HMAC rules, token shape, lifetimes, scopes, revoke and delete.

mod common;

use acs_chat_core::Method;
use base64::Engine;
use common::*;
use serde_json::json;

fn create_path() -> String {
    format!("/identities?api-version={IDENTITY}")
}

#[test]
fn create_user_and_token_with_the_official_example_body() {
    let h = start();
    let example: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/spec/identity/2023-10-01/examples/CreateIdentity.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let reply = h.identity(
        Method::Post,
        &create_path(),
        Some(example["parameters"]["body"].clone()),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.body["identity"]["id"].as_str().unwrap();
    assert!(id.starts_with("8:acs:"), "{id}");
    let token = reply.body["accessToken"]["token"].as_str().unwrap();
    let expires_on = reply.body["accessToken"]["expiresOn"].as_str().unwrap();
    assert!(
        expires_on.ends_with("+00:00") && expires_on.contains('.'),
        "{expires_on}"
    );

    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert!(
        !parts[1].contains(['-', '_']),
        "the Python SDK decodes the payload with standard base64"
    );
    let payload: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    for claim in [
        "skypeid",
        "scp",
        "csi",
        "exp",
        "acsScope",
        "resourceId",
        "iat",
    ] {
        assert!(payload.get(claim).is_some(), "missing {claim}: {payload}");
    }
    assert_eq!(format!("8:{}", payload["skypeid"].as_str().unwrap()), id);
    let lifetime = payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 60 * 60);
    assert_eq!(
        payload["acsScope"],
        "chat,voip,chat.join,chat.join.limited,voip.join"
    );
}

#[test]
fn a_user_without_a_body_and_tokens_for_it() {
    let h = start();
    let reply = h.identity(Method::Post, &create_path(), None);
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert!(reply.body.get("accessToken").is_none());
    let id = reply.body["identity"]["id"].as_str().unwrap().to_string();

    // Both the percent-encoded (sync Python) and the raw (aiohttp) path verify.
    for path in [
        format!(
            "/identities/{}/:issueAccessToken?api-version={IDENTITY}",
            encode(&id)
        ),
        format!("/identities/{id}/:issueAccessToken?api-version={IDENTITY}"),
    ] {
        let reply = h.identity(
            Method::Post,
            &path,
            Some(json!({"scopes": ["chat"], "expiresInMinutes": 120})),
        );
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert!(reply.body["token"].is_string());
    }
    let unknown = format!(
        "/identities/{}/:issueAccessToken?api-version={IDENTITY}",
        encode("8:acs:nobody_1")
    );
    assert_eq!(
        h.identity(Method::Post, &unknown, Some(json!({"scopes": ["chat"]})))
            .status,
        404
    );
}

#[test]
fn lifetimes_and_scopes_are_validated() {
    let h = start();
    for minutes in [59, 1441, 0, -5] {
        let reply = h.identity(
            Method::Post,
            &create_path(),
            Some(json!({"createTokenWithScopes": ["chat"], "expiresInMinutes": minutes})),
        );
        assert_eq!(reply.status, 400, "{minutes}: {}", reply.text);
        // The service's validation error, as recorded (tests/fixtures/recordings).
        assert_eq!(reply.body["error"]["code"], "ValidationError");
        assert_eq!(reply.body["error"]["target"], "ExpiresInMinutes");
        assert_eq!(
            reply.body["error"]["message"],
            format!("ExpiresInMinutes value {minutes} is invalid. Value must be within the [60, 1440] interval.")
        );
        assert_eq!(reply.header("content-type"), Some("application/json"));
    }
    for minutes in [60, 1440] {
        let reply = h.identity(
            Method::Post,
            &create_path(),
            Some(json!({"createTokenWithScopes": ["chat"], "expiresInMinutes": minutes})),
        );
        assert_eq!(reply.status, 201, "{minutes}");
    }
    let reply = h.identity(
        Method::Post,
        &create_path(),
        Some(json!({"createTokenWithScopes": ["email"]})),
    );
    assert_eq!(reply.status, 400);
    // chat.join arrived after 2021-03-07.
    let old = h.identity(
        Method::Post,
        "/identities?api-version=2021-03-07",
        Some(json!({"createTokenWithScopes": ["chat.join"]})),
    );
    assert_eq!(old.status, 400, "{}", old.text);
    let user = h.identity(Method::Post, &create_path(), None).body["identity"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let empty = h.identity(
        Method::Post,
        &format!(
            "/identities/{}/:issueAccessToken?api-version={IDENTITY}",
            encode(&user)
        ),
        Some(json!({"scopes": []})),
    );
    assert_eq!(empty.status, 400);
}

#[test]
fn bad_signatures_stale_dates_and_missing_auth_are_401() {
    let h = start();
    let path = create_path();
    let none = h.raw("POST", &path, &[], None);
    assert_eq!(none.status, 401);
    assert_eq!(none.error_code(), "Unauthorized");

    // A correct signature for another body.
    let signed = h.identity(Method::Post, &path, None);
    assert_eq!(signed.status, 201);
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let wrong = h.raw(
        "POST",
        &path,
        &[
            ("x-ms-date", date.clone()),
            (
                "x-ms-content-sha256",
                "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into(),
            ),
            (
                "authorization",
                "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA"
                    .into(),
            ),
        ],
        None,
    );
    assert_eq!(wrong.status, 401);

    // Signed properly, but twenty minutes ago.
    let key = acs_chat_core::AccessKey::new(&h.emulator.info().access_key).unwrap();
    let mut request = acs_chat_core::HttpRequest {
        operation: "test",
        method: Method::Post,
        url: acs_chat_core::Endpoint::parse(h.emulator.endpoint())
            .unwrap()
            .url::<&str>(&path, &[]),
        headers: vec![],
        body: None,
        expected_status: 0,
        replay: acs_chat_core::http::Replay::Safe,
    };
    let stale = std::time::SystemTime::now() - std::time::Duration::from_secs(20 * 60);
    acs_chat_core::auth::sign_request(&mut request, &key, stale).unwrap();
    let headers: Vec<(&str, String)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.clone()))
        .collect();
    let reply = h.raw("POST", &path, &headers, None);
    assert_eq!(reply.status, 401);
    assert!(reply.text.contains("15 minutes"), "{}", reply.text);

    // A body that does not match its signed hash.
    drop(headers);
    acs_chat_core::auth::sign_request(&mut request, &key, std::time::SystemTime::now()).unwrap();
    let headers: Vec<(&str, String)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.clone()))
        .collect();
    let tampered = h.raw("POST", &path, &headers, Some(b"{}".to_vec()));
    assert_eq!(tampered.status, 401);
}

#[test]
fn revoked_and_deleted_users_lose_chat_access() {
    let h = start();
    let alice = h.new_user();
    assert_eq!(h.chat(&alice, "GET", "/chat/threads", None).status, 200);

    let revoke = h.identity(
        Method::Post,
        &format!(
            "/identities/{}/:revokeAccessTokens?api-version={IDENTITY}",
            encode(&alice.id)
        ),
        None,
    );
    assert_eq!(revoke.status, 204);
    let reply = h.chat(&alice, "GET", "/chat/threads", None);
    assert_eq!(reply.status, 401);
    assert!(reply.text.contains("revoked"), "{}", reply.text);

    let fresh = h.identity(
        Method::Post,
        &format!(
            "/identities/{}/:issueAccessToken?api-version={IDENTITY}",
            encode(&alice.id)
        ),
        Some(json!({"scopes": ["chat"]})),
    );
    let alice = User {
        id: alice.id.clone(),
        token: fresh.body["token"].as_str().unwrap().to_string(),
    };
    assert_eq!(h.chat(&alice, "GET", "/chat/threads", None).status, 200);

    assert_eq!(
        h.identity(
            Method::Delete,
            &format!("/identities/{}?api-version={IDENTITY}", encode(&alice.id)),
            None
        )
        .status,
        204
    );
    assert_eq!(h.chat(&alice, "GET", "/chat/threads", None).status, 401);
    assert_eq!(
        h.identity(
            Method::Delete,
            &format!("/identities/{}?api-version={IDENTITY}", encode(&alice.id)),
            None
        )
        .status,
        404
    );
}

#[test]
fn forged_and_foreign_tokens_are_401() {
    let h = start();
    let other = start();
    let alice = h.new_user();
    let stranger = other.new_user();
    assert_eq!(
        h.chat(&stranger, "GET", "/chat/threads", None).status,
        401,
        "signed by another emulator"
    );
    let mut parts: Vec<String> = alice.token.split('.').map(str::to_string).collect();
    parts[2] = "AAAA".into();
    let forged = User {
        id: alice.id.clone(),
        token: parts.join("."),
    };
    assert_eq!(h.chat(&forged, "GET", "/chat/threads", None).status, 401);
    let garbage = User {
        id: alice.id.clone(),
        token: "not-a-token".into(),
    };
    assert_eq!(h.chat(&garbage, "GET", "/chat/threads", None).status, 401);
}

#[test]
fn voip_only_tokens_cannot_chat() {
    let h = start();
    let reply = h.identity(
        Method::Post,
        &create_path(),
        Some(json!({"createTokenWithScopes": ["voip"]})),
    );
    let voip = User {
        id: reply.body["identity"]["id"].as_str().unwrap().to_string(),
        token: reply.body["accessToken"]["token"]
            .as_str()
            .unwrap()
            .to_string(),
    };
    assert_eq!(h.chat(&voip, "GET", "/chat/threads", None).status, 403);
}
