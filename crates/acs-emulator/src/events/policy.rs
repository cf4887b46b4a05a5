//! Event Grid's delivery rules, with no I/O: the retry schedule and its jitter, the statuses a
//! webhook is never retried on, and how one failed attempt ends (retry, dead-letter or drop)
//! under a subscription's retry policy.

use super::subscription::RetryPolicy;

/// Event Grid's retry delays in seconds, in order; after them, every 12 hours (the time to live,
/// at most 24 hours, ends it).
const SCHEDULE_SECS: [u64; 9] = [10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600];
const AFTER_SCHEDULE_SECS: u64 = 43_200;

/// A webhook's answers that Event Grid never retries.
pub(crate) const NOT_RETRIED: [u16; 4] = [400, 401, 403, 413];

/// Jitter added to every delay: up to this fraction of it ("small randomness").
const JITTER: f64 = 0.1;

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// 2xx.
    Delivered,
    /// Any other status.
    Status(u16),
    /// No answer: refused connection, TLS failure, the 30 s without an answer.
    NoAnswer { timed_out: bool },
}

impl Attempt {
    /// The status, if the webhook answered.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Attempt::Delivered => Some(200),
            Attempt::Status(status) => Some(*status),
            Attempt::NoAnswer { .. } => None,
        }
    }

    /// Event Grid's `lastDeliveryOutcome` for it.
    pub(crate) fn outcome(&self) -> &'static str {
        match self {
            Attempt::Delivered => "Succeeded",
            Attempt::Status(400) => "BadRequest",
            Attempt::Status(401) => "Unauthorized",
            Attempt::Status(403) => "Forbidden",
            Attempt::Status(404) => "NotFound",
            Attempt::Status(408) | Attempt::NoAnswer { timed_out: true } => "TimedOut",
            Attempt::Status(413) => "RequestEntityTooLarge",
            Attempt::Status(429 | 503) => "Busy",
            Attempt::Status(_) | Attempt::NoAnswer { timed_out: false } => "GenericError",
        }
    }
}

/// Why an event was given up: Event Grid's `deadLetterReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// A status in [`NOT_RETRIED`].
    Undeliverable(u16),
    MaxDeliveryAttemptsExceeded,
    TimeToLiveExceeded,
}

impl GiveUp {
    pub(crate) fn reason(self) -> String {
        match self {
            GiveUp::Undeliverable(400) => "UndeliverableDueToHttpBadRequest".into(),
            GiveUp::Undeliverable(401) => "UndeliverableDueToHttpUnauthorized".into(),
            GiveUp::Undeliverable(403) => "UndeliverableDueToHttpForbidden".into(),
            GiveUp::Undeliverable(413) => "UndeliverableDueToHttpRequestEntityTooLarge".into(),
            GiveUp::Undeliverable(status) => format!("UndeliverableDueToHttp{status}"),
            GiveUp::MaxDeliveryAttemptsExceeded => "MaxDeliveryAttemptsExceeded".into(),
            GiveUp::TimeToLiveExceeded => "TimeToLiveExceeded".into(),
        }
    }
}

/// What happens to an event after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Delivered: done.
    Done,
    /// Try again at this time (milliseconds since the epoch).
    RetryAt(i64),
    /// Given up: dead-lettered or dropped.
    GiveUp(GiveUp),
}

/// The jitter's seeded generator: the same seed, the same delays.
pub(crate) use crate::support::random::Random as Jitter;

/// How a subscription's times run: `scale` multiplies every delivery time (the retry delays
/// and the time to live; tests use e.g. 0.001), never the 30 s an answer may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub(crate) scale: f64,
}

impl Clock {
    /// The delay before attempt `made + 1`, after `made` failed attempts, jitter included.
    pub(crate) fn delay_ms(&self, made: u32, jitter: &mut Jitter) -> i64 {
        let base = SCHEDULE_SECS
            .get(made.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(AFTER_SCHEDULE_SECS) as f64;
        (base * 1000.0 * self.scale * (1.0 + JITTER * jitter.next_f64())).round() as i64
    }

    /// How long after publication an event is given up.
    pub(crate) fn time_to_live_ms(&self, policy: &RetryPolicy) -> i64 {
        (policy.event_time_to_live_in_minutes as f64 * 60_000.0 * self.scale).round() as i64
    }

    /// What follows attempt number `made` (1 for the first) of an event published at
    /// `published_ms`, which came to `attempt`, at `now_ms`.
    pub(crate) fn after(
        &self,
        policy: &RetryPolicy,
        attempt: &Attempt,
        made: u32,
        published_ms: i64,
        now_ms: i64,
        jitter: &mut Jitter,
    ) -> Next {
        match attempt {
            Attempt::Delivered => return Next::Done,
            Attempt::Status(status) if NOT_RETRIED.contains(status) => {
                return Next::GiveUp(GiveUp::Undeliverable(*status))
            }
            _ => {}
        }
        if made >= policy.max_delivery_attempts {
            return Next::GiveUp(GiveUp::MaxDeliveryAttemptsExceeded);
        }
        let at = now_ms + self.delay_ms(made, jitter);
        if at > published_ms + self.time_to_live_ms(policy) {
            return Next::GiveUp(GiveUp::TimeToLiveExceeded);
        }
        Next::RetryAt(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNSCALED: Clock = Clock { scale: 1.0 };

    #[test]
    fn delays_follow_event_grids_schedule_with_at_most_ten_percent_jitter() {
        let mut jitter = Jitter::new(7);
        let expected = [
            10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200, 43_200,
        ];
        for (made, secs) in (1..).zip(expected) {
            let delay = UNSCALED.delay_ms(made, &mut jitter);
            let base = secs * 1000;
            assert!(
                delay >= base && delay <= base + base / 10,
                "{made}: {delay}"
            );
        }
        // The same seed gives the same delays; another seed others.
        let run = |seed| {
            let mut j = Jitter::new(seed);
            (1..8)
                .map(|m| UNSCALED.delay_ms(m, &mut j))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn webhook_refusals_are_not_retried_and_other_failures_are() {
        let policy = RetryPolicy::default();
        let mut jitter = Jitter::new(1);
        for status in [400, 401, 403, 413] {
            assert_eq!(
                UNSCALED.after(&policy, &Attempt::Status(status), 1, 0, 0, &mut jitter),
                Next::GiveUp(GiveUp::Undeliverable(status))
            );
        }
        for attempt in [
            Attempt::Status(404),
            Attempt::Status(500),
            Attempt::Status(503),
            Attempt::NoAnswer { timed_out: true },
        ] {
            assert!(matches!(
                UNSCALED.after(&policy, &attempt, 1, 0, 0, &mut jitter),
                Next::RetryAt(at) if (10_000..=11_000).contains(&at)
            ));
        }
        assert_eq!(
            UNSCALED.after(&policy, &Attempt::Delivered, 1, 0, 0, &mut jitter),
            Next::Done
        );
    }

    #[test]
    fn attempts_and_time_to_live_end_an_event_whichever_comes_first() {
        let mut jitter = Jitter::new(1);
        let five = RetryPolicy {
            max_delivery_attempts: 5,
            event_time_to_live_in_minutes: 1440,
        };
        let failed = Attempt::Status(503);
        assert!(matches!(
            UNSCALED.after(&five, &failed, 4, 0, 0, &mut jitter),
            Next::RetryAt(_)
        ));
        assert_eq!(
            UNSCALED.after(&five, &failed, 5, 0, 0, &mut jitter),
            Next::GiveUp(GiveUp::MaxDeliveryAttemptsExceeded)
        );
        // 30 minutes to live, 10 attempts: the fifth retry (after 10 min) would pass 30 min.
        let ttl = RetryPolicy {
            max_delivery_attempts: 10,
            event_time_to_live_in_minutes: 30,
        };
        let minute = 60_000;
        assert!(matches!(
            UNSCALED.after(&ttl, &failed, 4, 0, 11 * minute, &mut jitter),
            Next::RetryAt(_)
        ));
        assert_eq!(
            UNSCALED.after(&ttl, &failed, 6, 0, 22 * minute, &mut jitter),
            Next::GiveUp(GiveUp::TimeToLiveExceeded)
        );
        assert_eq!(
            GiveUp::Undeliverable(400).reason(),
            "UndeliverableDueToHttpBadRequest"
        );
    }
}
