//! An echo bot: an Event Grid webhook that answers every chat message addressed to the bot with
//! "echo: <text>", through the async client, as the bot's own user.
//!
//! `cargo run --example echo_bot`
//!
//! - With no environment set: starts an embedded acs-emulator, creates the bot, a human and a
//!   thread, subscribes the bot's webhook to `ChatMessageReceived`, sends a message as the human
//!   and prints the bot's answer.
//! - With `COMMUNICATION_SAMPLES_CONNECTION_STRING` (and `AZURE_COMMUNICATION_SERVICE_ENDPOINT`)
//!   set: serves the webhook on `0.0.0.0:$ECHO_BOT_PORT` (default 8080) until Ctrl-C, as the
//!   user `$ECHO_BOT_USER_ID` (created when unset), and prints the `az eventgrid
//!   event-subscription create` command that points the resource at it.

mod bot;
// The other examples' set-up; the echo bot uses only its CA file handling.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

use acs_chat_async::{
    models::{
        ChatParticipant, CommunicationIdentifier, CommunicationTokenScope,
        CommunicationUserIdentifier, CreateChatThreadOptions,
    },
    ChatClient, ChatThreadClient, CommunicationIdentityClient, CommunicationIdentityClientOptions,
    CommunicationTokenCredential,
};
use acs_emulator::{Emulator, EventSubscription};
use bot::EchoBot;
use futures_util::TryStreamExt;
use std::error::Error;
use std::time::Duration;

type BoxResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

#[tokio::main]
async fn main() -> BoxResult<()> {
    let endpoint = std::env::var("AZURE_COMMUNICATION_SERVICE_ENDPOINT").ok();
    let connection_string = std::env::var("COMMUNICATION_SAMPLES_CONNECTION_STRING").ok();
    match (endpoint, connection_string) {
        (Some(endpoint), Some(connection_string)) => serve(&endpoint, &connection_string).await,
        _ => demo().await,
    }
}

/// A chat client acting as `user`, its token renewed through `identity` before it expires.
async fn client_as(
    endpoint: &str,
    identity: &CommunicationIdentityClient,
    user: &CommunicationUserIdentifier,
    options: acs_chat_async::ClientOptions,
) -> BoxResult<ChatClient> {
    let token = identity
        .get_token(user, &[CommunicationTokenScope::Chat], None)
        .await?;
    let (identity, user) = (identity.clone(), user.clone());
    let credential = CommunicationTokenCredential::with_refresher(
        token.token.expose(),
        move || {
            let (identity, user) = (identity.clone(), user.clone());
            async move {
                let token = identity
                    .get_token(&user, &[CommunicationTokenScope::Chat], None)
                    .await?;
                Ok(token.token.expose().to_string())
            }
        },
        None,
    )?;
    Ok(ChatClient::new(
        endpoint,
        credential,
        Some(acs_chat_async::ChatClientOptions {
            client_options: options,
            ..Default::default()
        }),
    )?)
}

/// Against real ACS: serve until Ctrl-C.
async fn serve(endpoint: &str, connection_string: &str) -> BoxResult<()> {
    // ACS_CHAT_CA_CERTIFICATE_FILE, like every example: a standalone acs-emulator, a TLS proxy.
    let options = support::client_options_from_env().map_err(|e| e.to_string())?;
    let identity = CommunicationIdentityClient::from_connection_string(
        connection_string,
        Some(CommunicationIdentityClientOptions {
            client_options: options.clone(),
            ..Default::default()
        }),
    )?;
    let bot_user = match std::env::var("ECHO_BOT_USER_ID") {
        Ok(id) => CommunicationUserIdentifier::new(id),
        Err(_) => identity.create_user(None).await?,
    };
    let chat = client_as(endpoint, &identity, &bot_user, options).await?;
    let bot = EchoBot::new(bot_user.id.clone(), chat);
    let port: u16 = match std::env::var("ECHO_BOT_PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("ECHO_BOT_PORT `{port}` is not a port"))?,
        Err(_) => 8080,
    };
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", port)).await?;
    println!(
        "echo bot {} listening on :{port}{}",
        bot_user.id,
        bot::WEBHOOK_PATH
    );
    println!(
        "(set ECHO_BOT_USER_ID={} to keep this identity)",
        bot_user.id
    );
    println!(
        "Point the resource at it (HTTPS in front of this port, e.g. a tunnel):\n  \
         az eventgrid event-subscription create --name echo-bot \\\n    \
         --source-resource-id $(az communication show --name <resource> --resource-group <group> --query id -o tsv) \\\n    \
         --endpoint https://<public-host>{} \\\n    \
         --included-event-types Microsoft.Communication.ChatMessageReceived",
        bot::WEBHOOK_PATH
    );
    axum::serve(listener, bot.router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// With no ACS resource: everything on an embedded emulator, one message and its answer.
async fn demo() -> BoxResult<()> {
    let emulator = Emulator::builder().start()?;
    println!(
        "AZURE_COMMUNICATION_SERVICE_ENDPOINT / COMMUNICATION_SAMPLES_CONNECTION_STRING not set: using a local acs-emulator at {}",
        emulator.endpoint()
    );
    // Trust the emulator's CA (its certificate, PEM).
    let mut options = acs_chat_async::ClientOptions::default();
    options
        .additional_ca_certificates_pem
        .extend(emulator.ca_certificate_pem().map(str::to_string));
    let identity = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(CommunicationIdentityClientOptions {
            client_options: options.clone(),
            ..Default::default()
        }),
    )?;
    let bot_user = identity.create_user(None).await?;
    let human = identity.create_user(None).await?;

    // The webhook first, so that the subscription's validation handshake finds it.
    let bot = EchoBot::new(
        bot_user.id.clone(),
        client_as(emulator.endpoint(), &identity, &bot_user, options.clone()).await?,
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}{}", listener.local_addr()?, bot::WEBHOOK_PATH);
    let server = tokio::spawn(std::future::IntoFuture::into_future(axum::serve(
        listener,
        bot.router(),
    )));
    emulator.add_event_subscription(EventSubscription {
        endpoint_url: url.clone(),
        included_event_types: vec!["ChatMessageReceived".into()],
        ..Default::default()
    })?;
    println!("echo bot {} subscribed at {url}", bot_user.id);

    let human_chat = client_as(emulator.endpoint(), &identity, &human, options).await?;
    let participants = [&human, &bot_user]
        .map(|user| ChatParticipant::new(CommunicationIdentifier::user(user.id.clone())));
    let thread_id = human_chat
        .create_chat_thread(
            "Talk to the echo bot",
            Some(CreateChatThreadOptions {
                participants: Some(participants.to_vec()),
                ..Default::default()
            }),
        )
        .await?
        .chat_thread
        .id;
    let thread = human_chat.get_chat_thread_client(&thread_id);
    thread.send_message("Hello, bot!", None).await?;
    println!("human: Hello, bot!");

    let answer = tokio::time::timeout(Duration::from_secs(20), first_answer(&thread, &bot_user))
        .await
        .map_err(|_| "the bot did not answer within 20 s")??;
    println!("bot:   {answer}");
    server.abort();
    emulator.shutdown();
    Ok(())
}

/// Polls the thread until the bot has said something.
async fn first_answer(
    thread: &ChatThreadClient,
    bot: &CommunicationUserIdentifier,
) -> BoxResult<String> {
    let bot_raw_id = CommunicationIdentifier::user(bot.id.clone()).raw_id();
    loop {
        let messages: Vec<_> = thread.list_messages(None).try_collect().await?;
        let answer = messages.iter().find_map(|m| {
            let from_bot = m.sender.as_ref().is_some_and(|s| s.raw_id() == bot_raw_id);
            let text = m.content.as_ref().and_then(|c| c.message.clone());
            text.filter(|_| from_bot)
        });
        if let Some(answer) = answer {
            return Ok(answer);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
