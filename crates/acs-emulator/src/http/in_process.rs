//! Calls of the emulator's own REST API, in process, for what the console changes and what a seed
//! file creates: request bodies written with the emulator's `wire` types, sent as a chat user (a
//! token minted for them) or as the resource (signed with the access key by `hmac_auth::sign`)
//! to the router. Events, validation and persistence are then exactly those of any client.

use crate::api::rest::Req;
use crate::http::router::Router;
use crate::wire::text::encode;
use crate::wire::{
    AddParticipantsRequest, CreateIdentityRequest, CreateThreadRequest, Identifier,
    IssueTokenRequest, SendMessageRequest, SendReadReceiptRequest, TokenScope, UpdateThreadRequest,
};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

/// The api-versions the console speaks.
const CHAT_API_VERSION: &str = "2025-03-15";
const IDENTITY_API_VERSION: &str = "2023-10-01";

/// Who makes a request.
pub(crate) enum Caller<'a> {
    /// A chat user, by raw id.
    User(&'a str),
    /// The resource's access key (identity requests).
    Resource,
}

/// One REST call: its method, path (segments percent-encoded by the caller) and JSON body.
pub(crate) struct Call {
    method: hyper::Method,
    path: String,
    body: Option<Vec<u8>>,
}

impl Call {
    fn new(
        method: hyper::Method,
        path: String,
        body: Option<&impl Serialize>,
    ) -> Result<Call, String> {
        let body = body
            .map(|b| serde_json::to_vec(b).map_err(|e| e.to_string()))
            .transpose()?;
        Ok(Call { method, path, body })
    }
}

/// `/chat/threads/{id}{rest}`.
fn thread(id: &str, rest: &str) -> String {
    format!("/chat/threads/{}{rest}", encode(id))
}

/// `/identities/{id}{rest}`.
fn identity(id: &str, rest: &str) -> String {
    format!("/identities/{}{rest}", encode(id))
}

pub(crate) fn create_user() -> Result<Call, String> {
    let body = CreateIdentityRequest::default();
    Call::new(hyper::Method::POST, "/identities".into(), Some(&body))
}

pub(crate) fn issue_token(user: &str, scopes: Vec<TokenScope>) -> Result<Call, String> {
    let body = IssueTokenRequest {
        scopes: Some(scopes),
        expires_in_minutes: None,
    };
    Call::new(
        hyper::Method::POST,
        identity(user, "/:issueAccessToken"),
        Some(&body),
    )
}

pub(crate) fn revoke_tokens(user: &str) -> Result<Call, String> {
    Call::new(
        hyper::Method::POST,
        identity(user, "/:revokeAccessTokens"),
        None::<&()>,
    )
}

pub(crate) fn delete_user(user: &str) -> Result<Call, String> {
    Call::new(hyper::Method::DELETE, identity(user, ""), None::<&()>)
}

pub(crate) fn create_thread(body: &CreateThreadRequest) -> Result<Call, String> {
    Call::new(hyper::Method::POST, "/chat/threads".into(), Some(body))
}

pub(crate) fn send_message(thread_id: &str, body: &SendMessageRequest) -> Result<Call, String> {
    Call::new(
        hyper::Method::POST,
        thread(thread_id, "/messages"),
        Some(body),
    )
}

pub(crate) fn send_read_receipt(
    thread_id: &str,
    body: &SendReadReceiptRequest,
) -> Result<Call, String> {
    Call::new(
        hyper::Method::POST,
        thread(thread_id, "/readReceipts"),
        Some(body),
    )
}

pub(crate) fn update_thread(thread_id: &str, body: &UpdateThreadRequest) -> Result<Call, String> {
    Call::new(hyper::Method::PATCH, thread(thread_id, ""), Some(body))
}

pub(crate) fn add_participants(
    thread_id: &str,
    body: &AddParticipantsRequest,
) -> Result<Call, String> {
    let path = thread(thread_id, "/participants/:add");
    Call::new(hyper::Method::POST, path, Some(body))
}

pub(crate) fn remove_participant(thread_id: &str, who: &Identifier) -> Result<Call, String> {
    let path = thread(thread_id, "/participants/:remove");
    Call::new(hyper::Method::POST, path, Some(who))
}

/// One API call: the JSON answer of a 2xx (`Null` when empty), or the error's message (the
/// service's, in either error envelope).
pub(crate) fn call(
    router: &Router,
    caller: Caller<'_>,
    call: Result<Call, String>,
) -> Result<Value, String> {
    let call = call?;
    let app = router.app();
    let is_chat = call.path.starts_with("/chat/");
    let version = if is_chat {
        CHAT_API_VERSION
    } else {
        IDENTITY_API_VERSION
    };
    let target = format!("{}?api-version={version}", call.path);
    let body = Bytes::from(call.body.unwrap_or_default());
    let host = app
        .base_url
        .split_once("://")
        .map_or(app.base_url.as_str(), |(_, authority)| authority);
    let mut headers = hyper::HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    put("host", host);
    if !body.is_empty() {
        let media = if call.method == hyper::Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        put("content-type", media);
    }
    match caller {
        Caller::User(raw_id) => {
            let generation = app
                .state()
                .users
                .get(raw_id)
                .map(|u| u.generation)
                .ok_or_else(|| format!("{raw_id} is not a user of this emulator"))?;
            let token = app.user_token(
                raw_id,
                generation,
                &[TokenScope::Chat],
                time::Duration::minutes(5),
            );
            put("authorization", &format!("Bearer {}", token.token));
        }
        Caller::Resource => {
            let signed = crate::api::hmac_auth::sign(
                call.method.as_str(),
                &target,
                host,
                &body,
                &app.access_key,
                std::time::SystemTime::now(),
            );
            for (name, value) in &signed {
                put(name, value);
            }
        }
    }
    let req = Req::new(call.method, target, headers, body, &app.base_url);
    let reply = router.dispatch(&req);
    let json: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    if (200..300).contains(&reply.status) {
        Ok(json)
    } else {
        let message = json["error"]["message"]
            .as_str()
            .or_else(|| json["CommunicationError"]["Message"].as_str());
        Err(message
            .map(str::to_string)
            .unwrap_or_else(|| format!("the emulator answered {}", reply.status)))
    }
}
