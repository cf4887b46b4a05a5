//! Blocking pagers: iterators over items and over pages. They own what they need (a handle to the
//! client's pipeline), so a function can return one and a thread can take one.

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
        let page = self.state.next_url()?.and_then(|url| (self.fetch)(url));
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
            Some(token) => pages.state.resume(token),
            None => {
                pages.pending = Page::unread_rest(self.buffer, self.current_token).map(Box::new)
            }
        }
        pages
    }
}

impl<T> Iterator for ItemPager<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => {
                    self.current_token = page.continuation_token;
                    self.buffer = page.items.into_iter();
                }
                Err(error) => return Some(Err(error)),
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
        },
        buffer: Vec::new().into_iter(),
        current_token: None,
    }
}
