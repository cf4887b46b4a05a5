//! Blocking pagers: iterators over items and over pages. They own what they need (a handle to the
//! client's pipeline), so a function can return one and a thread can take one.

use acs_chat_core::paging::{drop_read, Position};
use acs_chat_core::{Page, PageLink, PageState, Result};
use std::fmt;

type Fetch<T> = Box<dyn Fn(PageLink) -> Result<Page<T>> + Send + Sync>;

/// An iterator over the pages of a listing. Each page carries its continuation token.
#[must_use = "a pager fetches nothing until it is iterated"]
pub struct PageIterator<T> {
    fetch: Fetch<T>,
    state: PageState,
    /// The unread rest of an item pager's page, yielded first (`ItemPager::into_pages`).
    pending: Option<Box<Page<T>>>,
    /// Where the item pager over these pages stands.
    position: Position,
}

impl<T> fmt::Debug for PageIterator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageIterator")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<T> Iterator for PageIterator<T> {
    type Item = Result<Page<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(page) = self.pending.take() {
            return Some(Ok(*page));
        }
        let page = match self.state.next_url()? {
            Ok(link) => {
                let skip = self.position.fetching(&link);
                (self.fetch)(link).map(|mut page| {
                    drop_read(&mut page, skip);
                    page
                })
            }
            Err(error) => {
                self.position.stopped();
                Err(error)
            }
        };
        if let Ok(page) = &page {
            self.state.after(page);
        }
        Some(page)
    }
}

/// An iterator over the items of a listing, fetching pages as needed. An error is yielded once
/// and ends the listing.
#[must_use = "a pager fetches nothing until it is iterated"]
pub struct ItemPager<T> {
    pages: PageIterator<T>,
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
    /// Iterates by page instead, from `continuation_token` when given (a token saved from an
    /// earlier page of the same listing), else from where this pager is: the first page is then
    /// the unread rest of the current one (with that page's continuation token), so nothing
    /// read through the pages is lost or repeated. A token that does not
    /// resume this listing on this client's endpoint is yielded as
    /// [`Error::InvalidContinuationToken`](acs_chat_core::Error::InvalidContinuationToken) and
    /// nothing is sent: a token that names another host is rebased onto the endpoint or refused.
    pub fn into_pages(self, continuation_token: Option<String>) -> PageIterator<T> {
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

impl<T> PageIterator<T> {
    /// Goes on from a continuation token: a page link, or a position inside one
    /// (`#skip-items=N`, whose first N items are dropped).
    fn resume(&mut self, token: String) {
        self.position.resume(&mut self.state, token);
    }
}

impl<T> Iterator for ItemPager<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.next() {
                self.pages.position.yielded_one();
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => {
                    self.pages.position.page_arrived();
                    self.current_token = page.continuation_token;
                    self.buffer = page.items.into_iter();
                }
                Err(error) => {
                    self.pages.position.page_failed();
                    return Some(Err(error));
                }
            }
        }
    }
}

pub(crate) fn paginate<T, F>(state: PageState, fetch: F) -> ItemPager<T>
where
    F: Fn(PageLink) -> Result<Page<T>> + Send + Sync + 'static,
{
    ItemPager {
        pages: PageIterator {
            fetch: Box::new(fetch),
            state,
            pending: None,
            position: Position::default(),
        },
        buffer: Vec::new().into_iter(),
        current_token: None,
    }
}
