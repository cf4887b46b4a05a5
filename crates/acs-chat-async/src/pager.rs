//! Async pagers: streams over items and over pages.

use acs_chat_core::{Page, PageState, Result};
use futures_util::future::BoxFuture;
use futures_util::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

type Fetch<'a, T> = Box<dyn Fn(String) -> BoxFuture<'a, Result<Page<T>>> + Send + Sync + 'a>;

/// A stream of the pages of a listing. Each page carries its continuation token.
pub struct PagePager<'a, T> {
    fetch: Fetch<'a, T>,
    state: PageState,
    in_flight: Option<BoxFuture<'a, Result<Page<T>>>>,
}

impl<T> Stream for PagePager<'_, T> {
    type Item = Result<Page<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(fetching) = this.in_flight.as_mut() {
                let page = ready!(fetching.as_mut().poll(cx));
                this.in_flight = None;
                if let Ok(page) = &page {
                    this.state.after(page);
                }
                return Poll::Ready(Some(page));
            }
            match this.state.next_url() {
                Some(Ok(url)) => this.in_flight = Some((this.fetch)(url)),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

/// A stream of the items of a listing, fetching pages as needed. An error is yielded once and
/// ends the listing.
pub struct ItemPager<'a, T> {
    pages: PagePager<'a, T>,
    buffer: std::vec::IntoIter<T>,
}

impl<'a, T> ItemPager<'a, T> {
    /// Streams by page instead, from `continuation_token` when given (a token saved from an
    /// earlier page), else from where this pager is.
    pub fn by_page(self, continuation_token: Option<String>) -> PagePager<'a, T> {
        let mut pages = self.pages;
        if let Some(token) = continuation_token {
            pages.state.resume(token);
            pages.in_flight = None;
        }
        pages
    }
}

impl<T: Unpin> Stream for ItemPager<'_, T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffer = page.items.into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

pub(crate) fn paginate<'a, T, F, Fut>(state: PageState, fetch: F) -> ItemPager<'a, T>
where
    F: Fn(String) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = Result<Page<T>>> + Send + 'a,
{
    ItemPager {
        pages: PagePager {
            fetch: Box::new(move |url| Box::pin(fetch(url))),
            state,
            in_flight: None,
        },
        buffer: Vec::new().into_iter(),
    }
}
