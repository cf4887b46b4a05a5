//! Handling errors by `Error::kind()`: a 404, a 403 and a 401 provoked on purpose, and a refused
//! connection, each with its status, whether calling again is safe, and the MS-CV of the failed
//! call; then the MS-CV of a call that succeeded, from its `*_with_response` twin.
//! `cargo run --example error_handling` (runs on a local emulator unless ACS env vars are set).

mod support;

use acs_chat_blocking::{
    models::CommunicationTokenScope, ChatClient, ChatClientOptions, ClientOptions,
    CommunicationIdentityClient, CommunicationTokenCredential, Error, ErrorKind, RetryOptions,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::target()?;
    let identity = CommunicationIdentityClient::from_connection_string(
        &target.connection_string,
        Some(target.identity_options()),
    )?;
    let scopes = [CommunicationTokenScope::Chat];
    let (alice, alice_token) = identity.create_user_and_token(&scopes, None)?;
    let (bob, bob_token) = identity.create_user_and_token(&scopes, None)?;
    let chat_as = |token: &str| -> Result<ChatClient, Error> {
        ChatClient::new(
            &target.endpoint,
            CommunicationTokenCredential::new(token)?,
            Some(target.chat_options()),
        )
    };
    let alice_chat = chat_as(alice_token.token.expose())?;
    // Alice's thread, without Bob.
    let thread = alice_chat.create_chat_thread("Errors", None)?.chat_thread;
    let alice_thread = alice_chat.get_chat_thread_client(&thread.id);

    // A call that succeeds: its MS-CV and request ids come from the `*_with_response` twin.
    let response = alice_thread.send_message_with_response("hello", None)?;
    println!(
        "send_message_with_response: HTTP {}, MS-CV {:?}, request id {:?}, client request id {}",
        response.status(),
        response.ms_cv(),
        response.request_id(),
        response.client_request_id()
    );
    let sent = response.into_value();
    println!("  sent message {}", sent.id);

    // 404: a message id that does not exist.
    let error = expect_error(alice_thread.get_message("1", None))?;
    handle("get_message of an unknown id", &error, ErrorKind::NotFound)?;

    // 403: Bob reads a thread he is not a participant of.
    let bob_chat = chat_as(bob_token.token.expose())?;
    let error = expect_error(
        bob_chat
            .get_chat_thread_client(&thread.id)
            .get_properties(None),
    )?;
    handle(
        "get_properties as a non-participant",
        &error,
        ErrorKind::Forbidden,
    )?;

    // 401: Bob's tokens are revoked; his client still holds one.
    identity.revoke_tokens(&bob, None)?;
    match bob_chat.list_chat_threads_page(None, None) {
        Ok(_) => println!(
            "list_chat_threads_page after revoke_tokens: accepted (the revocation is not in effect yet)"
        ),
        Err(error) => {
            handle(
                "list_chat_threads_page with a revoked token",
                &error,
                ErrorKind::Authentication,
            )?;
            // The handling for Authentication: a new token, a new client, the same call again.
            let new_token = identity.get_token(&bob, &scopes, None)?;
            let threads = chat_as(new_token.token.expose())?.list_chat_threads_page(None, None)?;
            println!(
                "  recovered with a new token: Bob sees {} threads",
                threads.items.len()
            );
        }
    }

    // No service at all: a port nothing listens on. The SDK's own retries are off here, so the
    // error comes at once; `is_retryable()` says calling again is safe (nothing was sent).
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let options = ChatClientOptions {
        client_options: ClientOptions {
            retry: RetryOptions {
                max_retries: 0,
                ..Default::default()
            },
            ..target.client_options.clone()
        },
        ..Default::default()
    };
    let nowhere = ChatClient::new(
        &format!("https://127.0.0.1:{port}"),
        CommunicationTokenCredential::new(alice_token.token.expose())?,
        Some(options),
    )?;
    let error = expect_error(nowhere.list_chat_threads_page(None, None))?;
    handle(
        "list_chat_threads_page with no server",
        &error,
        ErrorKind::Connection,
    )?;

    alice_chat.delete_chat_thread(&thread.id, None)?;
    identity.delete_user(&alice, None)?;
    identity.delete_user(&bob, None)?;
    println!("cleaned up");
    Ok(())
}

/// The error of a call that must fail.
fn expect_error<T>(outcome: Result<T, Error>) -> Result<Error, Box<dyn std::error::Error>> {
    match outcome {
        Ok(_) => Err("the call succeeded, but this example expects it to fail".into()),
        Err(error) => Ok(error),
    }
}

/// Shows what an error says, then decides by its kind, as an application would. Returns an
/// error when the kind is not the one this example provoked.
fn handle(
    call: &str,
    error: &Error,
    expected: ErrorKind,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("{call}: {error}");
    println!(
        "  kind {:?}, status {:?}, retryable {}",
        error.kind(),
        error.status(),
        error.is_retryable()
    );
    // `Display` describes this error only; what caused it (a transport's error) is its source.
    if let Some(cause) = std::error::Error::source(error) {
        println!("  caused by: {cause}");
    }
    // An answer from the service carries the ids a support case needs.
    if let Some(service) = error.as_service_error() {
        println!(
            "  code {:?}, MS-CV {:?}, request id {:?}, client request id {:?}",
            service.code, service.ms_cv, service.request_id, service.client_request_id
        );
    }
    let decision = match error.kind() {
        ErrorKind::NotFound => "gone (deleted, or a wrong id): drop it from the view",
        ErrorKind::Forbidden => "not a participant: ask a participant to add the user",
        ErrorKind::Authentication | ErrorKind::Credential => {
            "the token was refused: get a new one, then call again"
        }
        ErrorKind::Throttled => "throttled: wait `error.retry_after()`, then call again",
        _ if error.is_retryable() => "safe to call again (later)",
        _ => "unexpected: log it with its MS-CV",
    };
    println!("  handled: {decision}");
    if error.kind() != expected {
        return Err(format!("expected {expected:?}, got {:?}", error.kind()).into());
    }
    Ok(())
}
