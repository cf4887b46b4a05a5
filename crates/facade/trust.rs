//! Which certificate authorities a client trusts besides the Mozilla roots each transport starts
//! from: the PEMs in `ClientOptions::additional_ca_certificates_pem`, then the operating system's
//! store when `trust_os_certificates` is set.

use acs_chat_core::{ClientOptions, Error, Result};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// Roots to trust besides the Mozilla ones.
pub(crate) struct ExtraRoots {
    /// From `additional_ca_certificates_pem`: each must be usable.
    pub(crate) explicit: Vec<CertificateDer<'static>>,
    /// From the OS store: unusable ones are skipped (one bad file there must not stop a client).
    pub(crate) os: Vec<CertificateDer<'static>>,
}

/// The extra roots for `options`; every PEM must hold at least one certificate.
pub(crate) fn extra_roots(options: &ClientOptions) -> Result<ExtraRoots> {
    let mut roots = Vec::new();
    for pem in &options.additional_ca_certificates_pem {
        let before = roots.len();
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.push(cert.map_err(|e| Error::tls("reading an additional CA certificate", e))?);
        }
        if roots.len() == before {
            return Err(Error::tls(
                "reading an additional CA certificate",
                "no PEM certificate found",
            ));
        }
    }
    let os = if options.trust_os_certificates {
        os_roots().to_vec()
    } else {
        Vec::new()
    };
    Ok(ExtraRoots {
        explicit: roots,
        os,
    })
}

/// The OS store, read once per process: reading it (on Linux, parsing the system bundle) was most
/// of what building a client cost.
fn os_roots() -> &'static [CertificateDer<'static>] {
    static OS_ROOTS: std::sync::OnceLock<Vec<CertificateDer<'static>>> = std::sync::OnceLock::new();
    OS_ROOTS.get_or_init(|| {
        let native = rustls_native_certs::load_native_certs();
        for error in &native.errors {
            tracing::debug!("skipping part of the OS certificate store: {error}");
        }
        native.certs
    })
}
