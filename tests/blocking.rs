//! The shared scenarios on the blocking facade (ureq).

use acs_chat_blocking as chat;
use maybe_async::must_be_sync as maybe_async;
use std::prelude::v1::test as chat_test;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn mock_server() -> mockito::ServerGuard {
    mockito::Server::new()
}

fn collect<I: IntoIterator>(items: I) -> Vec<I::Item> {
    items.into_iter().collect()
}

fn next_item<I: Iterator>(items: &mut I) -> Option<I::Item> {
    items.next()
}

/// A credential whose refresher hands out `tokens` in turn and counts its calls.
fn counting_credential(
    token: &str,
    tokens: Vec<String>,
    options: Option<chat::CommunicationTokenCredentialOptions>,
) -> (chat::CommunicationTokenCredential, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let credential = chat::CommunicationTokenCredential::with_refresher(
        token,
        move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            // Slow, so that concurrent callers really overlap the refresh.
            std::thread::sleep(std::time::Duration::from_millis(50));
            Ok(tokens[n.min(tokens.len() - 1)].clone())
        },
        options,
    )
    .expect("credential");
    (credential, calls)
}

/// A credential whose refresher never answers (its thread sleeps for an hour).
fn hung_credential(
    token: &str,
    options: Option<chat::CommunicationTokenCredentialOptions>,
) -> chat::CommunicationTokenCredential {
    chat::CommunicationTokenCredential::with_refresher(
        token,
        || {
            std::thread::sleep(std::time::Duration::from_secs(3600));
            Ok(String::new())
        },
        options,
    )
    .expect("credential")
}

/// A credential whose refresher fails slowly and counts its calls.
fn failing_credential(token: &str) -> (chat::CommunicationTokenCredential, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let credential = chat::CommunicationTokenCredential::with_refresher(
        token,
        move || {
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(200));
            Err("identity service down".into())
        },
        None,
    )
    .expect("credential");
    (credential, calls)
}

/// `get_token` from `n` threads at once.
fn get_tokens_concurrently(
    credential: &chat::CommunicationTokenCredential,
    n: usize,
) -> Vec<chat::Result<chat::AccessToken>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|_| scope.spawn(|| credential.get_token()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    })
}

/// The facade's Entra credential: a function in the SDK's `TokenCredentialFn`.
type EntraCredential = Arc<dyn chat::credentials::TokenCredential>;

/// An Entra credential around `fetch`, recording each call.
fn entra_credential<F>(fetch: F) -> (EntraCredential, EntraCalls)
where
    F: Fn(&[&str]) -> Fetched + Send + Sync + 'static,
{
    let calls = EntraCalls::default();
    let seen = calls.clone();
    let credential = chat::credentials::TokenCredentialFn::new(move |scopes: &[&str]| {
        seen.record(scopes);
        let (token, expires_on) = fetch(scopes)?;
        Ok(chat::credentials::AccessToken::new(token, expires_on))
    });
    (Arc::new(credential), calls)
}

/// A credential with only a refresher (no first token).
fn refresher_only(
    refresher: impl Fn() -> Result<String, chat::BoxError> + Send + Sync + 'static,
    options: chat::CommunicationTokenCredentialOptions,
) -> chat::CommunicationTokenCredential {
    chat::CommunicationTokenCredential::from_refresher(refresher, Some(options))
}

/// Waits `ms` milliseconds (for polling what another thread does).
fn pause(ms: u64) {
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

/// The caller's own HTTP client as a transport: a ureq agent trusting `ca_pem`.
fn own_transport(ca_pem: &str) -> chat::Transport {
    chat::Transport::from_agent(agent_trusting(ca_pem), &Default::default())
}

include!("scenarios/support.rs");
include!("scenarios/request_shapes.rs");
include!("scenarios/identity_shapes.rs");
include!("scenarios/paging.rs");
include!("scenarios/errors.rs");
include!("scenarios/credential.rs");
include!("scenarios/e2e.rs");
include!("scenarios/hostile.rs");
include!("scenarios/foreign_origins.rs");
include!("scenarios/logging.rs");
include!("scenarios/surface.rs");
include!("scenarios/many_users.rs");
include!("scenarios/proxy.rs");
include!("support/connect_proxy.rs");
include!("scenarios/faults.rs");
include!("scenarios/method_options.rs");
include!("scenarios/entra.rs");

#[test]
fn fifty_threads_share_one_refresh() {
    let (credential, calls) = counting_credential(&jwt(1_000), vec![far_future_token()], None);
    std::thread::scope(|scope| {
        for _ in 0..50 {
            scope.spawn(|| credential.get_token().expect("token"));
        }
    });
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn a_pager_outlives_the_client_that_made_it() {
    let live = live();
    let (_user, token) = live
        .identity()
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .unwrap();
    let thread = live
        .chat(token.token.expose())
        .create_chat_thread("owned", None)
        .unwrap()
        .chat_thread
        .id;
    live.chat(token.token.expose())
        .get_chat_thread_client(&thread)
        .send_message("hi", None)
        .unwrap();
    let pager = messages_of(
        live.emulator.endpoint(),
        token.token.expose(),
        live.options.clone(),
        &thread,
    );
    let moved = std::thread::spawn(move || pager.collect::<Result<Vec<_>, _>>())
        .join()
        .unwrap()
        .unwrap();
    assert!(
        moved
            .iter()
            .any(|m| m.content.as_ref().and_then(|c| c.message.as_deref()) == Some("hi")),
        "{moved:?}"
    );
    assert!(format!(
        "{:?}",
        messages_of(
            live.emulator.endpoint(),
            token.token.expose(),
            live.options.clone(),
            &thread
        )
    )
    .contains("ItemPager"));
}
