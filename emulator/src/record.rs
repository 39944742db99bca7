//! What the emulator remembers of each request.

use super::faults::FaultAction;
use std::collections::VecDeque;
use std::fmt;

/// How a request was authenticated, or why it was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthOutcome {
    /// The request was answered before authentication: an unknown route, a missing
    /// `api-version`, an unreadable body, or a fault that does not process requests.
    NotChecked,
    /// A valid HMAC-SHA256 signature with the emulator's access key.
    AccessKey,
    /// A valid bearer token from [`Emulator::token_credential`](super::Emulator::token_credential).
    ResourceToken,
    /// A valid user's Entra ID token as bearer (the Teams extension and Entra ID token
    /// exchanges).
    TeamsUserToken,
    /// Refused with 401.
    Rejected(AuthFailure),
}

/// Why a request was refused with 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// No `Authorization` header.
    MissingAuthorization,
    /// An `Authorization` scheme this operation does not accept (e.g. HMAC for the Teams
    /// extension exchange, or neither HMAC nor `Bearer`).
    UnsupportedScheme,
    /// A header HMAC authentication needs is missing (`x-ms-date`, `x-ms-content-sha256`,
    /// `host`) or not text.
    MissingHeader(&'static str),
    /// `x-ms-content-sha256` is not the hash of the body received.
    ContentHashMismatch,
    /// The `Authorization` header is not of the HMAC-SHA256 form.
    MalformedAuthorization,
    /// The signature does not match the request.
    SignatureMismatch,
    /// `x-ms-date` is not an HTTP date (`Fri, 27 Nov 2026 18:00:00 GMT`).
    MalformedDate,
    /// `x-ms-date` is further from the emulator's clock than the allowed skew.
    StaleDate,
    /// The bearer token was not issued by this emulator for this purpose, or is malformed.
    InvalidToken,
    /// The bearer token has expired.
    ExpiredToken,
}

/// A request as the emulator received it, with what it made of it.
///
/// The `Authorization` header value is redacted (its scheme is kept, e.g.
/// `Bearer <redacted>`). The body is kept as received; it may hold a Teams user's token, so
/// `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The request target as received, e.g.
    /// `/identities/8%3Aacs%3A…/:issueAccessToken?api-version=2026-09-23`.
    pub path_and_query: String,
    /// Header names (lower case) and values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// How the request was authenticated.
    pub auth: AuthOutcome,
    /// The status answered; `None` when the connection was closed without an answer
    /// ([`FaultAction::Reset`]).
    pub status: Option<u16>,
    /// The fault applied to this request, if any.
    pub fault: Option<FaultAction>,
}

impl RecordedRequest {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(p, _)| p)
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("auth", &self.auth)
            .field("status", &self.status)
            .field("fault", &self.fault)
            .finish()
    }
}

/// `Authorization` values as recorded: the scheme, then `<redacted>`.
pub(crate) fn redact_authorization(value: &str) -> String {
    let scheme = value.split([' ', '\t']).next().unwrap_or("");
    let known = ["Bearer", "HMAC-SHA256"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(scheme));
    match known {
        Some(scheme) => format!("{scheme} <redacted>"),
        None => "<redacted>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_is_redacted() {
        assert_eq!(
            redact_authorization("Bearer abc.def.ghi"),
            "Bearer <redacted>"
        );
        assert_eq!(
            redact_authorization("HMAC-SHA256 SignedHeaders=x&Signature=abc"),
            "HMAC-SHA256 <redacted>"
        );
        assert_eq!(redact_authorization("secret"), "<redacted>");
    }
}

/// The requests received: the latest `limit` of them, and how many were received in all (since
/// the last [`clear`](RequestLog::clear)). Bounded, so that a long-running emulator does not
/// grow with every request.
#[derive(Debug)]
pub(crate) struct RequestLog {
    kept: VecDeque<RecordedRequest>,
    total: usize,
    limit: usize,
}

impl RequestLog {
    pub(crate) fn new(limit: usize) -> Self {
        RequestLog {
            kept: VecDeque::new(),
            total: 0,
            limit,
        }
    }

    /// Adds a request, forgetting the oldest kept one when `limit` are kept.
    pub(crate) fn push(&mut self, request: RecordedRequest) {
        self.total += 1;
        if self.limit == 0 {
            return;
        }
        if self.kept.len() == self.limit {
            self.kept.pop_front();
        }
        self.kept.push_back(request);
    }

    /// The requests kept, oldest first.
    pub(crate) fn kept(&self) -> Vec<RecordedRequest> {
        self.kept.iter().cloned().collect()
    }

    /// How many requests were received since the last clear.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    pub(crate) fn clear(&mut self) {
        self.kept.clear();
        self.total = 0;
    }
}

#[cfg(test)]
mod log_tests {
    use super::*;

    fn request(path: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            path_and_query: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
            auth: AuthOutcome::NotChecked,
            status: None,
            fault: None,
        }
    }

    #[test]
    fn the_log_keeps_the_latest_and_counts_all() {
        let mut log = RequestLog::new(2);
        for path in ["/a", "/b", "/c"] {
            log.push(request(path));
        }
        let kept: Vec<String> = log.kept().into_iter().map(|r| r.path_and_query).collect();
        assert_eq!(kept, ["/b", "/c"]);
        assert_eq!(log.total(), 3);
        log.clear();
        assert_eq!((log.kept().len(), log.total()), (0, 0));
        let mut none = RequestLog::new(0);
        none.push(request("/a"));
        assert_eq!((none.kept().len(), none.total()), (0, 1));
    }
}
