//! The seed's `chat_thread_client_sample.py` on the async client: topic, messages (send, get,
//! list, update, delete), read receipts, participants (add, list, remove) and typing.
//! `cargo run --example chat_thread_client_sample_async`

mod support;

use acs_chat_async::{
    models::{
        ChatMessageType, ChatParticipant, CommunicationIdentifier, CommunicationTokenScope,
        CreateChatThreadOptions, ListMessagesOptions, SendMessageOptions,
        SendTypingNotificationOptions, UpdateMessageOptions,
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
    let new_user = identity.create_user(None).await?;
    let token = identity
        .get_token(&user, &[CommunicationTokenScope::Chat], None)
        .await?;
    let chat_client = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(token.token.expose())?,
        Some(target.chat_options()),
    )?;
    let participant = |id: &str, name: &str| {
        ChatParticipant::new(CommunicationIdentifier::user(id))
            .with_display_name(name)
            .with_share_history_time(OffsetDateTime::now_utc())
    };

    // create_chat_thread_client
    let options = CreateChatThreadOptions {
        participants: Some(vec![participant(&user.id, "name")]),
        ..Default::default()
    };
    let thread_id = chat_client
        .create_chat_thread("test topic", Some(options))
        .await?
        .chat_thread
        .id;
    let thread = chat_client.get_chat_thread_client(&thread_id);
    println!("chat_thread_client created");

    // update_topic
    let before = thread.get_properties(None).await?.topic;
    thread.update_topic("updated thread topic", None).await?;
    println!(
        "topic updated: {before} -> {}",
        thread.get_properties(None).await?.topic
    );

    // send_message, with and without a type
    let options = SendMessageOptions {
        sender_display_name: Some("sender name".into()),
        ..Default::default()
    };
    let message_id = thread
        .send_message("Hello! My name is Fred Flinstone", Some(options))
        .await?
        .id;
    let html = SendMessageOptions {
        chat_message_type: Some(ChatMessageType::Html),
        ..Default::default()
    };
    let second = thread
        .send_message("Hello! My name is <b>Wilma</b> Flinstone", Some(html))
        .await?
        .id;
    println!("send_message succeeded, message ids: {message_id}, {second}");

    // get_message
    let message = thread.get_message(&message_id, None).await?;
    println!("get_message: {:?}", message.content.and_then(|c| c.message));

    // list_messages: one per page, since yesterday
    let options = ListMessagesOptions {
        results_per_page: Some(1),
        start_time: Some(OffsetDateTime::now_utc() - Duration::days(1)),
        ..Default::default()
    };
    let mut pages = thread.list_messages(Some(options)).into_pages(None);
    while let Some(page) = pages.try_next().await? {
        for message in page.items {
            println!(
                "message {} [{}]: {:?}",
                message.id,
                message.kind,
                message.content.and_then(|c| c.message)
            );
        }
    }

    // update_message
    thread
        .update_message(
            &message_id,
            Some(UpdateMessageOptions {
                content: Some("updated content".into()),
                ..Default::default()
            }),
        )
        .await?;
    println!(
        "update_message: {:?}",
        thread
            .get_message(&message_id, None)
            .await?
            .content
            .and_then(|c| c.message)
    );

    // send_read_receipt, list_read_receipts
    thread.send_read_receipt(&message_id, None).await?;
    let mut receipts = thread.list_read_receipts(None);
    while let Some(receipt) = receipts.try_next().await? {
        println!(
            "read receipt: {} read {} at {}",
            receipt.sender, receipt.chat_message_id, receipt.read_on
        );
    }

    // delete_message
    thread.delete_message(&message_id, None).await?;
    println!("delete_message succeeded");

    // add_participants_w_check: remove first (a no-op when absent), then add, retrying the failures
    let new_identifier = CommunicationIdentifier::user(new_user.id.clone());
    thread.remove_participant(&new_identifier, None).await?;
    let failed = thread
        .add_participants(&[participant(&new_user.id, "name")], None)
        .await?;
    let retry: Vec<ChatParticipant> = failed
        .into_iter()
        .map(|(participant, _error)| participant)
        .collect();
    if !retry.is_empty() {
        thread.add_participants(&retry, None).await?;
    }
    println!("add_participants_w_check succeeded");

    // list_participants
    let mut pages = thread.list_participants(None).into_pages(None);
    while let Some(page) = pages.try_next().await? {
        for p in page.items {
            println!("participant: {} ({:?})", p.identifier, p.display_name);
        }
    }

    // remove_participant: two new users, found by listing and by id
    let (user1, user2) = (
        identity.create_user(None).await?,
        identity.create_user(None).await?,
    );
    thread
        .add_participants(
            &[
                participant(&user1.id, "Fred Flinstone"),
                participant(&user2.id, "Wilma Flinstone"),
            ],
            None,
        )
        .await?;
    let participants: Vec<ChatParticipant> = thread.list_participants(None).try_collect().await?;
    for p in participants {
        if p.identifier.raw_id() == user1.id {
            thread.remove_participant(&p.identifier, None).await?;
            println!("Fred has been removed from the thread");
        }
    }
    thread
        .remove_participant(&CommunicationIdentifier::user(user2.id.clone()), None)
        .await?;
    println!("Wilma has been removed from the thread");
    identity.delete_user(&user1, None).await?;
    identity.delete_user(&user2, None).await?;

    // send_typing_notification
    thread
        .send_typing_notification(Some(SendTypingNotificationOptions {
            sender_display_name: Some("name".into()),
            ..Default::default()
        }))
        .await?;
    println!("send_typing_notification succeeded");

    identity.delete_user(&user, None).await?;
    identity.delete_user(&new_user, None).await?;
    println!("cleaned up: deleted the users");
    Ok(())
}
