//! Connection strings: `endpoint=https://…;accesskey=…`.

use std::fmt;
use std::str::FromStr;

use crate::endpoint::EndpointError;
use crate::{AccessKey, InvalidAccessKey};

const ENDPOINT: &str = "endpoint";
const ACCESS_KEY: &str = "accesskey";
const EXPECTED_FORM: &str =
    "expected `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`";

/// A parsed Communication Services connection string: the resource endpoint and its access key.
///
/// The Azure portal shows a connection string of the form
/// `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`.
///
/// Rules:
/// - segments are separated by `;`; empty segments (such as a trailing `;`) are ignored and
///   whitespace around each segment, key and value is trimmed;
/// - a segment is `key=value`, split at the **first** `=` (base64 keys end in `=`);
/// - keys are case-insensitive; exactly one `endpoint` and one `accesskey` are required and
///   any other key is an error;
/// - the endpoint follows the rules of every endpoint (see [`EndpointError`]): `https` (plain
///   `http` only to a loopback host, e.g. a local emulator), the resource origin without a
///   path, query, fragment or user information; the scheme is never changed;
/// - the access key is decoded as described in [`AccessKey::from_base64`].
///
/// Errors never contain the access key text.
///
/// # Example
///
/// ```
/// use acs_identity::ConnectionString;
///
/// let cs: ConnectionString = "Endpoint=https://contoso.communication.azure.com/;AccessKey=pw==".parse()?;
/// assert_eq!(cs.endpoint(), "https://contoso.communication.azure.com");
/// assert_eq!(format!("{cs:?}"),
///            r#"ConnectionString { endpoint: "https://contoso.communication.azure.com", access_key: AccessKey(<redacted>) }"#);
/// # Ok::<(), acs_identity::ConnectionStringError>(())
/// ```
///
/// `Debug` redacts the key.
#[derive(Clone)]
pub struct ConnectionString {
    endpoint: reqwest::Url,
    access_key: AccessKey,
}

impl ConnectionString {
    /// Parses `endpoint=https://…/;accesskey=…`; see [`ConnectionString`] for the accepted
    /// forms.
    pub fn parse(s: &str) -> Result<Self, ConnectionStringError> {
        let mut endpoint = None;
        let mut access_key = None;
        let mut seen_segment = false;
        if is_quoted(s.trim()) {
            return Err(ConnectionStringError::Quoted);
        }
        if let Some(name) = unexpanded_variable(s.trim()) {
            return Err(ConnectionStringError::UnexpandedVariable(name.to_owned()));
        }
        let parts = s.split(';').filter(|p| !p.trim().is_empty()).count();

        for (index, segment) in s.split(';').enumerate() {
            let segment = segment.trim();
            if segment.is_empty() {
                continue;
            }
            seen_segment = true;
            let number = index + 1;
            if is_url(segment) {
                return Err(if parts == 1 {
                    ConnectionStringError::Url
                } else {
                    ConnectionStringError::UrlWithoutKey { segment: number }
                });
            }
            let Some((name, value)) = segment.split_once('=') else {
                return Err(ConnectionStringError::SegmentWithoutEquals { segment: number });
            };
            let (name, value) = (name.trim(), value.trim());
            let (canonical, slot) = if name.eq_ignore_ascii_case(ENDPOINT) {
                (ENDPOINT, &mut endpoint)
            } else if name.eq_ignore_ascii_case(ACCESS_KEY) {
                (ACCESS_KEY, &mut access_key)
            } else {
                return Err(ConnectionStringError::UnknownKey {
                    segment: number,
                    name: shown_key_name(name, value),
                });
            };
            if slot.is_some() {
                return Err(ConnectionStringError::DuplicateKey(canonical));
            }
            if value.is_empty() {
                return Err(ConnectionStringError::EmptyValue(canonical));
            }
            if is_quoted(value) {
                return Err(ConnectionStringError::QuotedValue(canonical));
            }
            *slot = Some(value);
        }

        if !seen_segment {
            return Err(ConnectionStringError::Empty);
        }
        let endpoint = endpoint.ok_or(ConnectionStringError::MissingEndpoint)?;
        let access_key = access_key.ok_or(ConnectionStringError::MissingAccessKey)?;
        let endpoint =
            crate::endpoint::parse(endpoint).map_err(ConnectionStringError::InvalidEndpoint)?;
        let access_key =
            AccessKey::from_base64(access_key).map_err(ConnectionStringError::InvalidAccessKey)?;
        Ok(ConnectionString {
            endpoint,
            access_key,
        })
    }

    /// The endpoint without a trailing `/`, normalised by URL parsing (lower-case scheme
    /// and host, default port dropped), e.g. `https://contoso.communication.azure.com`.
    pub fn endpoint(&self) -> &str {
        let s = self.endpoint.as_str();
        s.strip_suffix('/').unwrap_or(s)
    }

    /// The endpoint as a URL (path `/`, no query, fragment or user information).
    pub fn endpoint_url(&self) -> &reqwest::Url {
        &self.endpoint
    }

    /// The access key.
    pub fn access_key(&self) -> &AccessKey {
        &self.access_key
    }

    /// Splits into the endpoint URL and the access key.
    pub fn into_parts(self) -> (reqwest::Url, AccessKey) {
        (self.endpoint, self.access_key)
    }
}

impl FromStr for ConnectionString {
    type Err = ConnectionStringError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("endpoint", &self.endpoint())
            .field("access_key", &self.access_key)
            .finish()
    }
}

/// Whether `s` starts and ends with the same quote character.
fn is_quoted(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0]
}

/// Whether `segment` starts like an http(s) URL (a pasted endpoint without its `endpoint=`).
fn is_url(segment: &str) -> bool {
    ["https://", "http://"].iter().any(|scheme| {
        segment
            .get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    })
}

/// The whole of `s` when it is a reference to an environment variable that was not expanded:
/// `$NAME`, `${NAME}`, `$(NAME)` (Azure Pipelines) or `%NAME%` (Windows), `NAME` being a
/// variable name (ASCII letters, digits and `_`, not starting with a digit, at most 64
/// characters). Such text holds no key, so it may be shown.
fn unexpanded_variable(s: &str) -> Option<&str> {
    let name = if let Some(rest) = s.strip_prefix('$') {
        rest.strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')))
            .unwrap_or(rest)
    } else {
        s.strip_prefix('%').and_then(|r| r.strip_suffix('%'))?
    };
    let mut bytes = name.bytes();
    let valid = name.len() <= 64
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some(s)
}

/// Returns the key name of an unknown segment only when the segment is clearly a
/// `name=value` pair. A bare base64 key (a forgotten `accesskey=`) splits at its padding
/// into a "name" that is the key itself with an empty or all-`=` "value": never show it.
fn shown_key_name(name: &str, value: &str) -> Option<String> {
    let bare_value = value.bytes().all(|b| b == b'=');
    let plausible = !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    (plausible && !bare_value).then(|| name.to_owned())
}

/// Why a connection string was rejected. No variant holds or prints the access key text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionStringError {
    /// The connection string is empty (or only whitespace and `;`).
    Empty,
    /// There is no `endpoint=` segment.
    MissingEndpoint,
    /// There is no `accesskey=` segment.
    MissingAccessKey,
    /// A key appears more than once (the canonical lower-case key name).
    DuplicateKey(&'static str),
    /// A key has an empty value (the canonical lower-case key name).
    EmptyValue(&'static str),
    /// A segment has no `=`. Only its position is given, since it may be a key.
    SegmentWithoutEquals {
        /// 1-based position of the segment among the `;`-separated segments.
        segment: usize,
    },
    /// A segment has a key other than `endpoint` and `accesskey`.
    UnknownKey {
        /// 1-based position of the segment among the `;`-separated segments.
        segment: usize,
        /// The key as written, or `None` when the segment looks like a bare access key
        /// (e.g. a forgotten `accesskey=`), so that it is never shown.
        name: Option<String>,
    },
    /// The endpoint breaks a rule of every endpoint (scheme, loopback, origin only).
    InvalidEndpoint(EndpointError),
    /// The access key is not valid base64.
    InvalidAccessKey(InvalidAccessKey),
    /// The whole connection string is enclosed in quotes (`"…"` or `'…'`), as in a `.env` file.
    Quoted,
    /// A value is enclosed in quotes (the canonical lower-case key name).
    QuotedValue(&'static str),
    /// The connection string is a URL (e.g. the endpoint alone), not `endpoint=…;accesskey=…`.
    Url,
    /// A segment is a URL without its `endpoint=` key.
    UrlWithoutKey {
        /// 1-based position of the segment among the `;`-separated segments.
        segment: usize,
    },
    /// The connection string is a reference to an environment variable that was not expanded
    /// (`$NAME`, `${NAME}`, `$(NAME)` or `%NAME%`), as written.
    UnexpandedVariable(String),
}

impl fmt::Display for ConnectionStringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid connection string: ")?;
        self.write_detail(f)
    }
}

impl ConnectionStringError {
    fn write_detail(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "it is empty; {EXPECTED_FORM}"),
            Self::MissingEndpoint => write!(f, "it has no `endpoint=` part; {EXPECTED_FORM}"),
            Self::MissingAccessKey => write!(
                f,
                "it has no `accesskey=` part; {EXPECTED_FORM} (to use Microsoft Entra ID \
                 instead, pass the endpoint and a token credential)"
            ),
            Self::DuplicateKey(name) => write!(
                f,
                "`{name}` appears more than once (keys are case-insensitive); expected it exactly once"
            ),
            Self::EmptyValue(name) => write!(f, "`{name}=` has an empty value; {EXPECTED_FORM}"),
            Self::SegmentWithoutEquals { segment } => write!(
                f,
                "part {segment} (counting `;`-separated parts from 1) is not of the form \
                 `key=value`; {EXPECTED_FORM}"
            ),
            Self::UnknownKey {
                segment,
                name: Some(name),
            } => write!(
                f,
                "unknown key `{name}` in part {segment}; expected only `endpoint` and \
                 `accesskey` (case-insensitive)"
            ),
            Self::UnknownKey {
                segment,
                name: None,
            } => write!(
                f,
                "part {segment} (counting `;`-separated parts from 1) has no recognised key \
                 (not shown: it looks like a bare key value, is `accesskey=` missing?); \
                 {EXPECTED_FORM}"
            ),
            Self::InvalidEndpoint(e) => write!(f, "{e}"),
            Self::Quoted => write!(
                f,
                "it is enclosed in quotes, as written in a `.env` or shell file; pass the text \
                 between the quotes, {EXPECTED_FORM}"
            ),
            Self::QuotedValue(name) => write!(
                f,
                "the value of `{name}=` is enclosed in quotes; write it without them, \
                 {EXPECTED_FORM}"
            ),
            Self::InvalidAccessKey(e) => write!(f, "{e}"),
            Self::Url => write!(
                f,
                "it is a URL, not a connection string; {EXPECTED_FORM} (the Azure portal shows \
                 it under Keys; to use Microsoft Entra ID instead, pass the endpoint and a token \
                 credential)"
            ),
            Self::UrlWithoutKey { segment } => write!(
                f,
                "part {segment} (counting `;`-separated parts from 1) is a URL without its key; \
                 write it as `endpoint=<URL>`, {EXPECTED_FORM}"
            ),
            Self::UnexpandedVariable(name) => write!(
                f,
                "it looks like an unexpanded environment variable (`{name}`): its name was \
                 passed instead of its value; check that the variable is set and that the shell \
                 or the program expands it, {EXPECTED_FORM}"
            ),
        }
    }
}

impl std::error::Error for ConnectionStringError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidAccessKey(e) => Some(e),
            Self::InvalidEndpoint(e) => Some(e),
            _ => None,
        }
    }
}

impl From<InvalidAccessKey> for ConnectionStringError {
    fn from(e: InvalidAccessKey) -> Self {
        Self::InvalidAccessKey(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A realistic 64-byte key (88 base64 characters ending in `==`).
    const KEY: &str =
        "0iAHTwxfPMu70btL2S/tt3ADp/b5zFoz3sEw6EhJBwLVowsk5R1snCeOp22odZllW7sQPWrD/P0sAgo8tx1Isg==";
    const CS: &str = "endpoint=https://contoso.communication.azure.com/;accesskey=";

    fn ok(s: &str) -> ConnectionString {
        ConnectionString::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn err(s: &str) -> ConnectionStringError {
        let e = ConnectionString::parse(s).expect_err(s);
        assert_no_key_text(&e);
        e
    }

    fn assert_no_key_text(e: &ConnectionStringError) {
        let key_body = KEY.trim_end_matches('=');
        for text in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            assert!(!text.contains(&key_body[..16]), "{text}");
            assert!(!text.contains(&key_body[40..60]), "{text}");
        }
    }

    fn signature(cs: &ConnectionString) -> String {
        cs.access_key().signature("banana")
    }

    #[test]
    fn key_text_is_valid() {
        assert_eq!(KEY.len(), 88);
        AccessKey::from_base64(KEY).unwrap();
    }

    #[test]
    fn parses_portal_form() {
        let cs = ok(&format!("{CS}{KEY}"));
        assert_eq!(cs.endpoint(), "https://contoso.communication.azure.com");
        assert_eq!(
            cs.endpoint_url().as_str(),
            "https://contoso.communication.azure.com/"
        );
        assert_eq!(
            signature(&cs),
            AccessKey::from_base64(KEY).unwrap().signature("banana")
        );
        let from_str: ConnectionString = format!("{CS}{KEY}").parse().unwrap();
        assert_eq!(from_str.endpoint(), cs.endpoint());
        let (url, key) = cs.clone().into_parts();
        assert_eq!(url.as_str(), "https://contoso.communication.azure.com/");
        assert_eq!(key.signature("banana"), signature(&cs));
    }

    #[test]
    fn keys_are_case_insensitive() {
        let reference = ok(&format!("{CS}{KEY}"));
        for s in [
            format!("Endpoint=https://contoso.communication.azure.com/;AccessKey={KEY}"),
            format!("ENDPOINT=https://contoso.communication.azure.com/;ACCESSKEY={KEY}"),
            format!("eNdPoInT=https://contoso.communication.azure.com;aCcEsSkEy={KEY}"),
            format!("accesskey={KEY};endpoint=https://contoso.communication.azure.com/"),
        ] {
            let cs = ok(&s);
            assert_eq!(cs.endpoint(), reference.endpoint());
            assert_eq!(signature(&cs), signature(&reference));
        }
    }

    #[test]
    fn trailing_slash_semicolon_and_whitespace() {
        for s in [
            format!("{CS}{KEY}"),
            format!("{CS}{KEY};"),
            format!("{CS}{KEY};;"),
            format!("endpoint=https://contoso.communication.azure.com;accesskey={KEY}"),
            format!(
                "  endpoint = https://contoso.communication.azure.com/ ;\n accesskey = {KEY} ; "
            ),
            format!(";endpoint=https://contoso.communication.azure.com:443/;accesskey={KEY}"),
            format!("endpoint=HTTPS://Contoso.Communication.Azure.com/;accesskey={KEY}"),
        ] {
            assert_eq!(
                ok(&s).endpoint(),
                "https://contoso.communication.azure.com",
                "{s:?}"
            );
        }
    }

    #[test]
    fn value_is_everything_after_first_equals() {
        assert!(KEY.ends_with("=="));
        let cs = ok(&format!("{CS}{KEY}"));
        assert_eq!(
            signature(&cs),
            AccessKey::from_base64(KEY).unwrap().signature("banana")
        );
        let short = ok(&format!("{CS}pw=="));
        assert_eq!(
            signature(&short),
            "88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8="
        );
    }

    #[test]
    fn loopback_http_accepted() {
        for (endpoint, expected) in [
            ("http://localhost:8080/", "http://localhost:8080"),
            ("http://LOCALHOST:8080", "http://localhost:8080"),
            ("http://localhost/", "http://localhost"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.12.0.3:1", "http://127.12.0.3:1"),
            ("http://[::1]:8443/", "http://[::1]:8443"),
            ("https://localhost:8443/", "https://localhost:8443"),
        ] {
            let cs = ok(&format!("endpoint={endpoint};accesskey={KEY}"));
            assert_eq!(cs.endpoint(), expected);
        }
    }

    #[test]
    fn non_loopback_http_rejected() {
        for &endpoint in crate::endpoint::tests::REMOTE_HTTP {
            let e = err(&format!("endpoint={endpoint};accesskey={KEY}"));
            assert_eq!(
                e,
                ConnectionStringError::InvalidEndpoint(EndpointError::PlainHttpToRemoteHost),
                "{endpoint}"
            );
            assert!(e.to_string().contains("loopback"), "{e}");
        }
    }

    #[test]
    fn other_schemes_rejected() {
        for (endpoint, scheme) in [
            ("ftp://contoso.communication.azure.com/", "ftp"),
            ("wss://contoso.communication.azure.com/", "wss"),
            ("file:///etc/passwd", "file"),
            ("mailto:someone@example.com", "mailto"),
        ] {
            let e = err(&format!("endpoint={endpoint};accesskey={KEY}"));
            assert_eq!(
                e,
                ConnectionStringError::InvalidEndpoint(EndpointError::UnsupportedScheme(
                    scheme.into()
                ))
            );
            assert!(e.to_string().contains(scheme), "{e}");
        }
    }

    #[test]
    fn empty() {
        for s in ["", "   ", ";", " ; ;\n"] {
            assert_eq!(err(s), ConnectionStringError::Empty, "{s:?}");
        }
    }

    #[test]
    fn missing_parts() {
        assert_eq!(
            err(&format!("accesskey={KEY}")),
            ConnectionStringError::MissingEndpoint
        );
        assert_eq!(
            err("endpoint=https://contoso.communication.azure.com/"),
            ConnectionStringError::MissingAccessKey
        );
        assert_eq!(
            err(&format!("accesskey={KEY};")),
            ConnectionStringError::MissingEndpoint
        );
    }

    #[test]
    fn duplicate_key() {
        assert_eq!(
            err(&format!("{CS}{KEY};accesskey={KEY}")),
            ConnectionStringError::DuplicateKey("accesskey")
        );
        assert_eq!(
            err(&format!(
                "{CS}{KEY};Endpoint=https://contoso.communication.azure.com/"
            )),
            ConnectionStringError::DuplicateKey("endpoint")
        );
    }

    #[test]
    fn empty_value() {
        assert_eq!(err(CS), ConnectionStringError::EmptyValue("accesskey"));
        assert_eq!(
            err(&format!("{CS}  ;")),
            ConnectionStringError::EmptyValue("accesskey")
        );
        assert_eq!(
            err(&format!("endpoint=;accesskey={KEY}")),
            ConnectionStringError::EmptyValue("endpoint")
        );
    }

    #[test]
    fn segment_without_equals() {
        // The bare key with no padding at all: no `=` in the segment.
        let bare = KEY.trim_end_matches('=');
        let e = err(&format!(
            "endpoint=https://contoso.communication.azure.com/;{bare}"
        ));
        assert_eq!(
            e,
            ConnectionStringError::SegmentWithoutEquals { segment: 2 }
        );
        assert!(e.to_string().contains("part 2"), "{e}");
        assert_eq!(
            err(&format!(";;{CS}{KEY};garbage")),
            ConnectionStringError::SegmentWithoutEquals { segment: 5 }
        );
    }

    #[test]
    fn unknown_key() {
        let e = err(&format!("{CS}{KEY};SharedAccessKeyName=owner"));
        assert_eq!(
            e,
            ConnectionStringError::UnknownKey {
                segment: 3,
                name: Some("SharedAccessKeyName".into())
            }
        );
        assert!(e.to_string().contains("`SharedAccessKeyName`"), "{e}");
        assert!(!e.to_string().contains("owner"), "{e}");

        // A typo in `accesskey`: the name is shown, the value is not.
        let e = err(&format!(
            "endpoint=https://contoso.communication.azure.com/;acceskey={KEY}"
        ));
        assert_eq!(
            e,
            ConnectionStringError::UnknownKey {
                segment: 2,
                name: Some("acceskey".into())
            }
        );

        // Names of other connection strings, with `_`, `-` and `.`, are shown; a name with any
        // other character is not (it may be part of a key).
        for name in [
            "Shared_Access_Key",
            "x-ms-version",
            "Storage.Account",
            "a_b-c.d",
        ] {
            let e = err(&format!("{CS}{KEY};{name}=v"));
            assert_eq!(
                e,
                ConnectionStringError::UnknownKey {
                    segment: 3,
                    name: Some(name.into())
                },
                "{name}"
            );
        }
        for name in ["a+b", "a/b", "a b", "é"] {
            let e = err(&format!("{CS}{KEY};{name}=v"));
            assert_eq!(
                e,
                ConnectionStringError::UnknownKey {
                    segment: 3,
                    name: None
                },
                "{name}"
            );
        }
    }

    #[test]
    fn bare_key_is_never_named() {
        // A forgotten `accesskey=`: the key splits at its padding into name and "value".
        for bare in [KEY, "abcd=", "pw==", "abc=", "a+b/c==x"] {
            let e = err(&format!(
                "endpoint=https://contoso.communication.azure.com/;{bare}"
            ));
            assert_eq!(
                e,
                ConnectionStringError::UnknownKey {
                    segment: 2,
                    name: None
                },
                "{bare}"
            );
            let name = bare.split('=').next().unwrap();
            assert!(!e.to_string().contains(name), "{e}");
            assert!(!format!("{e:?}").contains(name), "{e:?}");
        }
        // A long name is not shown either.
        let long = "x".repeat(33);
        let e = err(&format!("{CS}{KEY};{long}=1"));
        assert_eq!(
            e,
            ConnectionStringError::UnknownKey {
                segment: 3,
                name: None
            }
        );
        // Nor an empty one.
        let e = err(&format!("{CS}{KEY};=value"));
        assert_eq!(
            e,
            ConnectionStringError::UnknownKey {
                segment: 3,
                name: None
            }
        );
    }

    #[test]
    fn invalid_endpoint() {
        let cases = [
            ("contoso.communication.azure.com", "not an absolute URL"),
            ("/identities", "not an absolute URL"),
            ("https://", "not an absolute URL"),
            (
                "https://contoso.communication.azure.com:99999/",
                "not an absolute URL",
            ),
            (
                "https://user:secret@contoso.communication.azure.com/",
                "user information",
            ),
            (
                "https://user@contoso.communication.azure.com/",
                "user information",
            ),
            ("https://contoso.communication.azure.com/?x=1", "query"),
            ("https://contoso.communication.azure.com/?", "query"),
            ("https://contoso.communication.azure.com/#frag", "fragment"),
            ("https://contoso.communication.azure.com/identities", "path"),
            ("https://contoso.communication.azure.com/base/", "path"),
            ("https://contoso.communication.azure.com//", "path"),
        ];
        for (endpoint, reason) in cases {
            let e = err(&format!("endpoint={endpoint};accesskey={KEY}"));
            match &e {
                ConnectionStringError::InvalidEndpoint(r) => {
                    assert!(r.to_string().contains(reason), "{endpoint}: {r}");
                    // The typed cause is the error's source.
                    let source = std::error::Error::source(&e).expect("a source");
                    assert_eq!(source.downcast_ref::<EndpointError>(), Some(r));
                }
                other => panic!("{endpoint}: {other:?}"),
            }
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }

    #[test]
    fn invalid_access_key() {
        for bad in [
            format!("{KEY}-"),
            format!("{}_", &KEY[..86]),
            KEY[..85].to_owned(),
            format!("{} {}", &KEY[..40], &KEY[40..]),
            "pw=a".to_owned(),
        ] {
            let e = err(&format!("{CS}{bad}"));
            assert!(
                matches!(e, ConnectionStringError::InvalidAccessKey(_)),
                "{e:?}"
            );
            assert!(e.to_string().contains("invalid access key"), "{e}");
            assert!(std::error::Error::source(&e).is_some());
        }
    }

    #[test]
    fn order_of_checks() {
        // Structure first, then missing parts, then the endpoint, then the key.
        assert_eq!(
            err("endpoint=ftp://x/;accesskey=!!;junk"),
            ConnectionStringError::SegmentWithoutEquals { segment: 3 }
        );
        assert_eq!(
            err("endpoint=ftp://x/"),
            ConnectionStringError::MissingAccessKey
        );
        assert_eq!(
            err("endpoint=ftp://x/;accesskey=!!"),
            ConnectionStringError::InvalidEndpoint(EndpointError::UnsupportedScheme("ftp".into()))
        );
    }

    #[test]
    fn quotes_are_named() {
        for s in [
            format!("\"{CS}{KEY}\""),
            format!("'{CS}{KEY}'"),
            format!("  \"{CS}{KEY}\"\n"),
        ] {
            let e = err(&s);
            assert_eq!(e, ConnectionStringError::Quoted, "{s}");
            assert!(e.to_string().contains("quotes"), "{e}");
        }
        let e = err(&format!(
            "endpoint=\"https://contoso.communication.azure.com/\";accesskey={KEY}"
        ));
        assert_eq!(e, ConnectionStringError::QuotedValue("endpoint"));
        let e = err(&format!("{CS}'{KEY}'"));
        assert_eq!(e, ConnectionStringError::QuotedValue("accesskey"));
        assert!(e.to_string().contains("`accesskey=`"), "{e}");
    }

    #[test]
    fn a_url_is_named() {
        for s in [
            "https://contoso.communication.azure.com",
            " https://contoso.communication.azure.com/;",
            "HTTPS://contoso.communication.azure.com/?api-version=1",
            "http://127.0.0.1:8080/",
        ] {
            let e = err(s);
            assert_eq!(e, ConnectionStringError::Url, "{s}");
            assert_eq!(
                e.to_string(),
                "invalid connection string: it is a URL, not a connection string; expected \
                 `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>` \
                 (the Azure portal shows it under Keys; to use Microsoft Entra ID instead, pass \
                 the endpoint and a token credential)"
            );
        }
        // The endpoint without its `endpoint=`, before the key.
        let e = err(&format!(
            "https://contoso.communication.azure.com/;accesskey={KEY}"
        ));
        assert_eq!(e, ConnectionStringError::UrlWithoutKey { segment: 1 });
        assert_eq!(
            e.to_string(),
            "invalid connection string: part 1 (counting `;`-separated parts from 1) is a URL \
             without its key; write it as `endpoint=<URL>`, expected \
             `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`"
        );
        assert_eq!(
            err(&format!(
                "accesskey={KEY};;https://x.communication.azure.com"
            )),
            ConnectionStringError::UrlWithoutKey { segment: 3 }
        );
    }

    #[test]
    fn an_unexpanded_variable_is_named() {
        for s in [
            "$COMMUNICATION_SERVICES_CONNECTION_STRING",
            "${COMMUNICATION_SERVICES_CONNECTION_STRING}",
            "$(COMMUNICATION_SERVICES_CONNECTION_STRING)",
            "%COMMUNICATION_SERVICES_CONNECTION_STRING%",
            " $_acs1\n",
        ] {
            let e = err(s);
            assert_eq!(
                e,
                ConnectionStringError::UnexpandedVariable(s.trim().into()),
                "{s}"
            );
        }
        assert_eq!(
            err("${ACS}").to_string(),
            "invalid connection string: it looks like an unexpanded environment variable \
             (`${ACS}`): its name was passed instead of its value; check that the variable is \
             set and that the shell or the program expands it, expected \
             `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`"
        );
        // Not a variable name: the usual errors.
        for s in ["$", "${}", "$1ACS", "%%", "${ACS", "$ACS-X", "%A B%"] {
            let e = err(s);
            assert!(
                !matches!(e, ConnectionStringError::UnexpandedVariable(_)),
                "{s}: {e}"
            );
        }
        let long = format!("${}", "A".repeat(65));
        assert!(!matches!(
            err(&long),
            ConnectionStringError::UnexpandedVariable(_)
        ));
    }

    #[test]
    fn parts_and_characters_are_counted_from_1() {
        let e = err("endpoint=https://contoso.communication.azure.com/;pwpw");
        assert_eq!(
            e.to_string(),
            "invalid connection string: part 2 (counting `;`-separated parts from 1) is not of \
             the form `key=value`; expected \
             `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`"
        );
        // `=` is the third character of the key.
        let e = err(&format!("{CS}pw=a"));
        assert_eq!(
            e.to_string(),
            "invalid connection string: invalid access key: unexpected '=' at character 3 of the \
             key (counting from 1); '=' padding may only end the key; expected the base64 text \
             of a Communication Services access key, as shown under Keys for the resource in \
             the Azure portal"
        );
        for (key, text) in [
            (
                "pwpw pwpw",
                "whitespace or a line break at character 5 of the key",
            ),
            ("pw-_", "character 3 of the key (counting from 1) is not in"),
            ("px==", "(character 2 of the key, counting from 1)"),
        ] {
            let e = err(&format!("{CS}{key}"));
            assert!(e.to_string().contains(text), "{e}");
        }
    }

    #[test]
    fn no_error_contains_the_key() {
        let errors = [
            err(""),
            err(&format!("accesskey={KEY}")),
            err("endpoint=https://contoso.communication.azure.com/"),
            err(&format!("{CS}{KEY};accesskey={KEY}")),
            err("endpoint=;accesskey=x"),
            err(&format!(
                "endpoint=https://contoso.communication.azure.com/;{}",
                KEY.trim_end_matches('=')
            )),
            err(&format!(
                "endpoint=https://contoso.communication.azure.com/;{KEY}"
            )),
            err(&format!(
                "endpoint=https://contoso.communication.azure.com/;acceskey={KEY}"
            )),
            err(&format!("endpoint=contoso;accesskey={KEY}")),
            err(&format!("endpoint=http://example.com/;accesskey={KEY}")),
            err(&format!("endpoint=ftp://example.com/;accesskey={KEY}")),
            err(&format!("{CS}{KEY}!")),
            err(&format!("{CS}{}", &KEY[..85])),
            err(&format!("\"{CS}{KEY}\"")),
            err(&format!("{CS}\"{KEY}\"")),
            err("https://contoso.communication.azure.com/"),
            err(&format!(
                "https://contoso.communication.azure.com/;accesskey={KEY}"
            )),
            err("$ACS_CONNECTION_STRING"),
        ];
        for e in &errors {
            assert_no_key_text(e);
            assert!(!e.to_string().is_empty());
        }
        // Every variant is represented.
        let mut kinds: Vec<_> = errors.iter().map(std::mem::discriminant).collect();
        kinds.dedup();
        assert_eq!(kinds.len(), 14);
    }

    #[test]
    fn debug_redacts_key() {
        let cs = ok(&format!("{CS}{KEY}"));
        let debug = format!("{cs:?}");
        assert_eq!(
            debug,
            r#"ConnectionString { endpoint: "https://contoso.communication.azure.com", access_key: AccessKey(<redacted>) }"#
        );
        assert!(!format!("{cs:#?}").contains(&KEY[..16]));
    }
}
