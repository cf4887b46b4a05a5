//! REST models for chat api-version 2025-03-15 (older versions are subsets) and identity 2023-10-01.
//!
//! Field names follow the REST spec in camelCase on the wire and snake_case in Rust; extensible
//! enums keep values this SDK does not know instead of failing.

mod error;
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
#[serde(
    rename_all = "camelCase",
    bound(deserialize = "T: serde::Deserialize<'de>")
)]
pub struct Collection<T> {
    /// The items.
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    pub value: Vec<T>,
    /// The link to the next page; absent, null or empty at the end.
    #[serde(default)]
    pub next_link: Option<String>,
}

/// Reads `null` where the spec has an array as an empty array: services and proxies send it.
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}
