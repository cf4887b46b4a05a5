//! Where the examples run: real ACS when the seed's environment variables are set, otherwise an
//! embedded acs-emulator (announced in one line).

use acs_chat_core::ClientOptions;
use acs_emulator::Emulator;

/// A place to run against.
pub struct Target {
    /// The chat endpoint.
    pub endpoint: String,
    /// The identity connection string.
    pub connection_string: String,
    /// Client options (trusting the emulator's CA when it is used).
    pub options: ClientOptions,
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
            options: ClientOptions::default(),
            _emulator: None,
        });
    }
    let emulator = Emulator::builder().start()?;
    println!(
        "AZURE_COMMUNICATION_SERVICE_ENDPOINT / COMMUNICATION_SAMPLES_CONNECTION_STRING not set: using a local acs-emulator at {}",
        emulator.endpoint()
    );
    let options = ClientOptions {
        additional_ca_certificates_pem: emulator
            .ca_certificate_pem()
            .map(str::to_string)
            .into_iter()
            .collect(),
        ..Default::default()
    };
    Ok(Target {
        endpoint: emulator.endpoint().to_string(),
        connection_string: emulator.connection_string(),
        options,
        _emulator: Some(emulator),
    })
}
