//! The echo bot end to end, in both delivery schemas: two users send 100 messages into a thread
//! with the bot; the emulator delivers as Event Grid does (independently, several at a time, in
//! no guaranteed order), and in front of the bot a chaotic network holds each delivery a random
//! while (so the bot sees events out of order), refuses some with 503 before the bot sees them,
//! and loses the 200 of some the bot handled (so they come again). Exactly one reply per message
//! comes back, and every event the bot received decoded to a typed event.

#[path = "../examples/echo_bot/bot.rs"]
mod bot;

use acs_chat_async::{
    models::{
        ChatParticipant, CommunicationIdentifier, CommunicationTokenScope,
        CommunicationUserIdentifier, CreateChatThreadOptions,
    },
    ChatClient, ChatClientOptions, ChatThreadClient, ClientOptions, CommunicationIdentityClient,
    CommunicationIdentityClientOptions, CommunicationTokenCredential,
};
use acs_emulator::{Emulator, EventSchema, EventSubscription};
use axum::response::IntoResponse;
use futures_util::TryStreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const PER_SENDER: usize = 50;
/// Of the deliveries, the share refused before the bot sees them, and the share whose 200 (the
/// bot handled them) is lost on the way back: both are sent again by the emulator.
const REFUSED: f64 = 0.15;
const LOST: f64 = 0.1;
/// The longest a delivery is held before it reaches the bot.
const MAX_HOLD_MS: u64 = 40;

/// The network in front of the bot, seeded: random holds, refusals and lost answers.
#[derive(Clone)]
struct Chaos {
    rng: Arc<std::sync::Mutex<fastrand::Rng>>,
    refused: Arc<AtomicUsize>,
    lost: Arc<AtomicUsize>,
    /// The messages in the order the bot got them (`name #NN`, redeliveries included).
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Chaos {
    fn new(seed: u64) -> Self {
        Chaos {
            rng: Arc::new(std::sync::Mutex::new(fastrand::Rng::with_seed(seed))),
            refused: Default::default(),
            lost: Default::default(),
            seen: Default::default(),
        }
    }

    async fn layer(
        self,
        request: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> axum::response::Response {
        let notification = request
            .headers()
            .get("aeg-event-type")
            .is_some_and(|v| v == "Notification");
        if !notification {
            return next.run(request).await;
        }
        let (hold, refuse, lose) = {
            let mut rng = self.rng.lock().unwrap();
            (
                rng.u64(0..=MAX_HOLD_MS),
                rng.f64() < REFUSED,
                rng.f64() < LOST,
            )
        };
        tokio::time::sleep(Duration::from_millis(hold)).await;
        if refuse {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        for text in messages_in(&bytes) {
            self.seen.lock().unwrap().push(text);
        }
        let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let response = next.run(request).await;
        if lose && response.status().is_success() {
            self.lost.fetch_add(1, Ordering::SeqCst);
            return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        response
    }
}

/// The bodies of the `ChatMessageReceived` events in a delivery, either schema.
fn messages_in(body: &[u8]) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let events = match value {
        serde_json::Value::Array(events) => events,
        event => vec![event],
    };
    events
        .iter()
        .filter(|e| {
            let kind = e["eventType"].as_str().or(e["type"].as_str()).unwrap_or("");
            kind == "Microsoft.Communication.ChatMessageReceived"
        })
        .filter_map(|e| e["data"]["messageBody"].as_str().map(str::to_string))
        .collect()
}

struct World {
    emulator: Emulator,
    identity: CommunicationIdentityClient,
    options: ClientOptions,
}

impl World {
    fn new() -> World {
        let emulator = Emulator::builder()
            .event_retry_scale(0.001)
            .start()
            .expect("emulator");
        // Trust the emulator's CA (its certificate, PEM).
        let mut options = acs_chat_async::ClientOptions::default();
        options
            .additional_ca_certificates_pem
            .extend(emulator.ca_certificate_pem().map(str::to_string));
        let identity = CommunicationIdentityClient::from_connection_string(
            &emulator.connection_string(),
            Some(CommunicationIdentityClientOptions {
                client_options: options.clone(),
                ..Default::default()
            }),
        )
        .expect("identity client");
        World {
            emulator,
            identity,
            options,
        }
    }

    async fn chat_as(&self, user: &CommunicationUserIdentifier) -> ChatClient {
        let token = self
            .identity
            .get_token(user, &[CommunicationTokenScope::Chat], None)
            .await
            .expect("token");
        ChatClient::new(
            self.emulator.endpoint(),
            CommunicationTokenCredential::new(token.token.expose()).expect("credential"),
            Some(ChatClientOptions {
                client_options: self.options.clone(),
                ..Default::default()
            }),
        )
        .expect("chat client")
    }
}

async fn sends(thread: ChatThreadClient, name: &'static str) {
    for i in 0..PER_SENDER {
        thread
            .send_message(&format!("{name} #{i:02}"), None)
            .await
            .expect("send");
    }
}

async fn echo_bot_answers_every_message_once(schema: EventSchema, types: Vec<String>, seed: u64) {
    let world = World::new();
    let bot_user = world.identity.create_user(None).await.unwrap();
    let alice = world.identity.create_user(None).await.unwrap();
    let bob = world.identity.create_user(None).await.unwrap();

    let bot = bot::EchoBot::new(bot_user.id.clone(), world.chat_as(&bot_user).await);
    let chaos = Chaos::new(seed);
    let router = bot.router().layer(axum::middleware::from_fn({
        let chaos = chaos.clone();
        move |request, next| chaos.clone().layer(request, next)
    }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!(
        "http://{}{}",
        listener.local_addr().unwrap(),
        bot::WEBHOOK_PATH
    );
    let server = tokio::spawn(std::future::IntoFuture::into_future(axum::serve(
        listener, router,
    )));

    let alice_chat = world.chat_as(&alice).await;
    let participants = [&alice, &bob, &bot_user]
        .map(|u| ChatParticipant::new(CommunicationIdentifier::user(u.id.clone())));
    let thread_id = alice_chat
        .create_chat_thread(
            "echo",
            Some(CreateChatThreadOptions {
                participants: Some(participants.to_vec()),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .chat_thread
        .id;
    world
        .emulator
        .add_event_subscription(EventSubscription {
            endpoint_url: url,
            schema,
            included_event_types: types,
            ..Default::default()
        })
        .unwrap();

    let bob_chat = world.chat_as(&bob).await;
    tokio::join!(
        sends(alice_chat.get_chat_thread_client(&thread_id), "alice"),
        sends(bob_chat.get_chat_thread_client(&thread_id), "bob"),
    );

    // Bounded: the replies arrive within seconds; a minute means they never will.
    let thread = alice_chat.get_chat_thread_client(&thread_id);
    let bot_raw_id = CommunicationIdentifier::user(bot_user.id.clone()).raw_id();
    tokio::time::timeout(Duration::from_secs(60), async {
        while bot_replies(&thread, &bot_raw_id).await.len() < 2 * PER_SENDER {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("100 replies within 60 s");

    // Past the replies: redeliveries still under way make no second reply.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies = bot_replies(&thread, &bot_raw_id).await;
    assert!(
        chaos.refused.load(Ordering::SeqCst) > 0 && chaos.lost.load(Ordering::SeqCst) > 0,
        "the network refused and lost some deliveries"
    );
    let seen = chaos.seen.lock().unwrap().clone();
    let mut in_order = seen.clone();
    in_order.sort();
    in_order.dedup();
    assert!(
        seen.len() > in_order.len(),
        "some messages reached the bot twice"
    );
    let alices: Vec<&String> = seen.iter().filter(|m| m.starts_with("alice")).collect();
    assert!(
        alices.windows(2).any(|w| w[0] > w[1]),
        "the bot saw alice's messages out of order"
    );
    assert_eq!(
        replies.len(),
        2 * PER_SENDER,
        "exactly one reply per message"
    );
    for name in ["alice", "bob"] {
        let mut echoed: Vec<String> = replies
            .iter()
            .filter_map(|r| r.strip_prefix(&format!("echo: {name} #")))
            .map(str::to_string)
            .collect();
        echoed.sort();
        let expected: Vec<String> = (0..PER_SENDER).map(|i| format!("{i:02}")).collect();
        assert_eq!(echoed, expected, "{name}'s messages echoed once each");
    }
    assert_eq!(bot.replies.load(Ordering::SeqCst), 2 * PER_SENDER);
    assert!(bot.events_seen.load(Ordering::SeqCst) >= 2 * PER_SENDER);
    assert_eq!(
        bot.unknown_events.load(Ordering::SeqCst),
        0,
        "every event decoded to a typed variant"
    );
    server.abort();
}

/// The bot's messages, oldest first.
async fn bot_replies(thread: &ChatThreadClient, bot_raw_id: &str) -> Vec<String> {
    let mut messages: Vec<_> = thread
        .list_messages(None)
        .try_collect()
        .await
        .expect("list");
    messages.sort_by_key(|m| m.sequence_id.parse::<u64>().unwrap_or(0));
    messages
        .into_iter()
        .filter(|m| m.sender.as_ref().is_some_and(|s| s.raw_id() == bot_raw_id))
        .filter_map(|m| m.content.and_then(|c| c.message))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_bot_over_event_grid_schema_filtered_to_messages_received() {
    echo_bot_answers_every_message_once(
        EventSchema::EventGrid,
        vec!["Microsoft.Communication.ChatMessageReceived".into()],
        20,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_bot_over_cloud_events_with_every_event_type() {
    echo_bot_answers_every_message_once(EventSchema::CloudEvents, Vec::new(), 21).await;
}
