//! Paging: a page of items with its continuation token, and the pager state machine.

use crate::error::Error;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The token of the next page (an absolute URL); `None` on the last page. Save it to resume a
    /// listing later with `by_page(Some(token))` or a `*_page(Some(token))` call.
    pub continuation_token: Option<String>,
}

/// Where a pager is.
#[derive(Debug)]
pub enum PageState {
    /// The next page to fetch (its URL).
    Next(String),
    /// The listing could not start; the error is yielded once.
    Failed(Error),
    /// No more pages.
    Done,
}

impl PageState {
    /// The state before the first page: `first` is the URL of page one, or why it cannot be built.
    pub fn start(first: Result<String, Error>) -> Self {
        match first {
            Ok(url) => PageState::Next(url),
            Err(e) => PageState::Failed(e),
        }
    }

    /// The state after a page arrived.
    pub fn after<T>(page: &Page<T>) -> Self {
        match &page.continuation_token {
            Some(next) => PageState::Next(next.clone()),
            None => PageState::Done,
        }
    }

    /// Takes the state, leaving `Done` (an error or the end is reported once).
    pub fn take(&mut self) -> Self {
        std::mem::replace(self, PageState::Done)
    }
}
