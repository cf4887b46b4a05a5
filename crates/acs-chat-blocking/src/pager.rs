//! Blocking pagers: iterators over items and over pages.

use acs_chat_core::{Page, PageState, Result};

type Fetch<'a, T> = Box<dyn Fn(String) -> Result<Page<T>> + Send + 'a>;

/// An iterator over the pages of a listing. Each page carries its continuation token.
pub struct PagePager<'a, T> {
    fetch: Fetch<'a, T>,
    state: PageState,
}

impl<T> Iterator for PagePager<'_, T> {
    type Item = Result<Page<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        let page = self.state.next_url()?.and_then(|url| (self.fetch)(url));
        if let Ok(page) = &page {
            self.state.after(page);
        }
        Some(page)
    }
}

/// An iterator over the items of a listing, fetching pages as needed. An error is yielded once
/// and ends the listing.
pub struct ItemPager<'a, T> {
    pages: PagePager<'a, T>,
    buffer: std::vec::IntoIter<T>,
}

impl<'a, T> ItemPager<'a, T> {
    /// Iterates by page instead, from `continuation_token` when given (a token saved from an
    /// earlier page), else from where this pager is.
    pub fn by_page(self, continuation_token: Option<String>) -> PagePager<'a, T> {
        let mut pages = self.pages;
        if let Some(token) = continuation_token {
            pages.state.resume(token);
        }
        pages
    }
}

impl<T> Iterator for ItemPager<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.buffer = page.items.into_iter(),
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

pub(crate) fn paginate<'a, T, F>(state: PageState, fetch: F) -> ItemPager<'a, T>
where
    F: Fn(String) -> Result<Page<T>> + Send + 'a,
{
    ItemPager {
        pages: PagePager {
            fetch: Box::new(fetch),
            state,
        },
        buffer: Vec::new().into_iter(),
    }
}
