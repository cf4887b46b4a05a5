//! azure_identity's own `ClientSecretCredential`, unchanged, pointed at the emulator as its
//! Entra authority (a custom cloud whose authority host is the emulator, https, over a reqwest
//! client that trusts the emulator's CA), authenticating the async identity client.

use acs_chat_async::models::CommunicationTokenScope;
use acs_chat_async::{CommunicationIdentityClient, CommunicationIdentityClientOptions};
use azure_identity::ClientSecretCredential;
use std::sync::Arc;

#[allow(dead_code)] // the examples' helpers; this test uses the credential builders
#[path = "../examples/support/entra.rs"]
mod entra;

fn credential(
    emulator: &acs_emulator::Emulator,
    secret: &str,
) -> Arc<acs_chat_async::credentials::AzureCoreCredential> {
    let ca = vec![emulator.ca_certificate_pem().expect("https").to_string()];
    let azure: Arc<ClientSecretCredential> = entra::client_secret_credential(
        Some(emulator.endpoint()),
        "00000000-0000-0000-0000-000000000001",
        "7d0c9b2a-0000-4000-8000-000000000001",
        secret,
        &ca,
    )
    .expect("credential");
    Arc::new(acs_chat_async::credentials::AzureCoreCredential::new(azure))
}

fn identity_options(emulator: &acs_emulator::Emulator) -> CommunicationIdentityClientOptions {
    let mut options = CommunicationIdentityClientOptions::default();
    options.client_options.additional_ca_certificates_pem =
        vec![emulator.ca_certificate_pem().expect("https").to_string()];
    options
}

fn access_key(emulator: &acs_emulator::Emulator) -> String {
    let connection_string = emulator.connection_string();
    connection_string
        .split_once("accesskey=")
        .unwrap()
        .1
        .to_string()
}

#[tokio::test]
async fn azure_identity_client_secret_credential_works_against_the_emulator() {
    let emulator = acs_emulator::Emulator::builder().start().unwrap();
    let identity = CommunicationIdentityClient::with_token_credential(
        emulator.endpoint(),
        credential(&emulator, &access_key(&emulator)),
        Some(identity_options(&emulator)),
    )
    .unwrap();
    let (user, token) = identity
        .create_user_and_token(&[CommunicationTokenScope::Chat], None)
        .await
        .unwrap();
    assert!(user.id.starts_with("8:acs:"), "{}", user.id);
    assert!(token.expires_on > time::OffsetDateTime::now_utc());
    identity.revoke_tokens(&user, None).await.unwrap();
    identity.delete_user(&user, None).await.unwrap();
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_credential_error_that_does_not_show_it() {
    let emulator = acs_emulator::Emulator::builder().start().unwrap();
    let secret = "d3JvbmctY2xpZW50LXNlY3JldC1mb3ItdGhlLXRlc3Q=";
    let credential = credential(&emulator, secret);
    assert!(!format!("{credential:?}").contains(secret));
    let identity = CommunicationIdentityClient::with_token_credential(
        emulator.endpoint(),
        credential,
        Some(identity_options(&emulator)),
    )
    .unwrap();
    let error = identity.create_user(None).await.unwrap_err();
    assert!(
        matches!(error, acs_chat_async::Error::Credential { .. }),
        "{error:?}"
    );
    // Entra's answer comes through (AADSTS7000215: invalid client secret), the secret does not.
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("7000215"), "{shown}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(!format!("{identity:?}").contains(secret));
}
