//! The seed's `chat_client_sample.py` on the async client: create a thread (also with an
//! idempotency token), get a thread client, list threads, delete the thread.
//! `cargo run --example chat_client_sample_async`

mod support;

use acs_chat_async::{
    models::{
        ChatParticipant, CommunicationIdentifier, CommunicationTokenScope, CreateChatThreadOptions,
        ListChatThreadsOptions,
    },
    ChatClient, CommunicationIdentityClient, CommunicationTokenCredential,
};
use futures_util::TryStreamExt;
use time::{Duration, OffsetDateTime};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let identity = CommunicationIdentityClient::from_connection_string(
        &target.connection_string,
        Some(target.identity_options()),
    )?;
    let user = identity.create_user(None).await?;
    let token = identity
        .get_token(&user, &[CommunicationTokenScope::Chat], None)
        .await?;
    let chat_client = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(token.token.expose())?,
        Some(target.chat_options()),
    )?;

    // create_thread
    let participant = ChatParticipant::new(CommunicationIdentifier::user(user.id.clone()))
        .with_display_name("name")
        .with_share_history_time(OffsetDateTime::now_utc());
    let options = CreateChatThreadOptions {
        participants: Some(vec![participant.clone()]),
        ..Default::default()
    };
    let created = chat_client
        .create_chat_thread("test topic", Some(options))
        .await?;
    println!(
        "thread created: id={}, errors={}",
        created.chat_thread.id,
        created.errors.len()
    );

    // create_thread with an idempotency token: the same token returns the same thread
    let idempotent = CreateChatThreadOptions {
        participants: Some(vec![participant]),
        idempotency_key: Some("b66d6031-fdcc-41df-8306-e524c9f226b8".into()),
        ..Default::default()
    };
    let first = chat_client
        .create_chat_thread("test topic", Some(idempotent.clone()))
        .await?;
    let again = chat_client
        .create_chat_thread("test topic", Some(idempotent))
        .await?;
    println!(
        "create_chat_thread with idempotency token: same thread = {}",
        first.chat_thread.id == again.chat_thread.id
    );
    if first.chat_thread.id != again.chat_thread.id {
        return Err("an idempotency token returned two threads".into());
    }

    // get_chat_thread_client
    let thread_client = chat_client.get_chat_thread_client(&created.chat_thread.id);
    println!(
        "get_chat_thread_client succeeded with thread id: {}",
        thread_client.thread_id()
    );

    // list_threads: 5 per page, created within the last two days
    let options = ListChatThreadsOptions {
        results_per_page: Some(5),
        start_time: Some(OffsetDateTime::now_utc() - Duration::days(2)),
        ..Default::default()
    };
    let mut pages = chat_client
        .list_chat_threads(Some(options))
        .into_pages(None);
    while let Some(page) = pages.try_next().await? {
        for item in page.items {
            println!("thread id: {} topic: {}", item.id, item.topic);
        }
    }
    println!("list_threads succeeded with results_per_page 5, created since 2 days ago");

    // delete_thread
    chat_client
        .delete_chat_thread(&created.chat_thread.id, None)
        .await?;
    println!("delete_thread succeeded");

    identity.delete_user(&user, None).await?;
    println!("cleaned up: deleted the user");
    Ok(())
}
