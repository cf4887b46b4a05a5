//! The service limits the handlers enforce.

/// Service limits, defaulting to the documented ACS limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest message content in bytes (28 KB).
    pub max_message_bytes: usize,
    /// Most participants in one thread (250).
    pub max_participants_per_thread: usize,
    /// Most participants in one create or add request (200).
    pub max_participants_per_batch: usize,
    /// Largest metadata of a thread, participant or message: keys plus values in bytes (1 KB).
    pub max_metadata_bytes: usize,
    /// Default and largest page size (200).
    pub max_page_size: usize,
    /// Largest request body in bytes (1 MiB).
    pub max_body_bytes: usize,
    /// Above this many participants the service accepts read receipts but does not keep them
    /// (20, a documented limitation that surprises users; reproduced on purpose).
    pub max_participants_for_read_receipts: usize,
    /// Enforce the service's documented per-user and per-thread rate limits with 429 and
    /// `Retry-After` (off by default: tests and load runs would trip them).
    pub rate_limits: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 28 * 1024,
            max_participants_per_thread: 250,
            max_participants_per_batch: 200,
            max_metadata_bytes: 1024,
            max_page_size: 200,
            max_body_bytes: 1024 * 1024,
            max_participants_for_read_receipts: 20,
            rate_limits: false,
        }
    }
}
