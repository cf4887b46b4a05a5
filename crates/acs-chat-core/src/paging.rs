//! Paging: a page of items with its continuation token, and the pager state machine.

use crate::endpoint::PageLink;
use crate::error::Error;
use crate::method::ResponseMetadata;
use std::collections::HashSet;
use std::hash::BuildHasher;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The token of the next page (an absolute URL on the client's endpoint); `None` on the last
    /// page. Save it to resume the same listing later with `into_pages(Some(token))` or a
    /// `*_page(Some(token))` call; given to another listing, it is refused.
    pub continuation_token: Option<String>,
    /// The response this page came from; `None` for the unread rest of a page
    /// ([`Page::unread_rest`]).
    pub(crate) metadata: Option<ResponseMetadata>,
}

impl<T> Page<T> {
    /// The items of a page an item pager has not handed out yet, as a page of their own that
    /// continues with `continuation_token` (the token of the page they came from); `None` when
    /// there are none. Both facades' `ItemPager::into_pages` begin with it, so nothing read
    /// through the pages is lost or repeated.
    ///
    /// ```
    /// let rest = acs_chat_core::Page::unread_rest(vec![2, 3], Some("next".to_string())).unwrap();
    /// assert_eq!((rest.items, rest.continuation_token.as_deref()), (vec![2, 3], Some("next")));
    /// assert!(acs_chat_core::Page::<u8>::unread_rest(Vec::new(), None).is_none());
    /// ```
    pub fn unread_rest(
        items: impl IntoIterator<Item = T>,
        continuation_token: Option<String>,
    ) -> Option<Self> {
        let items: Vec<T> = items.into_iter().collect();
        (!items.is_empty()).then_some(Page {
            items,
            continuation_token,
            metadata: None,
        })
    }

    /// The metadata of the response this page came from (status, `MS-CV`, request ids,
    /// headers); `None` for the unread rest of a page an item pager had begun
    /// ([`Page::unread_rest`]), whose response was already handed out.
    pub fn metadata(&self) -> Option<&ResponseMetadata> {
        self.metadata.as_ref()
    }
}

/// Where a pager is: the next page to fetch, an error to report once, or the end. It remembers
/// every page it fetched, so a service that links back to one of them ends the listing with
/// [`Error::RepeatedContinuationToken`] instead of looping forever. Every page after the first
/// is admitted by [`PageLink::follow`] of the listing's first page: a continuation token handed
/// to [`PageState::resume`] cannot send the request anywhere else.
#[derive(Debug)]
pub struct PageState {
    /// Page one, which admits every later link; `None` when page one could not be built.
    first: Option<PageLink>,
    next: Next,
    // Hashes, not URLs: a listing of 100k items keeps 500 words, not 500 URLs.
    fetched: HashSet<u64>,
    hasher: std::collections::hash_map::RandomState,
}

#[derive(Debug)]
enum Next {
    Fetch(PageLink),
    Failed(Error),
    Done,
}

impl PageState {
    /// The state before the first page: page one, or why it cannot be built.
    pub fn start(first: Result<PageLink, Error>) -> Self {
        let (first, next) = match first {
            Ok(page) => (Some(page.clone()), Next::Fetch(page)),
            Err(e) => (None, Next::Failed(e)),
        };
        PageState {
            first,
            next,
            fetched: HashSet::new(),
            hasher: Default::default(),
        }
    }

    /// Continues from a saved continuation token instead of where the pager is. A token that
    /// does not resume this listing is reported by the next [`PageState::next_url`] as
    /// [`Error::InvalidContinuationToken`], and nothing is fetched.
    pub fn resume(&mut self, continuation_token: String) {
        if let Some(first) = &self.first {
            self.next = match first.follow(&continuation_token) {
                Ok(link) => Next::Fetch(link),
                Err(e) => Next::Failed(e),
            };
        }
    }

    /// What to do next: `Some(Ok(link))` to fetch a page, `Some(Err(_))` once for an error,
    /// `None` at the end. After an error or the end, always `None`.
    pub fn next_url(&mut self) -> Option<Result<PageLink, Error>> {
        match std::mem::replace(&mut self.next, Next::Done) {
            Next::Fetch(link) => {
                self.fetched.insert(self.hash(link.url().as_str()));
                Some(Ok(link))
            }
            Next::Failed(error) => Some(Err(error)),
            Next::Done => None,
        }
    }

    /// Records a page that arrived: its continuation token is next, unless it was fetched before.
    pub fn after<T>(&mut self, page: &Page<T>) {
        let (Some(first), Some(next)) = (&self.first, &page.continuation_token) else {
            self.next = Next::Done;
            return;
        };
        self.next = match first.follow(next) {
            Ok(link) if self.fetched.contains(&self.hash(link.url().as_str())) => {
                Next::Failed(Error::RepeatedContinuationToken {
                    operation: first.operation(),
                })
            }
            Ok(link) => Next::Fetch(link),
            Err(e) => Next::Failed(e),
        };
    }

    fn hash(&self, url: &str) -> u64 {
        self.hasher.hash_one(url)
    }
}

/// What a pager's position token adds to a page link: how many of the page's items were already
/// read. A URL fragment: it never reaches the service (`PageLink::follow` drops it).
const SKIP_ITEMS: &str = "#skip-items=";

/// The token of a position inside a listing: the page `url`, after its first `skip` items.
pub fn position_token(url: &str, skip: usize) -> String {
    match skip {
        0 => url.to_string(),
        n => format!("{url}{SKIP_ITEMS}{n}"),
    }
}

/// How many items of its page a continuation token says to skip: `N` of a trailing
/// `#skip-items=N`, else 0.
pub fn skip_items(token: &str) -> usize {
    token
        .rsplit_once(SKIP_ITEMS)
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(0)
}

impl PageState {
    /// The first page's URL (where a pager that has read nothing stands).
    pub fn first_url(&self) -> Option<&str> {
        self.first.as_ref().map(|link| link.url().as_str())
    }
}

/// Where an item pager stands, kept the same way by both facades' pagers: the page it reads (or
/// whose fetch failed), how many of that page's items it skipped and yielded, and the skip a
/// resumed position token asks of the next page.
#[derive(Debug, Default)]
pub struct Position {
    /// A token resumed from and not fetched yet: where the pager stands until then.
    resumed: Option<String>,
    skip: usize,
    last: Option<(String, usize)>,
    yielded: usize,
    failed: bool,
}

impl Position {
    /// Goes on from `token` (a page link, or a position `#skip-items=N` in one).
    pub fn resume(&mut self, state: &mut PageState, token: String) {
        *self = Position {
            skip: skip_items(&token),
            resumed: Some(token.clone()),
            ..Position::default()
        };
        state.resume(token);
    }

    /// `link` is about to be fetched: how many of its items to drop.
    pub fn fetching(&mut self, link: &PageLink) -> usize {
        let skip = std::mem::take(&mut self.skip);
        self.resumed = None;
        self.last = Some((link.url().to_string(), skip));
        skip
    }

    /// How many items of the page being fetched to drop.
    pub fn skip_of_fetched(&self) -> usize {
        self.last.as_ref().map_or(0, |(_, skip)| *skip)
    }

    /// The listing cannot go on, and not because a page failed (a bad token, a loop).
    pub fn stopped(&mut self) {
        self.last = None;
        self.resumed = None;
    }

    /// A page arrived and is being read.
    pub fn page_arrived(&mut self) {
        self.yielded = 0;
        self.failed = false;
    }

    /// An item of the current page was yielded.
    pub fn yielded_one(&mut self) {
        self.yielded += 1;
    }

    /// The fetch of the page being read failed (its error was yielded).
    pub fn page_failed(&mut self) {
        self.yielded = 0;
        self.failed = true;
    }

    /// The token for this position: `unread` items of the current page are left, `next` is the
    /// current page's continuation token. `None` at the end.
    pub fn token(&self, unread: usize, state: &PageState, next: Option<&str>) -> Option<String> {
        if let Some(token) = &self.resumed {
            return Some(token.clone());
        }
        if unread > 0 || self.failed {
            let (url, skip) = self.last.as_ref()?;
            return Some(position_token(url, skip + self.yielded));
        }
        match &self.last {
            // Nothing read yet: the start.
            None => state.first_url().map(str::to_string),
            Some(_) => next.map(str::to_string),
        }
    }
}

/// Drops the first `skip` items of `page` (the ones a position token says were read).
pub fn drop_read<T>(page: &mut Page<T>, skip: usize) {
    page.items.drain(..skip.min(page.items.len()));
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
    use crate::requests::ChatRequests;
    use crate::Endpoint;

    fn first() -> PageLink {
        let endpoint = Endpoint::parse("https://h.example").unwrap();
        ChatRequests::new(endpoint, None)
            .list_chat_threads(&Default::default())
            .unwrap()
    }

    fn page(next: Option<&str>) -> Page<u8> {
        Page {
            items: vec![1],
            continuation_token: next.map(str::to_string),
            metadata: None,
        }
    }

    const A: &str = "https://h.example/chat/threads?skip=1&api-version=2025-03-15";
    const B: &str = "https://h.example/chat/threads?skip=2&api-version=2025-03-15";

    #[test]
    fn a_position_token_is_a_page_link_with_the_items_to_skip() {
        assert_eq!(position_token(A, 0), A);
        let token = position_token(A, 37);
        assert_eq!(skip_items(&token), 37);
        assert_eq!(skip_items(A), 0);
        assert_eq!(skip_items(&format!("{A}#skip-items=x")), 0);
        // The fragment never reaches the service: the link is the page's own.
        assert_eq!(*first().follow(&token).unwrap().url(), A);
    }

    #[test]
    fn a_link_back_to_any_fetched_page_ends_the_listing() {
        let mut state = PageState::start(Ok(first()));
        state.resume(A.into());
        assert_eq!(*state.next_url().unwrap().unwrap().url(), A);
        state.after(&page(Some(B)));
        assert_eq!(*state.next_url().unwrap().unwrap().url(), B);
        state.after(&page(Some(A)));
        assert!(matches!(
            state.next_url(),
            Some(Err(Error::RepeatedContinuationToken {
                operation: "ChatClient.list_chat_threads"
            }))
        ));
        assert!(state.next_url().is_none());
    }

    #[test]
    fn the_end_and_errors_are_reported_once() {
        let mut state = PageState::start(Ok(first()));
        state.next_url();
        state.after(&page(None));
        assert!(state.next_url().is_none());
        let mut failed = PageState::start(Err(Error::invalid_argument("op", "bad")));
        failed.resume(A.into());
        assert!(matches!(failed.next_url(), Some(Err(_))));
        assert!(failed.next_url().is_none());
    }

    #[test]
    fn a_resumed_token_for_another_listing_is_an_error_not_a_fetch() {
        let mut state = PageState::start(Ok(first()));
        state.resume("https://h.example/chat/threads/19%3Aa%40thread.v2/messages".into());
        assert!(matches!(
            state.next_url(),
            Some(Err(Error::InvalidContinuationToken { .. }))
        ));
        assert!(state.next_url().is_none());
    }

    #[test]
    fn a_page_naming_itself_is_refused() {
        assert!(check_progress("op", "u", &page(Some("u"))).is_err());
        assert!(check_progress("op", "u", &page(Some("v"))).is_ok());
    }
}
