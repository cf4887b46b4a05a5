//! Two users, a thread, messages and a paged listing, in one screen.
//! `cargo run --example quickstart` (runs on a local emulator unless ACS env vars are set).

mod support;

use acs_chat_blocking::{
    models::{
        ChatParticipant, CommunicationIdentifier, CommunicationTokenScope, CreateChatThreadOptions,
        ListMessagesOptions,
    },
    ChatClient, CommunicationIdentityClient, CommunicationTokenCredential,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let identity = CommunicationIdentityClient::from_connection_string(
        &target.connection_string,
        Some(target.identity_options()),
    )?;
    let (alice, alice_token) =
        identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)?;
    let (bob, bob_token) =
        identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)?;
    println!("created users alice ({}) and bob ({})", alice.id, bob.id);

    let alice_chat = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(alice_token.token.expose())?,
        Some(target.chat_options()),
    )?;
    let bob_participant = ChatParticipant::new(CommunicationIdentifier::user(bob.id.clone()))
        .with_display_name("Bob");
    let options = CreateChatThreadOptions {
        participants: Some(vec![bob_participant]),
        ..Default::default()
    };
    let thread = alice_chat
        .create_chat_thread("Quickstart", Some(options))?
        .chat_thread;
    println!("alice created thread {}", thread.id);

    let bob_chat = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(bob_token.token.expose())?,
        Some(target.chat_options()),
    )?;
    for (client, text) in [
        (&alice_chat, "Hi Bob!"),
        (&bob_chat, "Hi Alice!"),
        (&alice_chat, "Lunch at noon?"),
    ] {
        let sent = client
            .get_chat_thread_client(&thread.id)
            .send_message(text, None)?;
        println!("sent {text:?} as message {}", sent.id);
    }

    let listing = ListMessagesOptions {
        results_per_page: Some(2),
        ..Default::default()
    };
    for (number, page) in bob_chat
        .get_chat_thread_client(&thread.id)
        .list_messages(Some(listing))
        .into_pages(None)
        .enumerate()
    {
        let page = page?;
        for message in &page.items {
            let text = message
                .content
                .as_ref()
                .and_then(|c| c.message.as_deref())
                .unwrap_or("(system message)");
            println!("page {}: [{}] {text}", number + 1, message.kind);
        }
    }
    alice_chat.delete_chat_thread(&thread.id, None)?;
    identity.delete_user(&alice, None)?;
    identity.delete_user(&bob, None)?;
    println!("cleaned up");
    Ok(())
}
