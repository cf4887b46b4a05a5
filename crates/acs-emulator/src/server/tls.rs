//! Certificates: a CA plus a leaf for `localhost` and `127.0.0.1`, generated once and reused.
//! The leaf is not the CA itself: rustls/webpki and the official SDKs reject a CA as end entity.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::path::Path;
use std::sync::Arc;

/// The PEM material the server needs.
pub(crate) struct CertBundle {
    pub(crate) ca_pem: String,
    pub(crate) server_pem: String,
    pub(crate) server_key_pem: String,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Generates a fresh CA and a leaf signed by it.
pub(crate) fn generate() -> io::Result<CertBundle> {
    let ca_key = KeyPair::generate().map_err(other)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "ACS Emulator Local CA");
    let ca_cert = ca.self_signed(&ca_key).map_err(other)?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = KeyPair::generate().map_err(other)?;
    let mut leaf = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(other)?;
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(other)?;
    Ok(CertBundle {
        ca_pem: ca_cert.pem(),
        server_pem: leaf_cert.pem(),
        server_key_pem: leaf_key.serialize_pem(),
    })
}

/// Reuses `ca.pem`, `server.pem` and `server.key` from `dir`, or generates and writes them.
pub(crate) fn load_or_generate(dir: &Path) -> io::Result<CertBundle> {
    let (ca, cert, key) = (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    );
    if ca.exists() && cert.exists() && key.exists() {
        return Ok(CertBundle {
            ca_pem: std::fs::read_to_string(ca)?,
            server_pem: std::fs::read_to_string(cert)?,
            server_key_pem: std::fs::read_to_string(key)?,
        });
    }
    let bundle = generate()?;
    std::fs::create_dir_all(dir)?;
    std::fs::write(ca, &bundle.ca_pem)?;
    std::fs::write(cert, &bundle.server_pem)?;
    std::fs::write(&key, &bundle.server_key_pem)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(bundle)
}

/// A rustls server configuration (ring provider) for the bundle.
pub(crate) fn server_config(bundle: &CertBundle) -> io::Result<Arc<rustls::ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(bundle.server_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(other)?;
    let key = PrivateKeyDer::from_pem_slice(bundle.server_key_pem.as_bytes()).map_err(other)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
