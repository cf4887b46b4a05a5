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
