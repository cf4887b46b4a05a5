//! The emulator's own routes under `/emulator/` (not part of ACS), authorized like the identity
//! API (HMAC with the access key, or an Entra bearer token): the event log, the webhook
//! subscriptions (Event Grid's event subscriptions, managed at run time) and the dead letters.
//!
//! - `GET /emulator/events[?since=N]`: the events published so far.
//! - `GET /emulator/subscriptions`: `{"value": [subscription...]}`, each with `deliveryState`.
//! - `PUT /emulator/subscriptions/{name}`: creates (201) or replaces (200) one; the body is an
//!   `EventSubscription` in JSON (`endpointUrl`, `schema`, `includedEventTypes`,
//!   `retryPolicy`, `deadLetter`, `maxEventsPerBatch`, `preferredBatchSizeInKilobytes`,
//!   `deliveryHeaders`); with a data dir it is kept.
//! - `GET` / `DELETE /emulator/subscriptions/{name}`: one (404 if none) / deletes it (204).
//! - `GET /emulator/deadletter[?subscription=NAME]`: `{"value": [event...]}`, each dead-lettered
//!   event with Event Grid's dead-letter fields and `subscription`.
//! - `GET` / `PUT` / `DELETE /emulator/faults`: the fault and latency rules in force
//!   (`{"rules": [...], "seed"?}`, see `domain::faults`), replaced whole (200), or cleared (204);
//!   a rule out of its ranges is a 400 whose `target` names the field (`rules[0].probability`).
//! - `POST /emulator/reset`: empties users, threads, messages and idempotency records (204); the
//!   access key, the event log and the subscriptions stay, unless the body says
//!   `{"subscriptions": true}` (then they go too).

use crate::api::rest::{ApiError, Change, Reply, Req, Result, JSON};
use crate::app::App;
use crate::delivery::{Put, Subscriptions};
use crate::domain::faults::FaultRules;
use crate::events::subscription::EventSubscription;
use bytes::Bytes;

pub(crate) fn handle(app: &App, registry: &Subscriptions, req: &Req) -> Result<Reply> {
    // Events carry every user's messages, subscriptions their webhooks: the resource's only.
    crate::api::resource_auth::verify(app, req)?;
    let segments: Vec<&str> = req.segments.iter().skip(1).map(String::as_str).collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["events"]) => {
            let since = req.query("since").and_then(|s| s.parse().ok()).unwrap_or(0);
            Ok(Reply {
                status: 200,
                headers: vec![("content-type", "application/json; charset=utf-8".into())],
                body: Bytes::from(app.events.json_since(since)),
                changes: Vec::new(),
            })
        }
        ("GET", ["subscriptions"]) => Ok(Reply::json(
            200,
            &serde_json::json!({ "value": registry.list() }),
        )),
        ("GET", ["subscriptions", name]) => registry
            .get(name)
            .map(|view| Reply::json(200, &view))
            .ok_or_else(|| no_subscription(name)),
        ("PUT", ["subscriptions", name]) => {
            let mut subscription: EventSubscription = req.json(JSON)?;
            if !subscription.name.is_empty() && subscription.name != *name {
                return Err(ApiError::bad_request(format!(
                    "The body names `{}`, the path `{name}`.",
                    subscription.name
                ))
                .with_target("name"));
            }
            subscription.name = name.to_string();
            let put = registry
                .put(subscription, true)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidInput => ApiError::bad_request(e.to_string()),
                    _ => ApiError::new(500, "InternalError", e.to_string()),
                })?;
            let status = if put == Put::Created { 201 } else { 200 };
            let view = registry.get(name).unwrap_or_default();
            Ok(Reply::json(status, &view))
        }
        ("DELETE", ["subscriptions", name]) => match registry.delete(name) {
            Ok(true) => Ok(Reply::empty(204)),
            Ok(false) => Err(no_subscription(name)),
            Err(e) => Err(ApiError::new(500, "InternalError", e.to_string())),
        },
        ("GET", ["faults"]) => Ok(Reply::json(200, &app.faults())),
        ("PUT", ["faults"]) => {
            let rules: FaultRules = req.json(JSON)?;
            rules
                .check(&crate::api::route_templates())
                .map_err(|invalid| {
                    ApiError::bad_request(format!("{}: {}", invalid.field, invalid.message))
                        .with_target(invalid.field)
                })?;
            app.set_faults(rules);
            Ok(Reply::json(200, &app.faults()))
        }
        ("DELETE", ["faults"]) => {
            app.set_faults(FaultRules::default());
            Ok(Reply::empty(204))
        }
        ("POST", ["reset"]) => {
            let body: ResetRequest = req.optional_json(JSON)?;
            if body.subscriptions {
                for subscription in registry.list() {
                    if let Some(name) = subscription["name"].as_str() {
                        registry
                            .delete(name)
                            .map_err(|e| ApiError::new(500, "InternalError", e.to_string()))?;
                    }
                }
            }
            app.state().reset();
            Ok(Reply::empty(204).changed(Change::Reset))
        }
        ("GET", ["deadletter"]) => {
            let letters = registry.dead_letters(req.query("subscription"));
            Ok(Reply::json(200, &serde_json::json!({ "value": letters })))
        }
        (_, ["subscriptions", ..] | ["events"] | ["deadletter"] | ["faults"] | ["reset"]) => Err(
            ApiError::new(405, "MethodNotAllowed", "method not allowed here"),
        ),
        _ => Err(ApiError::not_found(format!(
            "No route for {} {}.",
            req.method, req.target
        ))),
    }
}

fn no_subscription(name: &str) -> ApiError {
    ApiError::not_found(format!("No event subscription named `{name}`.")).with_target("name")
}

/// `POST /emulator/reset`'s optional body.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    /// Also delete every webhook subscription.
    #[serde(default)]
    subscriptions: bool,
}
