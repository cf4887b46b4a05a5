//! Request builders (operation -> [`HttpRequest`](crate::HttpRequest)) and response decoders.

mod chat;
mod decode;
mod identity;

pub use chat::*;
pub use decode::*;
pub use identity::*;
