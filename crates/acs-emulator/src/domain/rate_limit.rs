//! Opt-in rate limits (`Limits::rate_limits`, `--rate-limits`): the service's documented chat
//! limits, answered with 429 and `Retry-After`, so that clients' retry logic can be exercised.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `limit` requests per `window` for one key.
pub(crate) struct Rule {
    pub(crate) key: String,
    pub(crate) limit: usize,
    pub(crate) window: Duration,
}

impl Rule {
    pub(crate) fn new(name: &str, scope: &str, limit: usize, window_secs: u64) -> Self {
        Rule {
            key: format!("{name}/{window_secs}s/{scope}"),
            limit,
            window: Duration::from_secs(window_secs),
        }
    }
}

#[derive(Default)]
pub(crate) struct RateLimiter {
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Counts the request against every rule, or returns how long until all would admit it
    /// (then nothing is counted).
    pub(crate) fn check(&self, rules: &[Rule]) -> Result<(), Duration> {
        let now = Instant::now();
        let mut hits = self
            .hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut wait = Duration::ZERO;
        for rule in rules {
            let queue = hits.entry(rule.key.clone()).or_default();
            while queue
                .front()
                .is_some_and(|t| now.duration_since(*t) >= rule.window)
            {
                queue.pop_front();
            }
            if queue.len() >= rule.limit {
                if let Some(oldest) = queue.front() {
                    wait = wait.max(rule.window.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for rule in rules {
            hits.entry(rule.key.clone()).or_default().push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_then_says_how_long_to_wait() {
        let limiter = RateLimiter::default();
        let rules = || vec![Rule::new("send", "thread", 3, 10)];
        for _ in 0..3 {
            assert!(limiter.check(&rules()).is_ok());
        }
        let wait = limiter.check(&rules()).unwrap_err();
        assert!(
            wait > Duration::from_secs(9) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        assert!(limiter
            .check(&[Rule::new("send", "other thread", 3, 10)])
            .is_ok());
    }
}
