//! A transport belongs to the facade that built it: given to the other facade's client, it is
//! refused at construction, naming both.

#[test]
fn a_transport_of_the_other_facade_is_refused_naming_both() {
    let token = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.c2ln",
            b64.encode(r#"{"alg":"none"}"#),
            b64.encode(r#"{"exp":4102444800}"#)
        )
    };
    let blocking = acs_chat_blocking::Transport::new(&Default::default()).unwrap();
    let options = acs_chat_async::ChatClientOptions {
        client_options: acs_chat_async::ClientOptions {
            transport: Some(blocking.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let credential = acs_chat_async::CommunicationTokenCredential::new(&token).unwrap();
    let err = acs_chat_async::ChatClient::new("https://h.example", credential, Some(options))
        .unwrap_err();
    assert_eq!(
        err.kind(),
        acs_chat_async::ErrorKind::InvalidInput,
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("made by acs-chat-blocking, not by acs-chat-async"),
        "{text}"
    );
}
