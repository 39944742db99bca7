//! https: the certificate (made at start, or brought by the user) and the rustls server
//! configuration, with the aws-lc-rs provider (the one the SDK's reqwest uses).

use chrono::{Datelike, Utc};
use std::fmt;
use std::io;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::Zeroizing;

/// The names the certificate made at start is for: the emulator listens on `127.0.0.1`, and
/// clients may reach it by any loopback name.
pub(crate) const GENERATED_CERTIFICATE_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Whether an [`Emulator`](super::Emulator) serves plain http or https, and with which
/// certificate ([`EmulatorOptions::tls`](super::EmulatorOptions::tls)).
///
/// `Debug` never shows a private key.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Tls {
    /// Plain http (the default). This crate's SDK accepts it for loopback hosts; the official
    /// Python and JavaScript SDKs need https (Python's connection-string parsing always makes
    /// the endpoint https, and both refuse to send a bearer token over http).
    #[default]
    Off,
    /// https with a self-signed certificate made at start for `localhost`, `127.0.0.1` and
    /// `::1` (ECDSA P-256, valid from yesterday for 90 days): its PEM is
    /// [`Emulator::certificate_pem`](super::Emulator::certificate_pem), the certificate a
    /// client must trust.
    Generated,
    /// https with a certificate and key you bring, both PEM: the certificate chain (the
    /// server's certificate first) and its private key (PKCS#8, PKCS#1 or SEC1). It must be
    /// valid for the name clients use, e.g. `127.0.0.1`.
    Pem {
        /// The certificate chain, PEM.
        certificate_chain: String,
        /// The private key, PEM.
        private_key: Zeroizing<String>,
    },
}

impl Tls {
    /// [`Tls::Pem`] from PEM text.
    pub fn pem(certificate_chain: impl Into<String>, private_key: impl Into<String>) -> Self {
        Tls::Pem {
            certificate_chain: certificate_chain.into(),
            private_key: Zeroizing::new(private_key.into()),
        }
    }
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tls::Off => f.write_str("Off"),
            Tls::Generated => f.write_str("Generated"),
            Tls::Pem {
                certificate_chain, ..
            } => f
                .debug_struct("Pem")
                .field("certificate_chain", certificate_chain)
                .field("private_key", &"<redacted>")
                .finish(),
        }
    }
}

/// What a server with https needs: the acceptor, and the certificate chain (PEM) clients
/// must trust.
pub(crate) struct Served {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) certificate_pem: String,
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// The acceptor for `tls`; `None` for plain http. A certificate made at start names the
/// loopback names and `extra_names` (the address the emulator binds, when it is another).
pub(crate) fn serve(tls: &Tls, extra_names: &[String]) -> io::Result<Option<Served>> {
    let (chain, key, certificate_pem) = match tls {
        Tls::Off => return Ok(None),
        Tls::Generated => generated(extra_names)?,
        Tls::Pem {
            certificate_chain,
            private_key,
        } => {
            let chain = CertificateDer::pem_slice_iter(certificate_chain.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid(format!("the certificate is not valid PEM: {e}")))?;
            if chain.is_empty() {
                return Err(invalid("no certificate in the certificate PEM".to_owned()));
            }
            let key = PrivateKeyDer::from_pem_slice(private_key.as_bytes())
                .map_err(|e| invalid(format!("the private key is not valid PEM: {e}")))?;
            (chain, key, certificate_chain.clone())
        }
    };
    let mut config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| io::Error::other(format!("TLS configuration: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(format!("the certificate and key cannot be served: {e}")))?;
    // The server speaks HTTP/1.1 only; saying so lets HTTP/2-capable clients settle at once.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Served {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem,
    }))
}

/// A self-signed certificate for the loopback names: a leaf (no CA constraint) with the
/// server-authentication usage, so that it is its own trust anchor for rustls/webpki,
/// OpenSSL (Python, Node) and the platform stores alike.
fn generated(
    extra_names: &[String],
) -> io::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String)> {
    let failed = |e: rcgen::Error| io::Error::other(format!("cannot make a certificate: {e}"));
    let key = rcgen::KeyPair::generate().map_err(failed)?;
    let names: Vec<String> = GENERATED_CERTIFICATE_NAMES
        .iter()
        .map(|n| n.to_string())
        .chain(extra_names.iter().cloned())
        .collect();
    let mut params = rcgen::CertificateParams::new(names).map_err(failed)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "acs-identity-emulator");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    // Valid from yesterday (clocks of containers and hosts differ a little) for 90 days: well
    // under the 398 days some clients allow a server certificate.
    let day =
        |d: chrono::DateTime<Utc>| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
    let now = Utc::now();
    params.not_before = day(now - chrono::Duration::days(1));
    params.not_after = day(now + chrono::Duration::days(89));
    let certificate = params.self_signed(&key).map_err(failed)?;
    let pem = certificate.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((vec![certificate.der().clone()], key, pem))
}
