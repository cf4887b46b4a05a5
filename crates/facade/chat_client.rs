//! `ChatClient`: create, list and delete threads; hands out `ChatThreadClient`s.

use super::chat_thread_client::ChatThreadClient;
use super::pipeline::{Auth, Pipeline, Step};
use super::token_credential::CommunicationTokenCredential;
use crate::rt::{self, maybe_async, paginate, ItemPager};
use acs_chat_core::models::pair_invalid_participants;
use acs_chat_core::paging::check_progress;
use acs_chat_core::requests::{decode_empty, decode_json, decode_page, ChatRequests};
use acs_chat_core::*;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Instant;

/// What `ChatClient` and its `ChatThreadClient`s share: one pipeline (one connection pool, one
/// credential) and one request builder.
pub(crate) struct ChatCore {
    pub(crate) pipeline: Pipeline,
    pub(crate) requests: ChatRequests,
    pub(crate) generate_idempotency_keys: bool,
}

/// How far before the first attempt a keyed send looks for its message: covers clock skew
/// between this machine and the service.
const LOOKUP_MARGIN: time::Duration = time::Duration::minutes(5);

impl ChatCore {
    pub(crate) fn new(
        endpoint: &str,
        credential: CommunicationTokenCredential,
        options: Option<ChatClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let endpoint = Endpoint::parse(endpoint)?;
        Ok(ChatCore {
            pipeline: Pipeline::new(Auth::Bearer(credential), &options)?,
            requests: ChatRequests::new(endpoint, options.api_version.clone()),
            generate_idempotency_keys: options.generate_idempotency_keys,
        })
    }
}

#[maybe_async]
impl ChatCore {
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        request: Result<HttpRequest>,
    ) -> Result<T> {
        let exchange = self.pipeline.send(request?).await?;
        decode_json(exchange)
    }

    pub(crate) async fn empty(&self, request: Result<HttpRequest>) -> Result<()> {
        let exchange = self.pipeline.send(request?).await?;
        decode_empty(exchange)
    }

    pub(crate) async fn page<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        url: String,
        deadline: Option<Instant>,
    ) -> Result<Page<T>> {
        let request = self.requests.page(operation, &url)?;
        let mut call = self.pipeline.call(request, deadline);
        let exchange = self.pipeline.run(&mut call).await?;
        let page = decode_page(
            exchange,
            &self.requests.endpoint,
            &self.requests.api_version,
        )?;
        check_progress(operation, &url, &page)?;
        Ok(page)
    }

    /// One page: the continuation token's, or the first page's.
    pub(crate) async fn page_or_first<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        continuation_token: Option<&str>,
        first: Result<String>,
    ) -> Result<Page<T>> {
        let url = match continuation_token {
            Some(token) => token.to_string(),
            None => first?,
        };
        self.page(operation, url, None).await
    }

    /// Sends a keyed message exactly once: after an attempt that may have taken effect, looks
    /// for a message carrying the key before sending again.
    pub(crate) async fn send_exactly_once(
        &self,
        thread_id: &str,
        request: HttpRequest,
        key: &str,
    ) -> Result<SendChatMessageResult> {
        let since = time::OffsetDateTime::now_utc() - LOOKUP_MARGIN;
        let mut call = self.pipeline.call(request, None);
        loop {
            let (delay, error) = match self.pipeline.attempt(&mut call).await {
                Step::Done(outcome) => return decode_json(outcome?),
                Step::Retry(delay) => {
                    rt::sleep(delay).await;
                    continue;
                }
                Step::Reconcile { delay, error } => (delay, error),
            };
            loop {
                match self
                    .find_keyed_message(thread_id, key, since, call.deadline())
                    .await
                {
                    Ok(Some(id)) => return Ok(SendChatMessageResult { id }),
                    Ok(None) => break,
                    // Unknown whether it was stored: never send again blind; look again.
                    Err(lookup) if Instant::now() + delay < call.deadline() => {
                        log::warn!("looking up an ambiguous send failed: {lookup}");
                        rt::sleep(delay).await;
                    }
                    Err(_) => return Err(error),
                }
            }
            rt::sleep(delay).await;
        }
    }

    pub(crate) fn pager<T: DeserializeOwned + Send + 'static>(
        &self,
        operation: &'static str,
        first: Result<String>,
    ) -> ItemPager<'_, T> {
        paginate(
            PageState::start(operation, first),
            move |url: String| async move { self.page(operation, url, None).await },
        )
    }

    async fn find_keyed_message(
        &self,
        thread_id: &str,
        key: &str,
        since: time::OffsetDateTime,
        deadline: Instant,
    ) -> Result<Option<String>> {
        const OP: &str = "ChatThreadClient.send_message";
        let options = ListMessagesOptions {
            results_per_page: Some(acs_chat_core::requests::MAX_PAGE_SIZE),
            start_time: Some(since),
        };
        let mut pages = PageState::start(OP, self.requests.list_messages_url(thread_id, &options));
        while let Some(url) = pages.next_url() {
            let page: Page<ChatMessage> = self.page(OP, url?, Some(deadline)).await?;
            let found = page.items.iter().find(|m| {
                m.metadata
                    .as_ref()
                    .and_then(|meta| meta.get(IDEMPOTENCY_KEY_METADATA))
                    .is_some_and(|k| k == key)
            });
            if let Some(message) = found {
                return Ok(Some(message.id.clone()));
            }
            pages.after(&page);
        }
        Ok(None)
    }
}

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
    pub fn new(
        endpoint: &str,
        credential: CommunicationTokenCredential,
        options: Option<ChatClientOptions>,
    ) -> Result<Self> {
        Ok(ChatClient {
            core: Arc::new(ChatCore::new(endpoint, credential, options)?),
        })
    }

    /// A client for one thread, sharing this client's connections and credential.
    pub fn get_chat_thread_client(&self, thread_id: impl Into<String>) -> ChatThreadClient {
        ChatThreadClient::from_core(self.core.clone(), thread_id.into())
    }

    /// The endpoint, without a trailing slash.
    pub fn endpoint(&self) -> String {
        self.core.requests.endpoint.as_str()
    }
}

#[maybe_async]
impl ChatClient {
    /// Creates a thread; the caller becomes a participant. Returns the thread and the participants
    /// that could not be added, each with the service's error. The same `idempotency_token`
    /// returns the same thread.
    pub async fn create_chat_thread(
        &self,
        topic: &str,
        options: Option<CreateChatThreadOptions>,
    ) -> Result<CreateChatThreadOutcome> {
        let options = options.unwrap_or_default();
        let request = self.core.requests.create_chat_thread(topic, &options);
        let result: CreateChatThreadResult = self.core.json(request).await?;
        let requested = options.participants.unwrap_or_default();
        Ok(CreateChatThreadOutcome {
            chat_thread: result.chat_thread,
            errors: pair_invalid_participants(&requested, result.invalid_participants),
        })
    }

    /// The threads the user participates in, newest activity first: an iterator (blocking) or a
    /// stream (async) of items, with `by_page()` for pages and continuation tokens.
    pub fn list_chat_threads(
        &self,
        options: Option<ListChatThreadsOptions>,
    ) -> ItemPager<'_, ChatThreadItem> {
        let first = self
            .core
            .requests
            .list_chat_threads_url(&options.unwrap_or_default());
        self.core.pager("ChatClient.list_chat_threads", first)
    }

    /// One page of [`list_chat_threads`](Self::list_chat_threads): the first page, or the page of a
    /// saved continuation token (then `options` is not used: the token carries them).
    pub async fn list_chat_threads_page(
        &self,
        continuation_token: Option<&str>,
        options: Option<ListChatThreadsOptions>,
    ) -> Result<Page<ChatThreadItem>> {
        let first = self
            .core
            .requests
            .list_chat_threads_url(&options.unwrap_or_default());
        self.core
            .page_or_first("ChatClient.list_chat_threads", continuation_token, first)
            .await
    }

    /// Deletes a thread (for every participant). Deleting a deleted thread succeeds.
    pub async fn delete_chat_thread(&self, thread_id: &str) -> Result<()> {
        let request = self.core.requests.delete_chat_thread(thread_id);
        self.core.empty(request).await
    }
}
