//! What the console changes, it changes through the emulator's own REST API, in process: as a
//! chat user (a token minted for them) or as the resource (HMAC with the access key). Events,
//! validation and persistence are then exactly those of any client.

use crate::http_util::Req;
use crate::shared::App;
use acs_chat_core::endpoint::encode_component;
use acs_chat_core::models::CommunicationTokenScope;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;

const CHAT_API: &str = "2025-03-15";
const IDENTITY_API: &str = "2023-10-01";

/// Who makes a request.
pub(crate) enum Caller<'a> {
    /// A chat user, by raw id.
    User(&'a str),
    /// The resource's access key (identity requests).
    Resource,
}

/// One API call: the JSON answer of a 2xx (`Null` when empty), or the service's error message.
pub(crate) async fn call(
    app: &Arc<App>,
    caller: Caller<'_>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let api = if path.starts_with("/chat") {
        CHAT_API
    } else {
        IDENTITY_API
    };
    let target = format!("{path}?api-version={api}");
    let body = body
        .map(|b| bytes::Bytes::from(b.to_string()))
        .unwrap_or_default();
    let host = app
        .base_url
        .split_once("://")
        .map(|(_, h)| h.to_string())
        .unwrap_or_default();
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(target.as_str())
        .header("host", host.as_str())
        .header("content-type", "application/json");
    match caller {
        Caller::User(raw_id) => {
            let generation = app
                .state()
                .users
                .get(raw_id)
                .map(|u| u.generation)
                .ok_or_else(|| format!("{raw_id} is not a user of this emulator"))?;
            let token = crate::identity::token_for(
                app,
                raw_id,
                generation,
                &[CommunicationTokenScope::Chat],
                time::Duration::minutes(5),
            );
            request = request.header("authorization", format!("Bearer {}", token.token));
        }
        Caller::Resource => {
            let date = httpdate::fmt_http_date(std::time::SystemTime::now());
            let hash = STANDARD.encode(Sha256::digest(&body));
            let to_sign = format!("{method}\n{target}\n{date};{host};{hash}");
            let mut mac =
                Hmac::<Sha256>::new_from_slice(&app.access_key).map_err(|e| e.to_string())?;
            mac.update(to_sign.as_bytes());
            let signature = STANDARD.encode(mac.finalize().into_bytes());
            request = request
                .header("x-ms-date", date)
                .header("x-ms-content-sha256", hash)
                .header(
                    "authorization",
                    format!(
                        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
                    ),
                );
        }
    }
    let (parts, ()) = request.body(()).map_err(|e| e.to_string())?.into_parts();
    let req: Req = crate::router::read(app, parts, target, body);
    let reply = crate::router::dispatch(app, &req).await;
    let json: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    if (200..300).contains(&reply.status) {
        Ok(json)
    } else {
        Err(json["error"]["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("the emulator answered {}", reply.status)))
    }
}

/// `/chat/threads/{id}` with the id encoded.
pub(crate) fn thread_path(thread_id: &str) -> String {
    format!("/chat/threads/{}", encode_component(thread_id))
}

/// `/identities/{id}` with the id encoded.
pub(crate) fn identity_path(user_id: &str) -> String {
    format!("/identities/{}", encode_component(user_id))
}

/// A participant body for a user id.
pub(crate) fn participant(user_id: &str, display_name: Option<&str>) -> Value {
    let mut p = serde_json::json!({
        "communicationIdentifier": {"rawId": user_id, "communicationUser": {"id": user_id}},
    });
    if let Some(name) = display_name.filter(|n| !n.trim().is_empty()) {
        p["displayName"] = Value::from(name.trim());
    }
    p
}
