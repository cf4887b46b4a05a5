//! azure_identity credentials for the Entra examples (and tests/entra_azure_identity.rs): on
//! real ACS from azure_identity's environment variables, on the embedded emulator with the
//! emulator as the Entra authority (its client secret is the access key).

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use std::error::Error;
use std::sync::Arc;

/// A reqwest transport for azure_identity (see [`client`]).
pub fn transport(extra_ca_pems: &[String]) -> Result<Transport, Box<dyn Error>> {
    Ok(Transport::new(Arc::new(client(extra_ca_pems)?)))
}

/// A reqwest client trusting the public CAs plus `extra_ca_pems` (the emulator's CA, or
/// `ACS_CHAT_CA_CERTIFICATE_FILE`'s): rustls with ring, as acs-chat-async.
pub fn client(extra_ca_pems: &[String]) -> Result<reqwest::Client, Box<dyn Error>> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for pem in extra_ca_pems {
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert?)?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()?)
}

/// azure_identity's `ClientSecretCredential`; `authority_host` `None` keeps azure_identity's own
/// choice (`AZURE_AUTHORITY_HOST`, else the public cloud).
pub fn client_secret_credential(
    authority_host: Option<&str>,
    tenant_id: &str,
    client_id: &str,
    client_secret: &str,
    extra_ca_pems: &[String],
) -> Result<Arc<ClientSecretCredential>, Box<dyn Error>> {
    let cloud = authority_host.map(|host| {
        let mut custom = CustomConfiguration::default();
        custom.authority_host = host.trim_end_matches('/').to_string();
        Arc::new(CloudConfiguration::Custom(custom))
    });
    let client_options = ClientOptions {
        transport: Some(transport(extra_ca_pems)?),
        cloud,
        ..Default::default()
    };
    Ok(ClientSecretCredential::new(
        tenant_id,
        client_id.to_string(),
        client_secret.to_string().into(),
        Some(ClientSecretCredentialOptions { client_options }),
    )?)
}

/// A service principal of the emulator: any tenant and client id, the access key as secret.
pub fn emulator_credential(
    endpoint: &str,
    connection_string: &str,
    extra_ca_pems: &[String],
) -> Result<Arc<ClientSecretCredential>, Box<dyn Error>> {
    let key = connection_string
        .split(';')
        .find_map(|part| part.strip_prefix("accesskey="))
        .ok_or("the connection string has no accesskey")?;
    client_secret_credential(
        Some(endpoint),
        "00000000-0000-0000-0000-000000000000",
        "acs-chat-example",
        key,
        extra_ca_pems,
    )
}

/// The service principal named by `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
/// `AZURE_CLIENT_SECRET`, as azure_identity's environment credential reads them.
pub fn environment_credential(
    extra_ca_pems: &[String],
) -> Result<Arc<ClientSecretCredential>, Box<dyn Error>> {
    let var = |name: &str| {
        std::env::var(name)
            .map_err(|_| format!("{name} is not set (needed for Entra ID against real ACS)"))
    };
    client_secret_credential(
        None,
        &var("AZURE_TENANT_ID")?,
        &var("AZURE_CLIENT_ID")?,
        &var("AZURE_CLIENT_SECRET")?,
        extra_ca_pems,
    )
}

/// `TEAMS_USER_AAD_TOKEN`, `TEAMS_CLIENT_ID` and `TEAMS_USER_OBJECT_ID`, when all are set: a
/// Teams user's Entra token on real ACS, the app that got it, and the user's object id.
pub fn teams_user_from_env() -> Option<(String, String, String)> {
    let var = |name: &str| std::env::var(name).ok();
    Some((
        var("TEAMS_USER_AAD_TOKEN")?,
        var("TEAMS_CLIENT_ID")?,
        var("TEAMS_USER_OBJECT_ID")?,
    ))
}

/// The client id the examples' emulator Teams users sign in with.
pub const EMULATOR_TEAMS_CLIENT_ID: &str = "00000000-0000-0000-0000-00000000cafe";

/// A Teams user's Entra token from the emulator (its `password` grant), and the user's object
/// id, for the Teams exchange; on real ACS that token comes from MSAL's sign-in of the user.
pub async fn emulator_teams_user_token(
    endpoint: &str,
    connection_string: &str,
    extra_ca_pems: &[String],
    client_id: &str,
    username: &str,
) -> Result<(String, String), Box<dyn Error>> {
    use base64::Engine;
    let key = connection_string
        .split(';')
        .find_map(|part| part.strip_prefix("accesskey="))
        .ok_or("the connection string has no accesskey")?;
    let client = client(extra_ca_pems)?;
    let form = url_form(&[
        ("grant_type", "password"),
        ("client_id", client_id),
        ("username", username),
        ("password", key),
        (
            "scope",
            "https://auth.msft.communication.azure.com/Teamwork.ManageCalls",
        ),
    ]);
    let body: serde_json::Value = serde_json::from_slice(
        &client
            .post(format!(
                "{}/organizations/oauth2/v2.0/token",
                endpoint.trim_end_matches('/')
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?,
    )?;
    let token = body["access_token"]
        .as_str()
        .ok_or("no access_token")?
        .to_string();
    let payload = token.split('.').nth(1).ok_or("not a JWT")?;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?)?;
    let oid = claims["oid"].as_str().ok_or("no oid claim")?.to_string();
    Ok((token, oid))
}

fn url_form(pairs: &[(&str, &str)]) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
