//! What the console changes, it changes through the emulator's own REST API, in process, with
//! requests built by the SDK's sans-IO core (`acs_chat_core::requests`): as a chat user (a token
//! minted for them) or as the resource (signed with the access key, by core's HMAC signer).
//! Events, validation and persistence are then exactly those of any client.

use crate::shared::App;
use acs_chat_core::requests::{ChatRequests, IdentityRequests};
use acs_chat_core::{AccessKey, Endpoint, HttpRequest};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use std::sync::Arc;

/// Who makes a request.
pub(crate) enum Caller<'a> {
    /// A chat user, by raw id.
    User(&'a str),
    /// The resource's access key (identity requests).
    Resource,
}

/// The request builders, addressed to this emulator.
pub(crate) fn builders(app: &App) -> Result<(ChatRequests, IdentityRequests), String> {
    // These requests never leave the process (they go to `router::dispatch`), so a plain-http
    // emulator on a network address is fine here.
    let endpoint = Endpoint::parse_with(&app.base_url, true).map_err(|e| e.to_string())?;
    Ok((
        ChatRequests::new(endpoint.clone(), None),
        IdentityRequests::new(endpoint, None),
    ))
}

/// One API call: the JSON answer of a 2xx (`Null` when empty), or the error's message (the
/// builder's or the service's).
pub(crate) async fn call(
    app: &Arc<App>,
    caller: Caller<'_>,
    request: acs_chat_core::Result<HttpRequest>,
) -> Result<Value, String> {
    let request = request.map_err(|e| e.to_string())?;
    let authorization: Vec<(&'static str, String)> = match caller {
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
                &[crate::wire::TokenScope::Chat],
                time::Duration::minutes(5),
            );
            vec![("authorization", format!("Bearer {}", token.token))]
        }
        Caller::Resource => {
            let key =
                AccessKey::new(&STANDARD.encode(&app.access_key)).map_err(|e| e.to_string())?;
            acs_chat_core::auth::signature_headers(&request, &key, std::time::SystemTime::now())
                .map_err(|e| e.to_string())?
        }
    };
    let uri: hyper::Uri = request
        .url
        .as_str()
        .parse()
        .map_err(|_| "a request URL".to_string())?;
    let target = uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut builder = hyper::Request::builder()
        .method(request.method.as_str())
        .uri(target.as_str());
    if let Some(host) = uri.authority() {
        builder = builder.header("host", host.as_str());
    }
    for (name, value) in request.headers.iter().map(|(n, v)| (n.as_str(), v)) {
        builder = builder.header(name, value.as_str());
    }
    for (name, value) in &authorization {
        builder = builder.header(*name, value.as_str());
    }
    let (parts, ()) = builder.body(()).map_err(|e| e.to_string())?.into_parts();
    let req = crate::router::read(app, parts, target, request.body.unwrap_or_default());
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
