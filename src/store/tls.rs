//! TLS to PostgreSQL with rustls, checking the server as libpq's `sslmode`
//! asks: no check for `prefer` and `require` (unless a CA file is given),
//! the certificate's chain for `verify-ca`, the chain and the host's name
//! for `verify-full`. The handshake's signatures are always checked.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// What of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Encryption only: any certificate is accepted.
    Nothing,
    /// The certificate chains to a trusted CA.
    Chain,
    /// The certificate chains to a trusted CA and names the host.
    ChainAndName,
}

/// A connector that checks what `checks` says, trusting the CAs in
/// `ca_file` when one is given and the platform's otherwise.
pub fn connector(checks: Checks, ca_file: Option<&Path>) -> Result<MakeRustlsConnect, String> {
    // ring rather than aws-lc-rs: it builds in seconds with no CMake or
    // assembler, and its only lack (no post-quantum key exchange, hence
    // rustls's deprecation note) matters little against a database whose
    // traffic is this run's entries.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (chain, pinned) = match checks {
        Checks::Nothing => (None, Vec::new()),
        Checks::Chain | Checks::ChainAndName => {
            let (roots, pinned) = trusted(ca_file)?;
            let verifier =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                    .build()
                    .map_err(|e| format!("the trusted CAs cannot check a server ({e})"))?;
            (Some(verifier), pinned)
        }
    };
    let verifier = Verifier {
        chain,
        pinned,
        names: checks == Checks::ChainAndName,
        algorithms: provider.signature_verification_algorithms,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The CAs in the file, or the platform's; and the certificates of the
/// file, which a server may present as they are (a self-signed server
/// certificate given as its own CA, as PostgreSQL's manual sets one up).
fn trusted(
    ca_file: Option<&Path>,
) -> Result<(RootCertStore, Vec<CertificateDer<'static>>), String> {
    let mut roots = RootCertStore::empty();
    let mut pinned = Vec::new();
    match ca_file {
        Some(path) => {
            let unreadable = |why: String| {
                format!(
                    "the CA file {} is not a readable PEM certificate file ({why})",
                    path.display()
                )
            };
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| unreadable(e.to_string()))?;
            if certs.is_empty() {
                return Err(unreadable("it holds no certificate".into()));
            }
            for cert in certs {
                roots
                    .add(cert.clone())
                    .map_err(|e| unreadable(e.to_string()))?;
                pinned.push(cert);
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err(
                    "the platform has no trusted CA certificates; name a CA file with sslrootcert=FILE"
                        .into(),
                );
            }
        }
    }
    Ok((roots, pinned))
}

/// Checks the server's certificate as far as `sslmode` asks.
#[derive(Debug)]
struct Verifier {
    /// The chain's check, when one is asked for.
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// Certificates trusted as they are, with no chain.
    pinned: Vec<CertificateDer<'static>>,
    /// Whether the certificate must name the host.
    names: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        if self.pinned.contains(end_entity) {
            if self.names {
                let cert = ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&cert, server_name)?;
            }
            return Ok(ServerCertVerified::assertion());
        }
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.names => Ok(ServerCertVerified::assertion()),
            checked => checked,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
