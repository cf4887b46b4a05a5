//! Listing a thread's messages page by page, stopping, and resuming later from a saved
//! continuation token with a new client: every message is read exactly once.
//! `cargo run --example resume_listing` (runs on a local emulator unless ACS env vars are set).

mod support;

use acs_chat_blocking::{
    models::{ChatMessageType, CommunicationTokenScope, ListMessagesOptions},
    ChatClient, CommunicationIdentityClient, CommunicationTokenCredential,
};
use std::collections::HashSet;
use std::path::Path;

const SENT: usize = 23;
const PAGE_SIZE: u32 = 5;
const PAGES_BEFORE_STOPPING: usize = 2;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let identity = CommunicationIdentityClient::from_connection_string(
        &target.connection_string,
        Some(target.identity_options()),
    )?;
    let (user, token) = identity.create_user_and_token(&[CommunicationTokenScope::Chat], None)?;

    let chat = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(token.token.expose())?,
        Some(target.chat_options()),
    )?;
    let thread = chat.create_chat_thread("Resume", None)?.chat_thread;
    let thread_client = chat.get_chat_thread_client(&thread.id);
    for n in 1..=SENT {
        thread_client.send_message(&format!("message {n}"), None)?;
    }
    println!("sent {SENT} messages to thread {}", thread.id);

    // What one uninterrupted listing returns (newest first, system messages included).
    let all: Vec<String> = thread_client
        .list_messages(Some(page_size()))
        .map(|message| message.map(|m| m.id))
        .collect::<Result<_, _>>()?;
    println!(
        "one uninterrupted listing: {} messages (the {SENT} sent and the thread's system messages)",
        all.len()
    );

    let saved = std::env::temp_dir().join(format!(
        "acs-chat-resume-listing-{}.token",
        std::process::id()
    ));
    let before = first_session(&target, token.token.expose(), &thread.id, &saved)?;
    let after = second_session(&target, token.token.expose(), &thread.id, &saved)?;
    std::fs::remove_file(&saved)?;

    let mut read = before.clone();
    read.extend(after.iter().cloned());
    let distinct: HashSet<&String> = read.iter().collect();
    println!(
        "read {} messages before stopping and {} after resuming: {} in all, {} distinct",
        before.len(),
        after.len(),
        read.len(),
        distinct.len()
    );
    if read != all {
        return Err("the two sessions did not read exactly what one listing reads".into());
    }
    println!("exactly the uninterrupted listing, in its order: nothing lost, nothing repeated");

    chat.delete_chat_thread(&thread.id, None)?;
    identity.delete_user(&user, None)?;
    println!("cleaned up");
    Ok(())
}

fn page_size() -> ListMessagesOptions {
    ListMessagesOptions {
        results_per_page: Some(PAGE_SIZE),
        ..Default::default()
    }
}

/// Reads a few pages, saves where the listing goes on, and stops (the client is dropped).
fn first_session(
    target: &support::Target,
    token: &str,
    thread_id: &str,
    saved: &Path,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let chat = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(token)?,
        Some(target.chat_options()),
    )?;
    let pages = chat
        .get_chat_thread_client(thread_id)
        .list_messages(Some(page_size()))
        .into_pages(None);
    let mut ids = Vec::new();
    let mut continuation_token = None;
    for (number, page) in pages.take(PAGES_BEFORE_STOPPING).enumerate() {
        let page = page?;
        println!(
            "session 1, page {}: {} messages ({})",
            number + 1,
            page.items.len(),
            describe(&page.items)
        );
        ids.extend(page.items.iter().map(|m| m.id.clone()));
        continuation_token = page.continuation_token;
    }
    let continuation_token = continuation_token.ok_or("the listing ended before we stopped")?;
    // A continuation token is a URL on the endpoint, with no credential in it: it can be kept
    // anywhere (a file, a database, a user's session) and resumes only this listing.
    std::fs::write(saved, &continuation_token)?;
    println!(
        "session 1: stopped; continuation token saved to {}",
        saved.display()
    );
    Ok(ids)
}

/// A new client resumes from the saved token: one page with `list_messages_page`, then the rest
/// with `into_pages(Some(..))`.
fn second_session(
    target: &support::Target,
    token: &str,
    thread_id: &str,
    saved: &Path,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let continuation_token = std::fs::read_to_string(saved)?;
    let chat = ChatClient::new(
        &target.endpoint,
        CommunicationTokenCredential::new(token)?,
        Some(target.chat_options()),
    )?;
    let thread_client = chat.get_chat_thread_client(thread_id);

    let page = thread_client.list_messages_page(Some(&continuation_token), Some(page_size()))?;
    println!(
        "session 2, page 1 (list_messages_page): {} messages ({})",
        page.items.len(),
        describe(&page.items)
    );
    let mut ids: Vec<String> = page.items.iter().map(|m| m.id.clone()).collect();

    if let Some(next) = page.continuation_token {
        let pages = thread_client
            .list_messages(Some(page_size()))
            .into_pages(Some(next));
        for (number, page) in pages.enumerate() {
            let page = page?;
            println!(
                "session 2, page {} (into_pages): {} messages ({})",
                number + 2,
                page.items.len(),
                describe(&page.items)
            );
            ids.extend(page.items.iter().map(|m| m.id.clone()));
        }
    }
    Ok(ids)
}

/// "message 23 … message 19", or the system messages' kinds.
fn describe(messages: &[acs_chat_blocking::models::ChatMessage]) -> String {
    messages
        .iter()
        .map(|m| match (&m.kind, m.content.as_ref()) {
            (ChatMessageType::Text, Some(content)) => content.message.clone().unwrap_or_default(),
            (kind, _) => format!("system: {kind}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
