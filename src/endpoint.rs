//! Endpoint rules: one module, one error type ([`EndpointError`]).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Why an endpoint was refused. No variant holds the endpoint text (it may carry user
/// information).
///
/// The rules, for a connection string's `endpoint=` and for
/// [`CommunicationIdentityClient::new`](crate::CommunicationIdentityClient::new) alike:
///
/// - an absolute URL with a host, `https`; plain `http` only to a loopback host (`localhost`,
///   127.0.0.0/8, `[::1]`), e.g. a local emulator. The scheme is never changed.
/// - the resource origin and nothing else: no path (a trailing `/` is fine), query, fragment or
///   user information. The service checks an HMAC signature against the path it receives, and
///   no Communication Services resource is served under a path prefix, so a path is a mistake
///   (often an operation URL pasted as the endpoint) rather than something to keep.
///
/// The same rule tells where credentials may be sent at all: bearer tokens never go over plain
/// http to a host that is not loopback, whichever way the request was built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// Not an absolute URL; the parser's reason.
    NotAbsoluteUrl(String),
    /// A scheme other than `https` and `http`.
    UnsupportedScheme(String),
    /// Plain `http` to a host that is not a loopback host.
    PlainHttpToRemoteHost,
    /// The URL has no host.
    NoHost,
    /// The URL has user information (`user:password@`).
    UserInfo,
    /// The URL has a path other than `/`.
    Path,
    /// The URL has a query (`?…`).
    Query,
    /// The URL has a fragment (`#…`).
    Fragment,
}

/// The endpoint every message asks for.
const EXPECTED: &str =
    "expected the resource URL, such as `https://<resource>.communication.azure.com/`";

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the endpoint ")?;
        match self {
            Self::NotAbsoluteUrl(reason) => {
                write!(f, "is not an absolute URL ({reason}); {EXPECTED}")
            }
            // One sentence, one "expected": what is accepted, then the exception.
            Self::UnsupportedScheme(scheme) => write!(
                f,
                "has the scheme `{scheme}`; {EXPECTED} (`http` is accepted only for a loopback \
                 host, e.g. a local emulator)"
            ),
            Self::PlainHttpToRemoteHost => write!(
                f,
                "uses plain `http` to a host that is not a loopback host; {EXPECTED} (`http` is \
                 accepted only for `localhost`, 127.0.0.0/8 and `[::1]`, e.g. a local emulator)"
            ),
            Self::NoHost => write!(f, "has no host; {EXPECTED}"),
            Self::UserInfo => write!(
                f,
                "contains user information (`user:password@`); {EXPECTED}"
            ),
            Self::Path => write!(
                f,
                "has a path; {EXPECTED}, without the path of an operation (the service checks \
                 the signature against the path it receives)"
            ),
            Self::Query => write!(f, "has a query (`?…`); {EXPECTED}"),
            Self::Fragment => write!(f, "has a fragment (`#…`); {EXPECTED}"),
        }
    }
}

impl std::error::Error for EndpointError {}

/// Parses `endpoint` and checks it against the rules of this module.
pub(crate) fn parse(endpoint: &str) -> Result<reqwest::Url, EndpointError> {
    // `url::ParseError` messages describe the problem without echoing the input.
    let url = reqwest::Url::parse(endpoint.trim())
        .map_err(|e| EndpointError::NotAbsoluteUrl(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&url) => {}
        "http" => return Err(EndpointError::PlainHttpToRemoteHost),
        other => return Err(EndpointError::UnsupportedScheme(other.to_owned())),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(EndpointError::NoHost);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::UserInfo);
    }
    if url.query().is_some() {
        return Err(EndpointError::Query);
    }
    if url.fragment().is_some() {
        return Err(EndpointError::Fragment);
    }
    if url.path() != "/" {
        return Err(EndpointError::Path);
    }
    Ok(url)
}

/// Whether credentials may be sent to `url`: https, or plain http to a loopback host.
pub(crate) fn credentials_allowed(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback_host(url),
        _ => false,
    }
}

/// Whether the URL's host is a loopback host: `localhost` (exactly, case-insensitive), an
/// IPv4 address in `127.0.0.0/8` or the IPv6 address `::1`.
///
/// Names that merely start with `localhost` (`localhost.example.com`) or other names that
/// may resolve to a loopback address are not loopback hosts here: the check does not
/// depend on name resolution.
fn is_loopback_host(url: &reqwest::Url) -> bool {
    match url.host_str() {
        None => false,
        Some(host) => {
            if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
                v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
            } else if let Ok(v4) = host.parse::<Ipv4Addr>() {
                v4.is_loopback()
            } else {
                host.eq_ignore_ascii_case("localhost")
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn loopback_http_accepted() {
        for endpoint in [
            "http://localhost:8080/",
            "http://LOCALHOST:8080",
            "http://localhost/",
            "http://127.0.0.1:8080",
            "http://127.12.0.3:1",
            "http://[::1]:8443/",
            "https://localhost:8443/",
        ] {
            let url = parse(endpoint).unwrap_or_else(|e| panic!("{endpoint}: {e}"));
            assert!(is_loopback_host(&url), "{endpoint}");
            assert!(credentials_allowed(&url), "{endpoint}");
        }
    }

    /// Plain http endpoints of hosts that are not loopback hosts (also used by the connection
    /// string's tests).
    pub(crate) const REMOTE_HTTP: &[&str] = &[
        "http://contoso.communication.azure.com/",
        "http://localhost.evil.com/",
        "http://localhost.evil.com:8080/",
        "http://evil-localhost/",
        "http://127.0.0.1.evil.com/",
        "http://128.0.0.1/",
        "http://10.0.0.1:8080/",
        "http://[::2]/",
        "http://[::ffff:8.8.8.8]/",
        "http://0.0.0.0/",
    ];

    #[test]
    fn non_loopback_http_refused() {
        for &endpoint in REMOTE_HTTP {
            let e = parse(endpoint).unwrap_err();
            assert_eq!(e, EndpointError::PlainHttpToRemoteHost, "{endpoint}");
            assert!(e.to_string().contains("loopback"), "{e}");
            let url = reqwest::Url::parse(endpoint).unwrap();
            assert!(!credentials_allowed(&url), "{endpoint}");
        }
    }

    #[test]
    fn each_message_is_one_sentence_with_one_expected() {
        use EndpointError::*;
        assert_eq!(
            PlainHttpToRemoteHost.to_string(),
            "the endpoint uses plain `http` to a host that is not a loopback host; expected the \
             resource URL, such as `https://<resource>.communication.azure.com/` (`http` is \
             accepted only for `localhost`, 127.0.0.0/8 and `[::1]`, e.g. a local emulator)"
        );
        assert_eq!(
            UnsupportedScheme("ftp".into()).to_string(),
            "the endpoint has the scheme `ftp`; expected the resource URL, such as \
             `https://<resource>.communication.azure.com/` (`http` is accepted only for a \
             loopback host, e.g. a local emulator)"
        );
        assert_eq!(
            Path.to_string(),
            "the endpoint has a path; expected the resource URL, such as \
             `https://<resource>.communication.azure.com/`, without the path of an operation \
             (the service checks the signature against the path it receives)"
        );
        for e in [
            NotAbsoluteUrl("relative URL without a base".into()),
            UnsupportedScheme("ftp".into()),
            PlainHttpToRemoteHost,
            NoHost,
            UserInfo,
            Path,
            Query,
            Fragment,
        ] {
            let text = e.to_string();
            assert_eq!(text.matches("expected").count(), 1, "{text}");
            assert!(text.starts_with("the endpoint "), "{text}");
        }
    }

    #[test]
    fn other_schemes_refused() {
        for (endpoint, scheme) in [
            ("ftp://contoso.communication.azure.com/", "ftp"),
            ("wss://contoso.communication.azure.com/", "wss"),
            ("file:///etc/passwd", "file"),
            ("mailto:someone@example.com", "mailto"),
        ] {
            let e = parse(endpoint).unwrap_err();
            assert_eq!(e, EndpointError::UnsupportedScheme(scheme.into()));
            assert!(e.to_string().contains(scheme), "{e}");
            let url = reqwest::Url::parse(endpoint).unwrap();
            assert!(!credentials_allowed(&url), "{endpoint}");
        }
    }

    #[test]
    fn everything_but_the_origin_refused() {
        use EndpointError::*;
        for (endpoint, expected) in [
            ("https://", NotAbsoluteUrl("empty host".into())),
            (
                "https://user:secret@contoso.communication.azure.com/",
                UserInfo,
            ),
            ("https://user@contoso.communication.azure.com/", UserInfo),
            ("https://contoso.communication.azure.com/?x=1", Query),
            ("https://contoso.communication.azure.com/?", Query),
            ("https://contoso.communication.azure.com/#frag", Fragment),
            ("https://contoso.communication.azure.com/identities", Path),
            ("https://contoso.communication.azure.com/base/", Path),
            ("https://contoso.communication.azure.com//", Path),
        ] {
            let e = parse(endpoint).unwrap_err();
            assert_eq!(e, expected, "{endpoint}");
            assert!(!e.to_string().contains("secret"), "{e}");
            assert!(e.to_string().contains("expected"), "{e}");
        }
        for endpoint in [
            "contoso.communication.azure.com",
            "/identities",
            "https://contoso.communication.azure.com:99999/",
        ] {
            assert!(
                matches!(parse(endpoint), Err(NotAbsoluteUrl(_))),
                "{endpoint}"
            );
        }
    }

    #[test]
    fn origin_accepted_with_or_without_slash() {
        for endpoint in [
            "https://contoso.communication.azure.com",
            " https://contoso.communication.azure.com/ ",
            "HTTPS://Contoso.Communication.Azure.com:443/",
        ] {
            assert_eq!(
                parse(endpoint).unwrap().as_str(),
                "https://contoso.communication.azure.com/"
            );
        }
    }
}
