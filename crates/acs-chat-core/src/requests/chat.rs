//! Chat operations: one builder per REST operation.

use crate::endpoint::{push_encoded, Endpoint, EndpointUrl, PageLink};
use crate::error::{Error, Result};
use crate::http::{HttpRequest, Method, Replay};
use crate::identifier::CommunicationIdentifier;
use crate::models::*;
use crate::options::*;
use crate::time_format;

/// The service's message size limit; larger content is refused before sending.
pub const MAX_MESSAGE_CONTENT_BYTES: usize = 28 * 1024;
/// The service's largest page of messages (the only listing with a documented cap).
pub const MAX_PAGE_SIZE: u32 = 200;

const JSON: &str = "application/json";
const MERGE_PATCH: &str = "application/merge-patch+json";

/// Builds the chat requests of one endpoint and api-version.
#[derive(Debug, Clone)]
pub struct ChatRequests {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The api-version sent.
    pub api_version: String,
}

impl ChatRequests {
    /// For an endpoint and an api-version (`None`: [`crate::DEFAULT_CHAT_API_VERSION`]).
    pub fn new(endpoint: Endpoint, api_version: Option<String>) -> Self {
        ChatRequests {
            endpoint,
            api_version: api_version.unwrap_or_else(|| crate::DEFAULT_CHAT_API_VERSION.to_string()),
        }
    }

    fn url(&self, path: &str, query: Vec<(&str, String)>) -> EndpointUrl {
        let mut all: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push(("api-version", &self.api_version));
        self.endpoint.url(path, &all)
    }

    /// Page one of the listing at `path`.
    fn first_page(
        &self,
        operation: &'static str,
        path: String,
        query: Vec<(&str, String)>,
    ) -> PageLink {
        let url = self.url(&path, query);
        PageLink::first(operation, &self.endpoint, path, &self.api_version, url)
    }

    fn thread_path(operation: &'static str, thread_id: &str, rest: &str) -> Result<String> {
        if thread_id.trim().is_empty() {
            return Err(Error::invalid_argument(operation, "thread_id is empty"));
        }
        let mut path = String::with_capacity(14 + thread_id.len() + 8 + rest.len());
        path.push_str("/chat/threads/");
        push_encoded(&mut path, thread_id);
        path.push_str(rest);
        Ok(path)
    }

    fn message_path(operation: &'static str, thread_id: &str, message_id: &str) -> Result<String> {
        if message_id.trim().is_empty() {
            return Err(Error::invalid_argument(operation, "message_id is empty"));
        }
        let mut rest = String::with_capacity(10 + message_id.len());
        rest.push_str("/messages/");
        push_encoded(&mut rest, message_id);
        Self::thread_path(operation, thread_id, &rest)
    }

    /// `POST /chat/threads` with a `repeatability-request-id` (the caller's token or a fresh UUID).
    pub fn create_chat_thread(
        &self,
        topic: &str,
        options: &CreateChatThreadOptions,
    ) -> Result<HttpRequest> {
        const OP: &str = "ChatClient.create_chat_thread";
        if topic.trim().is_empty() {
            return Err(Error::invalid_argument(OP, "topic is empty"));
        }
        let body = CreateChatThreadRequest {
            topic: topic.to_string(),
            participants: options.participants.clone(),
            metadata: options.metadata.clone(),
            retention_policy: options.retention_policy.clone(),
        };
        let token = options
            .idempotency_key
            .clone()
            .unwrap_or_else(crate::http::new_request_id);
        let mut request =
            HttpRequest::new(OP, Method::Post, self.url("/chat/threads", vec![]), 201)
                .json_body(JSON, &body)?
                .replay(Replay::Safe);
        request.set_header("repeatability-request-id", token);
        Ok(request)
    }

    /// The first page of `GET /chat/threads`.
    pub fn list_chat_threads(&self, options: &ListChatThreadsOptions) -> Result<PageLink> {
        const OP: &str = "ChatClient.list_chat_threads";
        let mut query = page_size(OP, options.results_per_page)?;
        if let Some(t) = options.start_time {
            query.push(("startTime", time_format::format(OP, t)?));
        }
        Ok(self.first_page(OP, "/chat/threads".into(), query))
    }

    /// `DELETE /chat/threads/{id}`.
    pub fn delete_chat_thread(&self, thread_id: &str) -> Result<HttpRequest> {
        const OP: &str = "ChatClient.delete_chat_thread";
        let path = Self::thread_path(OP, thread_id, "")?;
        Ok(HttpRequest::new(
            OP,
            Method::Delete,
            self.url(&path, vec![]),
            204,
        ))
    }

    /// `GET /chat/threads/{id}`.
    pub fn get_properties(&self, thread_id: &str) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.get_properties";
        let path = Self::thread_path(OP, thread_id, "")?;
        Ok(HttpRequest::new(
            OP,
            Method::Get,
            self.url(&path, vec![]),
            200,
        ))
    }

    /// `PATCH /chat/threads/{id}` (merge-patch) with a new topic.
    pub fn update_topic(&self, thread_id: &str, topic: &str) -> Result<HttpRequest> {
        let options = UpdatePropertiesOptions {
            topic: Some(topic.to_string()),
            ..Default::default()
        };
        self.patch_thread("ChatThreadClient.update_topic", thread_id, &options)
    }

    /// `PATCH /chat/threads/{id}` (merge-patch): topic, metadata, retention policy.
    pub fn update_properties(
        &self,
        thread_id: &str,
        options: &UpdatePropertiesOptions,
    ) -> Result<HttpRequest> {
        self.patch_thread("ChatThreadClient.update_properties", thread_id, options)
    }

    fn patch_thread(
        &self,
        operation: &'static str,
        thread_id: &str,
        options: &UpdatePropertiesOptions,
    ) -> Result<HttpRequest> {
        let path = Self::thread_path(operation, thread_id, "")?;
        let body = UpdateChatThreadRequest {
            topic: options.topic.clone(),
            metadata: options.metadata.clone(),
            retention_policy: options.retention_policy.clone(),
        };
        HttpRequest::new(operation, Method::Patch, self.url(&path, vec![]), 204)
            .json_body(MERGE_PATCH, &body)
    }

    /// `POST /chat/threads/{id}/messages`.
    pub fn send_message(
        &self,
        thread_id: &str,
        content: &str,
        options: &SendMessageOptions,
    ) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.send_message";
        check_content(OP, content)?;
        let path = Self::thread_path(OP, thread_id, "/messages")?;
        let mut metadata = options.metadata.clone();
        let replay = match options.idempotency_key.as_deref() {
            Some(key) if key.trim().is_empty() => {
                return Err(Error::invalid_argument(OP, "idempotency_key is empty"))
            }
            Some(key) => {
                metadata
                    .get_or_insert_with(Default::default)
                    .insert(IDEMPOTENCY_KEY_METADATA.to_string(), key.to_string());
                Replay::Reconcile
            }
            None => Replay::Unsafe,
        };
        let body = SendChatMessageRequest {
            content: content.to_string(),
            sender_display_name: options.sender_display_name.clone(),
            // Omitted unless given: the service defaults to text, and the official examples omit it.
            kind: options.chat_message_type.clone(),
            metadata,
        };
        Ok(
            HttpRequest::new(OP, Method::Post, self.url(&path, vec![]), 201)
                .json_body(JSON, &body)?
                .replay(replay),
        )
    }

    /// `GET /chat/threads/{id}/messages/{messageId}`.
    pub fn get_message(&self, thread_id: &str, message_id: &str) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.get_message";
        let path = Self::message_path(OP, thread_id, message_id)?;
        Ok(HttpRequest::new(
            OP,
            Method::Get,
            self.url(&path, vec![]),
            200,
        ))
    }

    /// The first page of `GET /chat/threads/{id}/messages`.
    pub fn list_messages(
        &self,
        thread_id: &str,
        options: &ListMessagesOptions,
    ) -> Result<PageLink> {
        const OP: &str = "ChatThreadClient.list_messages";
        let path = Self::thread_path(OP, thread_id, "/messages")?;
        let mut query = page_size(OP, options.results_per_page)?;
        if let Some(t) = options.start_time {
            query.push(("startTime", time_format::format(OP, t)?));
        }
        Ok(self.first_page(OP, path, query))
    }

    /// `PATCH /chat/threads/{id}/messages/{messageId}` (merge-patch).
    pub fn update_message(
        &self,
        thread_id: &str,
        message_id: &str,
        options: &UpdateMessageOptions,
    ) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.update_message";
        if let Some(content) = &options.content {
            check_content(OP, content)?;
        }
        let path = Self::message_path(OP, thread_id, message_id)?;
        let body = UpdateChatMessageRequest {
            content: options.content.clone(),
            metadata: options.metadata.clone(),
        };
        HttpRequest::new(OP, Method::Patch, self.url(&path, vec![]), 204)
            .json_body(MERGE_PATCH, &body)
    }

    /// `DELETE /chat/threads/{id}/messages/{messageId}`.
    pub fn delete_message(&self, thread_id: &str, message_id: &str) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.delete_message";
        let path = Self::message_path(OP, thread_id, message_id)?;
        Ok(HttpRequest::new(
            OP,
            Method::Delete,
            self.url(&path, vec![]),
            204,
        ))
    }

    /// The first page of `GET /chat/threads/{id}/participants`.
    pub fn list_participants(
        &self,
        thread_id: &str,
        options: &ListParticipantsOptions,
    ) -> Result<PageLink> {
        const OP: &str = "ChatThreadClient.list_participants";
        let path = Self::thread_path(OP, thread_id, "/participants")?;
        let mut query = page_size(OP, options.results_per_page)?;
        if let Some(skip) = options.skip {
            query.push(("skip", skip.to_string()));
        }
        Ok(self.first_page(OP, path, query))
    }

    /// `POST /chat/threads/{id}/participants/:add`; `None` for an empty list (no request is made).
    pub fn add_participants(
        &self,
        thread_id: &str,
        participants: &[ChatParticipant],
    ) -> Result<Option<HttpRequest>> {
        const OP: &str = "ChatThreadClient.add_participants";
        let path = Self::thread_path(OP, thread_id, "/participants/:add")?;
        if participants.is_empty() {
            return Ok(None);
        }
        let body = AddChatParticipantsRequest {
            participants: participants.to_vec(),
        };
        Ok(Some(
            HttpRequest::new(OP, Method::Post, self.url(&path, vec![]), 201)
                .json_body(JSON, &body)?
                .replay(Replay::Safe),
        ))
    }

    /// `POST /chat/threads/{id}/participants/:remove` with the bare identifier model.
    pub fn remove_participant(
        &self,
        thread_id: &str,
        identifier: &CommunicationIdentifier,
    ) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.remove_participant";
        let path = Self::thread_path(OP, thread_id, "/participants/:remove")?;
        Ok(
            HttpRequest::new(OP, Method::Post, self.url(&path, vec![]), 204)
                .json_body(JSON, identifier)?
                .replay(Replay::Safe),
        )
    }

    /// `POST /chat/threads/{id}/typing`.
    pub fn send_typing_notification(
        &self,
        thread_id: &str,
        options: &SendTypingNotificationOptions,
    ) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.send_typing_notification";
        let path = Self::thread_path(OP, thread_id, "/typing")?;
        let body = SendTypingNotificationRequest {
            sender_display_name: options.sender_display_name.clone(),
        };
        Ok(
            HttpRequest::new(OP, Method::Post, self.url(&path, vec![]), 200)
                .json_body(JSON, &body)?
                .replay(Replay::Safe),
        )
    }

    /// `POST /chat/threads/{id}/readReceipts`.
    pub fn send_read_receipt(&self, thread_id: &str, message_id: &str) -> Result<HttpRequest> {
        const OP: &str = "ChatThreadClient.send_read_receipt";
        if message_id.trim().is_empty() {
            return Err(Error::invalid_argument(OP, "message_id is empty"));
        }
        let path = Self::thread_path(OP, thread_id, "/readReceipts")?;
        let body = SendReadReceiptRequest {
            chat_message_id: message_id.to_string(),
        };
        Ok(
            HttpRequest::new(OP, Method::Post, self.url(&path, vec![]), 200)
                .json_body(JSON, &body)?
                .replay(Replay::Safe),
        )
    }

    /// The first page of `GET /chat/threads/{id}/readReceipts`.
    pub fn list_read_receipts(
        &self,
        thread_id: &str,
        options: &ListReadReceiptsOptions,
    ) -> Result<PageLink> {
        const OP: &str = "ChatThreadClient.list_read_receipts";
        let path = Self::thread_path(OP, thread_id, "/readReceipts")?;
        let mut query = page_size(OP, options.results_per_page)?;
        if let Some(skip) = options.skip {
            query.push(("skip", skip.to_string()));
        }
        Ok(self.first_page(OP, path, query))
    }
}

/// `GET` one page of a listing (page one from a list builder, a later one from
/// [`PageLink::follow`]).
pub fn get_page(link: &PageLink) -> HttpRequest {
    HttpRequest::new(link.operation(), Method::Get, link.url().clone(), 200)
}

fn check_content(operation: &'static str, content: &str) -> Result<()> {
    if content.len() > MAX_MESSAGE_CONTENT_BYTES {
        return Err(Error::invalid_argument(
            operation,
            format!(
                "content is {} bytes; the service accepts at most {MAX_MESSAGE_CONTENT_BYTES}",
                content.len()
            ),
        ));
    }
    Ok(())
}

fn page_size(operation: &'static str, size: Option<u32>) -> Result<Vec<(&'static str, String)>> {
    // Only message listings document a largest page; the others take any positive int32.
    let max = if operation == "ChatThreadClient.list_messages" {
        MAX_PAGE_SIZE
    } else {
        i32::MAX as u32
    };
    match size {
        None => Ok(vec![]),
        Some(n) if (1..=max).contains(&n) => Ok(vec![("maxPageSize", n.to_string())]),
        Some(n) => Err(Error::invalid_argument(
            operation,
            format!("results_per_page is {n}; it must be 1..={max}"),
        )),
    }
}
