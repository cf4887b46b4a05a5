//! Where the examples run: real ACS when the seed's environment variables are set, otherwise an
//! embedded acs-emulator (announced in one line).

use acs_chat_core::{ChatClientOptions, ClientOptions, CommunicationIdentityClientOptions};
use acs_emulator::Emulator;

/// A place to run against.
pub struct Target {
    /// The chat endpoint.
    pub endpoint: String,
    /// The identity connection string.
    pub connection_string: String,
    /// Transport options (trusting the emulator's CA when it is used, or the PEM file named by
    /// `ACS_CHAT_CA_CERTIFICATE_FILE`).
    pub client_options: ClientOptions,
    // Kept alive for the example's lifetime; dropping it stops the emulator.
    _emulator: Option<Emulator>,
}

/// `AZURE_COMMUNICATION_SERVICE_ENDPOINT` + `COMMUNICATION_SAMPLES_CONNECTION_STRING`, or the emulator.
pub fn target() -> Result<Target, Box<dyn std::error::Error>> {
    let endpoint = std::env::var("AZURE_COMMUNICATION_SERVICE_ENDPOINT").ok();
    let connection_string = std::env::var("COMMUNICATION_SAMPLES_CONNECTION_STRING").ok();
    if let (Some(endpoint), Some(connection_string)) = (endpoint, connection_string) {
        return Ok(Target {
            endpoint,
            connection_string,
            client_options: client_options_from_env()?,
            _emulator: None,
        });
    }
    let emulator = Emulator::builder().start()?;
    println!(
        "AZURE_COMMUNICATION_SERVICE_ENDPOINT / COMMUNICATION_SAMPLES_CONNECTION_STRING not set: using a local acs-emulator at {}",
        emulator.endpoint()
    );
    let mut client_options = client_options_from_env()?;
    client_options
        .additional_ca_certificates_pem
        .extend(emulator.ca_certificate_pem().map(str::to_string));
    Ok(Target {
        endpoint: emulator.endpoint().to_string(),
        connection_string: emulator.connection_string(),
        client_options,
        _emulator: Some(emulator),
    })
}

/// Default options, plus the CA certificates (PEM) in the file named by
/// `ACS_CHAT_CA_CERTIFICATE_FILE`, for a server whose CA is neither public nor in the OS store.
pub fn client_options_from_env() -> Result<ClientOptions, Box<dyn std::error::Error>> {
    let mut options = ClientOptions::default();
    if let Some(path) = std::env::var_os("ACS_CHAT_CA_CERTIFICATE_FILE") {
        let pem = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "ACS_CHAT_CA_CERTIFICATE_FILE ({}): {e}",
                path.to_string_lossy()
            )
        })?;
        options.additional_ca_certificates_pem.push(pem);
    }
    Ok(options)
}

impl Target {
    /// Whether this is the embedded emulator (not real ACS).
    #[allow(dead_code)] // only the Entra examples ask
    pub fn is_emulator(&self) -> bool {
        self._emulator.is_some()
    }

    /// Options for `ChatClient` / `ChatThreadClient`.
    pub fn chat_options(&self) -> ChatClientOptions {
        ChatClientOptions {
            client_options: self.client_options.clone(),
            ..Default::default()
        }
    }

    /// Options for `CommunicationIdentityClient`.
    pub fn identity_options(&self) -> CommunicationIdentityClientOptions {
        CommunicationIdentityClientOptions {
            client_options: self.client_options.clone(),
            ..Default::default()
        }
    }
}
