//! Request hooks of the generated client: what every request gets before it is sent.
//!
//! In order, for each attempt ([`RequestPolicy`]):
//! 1. the `api-version` header progenitor adds is removed and `api-version` is appended to the
//!    query (adjustment `api-version-in-hook` of the conversion);
//! 2. `:` in path parameters is sent as `%3A` (`src/path.rs`);
//! 3. an optional body that serializes to `{}` is not sent (adjustment `optional-body`);
//! 4. authentication: HMAC-SHA256 over the exact bytes and request target sent, with a fresh
//!    `x-ms-date`; or an Entra ID bearer token (cached), never over plain http except to a
//!    loopback host.
//!
//! `exec` sends the request, records the response's status and headers in the call context (so
//! that an error with an empty or non-JSON body keeps its status) and reads the body, at most
//! 1 MiB.

use crate::auth::hmac::{AccessKey, format_date};
use crate::body_limit::{self, BodyError};
use crate::error::{Error, ErrorKind, ResponseMeta};
use crate::spec::Operation;
use crate::token_cache::TokenCache;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// Authentication and settings the generated client's hooks apply to every request.
///
/// Built by [`CommunicationIdentityClient`](crate::CommunicationIdentityClient); reachable
/// through [`raw::Client`](crate::raw::Client). `Debug` shows no secret.
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
    /// Whether bearer tokens may go to this endpoint (https, or plain http to loopback).
    bearer_allowed: bool,
    auth: Auth,
}

pub(crate) enum Auth {
    Key(AccessKey),
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
    pub(crate) fn new(api_version: String, host: String, bearer_allowed: bool, auth: Auth) -> Self {
        RequestPolicy {
            shared: Arc::new(PolicyShared {
                api_version_query: api_version_query(&api_version),
                api_version,
                host,
                bearer_allowed,
                auth,
            }),
        }
    }

    /// The `api-version` sent with every request.
    pub fn api_version(&self) -> &str {
        &self.shared.api_version
    }
}

/// `api-version=<version>` as `query_pairs_mut().append_pair` writes it.
fn api_version_query(version: &str) -> String {
    let mut url = reqwest::Url::parse("http://localhost/").expect("a constant, valid URL");
    url.query_pairs_mut().append_pair("api-version", version);
    url.query().unwrap_or_default().to_owned()
}

/// Per-call state shared between the facade and the hooks of one attempt.
#[derive(Default)]
pub(crate) struct CallContext {
    /// A bearer token that authorizes this call instead of the client's credential (the Teams
    /// extension exchange is authorized by the user's own Entra ID token).
    pub(crate) bearer: Option<Zeroizing<String>>,
    /// Status and headers of the response, recorded by `exec`.
    pub(crate) response: Mutex<Option<ResponseMeta>>,
    /// A typed error raised by a hook (progenitor only carries strings).
    pub(crate) failure: Mutex<Option<Error>>,
}

tokio::task_local! {
    pub(crate) static CALL: Arc<CallContext>;
}

/// Runs `fut` (a call of the generated client) authorized by `bearer` instead of the client's
/// credential. This is how the Teams extension token exchange is authorized in the raw layer.
pub async fn with_bearer<F: std::future::Future>(bearer: &str, fut: F) -> F::Output {
    let ctx = CallContext {
        bearer: Some(Zeroizing::new(bearer.to_owned())),
        ..CallContext::default()
    };
    CALL.scope(Arc::new(ctx), fut).await
}

/// Puts `value` in one of the call context's slots, when the request runs inside a call.
fn record<T>(slot: impl FnOnce(&CallContext) -> &Mutex<Option<T>>, value: T) {
    let _ = CALL.try_with(|ctx| {
        *slot(ctx).lock().unwrap_or_else(|p| p.into_inner()) = Some(value);
    });
}

fn fail<E>(error: Error) -> progenitor_client::Error<E> {
    let message = error.to_string();
    record(|ctx| &ctx.failure, error);
    progenitor_client::Error::Custom(message)
}

static API_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");
static X_MS_DATE: HeaderName = HeaderName::from_static("x-ms-date");
static X_MS_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-ms-content-sha256");

impl ClientHooks<RequestPolicy> for crate::raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let policy = &self.inner().shared;
        let Some(op) = Operation::by_method_name(info.operation_id) else {
            return Err(fail(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown operation `{}`", info.operation_id),
            )));
        };

        request.headers_mut().remove(&API_VERSION_HEADER);
        // Colons first: while the URL has no query yet, rewriting its path copies less.
        crate::path::encode_colons(request.url_mut(), op.path).map_err(fail)?;
        let url = request.url_mut();
        let query = match url.query() {
            Some(q) if !q.is_empty() => Cow::Owned(format!("{q}&{}", policy.api_version_query)),
            _ => Cow::Borrowed(policy.api_version_query.as_str()),
        };
        url.set_query(Some(&query));

        if op.optional_body && request.body().and_then(|b| b.as_bytes()) == Some(b"{}".as_slice()) {
            *request.body_mut() = None;
            request.headers_mut().remove(CONTENT_TYPE);
        }
        // A POST or PUT without a body still says `Content-Length: 0`, as the official SDKs do
        // (some front ends answer 411 otherwise).
        if request.body().is_none() && matches!(op.method, "POST" | "PUT") {
            request
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }

        let call_bearer = CALL.try_with(|ctx| ctx.bearer.clone()).ok().flatten();
        let bearer = match (&call_bearer, &policy.auth) {
            (Some(b), _) => Some(b.clone()),
            (None, Auth::Token(cache)) => {
                let token = cache.token().await.map_err(fail)?;
                Some(Zeroizing::new(token.secret().to_owned()))
            }
            (None, Auth::Key(key)) => {
                sign(request, key, &policy.host).map_err(fail)?;
                None
            }
        };
        if let Some(bearer) = bearer {
            if !policy.bearer_allowed || !crate::transport::bearer_allowed(request.url()) {
                return Err(fail(Error::configuration(
                    "refusing to send a bearer token over plain http to a host that is not \
                     loopback; use https",
                )));
            }
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", bearer.as_str())).map_err(|_| {
                    fail(Error::invalid_argument(
                        "the bearer token contains characters not allowed in an HTTP header",
                    ))
                })?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        let status = response.status().as_u16();
        // Successes only need their status (for an undecodable body); errors also their
        // request id and retry delay.
        let meta = if status >= 400 {
            ResponseMeta::from_headers(status, response.headers())
        } else {
            ResponseMeta {
                status,
                ..ResponseMeta::default()
            }
        };
        let outcome = match body_limit::buffer(response, body_limit::MAX_BODY_BYTES).await {
            Ok(buffered) => Ok(buffered),
            Err(BodyError::Read(e)) => Err(e),
            Err(BodyError::TooLarge(size)) => {
                let error = Error::new(
                    ErrorKind::InvalidResponse,
                    format!(
                        "the {status} response body ({size} bytes or more) exceeds the limit of {} bytes",
                        body_limit::MAX_BODY_BYTES
                    ),
                )
                .with_response(status, &meta);
                record(|ctx| &ctx.failure, error);
                // The caller sees the recorded failure; the generated code gets an empty answer.
                let mut empty = http::Response::new(Vec::new());
                *empty.status_mut() = reqwest::StatusCode::from_u16(status)
                    .unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
                Ok(reqwest::Response::from(empty))
            }
        };
        record(|ctx| &ctx.response, meta);
        outcome
    }
}

/// Signs `request` with HMAC-SHA256 over the bytes and request target that will be sent.
fn sign(request: &mut reqwest::Request, key: &AccessKey, host: &str) -> Result<(), Error> {
    let body: &[u8] = match request.body() {
        None => &[],
        Some(b) => b
            .as_bytes()
            .ok_or_else(|| Error::invalid_argument("a streaming request body cannot be signed"))?,
    };
    // The request target as sent: the URL's suffix from the path on (it has no fragment).
    let url = request.url();
    let target_len = url.path().len() + url.query().map_or(0, |q| q.len() + 1);
    let path_and_query = &url.as_str()[url.as_str().len() - target_len..];
    let date = format_date(chrono::Utc::now());
    let (content_hash, authorization) = key.content_hash_and_authorization(
        request.method().as_str(),
        path_and_query,
        host,
        &date,
        body,
    );
    let headers = request.headers_mut();
    let value = |s: String| {
        HeaderValue::try_from(s)
            .map_err(|_| Error::invalid_argument("unencodable signature header"))
    };
    headers.insert(X_MS_DATE.clone(), value(date)?);
    headers.insert(X_MS_CONTENT_SHA256.clone(), value(content_hash)?);
    let mut auth = value(authorization)?;
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::api_version_query;

    #[test]
    fn api_version_query_is_form_encoded_once() {
        assert_eq!(api_version_query("2026-09-23"), "api-version=2026-09-23");
        assert_eq!(api_version_query("a b&c=d"), "api-version=a+b%26c%3Dd");
        // Setting it as the query keeps it byte for byte (what is signed is what is sent), and
        // after an existing query it reads as `append_pair` would have written it.
        let mut url = reqwest::Url::parse("https://h/identities").unwrap();
        url.set_query(Some(&api_version_query("a b&c=d")));
        assert_eq!(url.as_str(), "https://h/identities?api-version=a+b%26c%3Dd");
        let mut appended = reqwest::Url::parse("https://h/x?k=v").unwrap();
        appended
            .query_pairs_mut()
            .append_pair("api-version", "a b&c=d");
        let mut set = reqwest::Url::parse("https://h/x?k=v").unwrap();
        set.set_query(Some(&format!("k=v&{}", api_version_query("a b&c=d"))));
        assert_eq!(set.as_str(), appended.as_str());
    }
}
