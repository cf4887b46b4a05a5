//! The seed's `user_credential_sample_async.py` on the async client: a static token, a refreshing
//! callback, and proactive refreshing.
//! `cargo run --example user_credential_sample_async`

mod support;

use acs_chat_async::{
    models::CommunicationTokenScope, BoxError, ChatClient, CommunicationIdentityClient,
    CommunicationTokenCredential, CommunicationTokenCredentialOptions,
};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let identity = Arc::new(CommunicationIdentityClient::from_connection_string(
        &target.connection_string,
        Some(target.identity_options()),
    )?);
    let user = identity.create_user(None).await?;
    let token = identity
        .get_token(&user, &[CommunicationTokenScope::Chat], None)
        .await?
        .token
        .expose()
        .to_string();

    // A static token, for short-lived clients.
    let credential = CommunicationTokenCredential::new(&token)?;
    println!(
        "static token expires on {}",
        credential.get_token().await?.expires_on
    );

    // A refreshing callback, for long-lived clients: it fetches a fresh token when this one nears expiry.
    let fetch_token_from_server = {
        let (identity, user) = (identity.clone(), user.clone());
        move || {
            let (identity, user) = (identity.clone(), user.clone());
            async move {
                let fresh = identity
                    .get_token(&user, &[CommunicationTokenScope::Chat], None)
                    .await?;
                Ok::<_, BoxError>(fresh.token.expose().to_string())
            }
        }
    };
    let credential = CommunicationTokenCredential::with_refresher(
        &token,
        fetch_token_from_server.clone(),
        None,
    )?;
    println!(
        "refreshing credential: token expires on {}",
        credential.get_token().await?.expires_on
    );

    // Proactive refreshing: a fresh token as soon as fewer than 10 minutes remain.
    let options = CommunicationTokenCredentialOptions {
        proactive_refresh: true,
        ..Default::default()
    };
    let credential = CommunicationTokenCredential::with_refresher(
        &token,
        fetch_token_from_server,
        Some(options),
    )?;
    println!(
        "proactively refreshing credential: token expires on {}",
        credential.get_token().await?.expires_on
    );

    // The credential in use: list the user's threads with it.
    let chat_client = ChatClient::new(&target.endpoint, credential, Some(target.chat_options()))?;
    let page = chat_client.list_chat_threads_page(None, None).await?;
    println!(
        "the credential works: the user has {} threads",
        page.items.len()
    );

    identity.delete_user(&user, None).await?;
    println!("cleaned up: deleted the user");
    Ok(())
}
