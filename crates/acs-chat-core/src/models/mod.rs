//! REST models for chat api-version 2025-03-15 (older versions are subsets) and identity 2023-10-01.
//!
//! Field names follow the REST spec in camelCase on the wire and snake_case in Rust; extensible
//! enums keep values this SDK does not know instead of failing.

mod error;
mod extensible;
mod identity;
mod message;
mod participant;
mod read_receipt;
mod requests;
mod thread;

pub use error::*;
pub use identity::*;
pub use message::*;
pub use participant::*;
pub use read_receipt::*;
pub use requests::*;
pub use thread::*;

use std::collections::BTreeMap;

/// String key/value metadata of threads, participants and messages.
pub type Metadata = BTreeMap<String, String>;

/// A page of a list response on the wire: `{ "value": [...], "nextLink": "..." }`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The link to the next page; absent, null or empty at the end.
    #[serde(default)]
    pub next_link: Option<String>,
}
