//! Microsoft Entra ID on the blocking client: an azure_identity credential (async) bridged to
//! the blocking facade's `credentials::TokenCredential` with a small tokio runtime, as a script
//! would; its user tokens go to the chat client (the chat service takes nothing else); a Teams
//! user's Entra token is exchanged for an ACS token.
//! `cargo run --example entra_identity`
//!
//! On the embedded emulator with no setup (the emulator is the Entra authority too). Against real
//! ACS: `AZURE_COMMUNICATION_SERVICE_ENDPOINT` and `COMMUNICATION_SAMPLES_CONNECTION_STRING` as
//! for every example, plus azure_identity's `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//! `AZURE_CLIENT_SECRET` (a service principal with a role on the resource); the Teams exchange
//! runs when `TEAMS_USER_AAD_TOKEN`, `TEAMS_CLIENT_ID` and `TEAMS_USER_OBJECT_ID` are set.

#[path = "support/entra.rs"]
mod entra;
mod support;

use acs_chat_blocking::credentials::{AccessToken, TokenCredentialFn};
use acs_chat_blocking::models::CommunicationTokenScope;
use acs_chat_blocking::{
    BoxError, ChatClient, CommunicationIdentityClient, CommunicationTokenCredential,
};
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let ca_pems = &target.client_options.additional_ca_certificates_pem;
    let azure = if target.is_emulator() {
        entra::emulator_credential(&target.endpoint, &target.connection_string, ca_pems)?
    } else {
        entra::environment_credential(ca_pems)?
    };
    // The bridge: azure_identity is async; the blocking client calls this closure from a thread
    // of its own, one refresh at a time.
    let runtime = Arc::new(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
    );
    let bridge = runtime.clone();
    let credential = Arc::new(TokenCredentialFn::new(
        move |scopes: &[&str]| -> Result<AccessToken, BoxError> {
            use azure_core::credentials::TokenCredential as _;
            let token = bridge.block_on(azure.get_token(scopes, None))?;
            Ok(AccessToken::new(token.token.secret(), token.expires_on))
        },
    ));

    // Entra credential -> identity client -> user token -> chat client.
    let identity = CommunicationIdentityClient::with_token_credential(
        &target.endpoint,
        credential,
        Some(target.identity_options()),
    )?;
    let (user, token) = identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)?;
    println!(
        "created {} with Entra ID; token expires {}",
        user.id, token.expires_on
    );
    let chat = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(token.token.expose())?,
        Some(target.chat_options()),
    )?;
    let thread = chat.create_chat_thread("entra", None)?.chat_thread;
    println!("the user's chat client created thread {}", thread.id);

    let teams = match entra::teams_user_from_env() {
        Some(teams) => Some(teams),
        None if target.is_emulator() => {
            let client_id = entra::EMULATOR_TEAMS_CLIENT_ID;
            let (token, oid) = runtime.block_on(entra::emulator_teams_user_token(
                &target.endpoint,
                &target.connection_string,
                ca_pems,
                client_id,
                "alice@contoso.com",
            ))?;
            Some((token, client_id.to_string(), oid))
        }
        None => None,
    };
    match teams {
        Some((teams_token, client_id, oid)) => {
            let exchanged =
                identity.get_token_for_teams_user(&teams_token, &client_id, &oid, None)?;
            println!(
                "Teams user {oid}: ACS token expires {}",
                exchanged.expires_on
            );
        }
        None => println!("TEAMS_USER_AAD_TOKEN etc. not set: Teams exchange skipped"),
    }

    chat.delete_chat_thread(&thread.id, None)?;
    identity.delete_user(&user, None)?;
    println!("cleaned up");
    Ok(())
}
