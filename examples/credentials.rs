//! The two kinds of chat credential on the blocking client: a static token, and a refreshing
//! credential that fetches new tokens from the identity client when its token nears expiry (one
//! refresher call however many threads need the new token).
//! `cargo run --example credentials` (runs on a local emulator unless ACS env vars are set).

mod support;

use acs_chat_blocking::{
    models::{CommunicationTokenScope, GetTokenOptions},
    BoxError, ChatClient, CommunicationIdentityClient, CommunicationTokenCredential,
    CommunicationTokenCredentialOptions,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    // On a trusted server: the identity client holds the resource's access key.
    let identity = CommunicationIdentityClient::from_connection_string(
        &target.connection_string,
        Some(target.identity_options()),
    )?;
    let user = identity.create_user(None)?;
    println!("created user {}", user.id);

    // 1. A static token: used as it is until it expires (then the service answers 401). Fine
    //    for a short-lived client.
    let token = identity.get_token(&user, &[CommunicationTokenScope::Chat], None)?;
    let credential = CommunicationTokenCredential::new(token.token.expose())?;
    println!(
        "static credential: token expires on {}",
        credential.get_token()?.expires_on
    );
    let chat = ChatClient::new(&target.endpoint, credential, Some(target.chat_options()))?;
    let thread = chat.create_chat_thread("Credentials", None)?.chat_thread;
    chat.get_chat_thread_client(&thread.id)
        .send_message("sent with a static token", None)?;
    println!(
        "static credential: created thread {} and sent a message",
        thread.id
    );

    // 2. A refreshing credential, for a long-lived client: when fewer than 2 minutes of its token
    //    remain (10 with `proactive_refresh`), the refresher is called for a new one. In an app
    //    it would ask your server; here it asks the identity client directly.
    let refresher_calls = Arc::new(AtomicUsize::new(0));
    let fetch_token = {
        let (identity, user, calls) = (identity.clone(), user.clone(), refresher_calls.clone());
        move || -> Result<String, BoxError> {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(identity
                .get_token(&user, &[CommunicationTokenScope::Chat], None)?
                .token
                .expose()
                .to_string())
        }
    };
    // Start from the shortest token the service issues (60 minutes) and, only so that this
    // example sees a refresh without waiting an hour, judge expiry by a clock 59 minutes ahead:
    // the token looks 1 minute from expiry. Real code leaves `clock` unset.
    let short = GetTokenOptions {
        expires_in: Some(Duration::from_secs(60 * 60)),
        ..Default::default()
    };
    let first_token = identity.get_token(&user, &[CommunicationTokenScope::Chat], Some(short))?;
    let options = CommunicationTokenCredentialOptions {
        clock: Some(Arc::new(|| {
            time::OffsetDateTime::now_utc() + time::Duration::minutes(59)
        })),
        ..Default::default()
    };
    let credential = CommunicationTokenCredential::with_refresher(
        first_token.token.expose(),
        fetch_token,
        Some(options),
    )?;
    println!(
        "refreshing credential: starts with a token expiring on {}",
        first_token.expires_on
    );

    // Four threads send at once, each needing a token: one refresher call serves them all.
    let chat = ChatClient::new(
        &target.endpoint,
        credential.clone(),
        Some(target.chat_options()),
    )?;
    let thread_client = chat.get_chat_thread_client(&thread.id);
    let senders: Vec<_> = (1..=4)
        .map(|n| {
            let thread_client = thread_client.clone();
            std::thread::spawn(move || {
                thread_client.send_message(
                    &format!("sent from thread {n} with a refreshed token"),
                    None,
                )
            })
        })
        .collect();
    for sender in senders {
        let sent = sender.join().map_err(|_| "a sending thread panicked")??;
        println!("refreshing credential: sent message {}", sent.id);
    }
    let calls = refresher_calls.load(Ordering::SeqCst);
    println!(
        "refreshing credential: the refresher was called {calls} time(s) for 4 concurrent sends; the token now expires on {}",
        credential.get_token()?.expires_on
    );
    if calls != 1 {
        return Err(format!("expected one refresher call, saw {calls}").into());
    }

    let messages = thread_client
        .list_messages(None)
        .collect::<Result<Vec<_>, _>>()?;
    let texts: Vec<&str> = messages
        .iter()
        .filter_map(|m| m.content.as_ref()?.message.as_deref())
        .filter(|text| text.starts_with("sent "))
        .collect();
    println!(
        "the thread holds {} messages from this example",
        texts.len()
    );
    if texts.len() != 5 {
        return Err(format!("expected 5 messages, found {}", texts.len()).into());
    }

    chat.delete_chat_thread(&thread.id, None)?;
    identity.delete_user(&user, None)?;
    println!("cleaned up: deleted the thread and the user");
    Ok(())
}
