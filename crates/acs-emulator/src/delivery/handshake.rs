//! The validation handshakes a subscriber passes before it gets events, per schema, and the
//! CloudEvents form of an event.

use super::webhook_client::WebhookClient;
use crate::events::subscription::EventSchema;
use crate::events::target::Target;
use serde_json::{json, Value};
use time::OffsetDateTime;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The validation handshake of `schema`: a subscriber that fails it gets no events.
pub(super) async fn validate(
    client: &WebhookClient,
    target: &Target,
    schema: EventSchema,
) -> Result<(), BoxError> {
    match schema {
        EventSchema::EventGrid => {
            let code = crate::wire::text::new_id();
            let validation = json!([{
                "id": crate::wire::text::new_id(),
                "topic": "",
                "subject": "",
                "data": {"validationCode": code},
                "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
                "eventTime": crate::wire::text::rfc3339(OffsetDateTime::now_utc()),
                "metadataVersion": "1",
                "dataVersion": "1",
            }]);
            let (status, _, body) = client
                .send(
                    target,
                    "POST",
                    &[
                        ("content-type", "application/json"),
                        ("aeg-event-type", "SubscriptionValidation"),
                    ],
                    serde_json::to_vec(&validation)?.into(),
                )
                .await?;
            let answer: Value = serde_json::from_slice(&body).unwrap_or_default();
            if status == 200 && answer["validationResponse"] == code.as_str() {
                Ok(())
            } else {
                Err(format!("answered {status} without the validation code").into())
            }
        }
        EventSchema::CloudEvents => {
            let origin = "acs-emulator.local";
            let (status, headers, _) = client
                .send(
                    target,
                    "OPTIONS",
                    &[("webhook-request-origin", origin)],
                    bytes::Bytes::new(),
                )
                .await?;
            let allowed = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("webhook-allowed-origin"))
                .map(|(_, v)| v.as_str());
            if (200..300).contains(&status) && matches!(allowed, Some(o) if o == origin || o == "*")
            {
                Ok(())
            } else {
                Err(format!("answered {status} without WebHook-Allowed-Origin").into())
            }
        }
    }
}

/// An event of the log (Event Grid schema) as a CloudEvent.
pub(super) fn cloud_event(event: &Value) -> Value {
    json!({
        "specversion": "1.0",
        "id": event["id"],
        "source": event["topic"],
        "subject": event["subject"],
        "type": event["eventType"],
        "time": event["eventTime"],
        "datacontenttype": "application/json",
        "data": event["data"],
    })
}
