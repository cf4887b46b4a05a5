//! `ChatThreadClient`: everything inside one thread.

use super::chat_core::ChatCore;
use super::token_credential::CommunicationTokenCredential;
use crate::rt::{maybe_async, ItemPager};
use acs_chat_core::models::pair_invalid_participants;
use acs_chat_core::*;
use std::sync::Arc;

/// Operations on one thread: properties, messages, participants, typing and read receipts.
#[derive(Clone)]
pub struct ChatThreadClient {
    core: Arc<ChatCore>,
    thread_id: String,
}

impl std::fmt::Debug for ChatThreadClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatThreadClient")
            .field("endpoint", &self.core.requests.endpoint.as_str())
            .field("thread_id", &self.thread_id)
            .finish()
    }
}

impl ChatThreadClient {
    /// A client for `thread_id` with its own pipeline. Prefer
    /// `ChatClient::get_chat_thread_client`, which shares the chat client's connections.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidEndpoint`](crate::Error::InvalidEndpoint) for an endpoint that is not an
    /// absolute `https://` URL, [`Error::InsecureEndpoint`](crate::Error::InsecureEndpoint) for
    /// plain `http://` to a host that is not loopback, and the transport's error if extra CA
    /// certificates do not parse.
    pub fn new(
        endpoint: &str,
        credential: CommunicationTokenCredential,
        thread_id: impl Into<String>,
        options: Option<ChatClientOptions>,
    ) -> Result<Self> {
        let core = ChatCore::new(endpoint, credential, options)?;
        Ok(Self::from_core(Arc::new(core), thread_id.into()))
    }

    pub(crate) fn from_core(core: Arc<ChatCore>, thread_id: String) -> Self {
        ChatThreadClient { core, thread_id }
    }

    /// The thread id.
    pub fn thread_id(&self) -> &str {
        &self.thread_id
    }
}

#[maybe_async]
impl ChatThreadClient {
    /// The thread's properties.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 for a non-participant, 404 for an unknown
    /// thread); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.get_properties(None)")]
    pub async fn get_properties(
        &self,
        options: Option<GetPropertiesOptions>,
    ) -> Result<ChatThreadProperties> {
        self.get_properties_with_response(options)
            .await
            .map(Response::into_value)
    }

    /// [`get_properties`](Self::get_properties), with the metadata of the response: its status,
    /// `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`get_properties`](Self::get_properties).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.get_properties_with_response(None)")]
    pub async fn get_properties_with_response(
        &self,
        options: Option<GetPropertiesOptions>,
    ) -> Result<Response<ChatThreadProperties>> {
        let request = self.core.requests.get_properties(&self.thread_id);
        self.core
            .json(request, &options.unwrap_or_default().method_options)
            .await
    }

    /// Changes the topic.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (400 for an invalid topic, 403 for a
    /// non-participant); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.update_topic(\"dinner\", None)")]
    pub async fn update_topic(
        &self,
        topic: &str,
        options: Option<UpdateTopicOptions>,
    ) -> Result<()> {
        self.update_topic_with_response(topic, options)
            .await
            .map(Response::into_value)
    }

    /// [`update_topic`](Self::update_topic), with the metadata of the response: its status, `MS-
    /// CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`update_topic`](Self::update_topic).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.update_topic_with_response(\"dinner\", None)")]
    pub async fn update_topic_with_response(
        &self,
        topic: &str,
        options: Option<UpdateTopicOptions>,
    ) -> Result<Response<()>> {
        let request = self.core.requests.update_topic(&self.thread_id, topic);
        self.core
            .empty(request, &options.unwrap_or_default().method_options)
            .await
    }

    /// Changes any of topic, metadata and retention policy (2025-03-15).
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (400 for invalid metadata or retention, 403 for a
    /// non-participant); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.update_properties(Some(UpdatePropertiesOptions { topic: Some(\"dinner\".into()), ..Default::default() }))")]
    pub async fn update_properties(&self, options: Option<UpdatePropertiesOptions>) -> Result<()> {
        self.update_properties_with_response(options)
            .await
            .map(Response::into_value)
    }

    /// [`update_properties`](Self::update_properties), with the metadata of the response: its
    /// status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`update_properties`](Self::update_properties).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.update_properties_with_response(Some(UpdatePropertiesOptions { topic: Some(\"dinner\".into()), ..Default::default() }))")]
    pub async fn update_properties_with_response(
        &self,
        options: Option<UpdatePropertiesOptions>,
    ) -> Result<Response<()>> {
        let options = options.unwrap_or_default();
        let request = self
            .core
            .requests
            .update_properties(&self.thread_id, &options);
        self.core.empty(request, &options.method_options).await
    }

    /// Sends a message (`text` unless `chat_message_type` says `html`); returns its id. With an
    /// `idempotency_key` (or `generate_idempotency_keys` on the client) the send is exactly-once:
    /// see [`SendMessageOptions::idempotency_key`].
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 for a non-participant),
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for content over the service's
    /// limit; without an idempotency key, an ambiguous failure (the request may have been stored)
    /// is returned rather than retried; [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.send_message(\"hello\", None)")]
    pub async fn send_message(
        &self,
        content: &str,
        options: Option<SendMessageOptions>,
    ) -> Result<SendChatMessageResult> {
        self.send_message_with_response(content, options)
            .await
            .map(Response::into_value)
    }

    /// [`send_message`](Self::send_message), with the metadata of the response: its status,
    /// `MS-CV`, request ids and headers. After an ambiguous attempt of a keyed send that was
    /// settled by finding the message, it is the metadata of the listing request that found it
    /// (status 200).
    ///
    /// # Errors
    ///
    /// As [`send_message`](Self::send_message).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.send_message_with_response(\"hello\", None)")]
    pub async fn send_message_with_response(
        &self,
        content: &str,
        options: Option<SendMessageOptions>,
    ) -> Result<Response<SendChatMessageResult>> {
        let mut options = options.unwrap_or_default();
        if options.idempotency_key.is_none() && self.core.generate_idempotency_keys {
            options.idempotency_key = Some(acs_chat_core::http::new_request_id());
        }
        let request = self
            .core
            .requests
            .send_message(&self.thread_id, content, &options)?;
        match &options.idempotency_key {
            Some(key) => {
                self.core
                    .send_exactly_once(&self.thread_id, request, key, &options.method_options)
                    .await
            }
            None => self.core.json(Ok(request), &options.method_options).await,
        }
    }

    /// One message.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (400 for a malformed id, 404 for an unknown
    /// message); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.get_message(\"1700000000000\", None)")]
    pub async fn get_message(
        &self,
        message_id: &str,
        options: Option<GetMessageOptions>,
    ) -> Result<ChatMessage> {
        self.get_message_with_response(message_id, options)
            .await
            .map(Response::into_value)
    }

    /// [`get_message`](Self::get_message), with the metadata of the response: its status, `MS-CV`,
    /// request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`get_message`](Self::get_message).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.get_message_with_response(\"1700000000000\", None)")]
    pub async fn get_message_with_response(
        &self,
        message_id: &str,
        options: Option<GetMessageOptions>,
    ) -> Result<Response<ChatMessage>> {
        let request = self.core.requests.get_message(&self.thread_id, message_id);
        self.core
            .json(request, &options.unwrap_or_default().method_options)
            .await
    }

    /// The messages, newest first, system messages included.
    ///
    /// # Errors
    ///
    /// Each item is a `Result`: a page that fails yields the error of the `_page` method once, and
    /// the listing ends.
    ///
    /// # Example
    ///
    #[doc = pager_example!("thread: &ChatThreadClient", "thread.list_messages(None)")]
    pub fn list_messages(&self, options: Option<ListMessagesOptions>) -> ItemPager<ChatMessage> {
        let options = options.unwrap_or_default();
        let first = self.core.requests.list_messages(&self.thread_id, &options);
        ChatCore::pager(&self.core, first, options.method_options)
    }

    /// One page of [`list_messages`](Self::list_messages).
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 for a non-participant),
    /// [`Error::InvalidContinuationToken`](crate::Error::InvalidContinuationToken) for a token that
    /// does not resume this listing on this endpoint; [`Error::Transport`](crate::Error::Transport)
    /// or [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.list_messages_page(None, None)")]
    pub async fn list_messages_page(
        &self,
        continuation_token: Option<&str>,
        options: Option<ListMessagesOptions>,
    ) -> Result<Page<ChatMessage>> {
        let options = options.unwrap_or_default();
        let first = self.core.requests.list_messages(&self.thread_id, &options);
        self.core
            .page_or_first(continuation_token, first, &options.method_options)
            .await
    }

    /// Edits a message's content and/or metadata.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 when the message is not the user's, 404 for
    /// an unknown message); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.update_message(\"1700000000000\", Some(UpdateMessageOptions { content: Some(\"edited\".into()), ..Default::default() }))")]
    pub async fn update_message(
        &self,
        message_id: &str,
        options: Option<UpdateMessageOptions>,
    ) -> Result<()> {
        self.update_message_with_response(message_id, options)
            .await
            .map(Response::into_value)
    }

    /// [`update_message`](Self::update_message), with the metadata of the response: its status,
    /// `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`update_message`](Self::update_message).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.update_message_with_response(\"1700000000000\", Some(UpdateMessageOptions { content: Some(\"edited\".into()), ..Default::default() }))")]
    pub async fn update_message_with_response(
        &self,
        message_id: &str,
        options: Option<UpdateMessageOptions>,
    ) -> Result<Response<()>> {
        let options = options.unwrap_or_default();
        let request = self
            .core
            .requests
            .update_message(&self.thread_id, message_id, &options);
        self.core.empty(request, &options.method_options).await
    }

    /// Deletes a message.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 when the message is not the user's);
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout)
    /// when no answer came within the call's budget (`method_options.timeout`, else the client's
    /// retry budget), and [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing
    /// sent, for a malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.delete_message(\"1700000000000\", None)")]
    pub async fn delete_message(
        &self,
        message_id: &str,
        options: Option<DeleteMessageOptions>,
    ) -> Result<()> {
        self.delete_message_with_response(message_id, options)
            .await
            .map(Response::into_value)
    }

    /// [`delete_message`](Self::delete_message), with the metadata of the response: its status,
    /// `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`delete_message`](Self::delete_message).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.delete_message_with_response(\"1700000000000\", None)")]
    pub async fn delete_message_with_response(
        &self,
        message_id: &str,
        options: Option<DeleteMessageOptions>,
    ) -> Result<Response<()>> {
        let request = self
            .core
            .requests
            .delete_message(&self.thread_id, message_id);
        self.core
            .empty(request, &options.unwrap_or_default().method_options)
            .await
    }

    /// The participants.
    ///
    /// # Errors
    ///
    /// Each item is a `Result`: a page that fails yields the error of the `_page` method once, and
    /// the listing ends.
    ///
    /// # Example
    ///
    #[doc = pager_example!("thread: &ChatThreadClient", "thread.list_participants(None)")]
    pub fn list_participants(
        &self,
        options: Option<ListParticipantsOptions>,
    ) -> ItemPager<ChatParticipant> {
        let options = options.unwrap_or_default();
        let first = self
            .core
            .requests
            .list_participants(&self.thread_id, &options);
        ChatCore::pager(&self.core, first, options.method_options)
    }

    /// One page of [`list_participants`](Self::list_participants).
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 for a non-participant),
    /// [`Error::InvalidContinuationToken`](crate::Error::InvalidContinuationToken) for a token that
    /// does not resume this listing on this endpoint; [`Error::Transport`](crate::Error::Transport)
    /// or [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.list_participants_page(None, None)")]
    pub async fn list_participants_page(
        &self,
        continuation_token: Option<&str>,
        options: Option<ListParticipantsOptions>,
    ) -> Result<Page<ChatParticipant>> {
        let options = options.unwrap_or_default();
        let first = self
            .core
            .requests
            .list_participants(&self.thread_id, &options);
        self.core
            .page_or_first(continuation_token, first, &options.method_options)
            .await
    }

    /// Adds participants; returns those the service refused, each with its error (empty when all
    /// were added). An empty list sends no request.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) when the whole request is refused (participants
    /// refused one by one are returned, not errors); [`Error::Transport`](crate::Error::Transport)
    /// or [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.add_participants(&[ChatParticipant::new(CommunicationIdentifier::user(\"8:acs:...\")).with_display_name(\"Bob\")], None)")]
    pub async fn add_participants(
        &self,
        participants: &[ChatParticipant],
        options: Option<AddParticipantsOptions>,
    ) -> Result<Vec<(ChatParticipant, ChatError)>> {
        if participants.is_empty() {
            // Nothing to add: nothing is sent (the thread id is still checked).
            self.core
                .requests
                .add_participants(&self.thread_id, participants)?;
            return Ok(Vec::new());
        }
        self.add_participants_with_response(participants, options)
            .await
            .map(Response::into_value)
    }

    /// [`add_participants`](Self::add_participants), with the metadata of the response: its
    /// status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`add_participants`](Self::add_participants), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an empty `participants`
    /// (nothing is sent, so there is no response).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.add_participants_with_response(&[ChatParticipant::new(CommunicationIdentifier::user(\"8:acs:...\")).with_display_name(\"Bob\")], None)")]
    pub async fn add_participants_with_response(
        &self,
        participants: &[ChatParticipant],
        options: Option<AddParticipantsOptions>,
    ) -> Result<Response<Vec<(ChatParticipant, ChatError)>>> {
        let Some(request) = self
            .core
            .requests
            .add_participants(&self.thread_id, participants)?
        else {
            return Err(Error::invalid_argument(
                "ChatThreadClient.add_participants",
                "`participants` is empty: nothing was sent, so there is no response",
            ));
        };
        let response: Response<AddChatParticipantsResult> = self
            .core
            .json(Ok(request), &options.unwrap_or_default().method_options)
            .await?;
        Ok(response
            .map(|result| pair_invalid_participants(participants, result.invalid_participants)))
    }

    /// Removes a participant.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (400 for a malformed identifier, 403 for a
    /// non-participant); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.remove_participant(&CommunicationIdentifier::user(\"8:acs:...\"), None)")]
    pub async fn remove_participant(
        &self,
        identifier: &CommunicationIdentifier,
        options: Option<RemoveParticipantOptions>,
    ) -> Result<()> {
        self.remove_participant_with_response(identifier, options)
            .await
            .map(Response::into_value)
    }

    /// [`remove_participant`](Self::remove_participant), with the metadata of the response: its
    /// status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`remove_participant`](Self::remove_participant).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.remove_participant_with_response(&CommunicationIdentifier::user(\"8:acs:...\"), None)")]
    pub async fn remove_participant_with_response(
        &self,
        identifier: &CommunicationIdentifier,
        options: Option<RemoveParticipantOptions>,
    ) -> Result<Response<()>> {
        let request = self
            .core
            .requests
            .remove_participant(&self.thread_id, identifier);
        self.core
            .empty(request, &options.unwrap_or_default().method_options)
            .await
    }

    /// Tells the other participants the user is typing.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 for a non-participant);
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout)
    /// when no answer came within the call's budget (`method_options.timeout`, else the client's
    /// retry budget), and [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing
    /// sent, for a malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.send_typing_notification(None)")]
    pub async fn send_typing_notification(
        &self,
        options: Option<SendTypingNotificationOptions>,
    ) -> Result<()> {
        self.send_typing_notification_with_response(options)
            .await
            .map(Response::into_value)
    }

    /// [`send_typing_notification`](Self::send_typing_notification), with the metadata of the
    /// response: its status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`send_typing_notification`](Self::send_typing_notification).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.send_typing_notification_with_response(None)")]
    pub async fn send_typing_notification_with_response(
        &self,
        options: Option<SendTypingNotificationOptions>,
    ) -> Result<Response<()>> {
        let options = options.unwrap_or_default();
        let request = self
            .core
            .requests
            .send_typing_notification(&self.thread_id, &options);
        self.core.empty(request, &options.method_options).await
    }

    /// Marks a message (and all before it) as read by the user.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 for a non-participant, 404 for an unknown
    /// message); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.send_read_receipt(\"1700000000000\", None)")]
    pub async fn send_read_receipt(
        &self,
        message_id: &str,
        options: Option<SendReadReceiptOptions>,
    ) -> Result<()> {
        self.send_read_receipt_with_response(message_id, options)
            .await
            .map(Response::into_value)
    }

    /// [`send_read_receipt`](Self::send_read_receipt), with the metadata of the response: its
    /// status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`send_read_receipt`](Self::send_read_receipt).
    ///
    /// # Example
    ///
    #[doc = response_example!("thread: &ChatThreadClient", "thread.send_read_receipt_with_response(\"1700000000000\", None)")]
    pub async fn send_read_receipt_with_response(
        &self,
        message_id: &str,
        options: Option<SendReadReceiptOptions>,
    ) -> Result<Response<()>> {
        let request = self
            .core
            .requests
            .send_read_receipt(&self.thread_id, message_id);
        self.core
            .empty(request, &options.unwrap_or_default().method_options)
            .await
    }

    /// The latest read receipt of each participant.
    ///
    /// # Errors
    ///
    /// Each item is a `Result`: a page that fails yields the error of the `_page` method once, and
    /// the listing ends.
    ///
    /// # Example
    ///
    #[doc = pager_example!("thread: &ChatThreadClient", "thread.list_read_receipts(None)")]
    pub fn list_read_receipts(
        &self,
        options: Option<ListReadReceiptsOptions>,
    ) -> ItemPager<ChatMessageReadReceipt> {
        let options = options.unwrap_or_default();
        let first = self
            .core
            .requests
            .list_read_receipts(&self.thread_id, &options);
        ChatCore::pager(&self.core, first, options.method_options)
    }

    /// One page of [`list_read_receipts`](Self::list_read_receipts).
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 for a non-participant),
    /// [`Error::InvalidContinuationToken`](crate::Error::InvalidContinuationToken) for a token that
    /// does not resume this listing on this endpoint; [`Error::Transport`](crate::Error::Transport)
    /// or [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("thread: &ChatThreadClient", "thread.list_read_receipts_page(None, None)")]
    pub async fn list_read_receipts_page(
        &self,
        continuation_token: Option<&str>,
        options: Option<ListReadReceiptsOptions>,
    ) -> Result<Page<ChatMessageReadReceipt>> {
        let options = options.unwrap_or_default();
        let first = self
            .core
            .requests
            .list_read_receipts(&self.thread_id, &options);
        self.core
            .page_or_first(continuation_token, first, &options.method_options)
            .await
    }
}
