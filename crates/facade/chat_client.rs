//! `ChatClient`: create, list and delete threads; hands out `ChatThreadClient`s.

use super::chat_core::ChatCore;
use super::chat_thread_client::ChatThreadClient;
use super::token_credential::CommunicationTokenCredential;
use crate::rt::{maybe_async, ItemPager};
use acs_chat_core::*;
use std::sync::Arc;

/// The entry point for chat: creates, lists and deletes threads.
///
/// Cheap to clone; clones and the thread clients it hands out share one connection pool and
/// one credential.
#[derive(Clone)]
pub struct ChatClient {
    core: Arc<ChatCore>,
}

impl std::fmt::Debug for ChatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatClient")
            .field("endpoint", &self.core.requests.endpoint.as_str())
            .field("api_version", &self.core.requests.api_version)
            .finish()
    }
}

impl ChatClient {
    /// A client for `endpoint` (e.g. `https://<resource>.communication.azure.com`) acting as the
    /// user of `credential`. Plain `http://` is refused except for loopback hosts.
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
        options: Option<ChatClientOptions>,
    ) -> Result<Self> {
        Ok(ChatClient {
            core: Arc::new(ChatCore::new(endpoint, credential, options)?),
        })
    }

    /// A client for the same endpoint and options acting as the user of `credential`, on this
    /// client's transport: no new connection pool, TLS set-up or trust store, so a server acting
    /// for many users makes each user's client for the cost of a few allocations.
    ///
    /// ```no_run
    #[doc = concat!("use ", env!("CARGO_CRATE_NAME"), "::{ChatClient, CommunicationTokenCredential};")]
    ///
    /// # fn example(service: &ChatClient, user_token: &str) -> Result<(), Box<dyn std::error::Error>> {
    /// let as_user = service.with_credential(CommunicationTokenCredential::new(user_token)?);
    /// # let _ = as_user;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_credential(&self, credential: CommunicationTokenCredential) -> ChatClient {
        ChatClient {
            core: Arc::new(self.core.with_credential(credential)),
        }
    }

    /// A client for one thread, sharing this client's connections and credential.
    pub fn get_chat_thread_client(&self, thread_id: impl Into<String>) -> ChatThreadClient {
        ChatThreadClient::from_core(self.core.clone(), thread_id.into())
    }

    /// The endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        self.core.requests.endpoint.as_str()
    }
}

#[maybe_async]
impl ChatClient {
    /// Creates a thread; the caller becomes a participant. Returns the thread and the participants
    /// that could not be added, each with the service's error. The same `idempotency_key`
    /// returns the same thread.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) with the service's status and code (400 for an
    /// invalid topic or participant); [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("client: &ChatClient", "client.create_chat_thread(\"lunch\", None)")]
    pub async fn create_chat_thread(
        &self,
        topic: &str,
        options: Option<CreateChatThreadOptions>,
    ) -> Result<CreateChatThreadOutcome> {
        self.create_chat_thread_with_response(topic, options)
            .await
            .map(Response::into_value)
    }

    /// [`create_chat_thread`](Self::create_chat_thread), with the metadata of the response: its
    /// status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`create_chat_thread`](Self::create_chat_thread).
    ///
    /// # Example
    ///
    #[doc = response_example!("client: &ChatClient", "client.create_chat_thread_with_response(\"lunch\", None)")]
    pub async fn create_chat_thread_with_response(
        &self,
        topic: &str,
        options: Option<CreateChatThreadOptions>,
    ) -> Result<Response<CreateChatThreadOutcome>> {
        let options = options.unwrap_or_default();
        let request = self.core.requests.create_chat_thread(topic, &options);
        let response: Response<CreateChatThreadResult> =
            self.core.json(request, &options.method_options).await?;
        let requested = options.participants.unwrap_or_default();
        Ok(response.map(|result| result.into_outcome(&requested)))
    }

    /// The threads the user participates in, newest activity first: an iterator (blocking) or a
    /// stream (async) of items, with `into_pages()` for pages and continuation tokens.
    ///
    /// # Errors
    ///
    /// Each item is a `Result`: a page that fails yields the error of the `_page` method once, and
    /// the listing ends.
    ///
    /// # Example
    ///
    #[doc = pager_example!("client: &ChatClient", "client.list_chat_threads(None)")]
    pub fn list_chat_threads(
        &self,
        options: Option<ListChatThreadsOptions>,
    ) -> ItemPager<ChatThreadItem> {
        let options = options.unwrap_or_default();
        let first = self.core.requests.list_chat_threads(&options);
        ChatCore::pager(&self.core, first, options.method_options)
    }

    /// One page of [`list_chat_threads`](Self::list_chat_threads): the first page, or the page of a
    /// saved continuation token (then `options` is not used: the token carries them).
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) with the service's status and code,
    /// [`Error::InvalidContinuationToken`](crate::Error::InvalidContinuationToken) for a token that
    /// does not resume this listing on this endpoint; [`Error::Transport`](crate::Error::Transport)
    /// or [`Error::Timeout`](crate::Error::Timeout) when no answer came within the call's budget
    /// (`method_options.timeout`, else the client's retry budget), and
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing sent, for a
    /// malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("client: &ChatClient", "client.list_chat_threads_page(None, None)")]
    pub async fn list_chat_threads_page(
        &self,
        continuation_token: Option<&str>,
        options: Option<ListChatThreadsOptions>,
    ) -> Result<Page<ChatThreadItem>> {
        let options = options.unwrap_or_default();
        let first = self.core.requests.list_chat_threads(&options);
        self.core
            .page_or_first(continuation_token, first, &options.method_options)
            .await
    }

    /// Deletes a thread (for every participant). Deleting a deleted thread succeeds.
    ///
    /// # Errors
    ///
    /// [`Error::Service`](crate::Error::Service) (403 when the user may not delete it);
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout)
    /// when no answer came within the call's budget (`method_options.timeout`, else the client's
    /// retry budget), and [`Error::InvalidArgument`](crate::Error::InvalidArgument), with nothing
    /// sent, for a malformed argument or `method_options`.
    ///
    /// # Example
    ///
    #[doc = example!("client: &ChatClient", "client.delete_chat_thread(\"19:abc@thread.v2\", None)")]
    pub async fn delete_chat_thread(
        &self,
        thread_id: &str,
        options: Option<DeleteChatThreadOptions>,
    ) -> Result<()> {
        self.delete_chat_thread_with_response(thread_id, options)
            .await
            .map(Response::into_value)
    }

    /// [`delete_chat_thread`](Self::delete_chat_thread), with the metadata of the response: its
    /// status, `MS-CV`, request ids and headers.
    ///
    /// # Errors
    ///
    /// As [`delete_chat_thread`](Self::delete_chat_thread).
    ///
    /// # Example
    ///
    #[doc = response_example!("client: &ChatClient", "client.delete_chat_thread_with_response(\"19:abc@thread.v2\", None)")]
    pub async fn delete_chat_thread_with_response(
        &self,
        thread_id: &str,
        options: Option<DeleteChatThreadOptions>,
    ) -> Result<Response<()>> {
        let request = self.core.requests.delete_chat_thread(thread_id);
        self.core
            .empty(request, &options.unwrap_or_default().method_options)
            .await
    }
}
