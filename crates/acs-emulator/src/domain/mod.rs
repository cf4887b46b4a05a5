//! The service's domain, with no I/O: the state (`state`), the limits (`limits`), what a write
//! changed (`change`), token minting and checking (`tokens`) and the rate rules (`rate_limit`).

pub(crate) mod change;
pub(crate) mod faults;
mod limits;
pub(crate) mod rate_limit;
pub(crate) mod state;
pub(crate) mod tokens;

pub(crate) use change::Change;
pub use limits::Limits;
