// Microsoft Entra ID on the identity client, end to end on the emulator (its token endpoint is
// the Entra authority): each harness supplies `entra_credential(fetch)`, its facade's
// credential type around a blocking `fetch`, counting the calls.

/// What a test credential's fetch gives: a token and the expiry it reports, or why it failed.
type Fetched = Result<(String, time::OffsetDateTime), String>;

const TEAMS_APP_ID: &str = "3b1f4b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
const TEAMS_SCOPE: &str = "https://auth.msft.communication.azure.com/Teamwork.ManageCalls https://auth.msft.communication.azure.com/Teamwork.ManageChats";

/// The emulator's `/{tenant}/oauth2/v2.0/token`, called as Entra's is (owned, so that a
/// credential can keep it).
#[derive(Clone)]
struct TokenEndpoint {
    url: String,
    ca: String,
    key: String,
}

impl TokenEndpoint {
    fn of(live: &Live) -> Self {
        let connection_string = live.emulator.connection_string();
        TokenEndpoint {
            url: format!(
                "{}/contoso.onmicrosoft.com/oauth2/v2.0/token",
                live.emulator.endpoint().trim_end_matches('/')
            ),
            ca: live
                .emulator
                .ca_certificate_pem()
                .expect("https")
                .to_string(),
            key: connection_string
                .split_once("accesskey=")
                .expect("key")
                .1
                .to_string(),
        }
    }

    /// POSTs `form`: the status and the JSON body.
    fn request(&self, form: &[(&str, &str)]) -> (u16, Value) {
        use ureq::tls::{Certificate, RootCerts, TlsConfig};
        let ca = Certificate::from_pem(self.ca.as_bytes())
            .expect("CA")
            .to_owned();
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::Specific(std::sync::Arc::new(vec![ca])))
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .post(&self.url)
            .send_form(form.iter().copied())
            .expect("token endpoint");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().expect("body");
        (status, serde_json::from_str(&body).expect("JSON"))
    }

    /// A client-credentials token for `scope`, and the expiry `expires_in` gives it.
    fn client_credentials(&self, scope: &str) -> (String, time::OffsetDateTime) {
        let (status, body) = self.request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "7d0c9b2a-0000-4000-8000-000000000001"),
            ("client_secret", &self.key),
            ("scope", scope),
        ]);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        let expires_in = body["expires_in"].as_i64().expect("expires_in");
        (
            body["access_token"].as_str().expect("token").to_string(),
            time::OffsetDateTime::now_utc() + time::Duration::seconds(expires_in),
        )
    }

    /// A Teams user's Entra token for the Teams exchange, and the user's object id (`oid`).
    fn teams_user(&self, username: &str) -> (String, String) {
        let (status, body) = self.request(&[
            ("grant_type", "password"),
            ("client_id", TEAMS_APP_ID),
            ("username", username),
            ("password", &self.key),
            ("scope", TEAMS_SCOPE),
        ]);
        assert_eq!(status, 200, "{body}");
        let token = body["access_token"].as_str().expect("token").to_string();
        let oid = jwt_claims(&token)["oid"].as_str().expect("oid").to_string();
        (token, oid)
    }
}

fn jwt_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("claims")
}

/// What an Entra credential was asked: how often, for which scopes.
#[derive(Clone, Default)]
struct EntraCalls(std::sync::Arc<std::sync::Mutex<Vec<Vec<String>>>>);

impl EntraCalls {
    fn record(&self, scopes: &[&str]) {
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        self.0.lock().unwrap().push(scopes);
    }

    fn snapshot(&self) -> (usize, Vec<Vec<String>>) {
        let calls = self.0.lock().unwrap().clone();
        (calls.len(), calls)
    }
}

/// A credential that fetches real tokens from the emulator's token endpoint for the scopes it
/// is asked for, reporting the expiry `expires_in` gives.
fn emulator_entra_credential(live: &Live) -> (EntraCredential, EntraCalls) {
    let endpoint = TokenEndpoint::of(live);
    entra_credential(move |scopes| Ok(endpoint.client_credentials(&scopes.join(" "))))
}

/// A credential that always hands out `token`, claiming it is good for a day: the client sends
/// it as it is, and the service's answer is what the test sees.
fn fixed_entra_credential(token: String) -> EntraCredential {
    entra_credential(move |_| {
        Ok((
            token.clone(),
            time::OffsetDateTime::now_utc() + time::Duration::days(1),
        ))
    })
    .0
}

fn entra_identity(live: &Live, credential: EntraCredential) -> chat::CommunicationIdentityClient {
    chat::CommunicationIdentityClient::with_token_credential(
        live.emulator.endpoint(),
        credential,
        Some(live.identity_options.clone()),
    )
    .expect("identity client")
}

fn assert_unauthorized(error: &chat::Error, secret: &str) {
    match error {
        chat::Error::Service(e) => {
            assert_eq!(e.status, 401, "{e:?}");
            assert!(e.message.is_some(), "{e:?}");
        }
        other => panic!("expected a 401 service error, got {other:?}"),
    }
    assert!(!error.to_string().contains(secret), "{error}");
    assert!(!format!("{error:?}").contains(secret), "{error:?}");
}

#[maybe_async]
#[chat_test]
async fn an_entra_credential_runs_the_whole_identity_lifecycle_and_is_asked_once() {
    let live = live();
    let (credential, calls) = emulator_entra_credential(&live);
    let identity = entra_identity(&live, credential);

    let user = identity.create_user(None).await.unwrap();
    let (other, token) = identity
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let again = identity
        .get_token(&user, &[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    identity.revoke_tokens(&user, None).await.unwrap();
    identity.delete_user(&user, None).await.unwrap();
    // Deleted: the service's 404, through the same Entra authorization.
    let gone = identity.delete_user(&user, None).await.unwrap_err();
    assert!(
        matches!(&gone, chat::Error::Service(e) if e.status == 404),
        "{gone:?}"
    );

    // The full path: Entra credential -> identity client -> user token -> chat client.
    let thread = live
        .chat(token.token.expose())
        .create_chat_thread("entra", None)
        .await
        .unwrap()
        .chat_thread;
    assert_eq!(thread.topic, "entra");
    assert!(again.expires_on > time::OffsetDateTime::now_utc());
    identity.delete_user(&other, None).await.unwrap();

    let (count, scopes) = calls.snapshot();
    assert_eq!(count, 1, "one Entra token for seven operations");
    assert_eq!(scopes, vec![vec![chat::ENTRA_ID_SCOPE.to_string()]]);
    // The client shows neither the token nor the credential's secrets.
    let shown = format!("{identity:?}");
    assert!(!shown.contains("eyJ"), "{shown}");
}

#[maybe_async]
#[chat_test]
async fn the_entra_token_is_asked_for_again_when_it_nears_expiry() {
    let live = live();
    // A clock the test moves: no sleeping until a real expiry.
    let skew = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let now = {
        let skew = skew.clone();
        move || {
            time::OffsetDateTime::now_utc()
                + time::Duration::seconds(skew.load(std::sync::atomic::Ordering::SeqCst))
        }
    };
    // Real tokens, each said to last 60 minutes from the test clock's now.
    let endpoint = TokenEndpoint::of(&live);
    let issued_at = now.clone();
    let (credential, calls) = entra_credential(move |scopes| {
        let (token, _) = endpoint.client_credentials(&scopes.join(" "));
        Ok((token, issued_at() + time::Duration::minutes(60)))
    });
    let mut options = live.identity_options.clone();
    options.token_credential_options.clock = Some(std::sync::Arc::new(now));
    let identity = chat::CommunicationIdentityClient::with_token_credential(
        live.emulator.endpoint(),
        credential,
        Some(options),
    )
    .unwrap();
    for _ in 0..3 {
        identity.create_user(None).await.unwrap();
    }
    assert_eq!(calls.snapshot().0, 1);
    // 58 of its 60 minutes gone: fewer than 2 left, so the next call refreshes first.
    skew.store(58 * 60, std::sync::atomic::Ordering::SeqCst);
    identity.create_user(None).await.unwrap();
    assert_eq!(calls.snapshot().0, 2);
    identity.create_user(None).await.unwrap();
    assert_eq!(calls.snapshot().0, 2, "the new token is cached in turn");
}

#[maybe_async]
#[chat_test]
async fn entra_tokens_for_another_audience_forged_or_expired_are_typed_401s() {
    let live = live();
    let (graph, _) =
        TokenEndpoint::of(&live).client_credentials("https://graph.microsoft.com/.default");
    let (good, _) = TokenEndpoint::of(&live).client_credentials(chat::ENTRA_ID_SCOPE);
    let forged = format!(
        "{}.{}",
        good.rsplit_once('.').unwrap().0,
        graph.rsplit_once('.').unwrap().1
    );
    for token in [graph, forged] {
        let identity = entra_identity(&live, fixed_entra_credential(token.clone()));
        let error = identity.create_user(None).await.unwrap_err();
        assert_unauthorized(&error, &token);
    }
    // The good one passes, through the same path.
    let identity = entra_identity(&live, fixed_entra_credential(good));
    identity.create_user(None).await.unwrap();

    // An emulator whose Entra tokens are born expired.
    let expiring = live_from(
        acs_emulator::Emulator::builder().entra_token_lifetime(std::time::Duration::ZERO),
    );
    let (expired, _) = TokenEndpoint::of(&expiring).client_credentials(chat::ENTRA_ID_SCOPE);
    let identity = entra_identity(&expiring, fixed_entra_credential(expired.clone()));
    let error = identity.create_user(None).await.unwrap_err();
    assert_unauthorized(&error, &expired);
    match &error {
        chat::Error::Service(e) => assert!(
            e.message.as_deref().unwrap_or_default().contains("expired"),
            "{e:?}"
        ),
        _ => unreachable!(),
    }
    // An expired Teams user token is refused by the exchange the same way.
    let (teams, oid) = TokenEndpoint::of(&expiring).teams_user("carol@contoso.com");
    let error = expiring
        .identity()
        .get_token_for_teams_user(&teams, TEAMS_APP_ID, &oid, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, chat::Error::Service(e) if e.status == 401 && e.code.as_deref() == Some("InvalidAccessToken")),
        "{error:?}"
    );
}

#[maybe_async]
#[chat_test]
async fn a_failing_entra_credential_is_a_credential_error_and_nothing_is_sent() {
    let live = live();
    let (credential, calls) = entra_credential(|_| Err("no managed identity endpoint".to_string()));
    let identity = entra_identity(&live, credential);
    let error = identity.create_user(None).await.unwrap_err();
    assert!(matches!(error, chat::Error::Credential { .. }), "{error:?}");
    assert_shown_once(&error, "no managed identity endpoint");
    assert_eq!(calls.snapshot().0, 1);
}

#[maybe_async]
#[chat_test]
async fn teams_user_tokens_are_exchanged_and_bad_ones_get_the_service_errors() {
    let live = live();
    let (teams, oid) = TokenEndpoint::of(&live).teams_user("alice@contoso.com");
    let teams_expiry = jwt_claims(&teams)["exp"].as_i64().unwrap();
    // With the access key, and with Entra: both authorize the exchange.
    let (credential, _) = emulator_entra_credential(&live);
    for identity in [live.identity(), entra_identity(&live, credential)] {
        let exchanged = identity
            .get_token_for_teams_user(&teams, TEAMS_APP_ID, &oid, None)
            .await
            .unwrap();
        // An ACS token of the Teams user, expiring with the Teams token.
        assert_eq!(
            jwt_claims(exchanged.token.expose())["skypeid"],
            format!("orgid:{oid}")
        );
        assert!((exchanged.expires_on.unix_timestamp() - teams_expiry).abs() <= 1);
    }

    let identity = live.identity();
    let service_error = |error: chat::Error| match error {
        chat::Error::Service(e) => *e,
        other => panic!("expected a service error, got {other:?}"),
    };
    let malformed = identity
        .get_token_for_teams_user("invalid", TEAMS_APP_ID, &oid, None)
        .await
        .unwrap_err();
    let malformed = service_error(malformed);
    assert_eq!(
        (malformed.status, malformed.code.as_deref()),
        (401, Some("InvalidAccessToken"))
    );
    let wrong_app = service_error(
        identity
            .get_token_for_teams_user(&teams, "81e78ca8-ade5-4998-9c05-1e17f850fcfe", &oid, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (
            wrong_app.status,
            wrong_app.code.as_deref(),
            wrong_app.target.as_deref()
        ),
        (400, Some("ValidationError"), Some("appId"))
    );
    let (_, bob) = TokenEndpoint::of(&live).teams_user("bob@contoso.com");
    let wrong_user = identity
        .get_token_for_teams_user(&teams, TEAMS_APP_ID, &bob, None)
        .await
        .unwrap_err();
    assert!(!wrong_user.to_string().contains(&teams), "{wrong_user}");
    assert!(!format!("{wrong_user:?}").contains(&teams));
    let wrong_user = service_error(wrong_user);
    assert_eq!(
        (
            wrong_user.status,
            wrong_user.code.as_deref(),
            wrong_user.target.as_deref()
        ),
        (400, Some("ValidationError"), Some("userId"))
    );
    // A token for the ACS resource is not a Teams user's.
    let (resource, _) = TokenEndpoint::of(&live).client_credentials(chat::ENTRA_ID_SCOPE);
    let not_teams = service_error(
        identity
            .get_token_for_teams_user(&resource, TEAMS_APP_ID, &oid, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(not_teams.status, 401);
    // Empty arguments never leave the client.
    for (token, app, user) in [
        ("", TEAMS_APP_ID, oid.as_str()),
        (teams.as_str(), " ", oid.as_str()),
        (teams.as_str(), TEAMS_APP_ID, ""),
    ] {
        let error = identity
            .get_token_for_teams_user(token, app, user, None)
            .await
            .unwrap_err();
        assert!(
            matches!(error, chat::Error::InvalidArgument { .. }),
            "{error:?}"
        );
    }
}

#[maybe_async]
#[chat_test]
async fn no_log_record_shows_an_entra_or_teams_token() {
    let capture = capture_logs();
    let live = live();
    let (credential, _) = emulator_entra_credential(&live);
    let identity = entra_identity(&live, credential);
    identity.create_user(None).await.unwrap();
    let (teams, oid) = TokenEndpoint::of(&live).teams_user("dave@contoso.com");
    identity
        .get_token_for_teams_user(&teams, TEAMS_APP_ID, &oid, None)
        .await
        .unwrap();
    let _ = identity
        .get_token_for_teams_user(&teams, "wrong-app", &oid, None)
        .await
        .unwrap_err();
    // The Entra token the credential fetched is not known here: any emulator Entra token has
    // this header segment, and its signature segment is what a log would leak.
    let (entra, _) = TokenEndpoint::of(&live).client_credentials(chat::ENTRA_ID_SCOPE);
    let entra_header = entra.split('.').next().unwrap().to_string();
    let mut secrets = fragments(teams.split('.').nth(1).unwrap());
    secrets.extend(fragments(teams.split('.').nth(2).unwrap()));
    secrets.extend(fragments(&TokenEndpoint::of(&live).key));
    let records = capture.0.lock().unwrap().clone();
    for (target, line) in &records {
        // mockito is some other test's server, not a client: it logs what it received.
        if target.starts_with("mockito") {
            continue;
        }
        assert!(!line.contains(&entra_header), "{target}: {line}");
        assert!(!line.contains("Bearer "), "{target}: {line}");
        for secret in &secrets {
            assert!(
                !line.contains(secret.as_str()),
                "{target} shows `{secret}`: {line}"
            );
        }
    }
}
