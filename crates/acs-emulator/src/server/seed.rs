//! Seed data (`--seed FILE`, `EmulatorBuilder::seed_json`): users (with fixed ids if asked),
//! threads with participants, messages and read receipts, created at start so that a test suite
//! begins from a known state. The whole file is checked before anything is created (a problem is
//! named by its JSON path); users are written into the state directly (their ids are the file's),
//! everything else goes through the chat API in process, as any client's calls would. With a data
//! dir, what was created is recorded: a restart with the same file creates nothing again.

use crate::app::App;
use crate::domain::faults::FaultRules;
use crate::domain::state::User;
use crate::domain::Change;
use crate::http::in_process::{self, call, Caller};
use crate::http::router::Router;
use crate::wire::{
    CreateThreadRequest, Identifier, MessageType, Participant, SendMessageRequest,
    SendReadReceiptRequest, TokenScope,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

/// How long the tokens printed for seeded users live.
const TOKEN_LIFETIME: time::Duration = time::Duration::hours(24);

/// The seed file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeedFile {
    #[serde(default)]
    users: Vec<SeedUser>,
    #[serde(default)]
    threads: Vec<SeedThread>,
    /// Fault and latency rules in force from the start (what `PUT /emulator/faults` takes).
    #[serde(default)]
    faults: Option<FaultRules>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedUser {
    /// How the rest of the file (and the ready record) names this user.
    name: String,
    /// A fixed id: a full `8:acs:<resource guid>_<id>`, or just the part after the `_` (the
    /// emulator's resource id goes in front). Default: the name.
    #[serde(default)]
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SeedThread {
    name: String,
    topic: String,
    /// The user who creates the thread (a participant).
    created_by: String,
    #[serde(default)]
    participants: Vec<SeedParticipant>,
    #[serde(default)]
    messages: Vec<SeedMessage>,
    #[serde(default)]
    read_receipts: Vec<SeedReceipt>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SeedParticipant {
    Name(String),
    Full {
        user: String,
        #[serde(rename = "displayName")]
        display_name: Option<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SeedMessage {
    from: String,
    content: String,
    #[serde(default)]
    sender_display_name: Option<String>,
    /// `text` (default) or `html`.
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedReceipt {
    user: String,
    /// The index of the message read in this thread's `messages`.
    message: usize,
}

impl SeedParticipant {
    fn user(&self) -> &str {
        match self {
            SeedParticipant::Name(user) | SeedParticipant::Full { user, .. } => user,
        }
    }
}

impl SeedFile {
    /// Reads and checks a seed file: what is wrong, with the line and column or the JSON path.
    pub(crate) fn parse(json: &str) -> Result<SeedFile, String> {
        let seed: SeedFile = serde_json::from_str(json).map_err(|e| e.to_string())?;
        seed.check()?;
        Ok(seed)
    }

    /// The fault rules the file sets, if any.
    pub(crate) fn faults(&self) -> Option<&FaultRules> {
        self.faults.as_ref()
    }

    fn check(&self) -> Result<(), String> {
        if let Some(faults) = &self.faults {
            faults
                .check(&crate::api::route_templates())
                .map_err(|invalid| format!("faults.{}: {}", invalid.field, invalid.message))?;
        }
        let mut users = HashSet::new();
        for (i, user) in self.users.iter().enumerate() {
            if user.name.trim().is_empty() || !users.insert(user.name.as_str()) {
                return Err(format!(
                    "users[{i}].name: `{}` is empty or named twice",
                    user.name
                ));
            }
            let suffix = user.id.as_deref().unwrap_or(&user.name);
            if !suffix.starts_with("8:") && !is_id_part(suffix) {
                let field = if user.id.is_some() { "id" } else { "name" };
                return Err(format!(
                    "users[{i}].{field}: `{suffix}` cannot be part of a user id (letters, digits and `-` only; or give a full `8:acs:<resource guid>_<id>` as `id`)"
                ));
            }
            if suffix.starts_with("8:") {
                crate::api::chat::check_identifier(suffix)
                    .map_err(|e| format!("users[{i}].id: {}", e.message))?;
            }
        }
        let known = |path: String, name: &str| {
            if users.contains(name) {
                Ok(())
            } else {
                Err(format!("{path}: no user named `{name}` in `users`"))
            }
        };
        let mut threads = HashSet::new();
        for (t, thread) in self.threads.iter().enumerate() {
            if !threads.insert(thread.name.as_str()) {
                return Err(format!(
                    "threads[{t}].name: `{}` is named twice",
                    thread.name
                ));
            }
            if thread.topic.trim().is_empty() {
                return Err(format!("threads[{t}].topic: empty"));
            }
            known(format!("threads[{t}].createdBy"), &thread.created_by)?;
            for (p, participant) in thread.participants.iter().enumerate() {
                known(
                    format!("threads[{t}].participants[{p}]"),
                    participant.user(),
                )?;
            }
            let members: HashSet<&str> = thread
                .participants
                .iter()
                .map(SeedParticipant::user)
                .chain([thread.created_by.as_str()])
                .collect();
            let member = |path: String, name: &str| {
                known(path.clone(), name)?;
                if members.contains(name) {
                    Ok(())
                } else {
                    Err(format!(
                        "{path}: `{name}` is not a participant of this thread"
                    ))
                }
            };
            for (m, message) in thread.messages.iter().enumerate() {
                member(format!("threads[{t}].messages[{m}].from"), &message.from)?;
                if !matches!(message.kind.as_deref(), None | Some("text" | "html")) {
                    return Err(format!("threads[{t}].messages[{m}].type: `text` or `html`"));
                }
            }
            for (r, receipt) in thread.read_receipts.iter().enumerate() {
                member(
                    format!("threads[{t}].readReceipts[{r}].user"),
                    &receipt.user,
                )?;
                if receipt.message >= thread.messages.len() {
                    return Err(format!(
                        "threads[{t}].readReceipts[{r}].message: {} is past the thread's {} messages",
                        receipt.message,
                        thread.messages.len()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Creates what the file says (or, with a data dir that already holds this seed, nothing)
    /// and returns the seed record: each user's id and a fresh token, each thread's id and its
    /// messages' ids.
    pub(crate) fn apply(&self, router: &Router, text: &str) -> Result<Value, String> {
        let app = router.app();
        let fingerprint = fingerprint(text);
        let stored = match &app.store {
            Some(store) => store.meta("seed").map_err(|e| e.to_string())?,
            None => None,
        };
        let created: Value = match stored
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .filter(|s| s["fingerprint"] == fingerprint.as_str())
        {
            Some(stored) => stored["created"].clone(),
            None => {
                let created = self.create(router)?;
                if let Some(store) = &app.store {
                    let record = json!({ "fingerprint": fingerprint, "created": created });
                    store
                        .set_meta("seed", &record.to_string())
                        .map_err(|e| e.to_string())?;
                }
                created
            }
        };
        Ok(with_tokens(app, created))
    }

    /// Creates the users and threads; `{"users": {name: id}, "threads": {name: {id, messages}}}`.
    fn create(&self, router: &Router) -> Result<Value, String> {
        let app = router.app();
        let ids: BTreeMap<&str, String> = self
            .users
            .iter()
            .map(|u| {
                let given = u.id.as_deref().unwrap_or(&u.name);
                let id = if given.starts_with("8:") {
                    given.to_string()
                } else {
                    format!("8:acs:{}_{given}", app.resource_id)
                };
                (u.name.as_str(), id)
            })
            .collect();
        {
            let mut state = app.state();
            for id in ids.values() {
                state
                    .users
                    .entry(id.clone())
                    .or_insert(User { generation: 0 });
            }
            let changes: Vec<Change> = ids.values().cloned().map(Change::User).collect();
            crate::api::commit::commit_changes(app, Some(state), &changes)
                .map_err(|e| format!("the seeded users could not be stored: {e}"))?;
        }
        let mut threads = serde_json::Map::new();
        for (t, thread) in self.threads.iter().enumerate() {
            let at = |what: &str, e: String| format!("threads[{t}] ({what}): {e}");
            let creator = &ids[thread.created_by.as_str()];
            let body = CreateThreadRequest {
                topic: thread.topic.clone(),
                participants: Some(
                    thread
                        .participants
                        .iter()
                        .map(|p| {
                            let mut participant =
                                Participant::new(Identifier::user(ids[p.user()].clone()));
                            if let SeedParticipant::Full { display_name, .. } = p {
                                participant.display_name = display_name.clone();
                            }
                            participant
                        })
                        .collect(),
                ),
                metadata: None,
                retention_policy: None,
            };
            let created = call(
                router,
                Caller::User(creator),
                in_process::create_thread(&body),
            )
            .map_err(|e| at("create", e))?;
            let id = created["chatThread"]["id"]
                .as_str()
                .ok_or_else(|| at("create", "no thread id".into()))?
                .to_string();
            let mut messages = Vec::new();
            for (m, message) in thread.messages.iter().enumerate() {
                let body = SendMessageRequest {
                    content: message.content.clone(),
                    sender_display_name: message.sender_display_name.clone(),
                    kind: message.kind.as_deref().map(MessageType::from),
                    metadata: None,
                };
                let sent = call(
                    router,
                    Caller::User(&ids[message.from.as_str()]),
                    in_process::send_message(&id, &body),
                )
                .map_err(|e| at(&format!("messages[{m}]"), e))?;
                messages.push(sent["id"].as_str().unwrap_or_default().to_string());
            }
            for (r, receipt) in thread.read_receipts.iter().enumerate() {
                let body = SendReadReceiptRequest {
                    chat_message_id: messages[receipt.message].clone(),
                };
                call(
                    router,
                    Caller::User(&ids[receipt.user.as_str()]),
                    in_process::send_read_receipt(&id, &body),
                )
                .map_err(|e| at(&format!("readReceipts[{r}]"), e))?;
            }
            threads.insert(
                thread.name.clone(),
                json!({ "id": id, "messages": messages }),
            );
        }
        Ok(json!({ "users": ids, "threads": threads }))
    }
}

/// `{"users": {name: {"id", "token", "expiresOn"}}, "threads": ...}`: a fresh token per user.
fn with_tokens(app: &App, mut created: Value) -> Value {
    if let Some(users) = created["users"].as_object_mut() {
        for user in users.values_mut() {
            let id = user.as_str().unwrap_or_default().to_string();
            let generation = app.state().users.get(&id).map_or(0, |u| u.generation);
            let token = app.user_token(
                &id,
                generation,
                &[TokenScope::Chat, TokenScope::Voip],
                TOKEN_LIFETIME,
            );
            *user = json!({ "id": id, "token": token.token, "expiresOn": token.expires_on });
        }
    }
    created
}

/// Letters, digits and `-`: what may follow `8:acs:<resource>_`.
fn is_id_part(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Which seed a data dir holds: a SHA-256 of the file's text.
fn fingerprint(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
