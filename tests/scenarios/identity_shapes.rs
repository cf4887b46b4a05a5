// The identity client's requests: HMAC headers, percent-encoded ids, and the official examples' bodies.

fn identity_example(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/spec/identity/2023-10-01/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const USER_ID: &str =
    "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
const USER_PATH: &str = "/identities/8%3Aacs%3A2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";

fn identity_client(server: &ServerGuard) -> chat::CommunicationIdentityClient {
    // Any order, any case; the key is base64 of "secret".
    let connection_string = format!("AccessKey=c2VjcmV0;Endpoint={}/", server.url());
    chat::CommunicationIdentityClient::from_connection_string(&connection_string, None).unwrap()
}

/// A mock that checks the HMAC headers, including that the content hash matches the body.
fn expect_signed(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    server
        .mock(method, path)
        .match_query(Matcher::UrlEncoded("api-version".into(), "2023-10-01".into()))
        .match_header(
            "authorization",
            Matcher::Regex(r"^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=[A-Za-z0-9+/]{43}=$".into()),
        )
        .match_header("x-ms-date", Matcher::Regex(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$".into()))
        .match_header("x-ms-client-request-id", Matcher::Regex(UUID_RE.into()))
        .match_request(|r| {
            use base64::Engine;
            use sha2::Digest;
            let body = r.body().cloned().unwrap_or_default();
            let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&body));
            r.header("x-ms-content-sha256").first().and_then(|v| v.to_str().ok()) == Some(hash.as_str())
        })
}

#[maybe_async]
#[chat_test]
async fn create_user_and_token_sends_the_official_example() {
    let mut server = mock_server().await;
    let example = identity_example("CreateIdentity");
    let mock = expect_json_body(
        expect_signed(&mut server, "POST", "/identities"),
        "application/json",
        example["parameters"]["body"].clone(),
    )
    .with_status(201)
    .with_body(example["responses"]["201"]["body"].to_string())
    .create();
    use chat::models::CommunicationTokenScope::*;
    let hour = chat::models::CreateUserAndTokenOptions {
        expires_in: Some(std::time::Duration::from_secs(3600)),
        ..Default::default()
    };
    let (user, token) = identity_client(&server)
        .create_user_and_token(
            &[Chat, Voip, ChatJoin, ChatJoinLimited, VoipJoin],
            Some(hour),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(user.id, USER_ID);
    assert_eq!(
        token.expires_on,
        time::OffsetDateTime::parse(
            "2023-10-10T21:39:39.3244584+00:00",
            &time::format_description::well_known::Rfc3339
        )
        .unwrap()
    );
    assert_eq!(
        token.expires_on.nanosecond(),
        324_458_400,
        "all 7 digits kept"
    );
    assert!(
        !format!("{token:?}").contains(r#""token""#),
        "the token value is redacted"
    );
}

#[maybe_async]
#[chat_test]
async fn get_token_sends_the_official_example_to_the_encoded_user() {
    let mut server = mock_server().await;
    let example = identity_example("IssueAccessToken");
    let path = format!("{USER_PATH}/:issueAccessToken");
    let mock = expect_json_body(
        expect_signed(&mut server, "POST", &path),
        "application/json",
        example["parameters"]["body"].clone(),
    )
    .with_body(example["responses"]["200"]["body"].to_string())
    .create();
    use chat::models::CommunicationTokenScope::*;
    let user = chat::models::CommunicationUserIdentifier::new(USER_ID);
    let hour = chat::models::GetTokenOptions {
        expires_in: Some(std::time::Duration::from_secs(3600)),
        ..Default::default()
    };
    let token = identity_client(&server)
        .get_token(
            &user,
            &[Chat, Voip, ChatJoin, ChatJoinLimited, VoipJoin],
            Some(hour),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(token.token.expose(), "token");
}

#[maybe_async]
#[chat_test]
async fn create_revoke_and_delete_users() {
    let mut server = mock_server().await;
    let create = expect_signed(&mut server, "POST", "/identities")
        .with_status(201)
        .with_body(json!({"identity": {"id": USER_ID}}).to_string())
        .create();
    let revoke = expect_signed(
        &mut server,
        "POST",
        format!("{USER_PATH}/:revokeAccessTokens").as_str(),
    )
    .with_status(204)
    .create();
    let delete = expect_signed(&mut server, "DELETE", USER_PATH)
        .with_status(204)
        .create();
    let client = identity_client(&server);
    let user = client.create_user(None).await.unwrap();
    client.revoke_tokens(&user, None).await.unwrap();
    client.delete_user(&user, None).await.unwrap();
    create.assert();
    revoke.assert();
    delete.assert();
}

#[maybe_async]
#[chat_test]
async fn bad_connection_strings_and_lifetimes_are_typed_errors() {
    for (input, missing) in [
        ("endpoint=https://x/", "accesskey"),
        ("accesskey=c2VjcmV0", "endpoint"),
    ] {
        let err =
            chat::CommunicationIdentityClient::from_connection_string(input, None).unwrap_err();
        assert!(
            matches!(err, Error::InvalidConnectionString { .. })
                && err.to_string().contains(missing),
            "{err}"
        );
    }
    let err = chat::CommunicationIdentityClient::from_connection_string(
        "endpoint=http://contoso.example/;accesskey=c2VjcmV0",
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::InsecureEndpoint { .. }), "{err}");
    let mut server = mock_server().await;
    let mock = server.mock("POST", Matcher::Any).expect(0).create();
    let user = chat::models::CommunicationUserIdentifier::new(USER_ID);
    let short = chat::models::GetTokenOptions {
        expires_in: Some(std::time::Duration::from_secs(59 * 60)),
        ..Default::default()
    };
    let err = identity_client(&server)
        .get_token(
            &user,
            &[chat::models::CommunicationTokenScope::Chat],
            Some(short),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    mock.assert();
}
