//! Async pagers: streams over items and over pages. They own what they need (a handle to the
//! client's pipeline), so they are `Send + 'static`: return one from a function, move one into
//! `tokio::spawn`.

use acs_chat_core::paging::{drop_read, Position};
use acs_chat_core::{Page, PageLink, PageState, Result};
use futures_util::future::BoxFuture;
use futures_util::Stream;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

type Fetch<T> = Box<dyn Fn(PageLink) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync>;

/// A stream of the pages of a listing. Each page carries its continuation token.
#[must_use = "a pager fetches nothing until it is iterated"]
pub struct PageStream<T> {
    fetch: Fetch<T>,
    state: PageState,
    in_flight: Option<BoxFuture<'static, Result<Page<T>>>>,
    /// The unread rest of an item pager's page, yielded first (`ItemPager::into_pages`).
    pending: Option<Box<Page<T>>>,
    /// Where the item pager over these pages stands.
    position: Position,
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("state", &self.state)
            .field("fetching", &self.in_flight.is_some())
            .finish_non_exhaustive()
    }
}

impl<T> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(page) = this.pending.take() {
            return Poll::Ready(Some(Ok(*page)));
        }
        loop {
            if let Some(fetching) = this.in_flight.as_mut() {
                let page = ready!(fetching.as_mut().poll(cx));
                this.in_flight = None;
                let skip = this.position.skip_of_fetched();
                let page = page.map(|mut page| {
                    drop_read(&mut page, skip);
                    page
                });
                if let Ok(page) = &page {
                    this.state.after(page);
                }
                return Poll::Ready(Some(page));
            }
            match this.state.next_url() {
                Some(Ok(link)) => {
                    this.position.fetching(&link);
                    this.in_flight = Some((this.fetch)(link));
                }
                Some(Err(error)) => {
                    this.position.stopped();
                    return Poll::Ready(Some(Err(error)));
                }
                None => return Poll::Ready(None),
            }
        }
    }
}

/// A stream of the items of a listing, fetching pages as needed. An error is yielded once and
/// ends the listing.
#[must_use = "a pager fetches nothing until it is iterated"]
pub struct ItemPager<T> {
    pages: PageStream<T>,
    buffer: std::vec::IntoIter<T>,
    /// The continuation token of the page `buffer` came from: where its unread rest continues.
    current_token: Option<String>,
}

impl<T> fmt::Debug for ItemPager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemPager")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<T> ItemPager<T> {
    /// Streams by page instead, from `continuation_token` when given (a token saved from an
    /// earlier page of the same listing), else from where this pager is: the first page is then
    /// the unread rest of the current one (with that page's continuation token), so nothing
    /// read through the pages is lost or repeated. A token that does not
    /// resume this listing on this client's endpoint is yielded as
    /// [`Error::InvalidContinuationToken`](acs_chat_core::Error::InvalidContinuationToken) and
    /// nothing is sent: a token that names another host is rebased onto the endpoint or refused.
    pub fn into_pages(self, continuation_token: Option<String>) -> PageStream<T> {
        let mut pages = self.pages;
        match continuation_token {
            Some(token) => pages.resume(token),
            None => {
                pages.pending = Page::unread_rest(self.buffer, self.current_token).map(Box::new)
            }
        }
        pages
    }

    /// Where this pager stands, as a token to resume from: `None` once the listing is read to
    /// its end. Given to [`with_continuation_token`](Self::with_continuation_token) (or
    /// `into_pages`) of the same listing, on any client of the same endpoint, it yields the
    /// items this pager has not yielded yet and none it has — after an error too (the token
    /// then stands at the page that failed). What it promises is what the service promises for
    /// a page link: a page after the first (the service's own skip token) is the same page; the
    /// first page of a listing that is newest first may have gained new items since, which
    /// are then yielded too.
    pub fn continuation_token(&self) -> Option<String> {
        self.pages.position.token(
            self.buffer.len(),
            &self.pages.state,
            self.current_token.as_deref(),
        )
    }

    /// Continues from `continuation_token` (from [`continuation_token`](Self::continuation_token)
    /// or a page's) instead of from where this pager is. A token that does not resume this
    /// listing on this client's endpoint is yielded as
    /// [`Error::InvalidContinuationToken`](acs_chat_core::Error::InvalidContinuationToken), with
    /// nothing sent.
    pub fn with_continuation_token(mut self, continuation_token: String) -> Self {
        self.buffer = Vec::new().into_iter();
        self.current_token = None;
        self.pages.pending = None;
        self.pages.resume(continuation_token);
        self
    }
}

impl<T> PageStream<T> {
    /// Goes on from a continuation token: a page link, or a position inside one
    /// (`#skip-items=N`, whose first N items are dropped).
    fn resume(&mut self, token: String) {
        self.in_flight = None;
        self.position.resume(&mut self.state, token);
    }
}

impl<T: Unpin> Stream for ItemPager<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                this.pages.position.yielded_one();
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => {
                    this.pages.position.page_arrived();
                    this.current_token = page.continuation_token;
                    this.buffer = page.items.into_iter();
                }
                Some(Err(error)) => {
                    this.pages.position.page_failed();
                    return Poll::Ready(Some(Err(error)));
                }
                None => return Poll::Ready(None),
            }
        }
    }
}

pub(crate) fn paginate<T, F, Fut>(state: PageState, fetch: F) -> ItemPager<T>
where
    F: Fn(PageLink) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    ItemPager {
        pages: PageStream {
            fetch: Box::new(move |url| Box::pin(fetch(url))),
            state,
            in_flight: None,
            pending: None,
            position: Position::default(),
        },
        buffer: Vec::new().into_iter(),
        current_token: None,
    }
}
