//! The shared scenarios on the async facade (reqwest + tokio).

use acs_chat_async as chat;
use maybe_async::must_be_async as maybe_async;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::test as chat_test;

async fn mock_server() -> mockito::ServerGuard {
    mockito::Server::new_async().await
}

async fn collect<S: futures_util::Stream>(stream: S) -> Vec<S::Item> {
    use futures_util::StreamExt;
    stream.collect().await
}

async fn next_item<S: futures_util::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    use futures_util::StreamExt;
    stream.next().await
}

/// A credential whose refresher hands out `tokens` in turn and counts its calls.
fn counting_credential(
    token: &str,
    tokens: Vec<String>,
    options: Option<chat::CommunicationTokenCredentialOptions>,
) -> (chat::CommunicationTokenCredential, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let tokens = Arc::new(tokens);
    let credential = chat::CommunicationTokenCredential::with_refresher(
        token,
        move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let tokens = tokens.clone();
            async move {
                // Slow, so that concurrent callers really overlap the refresh.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Ok(tokens[n.min(tokens.len() - 1)].clone())
            }
        },
        options,
    )
    .expect("credential");
    (credential, calls)
}

/// A credential whose refresher never answers.
fn hung_credential(
    token: &str,
    options: Option<chat::CommunicationTokenCredentialOptions>,
) -> chat::CommunicationTokenCredential {
    chat::CommunicationTokenCredential::with_refresher(
        token,
        std::future::pending::<Result<String, chat::BoxError>>,
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
            async {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                Err::<String, chat::BoxError>("identity service down".into())
            }
        },
        None,
    )
    .expect("credential");
    (credential, calls)
}

/// `get_token` from `n` tasks at once.
async fn get_tokens_concurrently(
    credential: &chat::CommunicationTokenCredential,
    n: usize,
) -> Vec<chat::Result<chat::AccessToken>> {
    let tasks = (0..n).map(|_| {
        let credential = credential.clone();
        tokio::spawn(async move { credential.get_token().await })
    });
    futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect()
}

/// The facade's Entra credential (the SDK's trait), here an azure_core credential through the
/// adapter, as azure_identity's are used.
type EntraCredential = Arc<dyn chat::credentials::TokenCredential>;

type Fetch = dyn Fn(&[&str]) -> Fetched + Send + Sync;

/// An azure_core credential around a blocking `fetch` (the test's own, like azure_identity's
/// would be), recording each call.
struct TestEntraCredential {
    fetch: Box<Fetch>,
    calls: EntraCalls,
}

impl std::fmt::Debug for TestEntraCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestEntraCredential")
    }
}

#[async_trait::async_trait]
impl azure_core::credentials::TokenCredential for TestEntraCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        self.calls.record(scopes);
        let (token, expires_on) = (self.fetch)(scopes).map_err(|message| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message)
        })?;
        Ok(azure_core::credentials::AccessToken::new(token, expires_on))
    }
}

fn entra_credential<F>(fetch: F) -> (EntraCredential, EntraCalls)
where
    F: Fn(&[&str]) -> Fetched + Send + Sync + 'static,
{
    let calls = EntraCalls::default();
    let credential = TestEntraCredential {
        fetch: Box::new(fetch),
        calls: calls.clone(),
    };
    let azure: Arc<dyn azure_core::credentials::TokenCredential> = Arc::new(credential);
    (
        Arc::new(chat::credentials::AzureCoreCredential::new(azure)),
        calls,
    )
}

/// A credential with only a refresher (no first token): `refresher` answered at once.
fn refresher_only(
    refresher: impl Fn() -> Result<String, chat::BoxError> + Send + Sync + 'static,
    options: chat::CommunicationTokenCredentialOptions,
) -> chat::CommunicationTokenCredential {
    let refresher = Arc::new(refresher);
    chat::CommunicationTokenCredential::from_refresher(
        move || {
            let refresher = refresher.clone();
            async move { refresher() }
        },
        Some(options),
    )
}

/// Waits `ms` milliseconds, letting the runtime run other tasks (for polling what they do).
async fn pause(ms: u64) {
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// The caller's own HTTP client as a transport: a reqwest client trusting `ca_pem`.
fn own_transport(ca_pem: &str) -> chat::Transport {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::pem::PemObject::pem_slice_iter(ca_pem.as_bytes()) {
        let cert: rustls_pki_types::CertificateDer<'static> = cert.expect("CA");
        roots.add(cert).expect("root");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("tls")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client");
    chat::Transport::from_client(client, &Default::default())
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_share_one_refresh() {
    let mut server = mock_server().await;
    let mock = server
        .mock("DELETE", THREAD_PATH)
        .match_query(Matcher::Any)
        .match_header(
            "authorization",
            format!("Bearer {}", far_future_token()).as_str(),
        )
        .with_status(204)
        .expect(50)
        .create();
    let (credential, calls) = counting_credential(&jwt(1_000), vec![far_future_token()], None);
    let client = ChatClient::new(&server.url(), credential, None).unwrap();
    let requests = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.delete_chat_thread(THREAD_ID, None).await })
    });
    for result in futures_util::future::join_all(requests).await {
        result.expect("task").expect("request");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    mock.assert();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pager_made_in_another_function_runs_in_a_spawned_task() {
    use futures_util::TryStreamExt;
    let live = live();
    let (_user, token) = live
        .identity()
        .create_user_and_token(&[chat::models::CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    let thread = live
        .chat(token.token.expose())
        .create_chat_thread("owned", None)
        .await
        .unwrap()
        .chat_thread
        .id;
    live.chat(token.token.expose())
        .get_chat_thread_client(&thread)
        .send_message("hi", None)
        .await
        .unwrap();
    let pager = messages_of(
        live.emulator.endpoint(),
        token.token.expose(),
        live.options.clone(),
        &thread,
    );
    let moved = tokio::spawn(async move { pager.try_collect::<Vec<_>>().await })
        .await
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
