//! `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` on both facades. The environment is the process's:
//! this binary holds one test, which sets it step by step.

include!("support/connect_proxy.rs");

const INVALID_HOST: &str = "acs.proxy-test.invalid";

fn token() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64.encode(r#"{"alg":"none"}"#),
        b64.encode(r#"{"exp":4102444800}"#)
    )
}

/// `Ok` when the service answered (any status), else the kind of the failure.
fn answered(status: Option<u16>, kind: impl std::fmt::Debug) -> Result<(), String> {
    match status {
        Some(_) => Ok(()),
        None => Err(format!("{kind:?}")),
    }
}

fn set_env(vars: &[(&str, Option<&str>)]) {
    for (name, value) in vars {
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

/// One call from each facade to `endpoint` with a token the service refuses: (blocking error,
/// async error), `None` when the service answered (here with 401), else the error's kind.
fn both(endpoint: &str, ca: &str) -> (Option<String>, Option<String>) {
    let retry = |max_retries| acs_chat_blocking::RetryOptions {
        max_retries,
        ..Default::default()
    };
    let blocking = acs_chat_blocking::ChatClient::new(
        endpoint,
        acs_chat_blocking::CommunicationTokenCredential::new(&token()).unwrap(),
        Some(acs_chat_blocking::ChatClientOptions {
            client_options: acs_chat_blocking::ClientOptions {
                additional_ca_certificates_pem: vec![ca.to_string()],
                retry: retry(0),
                ..Default::default()
            },
            ..Default::default()
        }),
    )
    .map_err(|e| e.to_string())
    .and_then(|client| {
        client
            .list_chat_threads(None)
            .next()
            .transpose()
            .map(|_| ())
            .or_else(|e| answered(e.status(), e.kind()))
    })
    .err();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let asynchronous = runtime.block_on(async {
        let client = acs_chat_async::ChatClient::new(
            endpoint,
            acs_chat_async::CommunicationTokenCredential::new(&token()).unwrap(),
            Some(acs_chat_async::ChatClientOptions {
                client_options: acs_chat_async::ClientOptions {
                    additional_ca_certificates_pem: vec![ca.to_string()],
                    retry: retry(0),
                    ..Default::default()
                },
                ..Default::default()
            }),
        )
        .map_err(|e| e.to_string())?;
        client
            .list_chat_threads_page(None, None)
            .await
            .map(|_| ())
            .or_else(|e| answered(e.status(), e.kind()))
    });
    (blocking, asynchronous.err())
}

#[test]
fn the_environment_names_the_proxy_and_a_loopback_emulator_needs_no_setting() {
    let emulator = acs_emulator::Emulator::builder().start().unwrap();
    let ca = emulator.ca_certificate_pem().unwrap().to_string();
    let proxy = ConnectProxy::start(None);
    set_env(&[
        ("HTTPS_PROXY", Some(proxy.url.as_str())),
        ("https_proxy", None),
        ("ALL_PROXY", None),
        ("all_proxy", None),
        ("NO_PROXY", None),
        ("no_proxy", None),
    ]);

    // The emulator on loopback: both facades reach it directly, with nothing else set.
    assert_eq!(both(emulator.endpoint(), &ca), (None, None));
    assert_eq!(proxy.targets(), Vec::<String>::new());

    // Any other host goes through the proxy (which cannot reach this one: the calls fail).
    let (blocking, asynchronous) = both(&format!("https://{INVALID_HOST}"), &ca);
    assert!(blocking.is_some() && asynchronous.is_some());
    let through = format!("{INVALID_HOST}:443");
    assert_eq!(proxy.targets(), vec![through.clone(), through.clone()]);
    // The proxy could not reach it, so no tunnel opened and nothing but the CONNECT crossed.
    assert_eq!(proxy.tunnels(), 0);
    assert!(!proxy.saw("Bearer") && !proxy.saw(token().rsplit('.').next().unwrap()));

    // ALL_PROXY when HTTPS_PROXY is not set.
    set_env(&[
        ("HTTPS_PROXY", None),
        ("ALL_PROXY", Some(proxy.url.as_str())),
    ]);
    let _ = both(&format!("https://{INVALID_HOST}"), &ca);
    assert_eq!(proxy.targets().len(), 4);

    // A host in NO_PROXY goes direct (and fails on its own: the name does not resolve).
    set_env(&[("NO_PROXY", Some(&format!("other.example,{INVALID_HOST}")))]);
    let (blocking, asynchronous) = both(&format!("https://{INVALID_HOST}"), &ca);
    assert_eq!(
        (blocking.as_deref(), asynchronous.as_deref()),
        (Some("Connection"), Some("Connection"))
    );
    assert_eq!(
        proxy.targets().len(),
        4,
        "a NO_PROXY host went through the proxy"
    );

    // A malformed proxy URL: a construction error naming the variable, never its password.
    set_env(&[
        ("NO_PROXY", None),
        ("ALL_PROXY", None),
        (
            "HTTPS_PROXY",
            Some("http://user:hunter2@proxy.example:99999"),
        ),
    ]);
    let (blocking, asynchronous) = both(emulator.endpoint(), &ca);
    for error in [blocking.unwrap(), asynchronous.unwrap()] {
        assert!(
            error.starts_with("HTTPS_PROXY: invalid argument") && error.contains("bad port"),
            "{error}"
        );
        assert!(!error.contains("hunter2"), "{error}");
    }
}
