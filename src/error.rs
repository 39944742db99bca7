//! The crate's error type.

use std::fmt;
use std::time::Duration;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument is invalid on the client side (e.g. a token expiry out of range, an empty
    /// scope list): nothing was sent.
    InvalidArgument,
    /// The connection string, endpoint or client options are invalid: no client was built.
    Configuration,
    /// The service answered with an error status; see [`Error::status`] and [`Error::code`].
    Service,
    /// The request could not be sent or the response not received (connection refused or
    /// reset, TLS failure, body cut short).
    Transport,
    /// An attempt, or the whole operation, took longer than the configured timeout.
    Timeout,
    /// The service answered, but its response could not be understood (undecodable, too large,
    /// unexpected status, missing fields).
    InvalidResponse,
    /// The token credential could not provide a token.
    Credential,
}

/// An error of a [`CommunicationIdentityClient`](crate::CommunicationIdentityClient) operation.
///
/// `Display` reads like the service's answer, e.g.
/// `401 IdentityNotOwned: Provided identity doesn't belong to the resource.`, and for a failure
/// on the client's side names its cause, e.g.
/// `transport error: the request failed: connection closed before message completed`. The
/// chain of causes stays available through [`source`](std::error::Error::source).
///
/// What `Display` (and `Debug`) never show: an access key, a bearer token or an access token.
/// The causes come from the HTTP stack (their messages hold no secret: no header value and no
/// body; the request URL, which holds ids and no secret, is left out) and from the token
/// credential (see [`TokenCredential`](crate::TokenCredential) for what is shown of its errors).
///
/// To act on an error, use its checks ([`is_not_found`](Self::is_not_found),
/// [`is_unauthorized`](Self::is_unauthorized), [`is_invalid_request`](Self::is_invalid_request),
/// [`is_transient`](Self::is_transient), ...) or the service's code as a typed value
/// ([`error_code`](Self::error_code)) rather than comparing strings:
///
/// ```
/// # fn handle(e: acs_identity::Error) {
/// use acs_identity::ErrorCode;
/// if e.error_code() == Some(&ErrorCode::IdentityNotOwned) {
///     // an id of another Communication Services resource
/// } else if e.is_unauthorized() {
///     // a wrong access key, or a credential without access
/// } else if e.is_not_found() {
///     // the user or assignment does not exist (any more)
/// }
/// # }
/// ```
pub struct Error {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    service: Option<Box<ServiceError>>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    connect: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            status: None,
            service: None,
            request_id: None,
            retry_after: None,
            connect: false,
            source: None,
        }
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Configuration, message)
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn with_response(mut self, status: u16, meta: &ResponseMeta) -> Self {
        self.status = Some(status);
        self.request_id = meta.request_id.clone();
        self.retry_after = meta.retry_after;
        self
    }

    pub(crate) fn with_service_error(mut self, e: ServiceError) -> Self {
        self.message = e.message.clone();
        self.service = Some(Box::new(e));
        self
    }

    pub(crate) fn connect_failure(mut self) -> Self {
        self.connect = true;
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status of the service's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The service's error code (e.g. `IdentityNotOwned`, `ValidationError`), when it sent one.
    /// [`error_code`](Self::error_code) is the same code as a typed value.
    pub fn code(&self) -> Option<&str> {
        self.service.as_ref().map(|e| e.code.as_str())
    }

    /// The service's error code as a typed value, when it sent one: a known code is a variant
    /// of [`ErrorCode`], any other is [`ErrorCode::Other`] with its text.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.service.as_ref().map(|e| &e.code)
    }

    /// Whether the service answered 401 Unauthorized: the request was not authenticated, or
    /// concerns something the resource does not own. The service's code tells which:
    /// [`Denied`](ErrorCode::Denied) (a wrong access key or signature, or a credential without
    /// access), [`IdentityNotOwned`](ErrorCode::IdentityNotOwned) (an id of another resource),
    /// [`InvalidAccessToken`](ErrorCode::InvalidAccessToken) (a Teams user's token that is not
    /// valid). The Python SDK raises `ClientAuthenticationError` for these.
    pub fn is_unauthorized(&self) -> bool {
        self.service_status() == Some(401)
    }

    /// Whether the service answered 403 Forbidden.
    pub fn is_forbidden(&self) -> bool {
        self.service_status() == Some(403)
    }

    /// Whether the service answered 404 Not Found: the user, assignment or operation does not
    /// exist (the Python SDK raises `ResourceNotFoundError`).
    pub fn is_not_found(&self) -> bool {
        self.service_status() == Some(404)
    }

    /// Whether the request was invalid: refused by the client before anything was sent (kind
    /// [`InvalidArgument`](ErrorKind::InvalidArgument)), or answered 400 Bad Request by the
    /// service (code [`ValidationError`](ErrorCode::ValidationError) and the like; see
    /// [`target`](Self::target) for the field).
    pub fn is_invalid_request(&self) -> bool {
        self.kind == ErrorKind::InvalidArgument || self.service_status() == Some(400)
    }

    /// Whether the service asked the client to slow down (429 Too Many Requests); see
    /// [`retry_after`](Self::retry_after).
    pub fn is_throttled(&self) -> bool {
        self.service_status() == Some(429)
    }

    /// Whether the operation timed out ([`ErrorKind::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        self.kind == ErrorKind::Timeout
    }

    /// Whether the failure is of a kind that may go away by itself: a timeout, a transport
    /// failure, or a service status of 408, 429, 500, 502, 503 or 504. These are what the client
    /// retries (see [`RetryOptions`](crate::RetryOptions)); an error of this kind returned by an
    /// operation means its retries ran out, and calling again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self.kind {
            ErrorKind::Transport | ErrorKind::Timeout => true,
            ErrorKind::Service => self
                .status
                .is_some_and(|s| crate::pipeline::retry::RETRIED_STATUSES.contains(&s)),
            _ => false,
        }
    }

    /// The status of an error the service answered (kind [`Service`](ErrorKind::Service)).
    fn service_status(&self) -> Option<u16> {
        match self.kind {
            ErrorKind::Service => self.status,
            _ => None,
        }
    }

    /// The service's error message, or the client's description of the failure with its
    /// cause (e.g. `could not connect to the service: tcp connect error: Connection refused`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The field the service's error is about (e.g. `ExpiresInMinutes`), when it named one.
    pub fn target(&self) -> Option<&str> {
        self.service.as_ref().and_then(|e| e.target.as_deref())
    }

    /// The full error the service sent (with `details` and `innererror`), when it sent one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        self.service.as_deref()
    }

    /// The request id the service gave its answer (`x-ms-request-id`, `request-id` or `ms-cv`),
    /// for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How long the service asked the client to wait before retrying, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Whether the request provably never reached the service (the connection could not be
    /// established).
    pub fn is_connect(&self) -> bool {
        self.connect
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.status) {
            (ErrorKind::Service, Some(status)) => {
                write!(f, "{status} ")?;
                match &self.service {
                    Some(e) => {
                        write!(f, "{}: {}", e.code, e.message)?;
                        if let Some(target) = &e.target {
                            write!(f, " (target: {target})")?;
                        }
                    }
                    None => {
                        let reason = reqwest::StatusCode::from_u16(status)
                            .ok()
                            .and_then(|s| s.canonical_reason())
                            .unwrap_or("error");
                        write!(f, "{reason}: {}", self.message)?;
                    }
                }
            }
            (kind, status) => {
                let what = match kind {
                    ErrorKind::InvalidArgument => "invalid argument",
                    ErrorKind::Configuration => "invalid configuration",
                    ErrorKind::Service => "service error",
                    ErrorKind::Transport => "transport error",
                    ErrorKind::Timeout => "timed out",
                    ErrorKind::InvalidResponse => "invalid response",
                    ErrorKind::Credential => "credential error",
                };
                write!(f, "{what}")?;
                if let Some(status) = status {
                    write!(f, " ({status})")?;
                }
                write!(f, ": {}", self.message)?;
            }
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id: {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(s) = self.status {
            d.field("status", &s);
        }
        if let Some(e) = &self.service {
            d.field("code", &e.code.as_str());
            if let Some(t) = &e.target {
                d.field("target", t);
            }
        }
        if let Some(id) = &self.request_id {
            d.field("request_id", id);
        }
        if let Some(s) = &self.source {
            d.field("source", &shown(&s.to_string()));
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<crate::ConnectionStringError> for Error {
    /// A configuration error whose [`source`](std::error::Error::source) is the typed cause.
    fn from(e: crate::ConnectionStringError) -> Self {
        Error::configuration(e.to_string()).with_source(e)
    }
}

impl From<crate::EndpointError> for Error {
    /// A configuration error whose [`source`](std::error::Error::source) is the typed cause.
    fn from(e: crate::EndpointError) -> Self {
        Error::configuration(e.to_string()).with_source(e)
    }
}

impl From<crate::InvalidAccessKey> for Error {
    /// A configuration error whose [`source`](std::error::Error::source) is the typed cause.
    fn from(e: crate::InvalidAccessKey) -> Self {
        Error::configuration(e.to_string()).with_source(e)
    }
}

/// The error the service sent (`{"error": {"code", "message", "target", "details",
/// "innererror"}}`), from [`Error::service_error`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    code: ErrorCode,
    message: String,
    target: Option<String>,
    details: Vec<ServiceError>,
    inner_error: Option<Box<ServiceError>>,
}

impl ServiceError {
    pub(crate) fn new(
        code: String,
        message: String,
        target: Option<String>,
        details: Vec<ServiceError>,
        inner_error: Option<ServiceError>,
    ) -> Self {
        ServiceError {
            code: ErrorCode::from_wire(&code),
            message,
            target,
            details,
            inner_error: inner_error.map(Box::new),
        }
    }

    /// The error code, e.g. `IdentityNotOwned`.
    pub fn code(&self) -> &str {
        self.code.as_str()
    }

    /// The error code as a typed value.
    pub fn error_code(&self) -> &ErrorCode {
        &self.code
    }

    /// The error message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The field the error is about, when the service named one.
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// Further errors that led to this one.
    pub fn details(&self) -> &[ServiceError] {
        &self.details
    }

    /// A more specific error, when the service sent one (`innererror`).
    pub fn inner_error(&self) -> Option<&ServiceError> {
        self.inner_error.as_deref()
    }
}

/// Defines [`ErrorCode`] from one list of known codes.
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident, )+) => {
        /// An error code of the service (`error.code` of its answer), typed: each code the
        /// service is known to send is a variant, any other is kept as [`Other`](Self::Other)
        /// with its text, so a code added by the service never fails to parse.
        ///
        /// A code that a later version of this crate learns moves from `Other` to a new
        /// variant; compare with [`as_str`](Self::as_str) to match a code this version does not
        /// list.
        ///
        /// ```
        /// use acs_identity::ErrorCode;
        /// assert_eq!(ErrorCode::from_wire("IdentityNotOwned"), ErrorCode::IdentityNotOwned);
        /// assert_eq!(ErrorCode::from_wire("Throttled"), ErrorCode::Other("Throttled".into()));
        /// assert_eq!(ErrorCode::Denied.as_str(), "Denied");
        /// assert!(ErrorCode::Denied == "Denied");
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )+
            /// A code this version of the crate does not list, as the service sent it.
            Other(String),
        }

        impl ErrorCode {
            /// Every code this version of the crate lists.
            pub const KNOWN: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as the service sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( ErrorCode::$variant => stringify!($variant), )+
                    ErrorCode::Other(s) => s,
                }
            }

            /// The code of the service's text `code`; codes not listed become
            /// [`Other`](Self::Other).
            pub fn from_wire(code: &str) -> Self {
                match code {
                    $( stringify!($variant) => ErrorCode::$variant, )+
                    other => ErrorCode::Other(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    /// 400: a parameter is invalid; [`Error::target`] names it (e.g. `ExpiresInMinutes`,
    /// `appId`, `userId`).
    ValidationError,
    /// 401: the id is well formed but belongs to another Communication Services resource.
    IdentityNotOwned,
    /// 401: the Entra ID token of a Teams user is not valid (expired, for another audience,
    /// empty).
    InvalidAccessToken,
    /// 401: the request is not authenticated: a wrong access key or signature (e.g. "Request
    /// 'x-ms-content-sha256' differs from generated content hash."), or a token credential
    /// without access to the resource.
    Denied,
    /// 404: the identity does not exist (any more).
    IdentityNotFound,
    /// 404: the Teams extension assignment does not exist.
    AssignmentNotFound,
    /// 404: no operation at this path.
    NotFound,
    /// 400: the request has no `api-version` query parameter.
    MissingApiVersionParameter,
    /// 400: the resource does not serve the requested `api-version`.
    UnsupportedApiVersion,
    /// 413: the request body is too large.
    RequestEntityTooLarge,
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_wire(s))
    }
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The longest text of causes an error message shows; longer text is cut, with `…`.
pub(crate) const MAX_CAUSE_LEN: usize = 300;

/// What replaces a secret in a message.
const REDACTED: &str = "<redacted>";

/// The messages of `first` and the errors below it, outermost first, joined by `: ` as one
/// line, as [`shown`] shows it. Left out: a message that the one above it already contains, and
/// hyper's wrappers `client error (Connect)` and the like, which say nothing the next does not.
pub(crate) fn causes(first: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut last = String::new();
    let mut next = Some(first);
    while let Some(e) = next {
        let text = e.to_string();
        let wrapper = text
            .strip_prefix("client error (")
            .and_then(|rest| rest.strip_suffix(')'))
            .is_some_and(|inner| !inner.contains(' '));
        if !text.trim().is_empty() && !last.contains(text.trim()) && !wrapper {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(text.trim());
            last = text;
        }
        next = e.source();
    }
    shown(&out)
}

/// `text` as an error message may show it: on one line, at most [`MAX_CAUSE_LEN`]
/// characters, with every word shaped like a JSON Web Token (`eyJ…` with two dots, as Entra ID
/// and Communication Services tokens are) and the word after `Bearer ` replaced by
/// `<redacted>`.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CAUSE_LEN));
    let mut rest = text;
    let mut word_start = true;
    while let Some(c) = rest.chars().next() {
        if word_start {
            let jwt = jwt_len(rest);
            if jwt > 0 {
                out.push_str(REDACTED);
                // At least one character, whatever `jwt_len` says: the loop always moves on.
                rest = &rest[jwt.max(c.len_utf8())..];
                continue;
            }
            if rest.len() > 7
                && rest
                    .get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
            {
                let word_at = rest.len()
                    - rest[7..]
                        .trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                        .len();
                out.extend(rest[..word_at].chars().map(printable));
                rest = &rest[word_at..];
                let word = rest
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                    .unwrap_or(rest.len());
                out.push_str(REDACTED);
                rest = &rest[word..];
                continue;
            }
        }
        out.push(printable(c));
        word_start = !c.is_alphanumeric();
        rest = &rest[c.len_utf8()..];
    }
    if let Some((cut, _)) = out.char_indices().nth(MAX_CAUSE_LEN) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// `c`, or a space for a control character (a line break, a tab).
fn printable(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// The length of the JSON Web Token `text` starts with, or 0.
fn jwt_len(text: &str) -> usize {
    if !text.starts_with("eyJ") {
        return 0;
    }
    let len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
        .unwrap_or(text.len());
    if text[..len].matches('.').count() >= 2 {
        len
    } else {
        0
    }
}

/// What the client keeps of a response's headers, for errors and retries.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
}

impl ResponseMeta {
    pub(crate) fn from_headers(status: u16, headers: &reqwest::header::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let request_id = ["x-ms-request-id", "request-id", "ms-cv"]
            .into_iter()
            .find_map(text)
            .map(str::to_owned);
        let millis = ["retry-after-ms", "x-ms-retry-after-ms"]
            .into_iter()
            .find_map(|h| text(h)?.trim().parse::<u64>().ok())
            .map(Duration::from_millis);
        let retry_after = millis.or_else(|| parse_retry_after(text("retry-after")?));
        ResponseMeta {
            status,
            request_id,
            retry_after,
        }
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            ResponseMeta::from_headers(503, &h).retry_after,
            Some(Duration::from_secs(7))
        );
        h.insert("x-ms-retry-after-ms", "250".parse().unwrap());
        assert_eq!(
            ResponseMeta::from_headers(503, &h).retry_after,
            Some(Duration::from_millis(250))
        );
        let past = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(parse_retry_after(past), Some(Duration::ZERO));
        let future = (chrono::Utc::now() + chrono::Duration::seconds(120))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let d = parse_retry_after(&future).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        assert_eq!(parse_retry_after("soon"), None);
    }

    fn service(status: u16, code: Option<&str>) -> Error {
        let meta = ResponseMeta {
            status,
            request_id: Some("req-1".into()),
            retry_after: None,
        };
        let e = Error::new(ErrorKind::Service, "no details").with_response(status, &meta);
        match code {
            Some(code) => e.with_service_error(ServiceError::new(
                code.into(),
                "Provided identity doesn't belong to the resource.".into(),
                None,
                Vec::new(),
                None,
            )),
            None => e,
        }
    }

    #[test]
    fn checks_follow_the_status_of_service_answers_only() {
        type Check = fn(&Error) -> bool;
        let checks: [(&str, Check, u16); 5] = [
            ("unauthorized", Error::is_unauthorized, 401),
            ("forbidden", Error::is_forbidden, 403),
            ("not found", Error::is_not_found, 404),
            ("invalid", Error::is_invalid_request, 400),
            ("throttled", Error::is_throttled, 429),
        ];
        for (name, check, status) in checks {
            for other in [200, 400, 401, 403, 404, 409, 429, 500] {
                assert_eq!(
                    check(&service(other, None)),
                    other == status,
                    "{name} of {other}"
                );
            }
            // A status on an error that is not the service's answer (a body cut short after
            // the status line) is not the service's verdict.
            let cut = Error::new(ErrorKind::Transport, "cut")
                .with_response(status, &ResponseMeta::default());
            assert!(!check(&cut), "{name} of a transport error");
        }
        assert!(Error::invalid_argument("x").is_invalid_request());
        assert!(!Error::configuration("x").is_invalid_request());
        assert!(Error::new(ErrorKind::Timeout, "t").is_timeout());
        assert!(!service(408, None).is_timeout());
    }

    #[test]
    fn transient_failures() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(service(status, None).is_transient(), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 412, 501] {
            assert!(!service(status, None).is_transient(), "{status}");
        }
        assert!(Error::new(ErrorKind::Transport, "t").is_transient());
        assert!(Error::new(ErrorKind::Timeout, "t").is_transient());
        for kind in [
            ErrorKind::InvalidArgument,
            ErrorKind::Configuration,
            ErrorKind::InvalidResponse,
            ErrorKind::Credential,
        ] {
            let e = Error::new(kind, "x").with_response(503, &ResponseMeta::default());
            assert!(!e.is_transient(), "{kind:?}");
        }
    }

    #[test]
    fn codes_are_typed_and_open() {
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::from_wire(code.as_str()), code);
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code.clone()));
            assert_eq!(code.to_string(), code.as_str());
            assert!(!matches!(code, ErrorCode::Other(_)));
        }
        assert_eq!(ErrorCode::KNOWN.len(), 10);
        assert_eq!(ErrorCode::IdentityNotOwned.as_str(), "IdentityNotOwned");
        assert_eq!(ErrorCode::from_wire("Denied"), ErrorCode::Denied);
        // Codes are case-sensitive on the wire: another spelling is another code.
        assert_eq!(
            ErrorCode::from_wire("denied"),
            ErrorCode::Other("denied".into())
        );
        let other = ErrorCode::from_wire("Throttled");
        assert_eq!(other.as_str(), "Throttled");
        assert_eq!(other.as_ref(), "Throttled");
        assert!(other == "Throttled" && other != "Denied");
        assert!(ErrorCode::Denied == *"Denied" && ErrorCode::Denied != *"Throttled");

        let e = service(401, Some("IdentityNotOwned"));
        assert_eq!(e.code(), Some("IdentityNotOwned"));
        assert_eq!(e.error_code(), Some(&ErrorCode::IdentityNotOwned));
        let s = e.service_error().unwrap();
        assert_eq!(
            (s.code(), s.error_code()),
            ("IdentityNotOwned", &ErrorCode::IdentityNotOwned)
        );
        assert_eq!(
            e.message(),
            "Provided identity doesn't belong to the resource."
        );
        assert_eq!(
            e.to_string(),
            "401 IdentityNotOwned: Provided identity doesn't belong to the resource. [request id: req-1]"
        );
        let e = service(418, Some("Teapot"));
        assert_eq!(e.error_code(), Some(&ErrorCode::Other("Teapot".into())));
        assert_eq!(service(500, None).error_code(), None);
    }

    #[test]
    fn display_of_each_kind() {
        assert_eq!(
            service(500, None).to_string(),
            "500 Internal Server Error: no details [request id: req-1]"
        );
        for (kind, text) in [
            (ErrorKind::InvalidArgument, "invalid argument: m"),
            (ErrorKind::Configuration, "invalid configuration: m"),
            (ErrorKind::Service, "service error: m"),
            (ErrorKind::Transport, "transport error: m"),
            (ErrorKind::Timeout, "timed out: m"),
            (ErrorKind::InvalidResponse, "invalid response: m"),
            (ErrorKind::Credential, "credential error: m"),
        ] {
            assert_eq!(Error::new(kind, "m").to_string(), text);
        }
        let e = Error::new(ErrorKind::InvalidResponse, "m")
            .with_response(200, &ResponseMeta::default());
        assert_eq!(e.to_string(), "invalid response (200): m");
    }

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1
                .as_deref()
                .map(|l| l as &(dyn std::error::Error + 'static))
        }
    }

    fn chain(messages: &[&'static str]) -> Layer {
        let mut layer: Option<Box<Layer>> = None;
        for m in messages.iter().rev() {
            layer = Some(Box::new(Layer(m, layer)));
        }
        *layer.expect("at least one message")
    }

    #[test]
    fn causes_name_each_layer_once() {
        assert_eq!(causes(&chain(&["a"])), "a");
        assert_eq!(causes(&chain(&["a", "b", "c"])), "a: b: c");
        // hyper's wrappers and empty messages are left out.
        assert_eq!(
            causes(&chain(&[
                "client error (Connect)",
                "tcp connect error",
                "refused"
            ])),
            "tcp connect error: refused"
        );
        assert_eq!(causes(&chain(&["client error (SendRequest)", ""])), "");
        assert_eq!(
            causes(&chain(&["client error (a b)", "x"])),
            "client error (a b): x"
        );
        assert_eq!(
            causes(&chain(&["client error (X", "y"])),
            "client error (X: y"
        );
        assert_eq!(causes(&chain(&["  ", "x "])), "x");
        // A message the one above already contains is given once.
        assert_eq!(
            causes(&chain(&["io failed: reset", "reset", "deep"])),
            "io failed: reset: deep"
        );
        assert_eq!(causes(&chain(&["reset", "reset"])), "reset");
        // Only the one right above counts.
        assert_eq!(causes(&chain(&["x", "y", "x"])), "x: y: x");
        // What is shown is cleaned like any message.
        assert_eq!(causes(&chain(&["a\nb"])), "a b");
    }

    #[test]
    fn shown_redacts_tokens_and_bounds_length() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_-nature=";
        assert_eq!(shown(jwt), "<redacted>");
        assert_eq!(
            shown(&format!("token {jwt}, expired")),
            "token <redacted>, expired"
        );
        assert_eq!(shown(&format!("\"{jwt}\"")), "\"<redacted>\"");
        // One dot is not a token; inside a word is not a token.
        assert_eq!(shown("eyJhbGci.only"), "eyJhbGci.only");
        assert_eq!(shown(&format!("xy{jwt}")), format!("xy{jwt}"));
        assert_eq!(shown("eyJ"), "eyJ");
        assert_eq!(jwt_len("eyJa.b.cc d"), 9);
        assert_eq!(jwt_len("eyJa.b"), 0);
        assert_eq!(jwt_len("eyJa.b.c"), 8);
        assert_eq!(jwt_len("xeyJa.b.c"), 0);
        // The word after `Bearer `.
        assert_eq!(
            shown("Authorization: Bearer abc.def"),
            "Authorization: Bearer <redacted>"
        );
        assert_eq!(shown("bearer abc def"), "bearer <redacted> def");
        assert_eq!(shown("BEARER 'abc'"), "BEARER '<redacted>'");
        assert_eq!(shown("Bearer "), "Bearer ");
        assert_eq!(shown("Bearer \"abc\""), "Bearer \"<redacted>\"");
        assert_eq!(shown("Bearer  \t abc"), "Bearer    <redacted>");
        assert_eq!(shown("unbearer abc"), "unbearer abc");
        assert_eq!(shown("Bearers abc"), "Bearers abc");
        assert_eq!(shown("Beaeré abc"), "Beaeré abc");
        // Control characters become spaces; other text is kept.
        assert_eq!(shown("a\r\nb\tc é"), "a  b c é");
        // Long text is cut at MAX_CAUSE_LEN characters.
        let long = "é".repeat(MAX_CAUSE_LEN + 1);
        let cut = shown(&long);
        assert_eq!(cut.chars().count(), MAX_CAUSE_LEN + 1);
        assert!(cut.ends_with("é…"));
        let exact = "é".repeat(MAX_CAUSE_LEN);
        assert_eq!(shown(&exact), exact);
    }

    #[test]
    fn debug_shows_fields_and_a_clean_source() {
        let meta = ResponseMeta {
            status: 401,
            request_id: Some("r".into()),
            retry_after: None,
        };
        let e = Error::new(ErrorKind::Service, "")
            .with_response(401, &meta)
            .with_service_error(ServiceError::new(
                "ValidationError".into(),
                "bad".into(),
                Some("scopes".into()),
                Vec::new(),
                None,
            ))
            .with_source(Layer("Bearer eyJa.b.c sent", None));
        assert_eq!(
            format!("{e:?}"),
            "Error { kind: Service, message: \"bad\", status: 401, code: \"ValidationError\", \
             target: \"scopes\", request_id: \"r\", source: \"Bearer <redacted> sent\" }"
        );
        assert_eq!(e.target(), Some("scopes"));
        assert_eq!(e.request_id(), Some("r"));
        assert_eq!(
            e.to_string(),
            "401 ValidationError: bad (target: scopes) [request id: r]"
        );
    }

    proptest::proptest! {
        #[test]
        fn shown_never_panics_and_keeps_one_bounded_line(text in ".*", tail in "\\PC*") {
            let out = shown(&format!("{text}Bearer {tail}"));
            proptest::prop_assert!(!out.chars().any(char::is_control), "{:?}", out);
            proptest::prop_assert!(out.chars().count() <= MAX_CAUSE_LEN + 1);
        }
    }
}
