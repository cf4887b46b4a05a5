//! What `ChatClient` and its `ChatThreadClient`s share: the pipeline, the request builder, and the
//! operations both need (decoding, paging, exactly-once sends).

use super::pipeline::{Auth, Pipeline, Step};
use super::token_credential::CommunicationTokenCredential;
use crate::rt::{self, maybe_async, paginate, ItemPager};
use acs_chat_core::paging::check_progress;
use acs_chat_core::requests::{
    decode_empty_response, decode_json_response, decode_page, get_page, ChatRequests,
};
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
        let client_options = &options.client_options;
        let endpoint = Endpoint::parse_with(endpoint, client_options.allow_insecure_http)?;
        Ok(ChatCore {
            pipeline: Pipeline::new(
                Auth::Bearer(credential),
                &endpoint,
                client_options,
                "ChatClient.new",
            )?,
            requests: ChatRequests::new(endpoint, options.api_version.clone()),
            generate_idempotency_keys: options.generate_idempotency_keys,
        })
    }
}

impl ChatCore {
    /// The same core acting as the user of `credential`: one more user on the same transport.
    pub(crate) fn with_credential(&self, credential: CommunicationTokenCredential) -> Self {
        ChatCore {
            pipeline: self.pipeline.with_auth(Auth::Bearer(credential)),
            requests: self.requests.clone(),
            generate_idempotency_keys: self.generate_idempotency_keys,
        }
    }
}

#[maybe_async]
impl ChatCore {
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        request: Result<HttpRequest>,
        method: &ClientMethodOptions,
    ) -> Result<Response<T>> {
        let exchange = self.pipeline.send(request?, method).await?;
        decode_json_response(exchange)
    }

    pub(crate) async fn empty(
        &self,
        request: Result<HttpRequest>,
        method: &ClientMethodOptions,
    ) -> Result<Response<()>> {
        let exchange = self.pipeline.send(request?, method).await?;
        decode_empty_response(exchange)
    }

    /// One page of a listing; `deadline` is that of an enclosing operation, if any.
    pub(crate) async fn page<T: DeserializeOwned>(
        &self,
        link: PageLink,
        deadline: Option<Instant>,
        method: &ClientMethodOptions,
    ) -> Result<Page<T>> {
        let mut call = self.pipeline.call(get_page(&link), deadline, method)?;
        let exchange = self.pipeline.run(&mut call).await?;
        let page = decode_page(exchange, &link)?;
        check_progress(link.operation(), link.url().as_str(), &page)?;
        Ok(page)
    }

    /// One page: a saved continuation token's (admitted by the listing's first page, since it
    /// comes from outside), or the first page's.
    pub(crate) async fn page_or_first<T: DeserializeOwned>(
        &self,
        continuation_token: Option<&str>,
        first: Result<PageLink>,
        method: &ClientMethodOptions,
    ) -> Result<Page<T>> {
        let first = first?;
        let link = match continuation_token {
            None => first,
            Some(token) => first.follow(token)?,
        };
        self.page(link, None, method).await
    }

    /// Sends a keyed message exactly once: after an attempt that may have taken effect, looks
    /// for a message carrying the key before sending again. When the lookup finds it, the
    /// response is that of the listing request that found it.
    pub(crate) async fn send_exactly_once(
        &self,
        thread_id: &str,
        request: HttpRequest,
        key: &str,
        method: &ClientMethodOptions,
    ) -> Result<Response<SendChatMessageResult>> {
        let since = time::OffsetDateTime::now_utc() - LOOKUP_MARGIN;
        let operation = request.operation;
        let mut call = self.pipeline.call(request, None, method)?;
        loop {
            let (delay, error) = match self.pipeline.attempt(&mut call).await {
                Step::Done(outcome) => return decode_json_response(outcome?),
                Step::Retry(delay) => {
                    rt::sleep(delay).await;
                    continue;
                }
                Step::Reconcile { delay, error } => (delay, error),
            };
            loop {
                match self
                    .find_keyed_message(operation, thread_id, key, since, call.deadline())
                    .await
                {
                    Ok(Some((id, metadata))) => {
                        return Ok(Response::new(SendChatMessageResult::new(id), metadata))
                    }
                    Ok(None) => break,
                    // Unknown whether it was stored: never send again blind; look again.
                    Err(lookup) if Instant::now() + delay < call.deadline() => {
                        tracing::warn!("looking up an ambiguous send failed: {lookup}");
                        rt::sleep(delay).await;
                    }
                    Err(_) => return Err(error),
                }
            }
            rt::sleep(delay).await;
        }
    }

    /// A pager that owns a handle to the core: it can outlive the client that made it and move
    /// between threads and tasks. `method` applies to each page's request.
    pub(crate) fn pager<T: DeserializeOwned + Send + 'static>(
        core: &Arc<ChatCore>,
        first: Result<PageLink>,
        method: ClientMethodOptions,
    ) -> ItemPager<T> {
        let core = core.clone();
        paginate(PageState::start(first), move |link: PageLink| {
            let (core, method) = (core.clone(), method.clone());
            async move { core.page(link, None, &method).await }
        })
    }

    async fn find_keyed_message(
        &self,
        operation: &'static str,
        thread_id: &str,
        key: &str,
        since: time::OffsetDateTime,
        deadline: Instant,
    ) -> Result<Option<(String, ResponseMetadata)>> {
        let options = ListMessagesOptions {
            results_per_page: Some(acs_chat_core::requests::MAX_PAGE_SIZE),
            start_time: Some(since),
            ..Default::default()
        };
        // The lookup is part of the send: its errors and logs name the send.
        let first = self
            .requests
            .list_messages(thread_id, &options)?
            .for_operation(operation);
        let mut pages = PageState::start(Ok(first));
        while let Some(link) = pages.next_url() {
            // Part of the send: its deadline; the caller's hook is for the send's own response.
            let page: Page<ChatMessage> = self
                .page(link?, Some(deadline), &ClientMethodOptions::default())
                .await?;
            let found = page.items.iter().find(|m| {
                m.metadata
                    .as_ref()
                    .and_then(|meta| meta.get(IDEMPOTENCY_KEY_METADATA))
                    .is_some_and(|k| k == key)
            });
            if let Some(message) = found {
                let metadata = page.metadata().cloned();
                return Ok(metadata.map(|metadata| (message.id.clone(), metadata)));
            }
            pages.after(&page);
        }
        Ok(None)
    }
}
