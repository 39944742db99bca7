//! What happens to each call of the client, apart from what the generated code does.
//!
//! Per call ([`per_call`]): one `tracing` span, the overall timeout, and the attempts with the
//! retry decisions between them ([`retry`]); each attempt gets a fresh per-call context
//! ([`context`]) and re-enters the generated client, so it is signed afresh.
//!
//! Per try ([`per_try`], the generated client's hooks), in order:
//! 0. [`availability`]: an operation, or a request-body property, that the client's API
//!    version lacks is refused, naming the method the user called;
//! 1. [`api_version`]: the `api-version` header progenitor adds is removed and `api-version` is
//!    the query (adjustment `api-version-in-hook` of the conversion);
//! 2. [`encoding`]: `:` in path parameters is sent as `%3A`, and the path must keep the
//!    operation's shape; an optional body that serializes to `{}` is not sent (adjustment
//!    `optional-body`); a POST or PUT without a body says `Content-Length: 0`;
//! 3. [`authorize`]: HMAC-SHA256 over the exact bytes and request target sent, with a fresh
//!    `x-ms-date`; or an Entra ID bearer token (cached), never over plain http except to a
//!    loopback host;
//! 4. sending, then [`body_limit`]: the response's status and headers are recorded in the
//!    call context (so that an error with an empty or non-JSON body keeps its status) and its
//!    body is read, at most 1 MiB.
//!
//! [`response_error`] turns what failed into the crate's [`Error`](crate::Error), with what
//! [`response_meta`] keeps of the response's headers (request id, how long to wait).

pub(crate) mod api_version;
pub(crate) mod authorize;
pub(crate) mod availability;
pub(crate) mod body_limit;
pub(crate) mod context;
pub(crate) mod encoding;
pub(crate) mod per_call;
pub(crate) mod per_try;
mod response_error;
pub(crate) mod response_meta;
pub(crate) mod retry;
mod service_error_body;

use crate::token_cache::TokenCache;
use std::sync::Arc;

/// Authentication and settings the generated client's hooks apply to every request.
///
/// Built by [`CommunicationIdentityClient`](crate::CommunicationIdentityClient); reachable
/// through [`raw::Client::inner`](crate::raw::Client). `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct RequestPolicy {
    shared: Arc<PolicyShared>,
}

#[derive(Debug)]
struct PolicyShared {
    api_version: String,
    /// `api-version=<api_version>`, form-encoded once: the query of every request.
    api_version_query: String,
    /// `Host` as signed: with `:port` only when not the scheme's default.
    host: String,
    /// What `api_version` lacks (decided once per client).
    availability: availability::Availability,
    auth: Auth,
}

/// How the client authenticates its requests.
pub(crate) enum Auth {
    Key(crate::AccessKey),
    Token(TokenCache),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Key(_) => f.write_str("AccessKey(<redacted>)"),
            Auth::Token(cache) => cache.fmt(f),
        }
    }
}

impl RequestPolicy {
    pub(crate) fn new(api_version: String, host: String, auth: Auth) -> Self {
        RequestPolicy {
            shared: Arc::new(PolicyShared {
                api_version_query: api_version::query(&api_version),
                availability: availability::Availability::of(&api_version),
                api_version,
                host,
                auth,
            }),
        }
    }

    /// The `api-version` sent with every request.
    pub fn api_version(&self) -> &str {
        &self.shared.api_version
    }
}
