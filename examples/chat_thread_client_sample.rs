//! The seed's `chat_thread_client_sample.py` on the blocking client: topic, messages (send, get,
//! list, update, delete), read receipts, participants (add, list, remove) and typing.
//! `cargo run --example chat_thread_client_sample`

mod support;

use acs_chat_blocking::{
    models::{
        ChatMessageType, ChatParticipant, CommunicationIdentifier, CommunicationTokenScope,
        CreateChatThreadOptions, ListMessagesOptions, SendMessageOptions,
        SendTypingNotificationOptions, UpdateMessageOptions,
    },
    ChatClient, CommunicationIdentityClient, CommunicationTokenCredential,
};
use time::{Duration, OffsetDateTime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let identity = CommunicationIdentityClient::from_connection_string(
        &target.connection_string,
        Some(target.identity_options()),
    )?;
    let user = identity.create_user(None)?;
    let new_user = identity.create_user(None)?;
    let token = identity.get_token(&user, &[CommunicationTokenScope::Chat], None)?;
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
        .create_chat_thread("test topic", Some(options))?
        .chat_thread
        .id;
    let thread = chat_client.get_chat_thread_client(&thread_id);
    println!("chat_thread_client created");

    // update_topic
    let before = thread.get_properties(None)?.topic;
    thread.update_topic("updated thread topic", None)?;
    println!(
        "topic updated: {before} -> {}",
        thread.get_properties(None)?.topic
    );

    // send_message, with and without a type
    let options = SendMessageOptions {
        sender_display_name: Some("sender name".into()),
        ..Default::default()
    };
    let message_id = thread
        .send_message("Hello! My name is Fred Flinstone", Some(options))?
        .id;
    let html = SendMessageOptions {
        chat_message_type: Some(ChatMessageType::Html),
        ..Default::default()
    };
    let second = thread
        .send_message("Hello! My name is <b>Wilma</b> Flinstone", Some(html))?
        .id;
    println!("send_message succeeded, message ids: {message_id}, {second}");

    // get_message
    let message = thread.get_message(&message_id, None)?;
    println!("get_message: {:?}", message.content.and_then(|c| c.message));

    // list_messages: one per page, since yesterday
    let options = ListMessagesOptions {
        results_per_page: Some(1),
        start_time: Some(OffsetDateTime::now_utc() - Duration::days(1)),
        ..Default::default()
    };
    for page in thread.list_messages(Some(options)).into_pages(None) {
        for message in page?.items {
            println!(
                "message {} [{}]: {:?}",
                message.id,
                message.kind,
                message.content.and_then(|c| c.message)
            );
        }
    }

    // update_message
    thread.update_message(
        &message_id,
        Some(UpdateMessageOptions {
            content: Some("updated content".into()),
            ..Default::default()
        }),
    )?;
    println!(
        "update_message: {:?}",
        thread
            .get_message(&message_id, None)?
            .content
            .and_then(|c| c.message)
    );

    // send_read_receipt, list_read_receipts
    thread.send_read_receipt(&message_id, None)?;
    for receipt in thread.list_read_receipts(None) {
        let receipt = receipt?;
        println!(
            "read receipt: {} read {} at {}",
            receipt.sender, receipt.chat_message_id, receipt.read_on
        );
    }

    // delete_message
    thread.delete_message(&message_id, None)?;
    println!("delete_message succeeded");

    // add_participants_w_check: remove first (a no-op when absent), then add, retrying the failures
    let new_identifier = CommunicationIdentifier::user(new_user.id.clone());
    thread.remove_participant(&new_identifier, None)?;
    let failed = thread.add_participants(&[participant(&new_user.id, "name")], None)?;
    let retry: Vec<ChatParticipant> = failed
        .into_iter()
        .map(|(participant, _error)| participant)
        .collect();
    if !retry.is_empty() {
        thread.add_participants(&retry, None)?;
    }
    println!("add_participants_w_check succeeded");

    // list_participants
    for page in thread.list_participants(None).into_pages(None) {
        for p in page?.items {
            println!("participant: {} ({:?})", p.identifier, p.display_name);
        }
    }

    // remove_participant: two new users, found by listing and by id
    let (user1, user2) = (identity.create_user(None)?, identity.create_user(None)?);
    thread.add_participants(
        &[
            participant(&user1.id, "Fred Flinstone"),
            participant(&user2.id, "Wilma Flinstone"),
        ],
        None,
    )?;
    for p in thread.list_participants(None) {
        let p = p?;
        if p.identifier.raw_id() == user1.id {
            thread.remove_participant(&p.identifier, None)?;
            println!("Fred has been removed from the thread");
        }
    }
    thread.remove_participant(&CommunicationIdentifier::user(user2.id.clone()), None)?;
    println!("Wilma has been removed from the thread");
    identity.delete_user(&user1, None)?;
    identity.delete_user(&user2, None)?;

    // send_typing_notification
    thread.send_typing_notification(Some(SendTypingNotificationOptions {
        sender_display_name: Some("name".into()),
        ..Default::default()
    }))?;
    println!("send_typing_notification succeeded");

    identity.delete_user(&user, None)?;
    identity.delete_user(&new_user, None)?;
    println!("cleaned up: deleted the users");
    Ok(())
}
