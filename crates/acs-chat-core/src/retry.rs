//! The retry schedule: which failures are retried and how long to wait. The facades only sleep.
//!
//! Every decision is bounded: a wait never exceeds `RetryOptions::max_delay` nor the time left in
//! the operation's budget (`RetryOptions::max_total_elapsed`), and no header value can make it
//! panic or wait longer.

use crate::error::TransportErrorKind;
use crate::http::{HttpRequest, HttpResponse, Replay};
use crate::options::RetryOptions;
use std::time::{Duration, SystemTime};

/// The statuses a retry can help with: timeout, throttling, and server or gateway failures.
pub const RETRYABLE_STATUSES: &[u16] = &[408, 429, 500, 502, 503, 504];

/// The largest server-requested wait this SDK represents (larger values saturate to it).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(u32::MAX as u64);

/// Whether a status is one a retry can help with ([`RETRYABLE_STATUSES`]).
pub fn is_retryable_status(status: u16) -> bool {
    RETRYABLE_STATUSES.contains(&status)
}

/// Whether the *caller* may make a call again after it ended with `status`, without the risk of
/// acting twice: a retryable status, and either a request that is safe to repeat or a 429 (the
/// service did not process it). What `Error::is_retryable` answers for a service error.
pub fn caller_may_resend_after_status(replay: Replay, status: u16) -> bool {
    is_retryable_status(status) && (replay == Replay::Safe || status == 429)
}

/// Whether the caller may make a call again after a transport failure or a spent budget: the
/// request never left (`may_have_been_sent` false) or it is safe to repeat.
pub fn caller_may_resend_after_failure(replay: Replay, may_have_been_sent: bool) -> bool {
    !may_have_been_sent || replay == Replay::Safe
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Return the outcome to the caller.
    Stop,
    /// Sleep this long, then send the same request again.
    RetryAfter(Duration),
    /// The attempt may have taken effect: find out whether it did (for [`Replay::Reconcile`]
    /// requests), and only if it did not, sleep this long and send again.
    ReconcileThenRetry(Duration),
}

/// Decides after a response. Only [`RETRYABLE_STATUSES`] are retried. A [`Replay::Safe`] request
/// is retried on all of them; a [`Replay::Unsafe`] one follows azure-core's POST rule (500, 503,
/// 504, or any of them with a `Retry-After`); a [`Replay::Reconcile`] one is retried on 429 (not
/// processed) and reconciled first on the others. The wait is the server's `Retry-After` when it
/// gives one, else exponential backoff; a wait above `max_delay` or past `remaining` stops.
pub fn after_response(
    options: &RetryOptions,
    request: &HttpRequest,
    response: &HttpResponse,
    attempt: u32,
    remaining: Duration,
) -> RetryDecision {
    let status = response.status;
    if attempt > options.max_retries || !is_retryable_status(status) {
        return RetryDecision::Stop;
    }
    let server_wait = retry_after(response, SystemTime::now());
    let retry = |delay: Duration| bounded(options, delay, remaining, RetryDecision::RetryAfter);
    let delay = server_wait.unwrap_or_else(|| backoff(options, attempt));
    match request.replay {
        Replay::Safe => retry(delay),
        Replay::Unsafe if matches!(status, 500 | 503 | 504) || server_wait.is_some() => {
            retry(delay)
        }
        Replay::Unsafe => RetryDecision::Stop,
        Replay::Reconcile if status == 429 => retry(delay),
        Replay::Reconcile => bounded(options, delay, remaining, RetryDecision::ReconcileThenRetry),
    }
}

/// Decides after a transport failure. A connection that was never made is always safe to retry;
/// after any other failure the request may have reached the service, so only [`Replay::Safe`]
/// requests are sent again and [`Replay::Reconcile`] ones are reconciled first.
pub fn after_transport_error(
    options: &RetryOptions,
    request: &HttpRequest,
    kind: TransportErrorKind,
    attempt: u32,
    remaining: Duration,
) -> RetryDecision {
    if attempt > options.max_retries {
        return RetryDecision::Stop;
    }
    let delay = backoff(options, attempt);
    match (request.replay, kind.may_have_been_sent()) {
        (_, false) | (Replay::Safe, true) => {
            bounded(options, delay, remaining, RetryDecision::RetryAfter)
        }
        (Replay::Reconcile, true) => {
            bounded(options, delay, remaining, RetryDecision::ReconcileThenRetry)
        }
        (Replay::Unsafe, true) => RetryDecision::Stop,
    }
}

fn bounded(
    options: &RetryOptions,
    delay: Duration,
    remaining: Duration,
    decision: fn(Duration) -> RetryDecision,
) -> RetryDecision {
    if delay > options.max_delay || delay >= remaining {
        RetryDecision::Stop
    } else {
        decision(delay)
    }
}

/// Exponential backoff from `initial_delay`, doubled per attempt, capped at `max_delay`, with
/// ±20 % jitter so many clients do not retry in step.
pub fn backoff(options: &RetryOptions, attempt: u32) -> Duration {
    let exp = options
        .initial_delay
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let capped = exp.min(options.max_delay);
    capped
        .mul_f64(0.8 + fastrand::f64() * 0.4)
        .min(options.max_delay)
}

/// Reads `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After` (seconds or an HTTP date).
/// Negative, non-numeric and non-finite values are ignored; huge ones saturate at
/// [`MAX_RETRY_AFTER`].
pub fn retry_after(response: &HttpResponse, now: SystemTime) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = response.header(name).and_then(parse_non_negative) {
            return Some(seconds(ms / 1000.0));
        }
    }
    let value = response.header("retry-after")?.trim();
    if let Some(secs) = parse_non_negative(value) {
        return Some(seconds(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

fn parse_non_negative(value: &str) -> Option<f64> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        // An overflowing number parses as infinity: it means "very long", so it saturates.
        .filter(|v| !v.is_nan() && *v >= 0.0)
}

fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs)
        .unwrap_or(MAX_RETRY_AFTER)
        .min(MAX_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    const PLENTY: Duration = Duration::from_secs(3600);

    fn response(status: u16, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: vec![],
        }
    }

    fn request(method: Method) -> HttpRequest {
        HttpRequest::new(
            "op",
            method,
            crate::Endpoint::parse("https://h")
                .unwrap()
                .url::<&str>("/x", &[]),
            200,
        )
    }

    fn keyed() -> HttpRequest {
        request(Method::Post).replay(Replay::Reconcile)
    }

    #[test]
    fn statuses_and_methods_follow_azure_core() {
        let o = RetryOptions::default();
        let decide = |r: &HttpRequest, s, h: &[(&str, &str)]| {
            after_response(&o, r, &response(s, h), 1, PLENTY)
        };
        let retried = |m, s| decide(&request(m), s, &[]) != RetryDecision::Stop;
        assert!(retried(Method::Get, 429));
        assert!(retried(Method::Get, 502));
        assert!(retried(Method::Get, 408));
        assert!(!retried(Method::Post, 429));
        assert!(!retried(Method::Post, 502));
        assert!(retried(Method::Post, 503));
        assert!(!retried(Method::Get, 404));
        assert!(!retried(Method::Get, 501));
        assert!(!retried(Method::Get, 200));
        assert_eq!(
            decide(&request(Method::Post), 429, &[("retry-after", "2")]),
            RetryDecision::RetryAfter(Duration::from_secs(2))
        );
        // Retry-After does not make a status retryable.
        for status in [400, 401, 403, 404, 409, 413] {
            assert_eq!(
                decide(&request(Method::Get), status, &[("retry-after", "0")]),
                RetryDecision::Stop,
                "{status}"
            );
        }
        assert_eq!(
            after_response(
                &o,
                &request(Method::Get),
                &response(503, &[]),
                o.max_retries + 1,
                PLENTY
            ),
            RetryDecision::Stop
        );
    }

    #[test]
    fn keyed_sends_reconcile_ambiguous_outcomes() {
        let o = RetryOptions::default();
        let on = |s| after_response(&o, &keyed(), &response(s, &[]), 1, PLENTY);
        assert!(matches!(on(429), RetryDecision::RetryAfter(_)));
        assert!(matches!(on(503), RetryDecision::ReconcileThenRetry(_)));
        assert!(matches!(on(408), RetryDecision::ReconcileThenRetry(_)));
        assert_eq!(on(400), RetryDecision::Stop);
        let t = |kind| after_transport_error(&o, &keyed(), kind, 1, PLENTY);
        assert!(matches!(
            t(TransportErrorKind::Connect),
            RetryDecision::RetryAfter(_)
        ));
        assert!(matches!(
            t(TransportErrorKind::Timeout),
            RetryDecision::ReconcileThenRetry(_)
        ));
        let unsafe_post = |kind| after_transport_error(&o, &request(Method::Post), kind, 1, PLENTY);
        assert_eq!(unsafe_post(TransportErrorKind::Other), RetryDecision::Stop);
        assert!(matches!(
            unsafe_post(TransportErrorKind::Connect),
            RetryDecision::RetryAfter(_)
        ));
    }

    #[test]
    fn waits_are_capped_by_max_delay_and_the_budget() {
        let o = RetryOptions::default();
        let get = request(Method::Get);
        let day = response(429, &[("retry-after", "86400")]);
        assert_eq!(
            after_response(&o, &get, &day, 1, PLENTY),
            RetryDecision::Stop
        );
        let two = response(429, &[("retry-after", "2")]);
        assert_eq!(
            after_response(&o, &get, &two, 1, Duration::from_secs(1)),
            RetryDecision::Stop
        );
        for (name, value) in [
            ("retry-after", "1e30"),
            ("retry-after-ms", "1e300"),
            ("retry-after", "18446744073709551616"),
            ("x-ms-retry-after-ms", "1.7976931348623157e308"),
            ("retry-after-ms", "1.8e308"),
        ] {
            let huge = response(503, &[(name, value)]);
            assert_eq!(retry_after(&huge, SystemTime::now()), Some(MAX_RETRY_AFTER));
            assert_eq!(
                after_response(&o, &get, &huge, 1, PLENTY),
                RetryDecision::Stop
            );
        }
        assert!(backoff(&o, u32::MAX) <= o.max_delay);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            retry_after(&response(503, &[("retry-after-ms", "250")]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(&response(503, &[("Retry-After", "3")]), now),
            Some(Duration::from_secs(3))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(5));
        assert_eq!(
            retry_after(&response(503, &[("retry-after", &date)]), now),
            Some(Duration::from_secs(5))
        );
        for junk in ["soon", "-1", "NaN", "-inf", ""] {
            assert_eq!(
                retry_after(&response(503, &[("retry-after", junk)]), now),
                None,
                "{junk}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_caps() {
        let o = RetryOptions::default();
        let first = backoff(&o, 1);
        assert!(
            first >= Duration::from_millis(160) && first <= Duration::from_millis(240),
            "{first:?}"
        );
        let third = backoff(&o, 3);
        assert!(
            third >= Duration::from_millis(640) && third <= Duration::from_millis(960),
            "{third:?}"
        );
        assert!(backoff(&o, 30) <= o.max_delay);
    }
}
