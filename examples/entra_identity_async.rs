//! Microsoft Entra ID on the async client: an azure_identity credential authenticates the
//! identity client; its user tokens go to the chat client (the chat service takes nothing else);
//! a Teams user's Entra token is exchanged for an ACS token.
//! `cargo run --example entra_identity_async`
//!
//! On the embedded emulator with no setup (the emulator is the Entra authority too). Against real
//! ACS: `AZURE_COMMUNICATION_SERVICE_ENDPOINT` and `COMMUNICATION_SAMPLES_CONNECTION_STRING` as
//! for every example, plus azure_identity's `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//! `AZURE_CLIENT_SECRET` (a service principal with a role on the resource); the Teams exchange
//! runs when `TEAMS_USER_AAD_TOKEN`, `TEAMS_CLIENT_ID` and `TEAMS_USER_OBJECT_ID` are set.

#[path = "support/entra.rs"]
mod entra;
mod support;

use acs_chat_async::models::CommunicationTokenScope;
use acs_chat_async::{
    credentials::AzureCoreCredential, ChatClient, CommunicationIdentityClient,
    CommunicationTokenCredential,
};
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let ca_pems = &target.client_options.additional_ca_certificates_pem;
    let azure: Arc<dyn azure_core::credentials::TokenCredential> = if target.is_emulator() {
        entra::emulator_credential(&target.endpoint, &target.connection_string, ca_pems)?
    } else {
        entra::environment_credential(ca_pems)?
    };
    // azure_identity's credential, as the SDK's own through the adapter.
    let credential = Arc::new(AzureCoreCredential::new(azure));

    // Entra credential -> identity client -> user token -> chat client.
    let identity = CommunicationIdentityClient::with_token_credential(
        &target.endpoint,
        credential,
        Some(target.identity_options()),
    )?;
    let (user, token) = identity
        .create_user_and_token(&[CommunicationTokenScope::Chat], None)
        .await?;
    println!(
        "created {} with Entra ID; token expires {}",
        user.id, token.expires_on
    );
    let chat = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(token.token.expose())?,
        Some(target.chat_options()),
    )?;
    let thread = chat.create_chat_thread("entra", None).await?.chat_thread;
    println!("the user's chat client created thread {}", thread.id);

    let teams = match entra::teams_user_from_env() {
        Some(teams) => Some(teams),
        None if target.is_emulator() => {
            let client_id = entra::EMULATOR_TEAMS_CLIENT_ID;
            let (token, oid) = entra::emulator_teams_user_token(
                &target.endpoint,
                &target.connection_string,
                ca_pems,
                client_id,
                "alice@contoso.com",
            )
            .await?;
            Some((token, client_id.to_string(), oid))
        }
        None => None,
    };
    match teams {
        Some((teams_token, client_id, oid)) => {
            let exchanged = identity
                .get_token_for_teams_user(&teams_token, &client_id, &oid, None)
                .await?;
            println!(
                "Teams user {oid}: ACS token expires {}",
                exchanged.expires_on
            );
        }
        None => println!("TEAMS_USER_AAD_TOKEN etc. not set: Teams exchange skipped"),
    }

    chat.delete_chat_thread(&thread.id, None).await?;
    identity.delete_user(&user, None).await?;
    println!("cleaned up");
    Ok(())
}
