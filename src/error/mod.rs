//! The crate's error type. What an error shows of text from elsewhere (causes, tokens) is in
//! [`redact`]; what it keeps of a response's headers, in [`ResponseMeta`].

pub(crate) mod redact;

use crate::pipeline::response_meta::ResponseMeta;
use redact::shown;
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

/// The statuses of a service's answer that may go away by themselves (see
/// [`Error::is_transient`]): what the client retries, for operations that are safe to repeat.
const TRANSIENT_STATUSES: &[u16] = &[408, 429, 500, 502, 503, 504];

/// An error of a [`CommunicationIdentityClient`](crate::CommunicationIdentityClient) operation.
///
/// `Display` reads like the service's answer, e.g.
/// `401 IdentityNotOwned: Provided identity doesn't belong to the resource.`, and for a failure
/// on the client's side names its cause, e.g.
/// `transport error: the request to contoso.communication.azure.com failed: connection closed
/// before message completed [after 4 attempts]`. The chain of causes stays available through
/// [`source`](std::error::Error::source).
///
/// What `Display` (and `Debug`) never show: an access key, a bearer token or an access token.
/// The causes come from the HTTP stack (their messages hold no secret: no header value and no
/// body; of the request URL, which holds ids and no secret, only the host and port are shown,
/// never the path or query) and from the token
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
    attempts: Option<u32>,
    hint: Option<Box<str>>,
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
            attempts: None,
            hint: None,
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

    /// The same error, made by an operation that sent `attempts` requests (or tried to).
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = Some(attempts);
        self
    }

    /// The same error, with a likely cause and what to check (no secret).
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into().into_boxed_str());
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
            ErrorKind::Service => self.status.is_some_and(|s| TRANSIENT_STATUSES.contains(&s)),
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
    /// cause (e.g. `could not connect to 127.0.0.1:8080: tcp connect error: Connection
    /// refused`).
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

    /// How many attempts the operation made before it failed with this error: the first
    /// request and its retries (1 when it was not retried, also for a request refused before it
    /// was sent); `None` for an error no operation made (e.g. an invalid configuration).
    /// `Display` shows it for a [transient](Self::is_transient) failure, e.g.
    /// `... Connection refused (os error 111) [after 4 attempts]`.
    pub fn attempts(&self) -> Option<u32> {
        self.attempts
    }

    /// A likely cause of the error and what to check, when the client knows one: for a 401
    /// [`Denied`](ErrorCode::Denied), what to check of the access key and the clock (access
    /// key authentication) or of the token's scope and the role assignment (token credential).
    /// `Display` shows it after the message, as `(hint: ...)`. It holds no secret.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
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
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        if let Some(n) = self.attempts.filter(|_| self.is_transient()) {
            let plural = if n == 1 { "" } else { "s" };
            write!(f, " [after {n} attempt{plural}]")?;
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
        if let Some(n) = self.attempts {
            d.field("attempts", &n);
        }
        if let Some(hint) = &self.hint {
            d.field("hint", hint);
        }
        if let Some(s) = &self.source {
            // A cause whose text the message already holds (a configuration error's typed
            // cause, whose message is the cause's text) is not repeated.
            let source = s.to_string();
            if !self.message.contains(source.trim()) {
                d.field("source", &shown(&source));
            }
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

#[cfg(test)]
mod tests;
