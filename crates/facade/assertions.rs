//! Compile-time checks of what servers rely on: clients and credentials are `Send + Sync + Clone +
//! 'static`; every operation's future (async facade) or result (blocking facade) is `Send`;
//! pagers are `Send + 'static`. Nothing here runs: it only has to compile.

#![allow(dead_code)]

use super::models::*;
use super::*;
use crate::rt::ItemPager;

fn shared<T: Send + Sync + Clone + 'static>() {}
fn owned<T: Send + 'static>(_: &T) {}
fn sendable<T: Send>(_: T) {}

fn clients_are_shared() {
    shared::<ChatClient>();
    shared::<ChatThreadClient>();
    shared::<CommunicationIdentityClient>();
    shared::<CommunicationTokenCredential>();
}

fn operations_are_send(
    client: &ChatClient,
    thread: &ChatThreadClient,
    identity: &CommunicationIdentityClient,
    credential: &CommunicationTokenCredential,
    who: &CommunicationIdentifier,
    user: &CommunicationUserIdentifier,
) {
    sendable(credential.get_token());
    sendable(client.create_chat_thread("", None));
    sendable(client.list_chat_threads_page(None, None));
    sendable(client.delete_chat_thread("", None));
    sendable(thread.get_properties(None));
    sendable(thread.update_topic("", None));
    sendable(thread.update_properties(None));
    sendable(thread.send_message("", None));
    sendable(thread.get_message("", None));
    sendable(thread.list_messages_page(None, None));
    sendable(thread.update_message("", None));
    sendable(thread.delete_message("", None));
    sendable(thread.list_participants_page(None, None));
    sendable(thread.add_participants(&[], None));
    sendable(thread.remove_participant(who, None));
    sendable(thread.send_typing_notification(None));
    sendable(thread.send_read_receipt("", None));
    sendable(thread.list_read_receipts_page(None, None));
    sendable(identity.create_user(None));
    sendable(identity.create_user_and_token(&[], None));
    sendable(identity.get_token(user, &[], None));
    sendable(identity.revoke_tokens(user, None));
    sendable(identity.delete_user(user, None));
}

fn pagers_are_owned(client: &ChatClient, thread: &ChatThreadClient) {
    let threads: ItemPager<ChatThreadItem> = client.list_chat_threads(None);
    owned(&threads);
    owned(&thread.list_messages(None));
    owned(&thread.list_participants(None));
    owned(&thread.list_read_receipts(None));
    owned(&threads.into_pages(None));
}
