//! TLS client configuration: certificates validated by default by the
//! platform verifier (the operating system's trust store and rules, via
//! rustls-platform-verifier) plus an optional CA file; one self-signed
//! certificate can be pinned by its SHA-256 fingerprint. Nothing else turns
//! checks off.
//!
//! The CA file's roots are checked by webpki, beside the platform verifier,
//! not handed to it: Windows' verifier refuses extra roots at set-up under
//! Wine (E_INVALIDARG), and one way on every platform is one way to test.

use std::path::Path;
use std::sync::{Arc, Mutex};

use mailsetup_core::observe::FailureKind;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};

/// What the user may change about certificate checking.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Extra trusted CA certificates (PEM).
    pub ca_file: Option<std::path::PathBuf>,
    /// SHA-256 of the one server certificate to accept whatever its issuer.
    pub trust_cert: Option<[u8; 32]>,
}

/// Parses `SHA256:<64 hex digits>` (colons between bytes allowed).
pub fn parse_fingerprint(s: &str) -> Result<[u8; 32], String> {
    let hex = s
        .strip_prefix("SHA256:")
        .or_else(|| s.strip_prefix("sha256:"))
        .ok_or("the fingerprint must start with SHA256:")?;
    let digits: String = hex.chars().filter(|c| *c != ':').collect();
    if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("the fingerprint must have 64 hex digits after SHA256:".into());
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A configured TLS client plus what its verifier saw.
#[derive(Debug)]
pub struct Client {
    /// The rustls configuration.
    pub config: Arc<ClientConfig>,
    verifier: Arc<Verifier>,
}

impl Client {
    /// Builds the client: the platform verifier + the CA file.
    pub fn new(opts: &TlsOptions) -> Result<Client, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let extra = match &opts.ca_file {
            Some(path) => {
                let certs = read_pem(path)?;
                if certs.is_empty() {
                    return Err(format!("{}: no certificate found in the CA file", path.display()));
                }
                certs
            }
            None => Vec::new(),
        };
        let inner = rustls_platform_verifier::Verifier::new(provider.clone())
            .map_err(|e| format!("no usable trust roots: {e}"))?;
        let extra = if extra.is_empty() {
            None
        } else {
            let mut roots = rustls::RootCertStore::empty();
            for cert in extra {
                roots.add(cert).map_err(|e| format!("the CA file holds an unusable certificate: {e}"))?;
            }
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| format!("no usable trust roots: {e}"))?;
            Some(webpki)
        };
        let verifier = Arc::new(Verifier {
            inner,
            extra,
            provider: provider.clone(),
            pin: opts.trust_cert,
            seen: Mutex::new(None),
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous() // only to install our verifier, which validates as above
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        Ok(Client { config: Arc::new(config), verifier })
    }

    /// Turns a failed handshake into an observation. The detail is
    /// sanitized: it can quote the server's certificate (its names), which
    /// is server text like any other.
    pub fn classify(&self, err: &std::io::Error) -> (FailureKind, String) {
        let sanitized = |text: String| mailsetup_core::sanitize::server_text(text.as_bytes(), 1000);
        let Some(tls) = err.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) else {
            return (FailureKind::TlsHandshakeFailed, sanitized(err.to_string()));
        };
        let detail = sanitized(tls.to_string());
        let kind = match tls {
            rustls::Error::InvalidCertificate(c) => match c {
                CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. } => FailureKind::CertExpired,
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                    FailureKind::CertNameMismatch
                }
                // webpki reports a self-signed certificate as an unknown issuer,
                // or as a signature it could not check against some anchor:
                // look at the certificate itself.
                _ if self.saw_self_signed() => FailureKind::CertSelfSigned,
                _ => FailureKind::CertUntrusted,
            },
            // A plaintext greeting ("220 …") read as a TLS record.
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
                FailureKind::TlsOnPlaintextPort
            }
            _ => FailureKind::TlsHandshakeFailed,
        };
        (kind, detail)
    }

    /// The DNS names (subject alternative names) of the last certificate a
    /// server showed; discovery proposes one that resolves to the same
    /// address. Server text: each name is checked by the core before use.
    pub fn seen_dns_names(&self) -> Vec<String> {
        let seen = self.verifier.seen.lock().map(|g| g.clone()).unwrap_or(None);
        let Some(der) = seen else { return Vec::new() };
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(&der) else { return Vec::new() };
        let Ok(Some(san)) = cert.subject_alternative_name() else { return Vec::new() };
        san.value
            .general_names
            .iter()
            .filter_map(|n| match n {
                x509_parser::extensions::GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .take(16)
            .collect()
    }

    fn saw_self_signed(&self) -> bool {
        let seen = self.verifier.seen.lock().map(|g| g.clone()).unwrap_or(None);
        seen.is_some_and(|der| {
            x509_parser::parse_x509_certificate(&der)
                .map(|(_, c)| c.issuer().as_raw() == c.subject().as_raw())
                .unwrap_or(false)
        })
    }
}

fn read_pem(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .map(|c| c.map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

/// The platform verifier, the CA file's roots and an optional pin,
/// remembering the certificate it was shown (to tell "self-signed" from
/// "unknown authority").
#[derive(Debug)]
struct Verifier {
    inner: rustls_platform_verifier::Verifier,
    extra: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    pin: Option<[u8; 32]>,
    seen: Mutex<Option<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut s) = self.seen.lock() {
            *s = Some(end_entity.clone().into_owned());
        }
        if let Some(pin) = self.pin {
            let digest = ring::digest::digest(&ring::digest::SHA256, end_entity.as_ref());
            if digest.as_ref() == pin {
                return Ok(ServerCertVerified::assertion());
            }
        }
        // A certificate of the CA file's: its checks decide (expired, wrong
        // name). One that does not chain to it goes to the platform.
        if let Some(extra) = &self.extra {
            match extra.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::UnknownIssuer | CertificateError::BadSignature,
                )) => {}
                decided => return decided,
            }
        }
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_parsing() {
        let hex = "AB".repeat(32);
        assert_eq!(parse_fingerprint(&format!("SHA256:{hex}")).unwrap(), [0xAB; 32]);
        assert!(parse_fingerprint(&hex).is_err());
        assert!(parse_fingerprint("SHA256:abcd").is_err());
    }
}
