// Token refresh: windows judged with an injectable clock; refresher failures are typed.

fn fixed_clock(now: std::sync::Arc<std::sync::atomic::AtomicI64>) -> chat::Clock {
    std::sync::Arc::new(move || {
        time::OffsetDateTime::from_unix_timestamp(now.load(std::sync::atomic::Ordering::SeqCst))
            .unwrap()
    })
}

#[maybe_async]
#[chat_test]
async fn proactive_refresh_follows_the_clock() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let t0 = 1_900_000_000;
    let now = std::sync::Arc::new(AtomicI64::new(t0));
    let options = chat::CommunicationTokenCredentialOptions {
        proactive_refresh: true,
        clock: Some(fixed_clock(now.clone())),
        ..Default::default()
    };
    let (credential, calls) =
        counting_credential(&jwt(t0 + 15 * 60), vec![jwt(t0 + 60 * 60)], Some(options));
    let token = credential.get_token().await.unwrap();
    assert_eq!(token.expires_on.unix_timestamp(), t0 + 15 * 60);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "15 minutes left: no refresh"
    );
    now.store(t0 + 6 * 60, Ordering::SeqCst);
    let token = credential.get_token().await.unwrap();
    assert_eq!(token.expires_on.unix_timestamp(), t0 + 60 * 60);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "9 minutes left: proactive refresh"
    );
    let token = credential.get_token().await.unwrap();
    assert_eq!(token.expires_on.unix_timestamp(), t0 + 60 * 60);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "fresh token: no second refresh"
    );
}

#[maybe_async]
#[chat_test]
async fn on_demand_refresh_waits_for_the_last_two_minutes() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let t0 = 1_900_000_000;
    let now = std::sync::Arc::new(AtomicI64::new(t0 + 12 * 60));
    let options = chat::CommunicationTokenCredentialOptions {
        proactive_refresh: false,
        clock: Some(fixed_clock(now.clone())),
        ..Default::default()
    };
    let (credential, calls) =
        counting_credential(&jwt(t0 + 15 * 60), vec![jwt(t0 + 60 * 60)], Some(options));
    credential.get_token().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0, "3 minutes left");
    now.store(t0 + 13 * 60 + 30, Ordering::SeqCst);
    credential.get_token().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1, "90 seconds left");
}

#[maybe_async]
#[chat_test]
async fn the_refreshed_token_goes_on_the_wire() {
    let mut server = mock_server().await;
    let fresh = jwt(4_102_444_800);
    let mock = server
        .mock("DELETE", THREAD_PATH)
        .match_query(Matcher::Any)
        .match_header("authorization", format!("Bearer {fresh}").as_str())
        .with_status(204)
        .create();
    let (credential, _calls) = counting_credential(&jwt(1_000), vec![fresh.clone()], None);
    let client = ChatClient::new(&server.url(), credential, None).unwrap();
    client.delete_chat_thread(THREAD_ID, None).await.unwrap();
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn a_malformed_refreshed_token_is_a_typed_error() {
    let (credential, _calls) =
        counting_credential(&jwt(1_000), vec!["not-a-jwt".to_string()], None);
    let err = credential.get_token().await.unwrap_err();
    assert!(matches!(err, Error::InvalidToken { .. }), "{err}");
    assert!(matches!(
        CommunicationTokenCredential::new("a.b"),
        Err(Error::InvalidToken { .. })
    ));
}

#[maybe_async]
#[chat_test]
async fn a_refresher_only_credential_asks_on_first_use_and_then_when_due() {
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
    let t0 = 1_900_000_000;
    let now = std::sync::Arc::new(AtomicI64::new(t0));
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let options = chat::CommunicationTokenCredentialOptions {
        clock: Some(fixed_clock(now.clone())),
        ..Default::default()
    };
    let credential = refresher_only(
        move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) as i64;
            Ok(jwt(t0 + 60 * 60 * (n + 1)))
        },
        options,
    );
    // Made without a token: nothing asked yet.
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let first = credential.get_token().await.unwrap();
    assert_eq!(first.expires_on.unix_timestamp(), t0 + 60 * 60);
    let again = credential.get_token().await.unwrap();
    assert_eq!(again.expires_on, first.expires_on);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one call while the token is fresh"
    );
    // Within 2 minutes of expiry: asked again.
    now.store(t0 + 59 * 60, Ordering::SeqCst);
    let refreshed = credential.get_token().await.unwrap();
    assert_eq!(refreshed.expires_on.unix_timestamp(), t0 + 2 * 60 * 60);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[maybe_async]
#[chat_test]
async fn an_issued_token_becomes_a_credential_without_parsing() {
    let live = live();
    let (user, token) = live
        .identity()
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let expires_on = token.expires_on;
    let credential = CommunicationTokenCredential::from(token);
    let held = credential.get_token().await.unwrap();
    assert_eq!(held.expires_on, expires_on);
    let client = ChatClient::new(
        live.emulator.endpoint(),
        credential,
        Some(live.options.clone()),
    )
    .expect("client");
    let thread = client
        .create_chat_thread("from an issued token", None)
        .await
        .unwrap();
    assert_eq!(thread.chat_thread.created_by.raw_id(), user.id);
}

#[maybe_async]
#[chat_test]
async fn proactive_refresh_runs_in_the_background_when_the_window_opens() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let t0 = 1_900_000_000;
    let now = std::sync::Arc::new(AtomicI64::new(t0));
    let options = chat::CommunicationTokenCredentialOptions {
        proactive_refresh: true,
        clock: Some(fixed_clock(now.clone())),
        ..Default::default()
    };
    // Ten minutes and one second left: outside the window, which opens in one second.
    let (credential, calls) = counting_credential(
        &jwt(t0 + 10 * 60 + 1),
        vec![jwt(t0 + 60 * 60)],
        Some(options),
    );
    let token = credential.get_token().await.unwrap();
    assert_eq!(token.expires_on.unix_timestamp(), t0 + 10 * 60 + 1);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // The credential's clock moves into the window; nobody asks for a token.
    now.store(t0 + 2, Ordering::SeqCst);
    let mut waited = 0;
    while calls.load(Ordering::SeqCst) == 0 && waited < 10_000 {
        pause(20).await;
        waited += 20;
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "no background refresh within 10 s"
    );
    // The next request finds the new token ready: no call of its own.
    let mut refreshed = credential.get_token().await.unwrap();
    while refreshed.expires_on.unix_timestamp() != t0 + 60 * 60 && waited < 10_000 {
        // The background call may still be finishing (the refresher takes 50 ms).
        pause(20).await;
        waited += 20;
        refreshed = credential.get_token().await.unwrap();
    }
    assert_eq!(refreshed.expires_on.unix_timestamp(), t0 + 60 * 60);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
