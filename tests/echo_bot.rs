//! The echo bot end to end, in both delivery schemas: two users send 100 messages into a thread
//! with the bot; its webhook fails (503) for a stretch in the middle and recovers through the
//! emulator's Event Grid retry schedule; exactly 100 replies come back, in order per sender, and
//! every event the bot received decoded to a typed event.

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
/// Deliveries accepted before the webhook starts failing, and how many fail then.
const ACCEPT_FIRST: usize = 150;
const FAIL_THEN: usize = 5;
/// Then how many answers of deliveries the bot replied to are lost.
const LOSE_THEN: usize = 2;

/// The webhook's outage, after the first `ACCEPT_FIRST` deliveries (handshakes aside): `FAIL_THEN`
/// deliveries refused with 503 before the bot sees them, then `LOSE_THEN` deliveries that the bot
/// answered (it replied) whose 200 is replaced by a 503 (an answer lost on the way back, which
/// Event Grid also retries).
#[derive(Clone)]
struct Outage {
    bot: Arc<bot::EchoBot>,
    deliveries: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
    lost: Arc<AtomicUsize>,
}

impl Outage {
    async fn layer(
        self,
        request: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> axum::response::Response {
        let notification = request
            .headers()
            .get("aeg-event-type")
            .is_some_and(|v| v == "Notification");
        if !notification || self.deliveries.fetch_add(1, Ordering::SeqCst) < ACCEPT_FIRST {
            return next.run(request).await;
        }
        if self.failed.load(Ordering::SeqCst) < FAIL_THEN {
            self.failed.fetch_add(1, Ordering::SeqCst);
            return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let replies = self.bot.replies.load(Ordering::SeqCst);
        let response = next.run(request).await;
        let replied = self.bot.replies.load(Ordering::SeqCst) > replies;
        if replied && self.lost.load(Ordering::SeqCst) < LOSE_THEN {
            self.lost.fetch_add(1, Ordering::SeqCst);
            return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        response
    }
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
        let options = emulator.client_options();
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
            CommunicationTokenCredential::new(&token.token).expect("credential"),
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

async fn echo_bot_answers_every_message_in_order(schema: EventSchema, types: Vec<String>) {
    let world = World::new();
    let bot_user = world.identity.create_user(None).await.unwrap();
    let alice = world.identity.create_user(None).await.unwrap();
    let bob = world.identity.create_user(None).await.unwrap();

    let bot = bot::EchoBot::new(bot_user.id.clone(), world.chat_as(&bot_user).await);
    let outage = Outage {
        bot: bot.clone(),
        deliveries: Default::default(),
        failed: Default::default(),
        lost: Default::default(),
    };
    let router = bot.router().layer(axum::middleware::from_fn({
        let outage = outage.clone();
        move |request, next| outage.clone().layer(request, next)
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
    let replies = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let replies = bot_replies(&thread, &bot_raw_id).await;
            if replies.len() >= 2 * PER_SENDER {
                return replies;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("100 replies within 60 s");

    assert_eq!(
        outage.failed.load(Ordering::SeqCst),
        FAIL_THEN,
        "the webhook failed for a stretch"
    );
    assert_eq!(
        outage.lost.load(Ordering::SeqCst),
        LOSE_THEN,
        "answers to handled deliveries were lost"
    );
    assert_eq!(
        replies.len(),
        2 * PER_SENDER,
        "exactly one reply per message"
    );
    for name in ["alice", "bob"] {
        let echoed: Vec<String> = replies
            .iter()
            .filter_map(|r| r.strip_prefix(&format!("echo: {name} #")))
            .map(str::to_string)
            .collect();
        let expected: Vec<String> = (0..PER_SENDER).map(|i| format!("{i:02}")).collect();
        assert_eq!(
            echoed, expected,
            "{name}'s messages echoed once each, in order"
        );
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
    echo_bot_answers_every_message_in_order(
        EventSchema::EventGrid,
        vec!["Microsoft.Communication.ChatMessageReceived".into()],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_bot_over_cloud_events_with_every_event_type() {
    echo_bot_answers_every_message_in_order(EventSchema::CloudEvents, Vec::new()).await;
}
