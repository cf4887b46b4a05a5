//! Faults and latency on purpose (`PUT /emulator/faults`, `--faults FILE`): rules that make the
//! chat and identity APIs slow, throttled, failing, dropping connections or answering after the
//! client gave up, the way the real service sometimes does. Pure: rules, their checks, and the
//! decision for one request from a seeded random source; the router applies it.

pub(crate) use crate::support::random::Random;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest latency or late answer a rule may ask for (10 minutes).
const MAX_MS: i64 = 600_000;

/// What a rule does to the requests it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Fault {
    /// 429 `TooManyRequests` with `Retry-After: retryAfterSeconds`, nothing done.
    Throttle,
    /// 503 `ServiceUnavailable`, nothing done.
    Unavailable,
    /// 500 `InternalServerError`, nothing done.
    InternalError,
    /// The request is carried out, then the connection is closed without an answer.
    Drop,
    /// The request is carried out and answered `lateMs` later (after a client's timeout).
    Late,
}

/// One rule. `route` picks requests: `*` (every chat and identity request), `chat`,
/// `identity`, or `METHOD /path` with `*` for one path segment (`POST /chat/threads/*/messages`).
/// Every request it picks waits `latencyMs` (or a log-normal delay with median `latencyP50Ms` and
/// 99th percentile `latencyP99Ms`), then gets `fault` with `probability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Rule {
    pub(crate) route: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) latency_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) latency_p50_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) latency_p99_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fault: Option<Fault>,
    /// Of the fault; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) probability: Option<f64>,
    /// For `throttle`: the `Retry-After` seconds (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after_seconds: Option<u64>,
    /// For `late`: how long after the answer is ready it is sent (35 000 when absent: past the
    /// SDKs' usual 30 s timeouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) late_ms: Option<i64>,
    /// At most this many requests get the fault (then the rule only delays); no bound when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) times: Option<u64>,
}

/// The rules in force: `PUT /emulator/faults` replaces them all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FaultRules {
    pub(crate) rules: Vec<Rule>,
    /// Fixes the random choices (the same seed, the same sequence of outcomes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<u64>,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Outcome {
    pub(crate) delay: Duration,
    pub(crate) fault: Option<Fault>,
    pub(crate) retry_after_seconds: u64,
    pub(crate) late: Duration,
}

/// A rule that cannot be taken: the field (a JSON path like `rules[0].probability`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) field: String,
    pub(crate) message: String,
}

impl FaultRules {
    /// Reads and checks rules from JSON (a flag's file, the builder) against `routes` (see
    /// [`FaultRules::check`]): what is wrong, with the line and column or the field.
    pub(crate) fn parse(json: &str, routes: &[String]) -> Result<FaultRules, String> {
        let rules: FaultRules = serde_json::from_str(json).map_err(|e| e.to_string())?;
        rules
            .check(routes)
            .map_err(|invalid| format!("{}: {}", invalid.field, invalid.message))?;
        Ok(rules)
    }

    /// Checks every rule against its ranges and `routes` (the templates of the API's routes,
    /// `METHOD /path` with `*` segments).
    pub(crate) fn check(&self, routes: &[String]) -> Result<(), Invalid> {
        for (i, rule) in self.rules.iter().enumerate() {
            let invalid = |field: &str, message: String| Invalid {
                field: format!("rules[{i}].{field}"),
                message,
            };
            let known = matches!(rule.route.as_str(), "*" | "chat" | "identity")
                || routes
                    .iter()
                    .any(|template| same_template(&rule.route, template));
            if !known {
                return Err(invalid(
                    "route",
                    format!(
                        "`{}` is none of `*`, `chat`, `identity` or a route of the API (`METHOD /path`, `*` for an id): {}",
                        rule.route,
                        routes.join(", ")
                    ),
                ));
            }
            if let Some(p) = rule.probability {
                if !(0.0..=1.0).contains(&p) {
                    return Err(invalid(
                        "probability",
                        format!("{p} is not between 0 and 1"),
                    ));
                }
            }
            for (field, value) in [
                ("latencyMs", rule.latency_ms),
                ("latencyP50Ms", rule.latency_p50_ms),
                ("latencyP99Ms", rule.latency_p99_ms),
                ("lateMs", rule.late_ms),
            ] {
                if value.is_some_and(|ms| !(0..=MAX_MS).contains(&ms)) {
                    return Err(invalid(
                        field,
                        format!(
                            "{} is not between 0 and {MAX_MS} ms",
                            value.unwrap_or_default()
                        ),
                    ));
                }
            }
            match (rule.latency_ms, rule.latency_p50_ms, rule.latency_p99_ms) {
                (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                    return Err(invalid(
                        "latencyMs",
                        "give latencyMs or latencyP50Ms with latencyP99Ms, not both".into(),
                    ))
                }
                (None, Some(p50), Some(p99)) if p99 < p50 => {
                    return Err(invalid(
                        "latencyP99Ms",
                        format!("{p99} is below latencyP50Ms {p50}"),
                    ))
                }
                (None, Some(_), None) | (None, None, Some(_)) => {
                    return Err(invalid(
                        "latencyP50Ms",
                        "latencyP50Ms and latencyP99Ms go together".into(),
                    ))
                }
                _ => {}
            }
            if rule.retry_after_seconds.is_some_and(|s| s == 0 || s > 3600) {
                return Err(invalid("retryAfterSeconds", "between 1 and 3600".into()));
            }
        }
        Ok(())
    }

    /// The first rule that picks `method path` (`chat`: under `/chat/`, else identity), and
    /// its outcome with `random` (uniform in [0, 1) at each call); `used[i]`: the faults rule `i`
    /// has given so far (counted here, for `times`).
    pub(crate) fn decide(
        &self,
        method: &str,
        path: &str,
        used: &mut [u64],
        mut random: impl FnMut() -> f64,
    ) -> Outcome {
        let request = format!("{method} {path}");
        let is_chat = path.starts_with("/chat/") || path == "/chat";
        let Some((index, rule)) =
            self.rules
                .iter()
                .enumerate()
                .find(|(_, rule)| match rule.route.as_str() {
                    "*" => true,
                    "chat" => is_chat,
                    "identity" => !is_chat,
                    template => same_template(&request, template),
                })
        else {
            return Outcome::default();
        };
        let delay = match (rule.latency_ms, rule.latency_p50_ms, rule.latency_p99_ms) {
            (Some(ms), _, _) => millis(ms),
            (None, Some(p50), Some(p99)) => log_normal(p50, p99, &mut random),
            _ => Duration::ZERO,
        };
        let left = match (rule.times, used.get(index)) {
            (Some(times), Some(&n)) => n < times,
            _ => true,
        };
        let fault = rule
            .fault
            .filter(|_| left && random() < rule.probability.unwrap_or(1.0));
        if fault.is_some() {
            if let Some(n) = used.get_mut(index) {
                *n += 1;
            }
        }
        Outcome {
            delay,
            fault,
            retry_after_seconds: rule.retry_after_seconds.unwrap_or(1),
            late: millis(rule.late_ms.unwrap_or(35_000)),
        }
    }
}

/// A checked (non-negative) number of milliseconds.
fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// Whether `given` (`METHOD /a/b`, with ids or `*`) fits `template` (`*` matches any one segment).
fn same_template(given: &str, template: &str) -> bool {
    let (Some((m1, p1)), Some((m2, p2))) = (given.split_once(' '), template.split_once(' ')) else {
        return false;
    };
    let (a, b): (Vec<&str>, Vec<&str>) = (
        p1.split('/').filter(|s| !s.is_empty()).collect(),
        p2.split('/').filter(|s| !s.is_empty()).collect(),
    );
    m1.eq_ignore_ascii_case(m2)
        && a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || *x == "*" || *y == "*")
}

/// A delay with median `p50` ms and 99th percentile `p99` ms (log-normal, Box–Muller).
fn log_normal(p50: i64, p99: i64, random: &mut impl FnMut() -> f64) -> Duration {
    if p50 <= 0 {
        return Duration::ZERO;
    }
    // z of the 99th percentile of the standard normal.
    let sigma = (p99.max(p50) as f64 / p50 as f64).ln() / 2.326_347_9;
    let (u1, u2) = (random().max(f64::MIN_POSITIVE), random());
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    let ms = (p50 as f64 * (sigma * z).exp()).min(MAX_MS as f64);
    Duration::from_micros((ms * 1000.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Vec<String> {
        vec![
            "POST /chat/threads/*/messages".into(),
            "GET /chat/threads/*/messages/*".into(),
            "POST /identities".into(),
        ]
    }

    fn rules(json: serde_json::Value) -> FaultRules {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn rules_out_of_range_name_the_field() {
        for (json, field) in [
            (
                serde_json::json!({"rules": [{"route": "*", "probability": 1.5, "fault": "throttle"}]}),
                "rules[0].probability",
            ),
            (
                serde_json::json!({"rules": [{"route": "*"}, {"route": "GET /nowhere"}]}),
                "rules[1].route",
            ),
            (
                serde_json::json!({"rules": [{"route": "chat", "latencyMs": 600001}]}),
                "rules[0].latencyMs",
            ),
            (
                serde_json::json!({"rules": [{"route": "chat", "latencyP50Ms": 10}]}),
                "rules[0].latencyP50Ms",
            ),
            (
                serde_json::json!({"rules": [{"route": "chat", "latencyP50Ms": 10, "latencyP99Ms": 5}]}),
                "rules[0].latencyP99Ms",
            ),
            (
                serde_json::json!({"rules": [{"route": "chat", "retryAfterSeconds": 0}]}),
                "rules[0].retryAfterSeconds",
            ),
        ] {
            assert_eq!(
                rules(json.clone()).check(&routes()).unwrap_err().field,
                field,
                "{json}"
            );
        }
        let negative = rules(serde_json::json!({"rules": [{"route": "*", "latencyMs": -1}]}));
        assert_eq!(
            negative.check(&routes()).unwrap_err().field,
            "rules[0].latencyMs"
        );
        let fine = rules(serde_json::json!({"rules": [
            {"route": "POST /chat/threads/*/messages", "fault": "throttle", "probability": 0.5},
            {"route": "identity", "latencyP50Ms": 100, "latencyP99Ms": 600},
        ]}));
        assert_eq!(fine.check(&routes()), Ok(()));
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let r = rules(serde_json::json!({"rules": [
            {"route": "POST /chat/threads/*/messages", "fault": "throttle", "retryAfterSeconds": 2},
            {"route": "chat", "latencyMs": 200},
        ]}));
        let used = &mut [0, 0];
        let send = r.decide(
            "POST",
            "/chat/threads/19:a@thread.v2/messages",
            used,
            || 0.0,
        );
        assert_eq!(
            (send.fault, send.retry_after_seconds),
            (Some(Fault::Throttle), 2)
        );
        let list = r.decide("GET", "/chat/threads/19:a@thread.v2/messages", used, || 0.0);
        assert_eq!((list.fault, list.delay), (None, Duration::from_millis(200)));
        assert_eq!(
            r.decide("POST", "/identities", used, || 0.0),
            Outcome::default()
        );
        assert_eq!(used, &[1, 0]);
    }

    #[test]
    fn times_bounds_the_faults_not_the_delay() {
        let r = rules(serde_json::json!({"rules": [
            {"route": "chat", "fault": "unavailable", "times": 2, "latencyMs": 5},
        ]}));
        let used = &mut [0];
        let faults: Vec<Option<Fault>> = (0..4)
            .map(|_| r.decide("GET", "/chat/threads", used, || 0.0).fault)
            .collect();
        assert_eq!(
            faults,
            [
                Some(Fault::Unavailable),
                Some(Fault::Unavailable),
                None,
                None
            ]
        );
        let after = r.decide("GET", "/chat/threads", used, || 0.0);
        assert_eq!(after.delay, Duration::from_millis(5));
    }

    #[test]
    fn probabilities_and_percentiles_hold_over_many_draws() {
        let r = rules(serde_json::json!({"rules": [
            {"route": "*", "fault": "unavailable", "probability": 0.25,
             "latencyP50Ms": 100, "latencyP99Ms": 600},
        ]}));
        let mut random = Random::new(7);
        let outcomes: Vec<Outcome> = (0..20_000)
            .map(|_| r.decide("GET", "/chat/threads", &mut [0], || random.next_f64()))
            .collect();
        let faults = outcomes.iter().filter(|o| o.fault.is_some()).count() as f64 / 20_000.0;
        assert!((faults - 0.25).abs() < 0.02, "{faults}");
        let mut delays: Vec<u128> = outcomes.iter().map(|o| o.delay.as_millis()).collect();
        delays.sort();
        let (p50, p99) = (delays[10_000], delays[19_800]);
        assert!((90..=110).contains(&p50), "p50 {p50}");
        assert!((520..=690).contains(&p99), "p99 {p99}");
    }
}
