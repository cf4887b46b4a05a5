//! A raw HTTPS client for the emulator's tests and benchmark: it speaks the REST API directly
//! (not through the SDK) so that the emulator is held to the wire format.
#![allow(dead_code)]

use acs_chat_core::auth::sign_request;
use acs_chat_core::{AccessKey, HttpRequest, Method};
use acs_emulator::{Emulator, Limits};
use serde_json::Value;
use std::sync::Arc;
use std::time::SystemTime;
use ureq::tls::{PemItem, RootCerts, TlsConfig};

pub const CHAT: &str = "2025-03-15";
pub const IDENTITY: &str = "2023-10-01";

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The error body's code; panics unless the body has one of the service's error shapes: the
    /// chat service's `{"CommunicationError": {"Code", "Message"?, "Details"}}` or the spec's
    /// `{"error": {"code", "message"}}`.
    pub fn error_code(&self) -> &str {
        if let Some(error) = self.body.get("CommunicationError") {
            assert!(error["Details"].is_array(), "no Details: {}", self.text);
            return error["Code"]
                .as_str()
                .unwrap_or_else(|| panic!("no Code: {}", self.text));
        }
        let error = &self.body["error"];
        assert!(
            error["message"].is_string(),
            "not an ACS error body: {}",
            self.text
        );
        error["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.code: {}", self.text))
    }

    /// The chat service's error (`{"CommunicationError": ...}`): its code and message (`""` when
    /// it has none); panics for any other body.
    pub fn chat_error(&self) -> (&str, &str) {
        let error = &self.body["CommunicationError"];
        let code = error["Code"]
            .as_str()
            .unwrap_or_else(|| panic!("not a chat error body: {}", self.text));
        (code, error["Message"].as_str().unwrap_or(""))
    }
}

pub struct Harness {
    pub emulator: Arc<Emulator>,
    agent: ureq::Agent,
    key: AccessKey,
}

pub struct User {
    pub id: String,
    pub token: String,
}

pub fn start() -> Harness {
    start_with(Limits::default())
}

pub fn start_with(limits: Limits) -> Harness {
    harness_for(
        Emulator::builder()
            .limits(limits)
            .start()
            .expect("emulator starts"),
    )
}

/// A harness around an emulator started elsewhere.
pub fn harness_for(emulator: Emulator) -> Harness {
    let key = AccessKey::new(&emulator.info().access_key).expect("key");
    Harness {
        agent: agent_for(&emulator),
        emulator: Arc::new(emulator),
        key,
    }
}

/// An agent (connection pool) that trusts the emulator's CA.
fn agent_for(emulator: &Emulator) -> ureq::Agent {
    agent_builder(emulator).build().into()
}

fn agent_builder(emulator: &Emulator) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    agent_trusting(emulator.ca_certificate_pem().expect("https"))
}

/// An agent configuration that trusts the CA certificates in `pem` and reads every status as a
/// response.
pub fn agent_trusting(pem: &str) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    let roots: Vec<_> = ureq::tls::parse_pem(pem.as_bytes())
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .build(),
        )
}

/// An empty folder of this test process's own under the system temp dir (emptied if it exists).
pub fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("acs-emu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn encode(id: &str) -> String {
    acs_chat_core::endpoint::encode_component(id)
}

impl Harness {
    /// Another client of the same emulator with its own connection pool.
    pub fn client(&self) -> Harness {
        Harness {
            emulator: self.emulator.clone(),
            agent: agent_for(&self.emulator),
            key: self.key.clone(),
        }
    }

    /// The access key identity requests are signed with.
    pub fn key(&self) -> AccessKey {
        self.key.clone()
    }

    /// The `Location` the service gives a thread (`rest` empty) or a message (`/messages/<id>`):
    /// under the endpoint, `19%3A…@thread.v2` (only `:` encoded).
    pub fn location(&self, thread_id: &str, rest: &str) -> String {
        format!(
            "{}/chat/threads/{}{rest}",
            self.emulator.endpoint(),
            thread_id.replace(':', "%3A")
        )
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.emulator.endpoint())
    }

    /// Sends exactly these bytes with exactly these headers.
    pub fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        self.try_raw(&self.agent, method, path_and_query, headers, body)
            .expect("transport")
    }

    /// An agent trusting the emulator that gives up on a call after `timeout`.
    pub fn agent_with_timeout(&self, timeout: std::time::Duration) -> ureq::Agent {
        agent_builder(&self.emulator)
            .timeout_global(Some(timeout))
            .build()
            .into()
    }

    /// [`Harness::raw`] through `agent`, with the transport's failure as it is.
    pub fn try_raw(
        &self,
        agent: &ureq::Agent,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Reply, ureq::Error> {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path_and_query));
        for (name, value) in headers {
            builder = builder.header(*name, value);
        }
        let request = builder.body(body.unwrap_or_default()).expect("request");
        let mut response = agent.run(request)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            body,
            text,
        })
    }

    /// An HMAC-signed identity request.
    pub fn identity(&self, method: Method, path_and_query: &str, body: Option<Value>) -> Reply {
        let mut request = HttpRequest {
            operation: "test",
            method,
            url: acs_chat_core::Endpoint::parse(self.emulator.endpoint())
                .unwrap()
                .url::<&str>(path_and_query, &[]),
            headers: vec![],
            body: body.map(|b| serde_json::to_vec(&b).unwrap().into()),
            expected_status: 0,
            replay: acs_chat_core::http::Replay::Safe,
        };
        sign_request(&mut request, &self.key, SystemTime::now()).unwrap();
        if request.body.is_some() {
            request.set_header("content-type", "application/json");
        }
        let headers: Vec<(&str, String)> = request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        self.raw(
            method.as_str(),
            path_and_query,
            &headers,
            request.body.as_deref().map(<[u8]>::to_vec),
        )
    }

    /// A request authorized with an Entra bearer token from the emulator's own token endpoint
    /// (any method: the admin routes use PUT, which the HMAC helper's `Method` lacks).
    pub fn with_entra(&self, method: &str, path_and_query: &str, body: Option<Value>) -> Reply {
        let form = format!(
            "grant_type=client_credentials&client_id=tests&client_secret={}&scope={}",
            percent_encoding::utf8_percent_encode(
                &self.emulator.info().access_key,
                percent_encoding::NON_ALPHANUMERIC
            ),
            percent_encoding::utf8_percent_encode(
                "https://communication.azure.com//.default",
                percent_encoding::NON_ALPHANUMERIC
            ),
        );
        let token = self.raw(
            "POST",
            "/tests/oauth2/v2.0/token",
            &[(
                "content-type",
                "application/x-www-form-urlencoded".to_string(),
            )],
            Some(form.into_bytes()),
        );
        let token = token.body["access_token"].as_str().expect("an Entra token");
        let mut headers = vec![("authorization", format!("Bearer {token}"))];
        if body.is_some() {
            headers.push(("content-type", "application/json".to_string()));
        }
        self.raw(
            method,
            path_and_query,
            &headers,
            body.map(|b| serde_json::to_vec(&b).unwrap()),
        )
    }

    pub fn new_user(&self) -> User {
        let reply = self.identity(
            Method::Post,
            &format!("/identities?api-version={IDENTITY}"),
            Some(serde_json::json!({"createTokenWithScopes": ["chat"]})),
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
        User {
            id: reply.body["identity"]["id"].as_str().unwrap().to_string(),
            token: reply.body["accessToken"]["token"]
                .as_str()
                .unwrap()
                .to_string(),
        }
    }

    /// A bearer-authenticated chat request; `path` gets `api-version` appended.
    pub fn chat_with(
        &self,
        user: &User,
        method: &str,
        path: &str,
        version: &str,
        content_type: &str,
        body: Option<Value>,
    ) -> Reply {
        let separator = if path.contains('?') { '&' } else { '?' };
        let path_and_query = format!("{path}{separator}api-version={version}");
        let mut headers = vec![("authorization", format!("Bearer {}", user.token))];
        if body.is_some() {
            headers.push(("content-type", content_type.to_string()));
        }
        self.raw(
            method,
            &path_and_query,
            &headers,
            body.map(|b| serde_json::to_vec(&b).unwrap()),
        )
    }

    pub fn chat(&self, user: &User, method: &str, path: &str, body: Option<Value>) -> Reply {
        let content_type = if method == "PATCH" {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        self.chat_with(user, method, path, CHAT, content_type, body)
    }

    /// Creates a thread with `others` as participants; returns its id.
    pub fn thread(&self, creator: &User, others: &[&User]) -> String {
        let participants: Vec<Value> = others.iter().map(|u| participant(&u.id)).collect();
        let reply = self.chat(
            creator,
            "POST",
            "/chat/threads",
            Some(serde_json::json!({"topic": "t", "participants": participants})),
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body["chatThread"]["id"].as_str().unwrap().to_string()
    }

    pub fn send(&self, user: &User, thread: &str, content: &str) -> String {
        let reply = self.chat(
            user,
            "POST",
            &format!("/chat/threads/{}/messages", encode(thread)),
            Some(serde_json::json!({"content": content})),
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// Follows `nextLink`s (absolute URLs) and returns every item.
    pub fn list_all(&self, user: &User, first: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut reply = self.chat(user, "GET", first, None);
        loop {
            assert_eq!(reply.status, 200, "{}", reply.text);
            items.extend(reply.body["value"].as_array().unwrap().iter().cloned());
            match reply.body["nextLink"].as_str() {
                Some(link) => {
                    let path_and_query = link
                        .strip_prefix(self.emulator.endpoint())
                        .expect("absolute link to the emulator");
                    reply = self.raw(
                        "GET",
                        path_and_query,
                        &[("authorization", format!("Bearer {}", user.token))],
                        None,
                    );
                }
                None => return items,
            }
        }
    }
}

pub fn participant(id: &str) -> Value {
    serde_json::json!({"communicationIdentifier": {"rawId": id, "communicationUser": {"id": id}}})
}

/// The body of an official 2025-03-15 chat example.
pub fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/spec/chat/2025-03-15/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn messages_path(thread: &str) -> String {
    format!("/chat/threads/{}/messages", encode(thread))
}
