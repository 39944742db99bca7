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
/// `401 IdentityNotOwned: Provided identity doesn't belong to the resource.`; it never contains
/// an access key or token.
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

    pub(crate) fn with_service_error(mut self, e: crate::raw::types::CommunicationError) -> Self {
        let e = ServiceError::from_raw(e);
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
    pub fn code(&self) -> Option<&str> {
        self.service.as_ref().map(|e| e.code.as_str())
    }

    /// The service's error message, or the client's description of the failure.
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
            d.field("code", &e.code);
            if let Some(t) = &e.target {
                d.field("target", t);
            }
        }
        if let Some(id) = &self.request_id {
            d.field("request_id", id);
        }
        if let Some(s) = &self.source {
            d.field("source", &s.to_string());
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
    code: String,
    message: String,
    target: Option<String>,
    details: Vec<ServiceError>,
    inner_error: Option<Box<ServiceError>>,
}

impl ServiceError {
    fn from_raw(e: crate::raw::types::CommunicationError) -> Self {
        ServiceError {
            code: e.code,
            message: e.message,
            target: e.target,
            details: e.details.into_iter().map(Self::from_raw).collect(),
            inner_error: e.innererror.map(|i| Box::new(Self::from_raw(*i))),
        }
    }

    /// The error code, e.g. `IdentityNotOwned`.
    pub fn code(&self) -> &str {
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
}
