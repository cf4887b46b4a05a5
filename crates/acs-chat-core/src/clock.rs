//! Where the credential reads "now" from: the system clock, or one a test injects.

use std::sync::Arc;
use time::OffsetDateTime;

/// A source of "now" for a credential's expiry decisions
/// (`CommunicationTokenCredentialOptions::clock`): tests inject one to move time.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}
