//! The retry schedule: which failures are retried and how long to wait. The facades only sleep.

use crate::error::TransportErrorKind;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::options::RetryOptions;
use std::time::{Duration, SystemTime};

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Return the outcome to the caller.
    Stop,
    /// Sleep this long, then send the same request again.
    RetryAfter(Duration),
}

/// Decides after a response, following azure-core's RetryPolicy: any status >= 400 with a
/// `Retry-After` header is retried; otherwise GET/DELETE retry on 408, 429, 500, 502, 503, 504 and
/// POST/PATCH only on 500, 503, 504 (a POST may have taken effect on other statuses).
pub fn after_response(
    options: &RetryOptions,
    request: &HttpRequest,
    response: &HttpResponse,
    attempt: u32,
) -> RetryDecision {
    if attempt > options.max_retries || response.status < 400 {
        return RetryDecision::Stop;
    }
    if let Some(delay) = retry_after(response, SystemTime::now()) {
        return RetryDecision::RetryAfter(delay);
    }
    let retryable = match request.method {
        Method::Get | Method::Delete => {
            matches!(response.status, 408 | 429 | 500 | 502 | 503 | 504)
        }
        Method::Post | Method::Patch => matches!(response.status, 500 | 503 | 504),
    };
    if retryable {
        RetryDecision::RetryAfter(backoff(options, attempt))
    } else {
        RetryDecision::Stop
    }
}

/// Decides after a transport failure. A connection that was never made is always safe to retry;
/// other failures only for idempotent requests (GET, DELETE, PATCH, or a create carrying a
/// `repeatability-request-id`), since the service may have acted on them.
pub fn after_transport_error(
    options: &RetryOptions,
    request: &HttpRequest,
    kind: TransportErrorKind,
    attempt: u32,
) -> RetryDecision {
    if attempt > options.max_retries {
        return RetryDecision::Stop;
    }
    let idempotent =
        request.method != Method::Post || request.header("repeatability-request-id").is_some();
    if kind == TransportErrorKind::Connect || idempotent {
        RetryDecision::RetryAfter(backoff(options, attempt))
    } else {
        RetryDecision::Stop
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
pub fn retry_after(response: &HttpResponse, now: SystemTime) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = response
            .header(name)
            .and_then(|v| v.trim().parse::<f64>().ok())
        {
            if ms.is_finite() && ms >= 0.0 {
                return Some(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    }
    let value = response.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        HttpRequest::new("op", method, "https://h/x".into(), 200)
    }

    #[test]
    fn statuses_and_methods_follow_azure_core() {
        let o = RetryOptions::default();
        let retried =
            |m, s| after_response(&o, &request(m), &response(s, &[]), 1) != RetryDecision::Stop;
        assert!(retried(Method::Get, 429));
        assert!(retried(Method::Get, 502));
        assert!(!retried(Method::Post, 429));
        assert!(!retried(Method::Post, 502));
        assert!(retried(Method::Post, 503));
        assert!(!retried(Method::Get, 404));
        assert!(!retried(Method::Get, 200));
        let with_header = after_response(
            &o,
            &request(Method::Post),
            &response(429, &[("retry-after", "2")]),
            1,
        );
        assert_eq!(
            with_header,
            RetryDecision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            after_response(
                &o,
                &request(Method::Get),
                &response(503, &[]),
                o.max_retries + 1
            ),
            RetryDecision::Stop
        );
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
        assert_eq!(
            retry_after(&response(503, &[("retry-after", "soon")]), now),
            None
        );
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
