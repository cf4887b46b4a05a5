//! Paging: a page of items with its continuation token, and the pager state machine.

use crate::error::Error;
use std::collections::HashSet;
use std::hash::BuildHasher;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The token of the next page (an absolute URL); `None` on the last page. Save it to resume a
    /// listing later with `by_page(Some(token))` or a `*_page(Some(token))` call.
    pub continuation_token: Option<String>,
}

/// Where a pager is: the next page to fetch, an error to report once, or the end. It remembers
/// every page it fetched, so a service that links back to one of them ends the listing with
/// [`Error::RepeatedContinuationToken`] instead of looping forever.
#[derive(Debug)]
pub struct PageState {
    operation: &'static str,
    next: Next,
    // Hashes, not URLs: a listing of 100k items keeps 500 words, not 500 URLs.
    fetched: HashSet<u64>,
    hasher: std::collections::hash_map::RandomState,
}

#[derive(Debug)]
enum Next {
    Fetch(String),
    Failed(Error),
    Done,
}

impl PageState {
    /// The state before the first page: page one, or why it cannot be built.
    pub fn start(first: Result<crate::requests::FirstPage, Error>) -> Self {
        let (operation, next) = match first {
            Ok(page) => (page.operation, Next::Fetch(page.url)),
            Err(e) => (e.operation().unwrap_or_default(), Next::Failed(e)),
        };
        PageState {
            operation,
            next,
            fetched: HashSet::new(),
            hasher: Default::default(),
        }
    }

    /// Continues from a saved continuation token instead of where the pager is.
    pub fn resume(&mut self, continuation_token: String) {
        self.next = Next::Fetch(continuation_token);
    }

    /// What to do next: `Some(Ok(url))` to fetch a page, `Some(Err(_))` once for an error, `None`
    /// at the end. After an error or the end, always `None`.
    pub fn next_url(&mut self) -> Option<Result<String, Error>> {
        match std::mem::replace(&mut self.next, Next::Done) {
            Next::Fetch(url) => {
                self.fetched.insert(self.hash(&url));
                Some(Ok(url))
            }
            Next::Failed(error) => Some(Err(error)),
            Next::Done => None,
        }
    }

    /// Records a page that arrived: its continuation token is next, unless it was fetched before.
    pub fn after<T>(&mut self, page: &Page<T>) {
        self.next = match &page.continuation_token {
            Some(next) if self.fetched.contains(&self.hash(next)) => {
                Next::Failed(Error::RepeatedContinuationToken {
                    operation: self.operation,
                })
            }
            Some(next) => Next::Fetch(next.clone()),
            None => Next::Done,
        };
    }

    fn hash(&self, url: &str) -> u64 {
        self.hasher.hash_one(url)
    }
}

/// Checks that a page does not name itself as the next page (for single-page calls, which keep
/// no history).
pub fn check_progress<T>(
    operation: &'static str,
    requested_url: &str,
    page: &Page<T>,
) -> Result<(), Error> {
    if page.continuation_token.as_deref() == Some(requested_url) {
        return Err(Error::RepeatedContinuationToken { operation });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(url: &str) -> crate::requests::FirstPage {
        crate::requests::FirstPage {
            operation: "op",
            url: url.into(),
        }
    }

    fn page(next: Option<&str>) -> Page<u8> {
        Page {
            items: vec![1],
            continuation_token: next.map(str::to_string),
        }
    }

    #[test]
    fn a_link_back_to_any_fetched_page_ends_the_listing() {
        let mut state = PageState::start(Ok(first("a")));
        assert_eq!(state.next_url().unwrap().unwrap(), "a");
        state.after(&page(Some("b")));
        assert_eq!(state.next_url().unwrap().unwrap(), "b");
        state.after(&page(Some("a")));
        assert!(matches!(
            state.next_url(),
            Some(Err(Error::RepeatedContinuationToken { operation: "op" }))
        ));
        assert!(state.next_url().is_none());
    }

    #[test]
    fn the_end_and_errors_are_reported_once() {
        let mut state = PageState::start(Ok(first("a")));
        state.next_url();
        state.after(&page(None));
        assert!(state.next_url().is_none());
        let mut failed = PageState::start(Err(Error::invalid("op", "bad")));
        assert!(matches!(failed.next_url(), Some(Err(_))));
        assert!(failed.next_url().is_none());
    }

    #[test]
    fn a_page_naming_itself_is_refused() {
        assert!(check_progress("op", "u", &page(Some("u"))).is_err());
        assert!(check_progress("op", "u", &page(Some("v"))).is_ok());
    }
}
