//! Step 3 of each try: sign the request with the access key, or authorize it with a bearer
//! token (the call's own, or the client's credential's).

use super::context::{AuthorizedBy, call_bearer, record_authorized_by};
use super::{Auth, PolicyShared};
use crate::AccessKey;
use crate::error::Error;
use crate::signing::{SignableRequest, format_date};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use zeroize::Zeroizing;

static X_MS_DATE: HeaderName = HeaderName::from_static("x-ms-date");
static X_MS_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-ms-content-sha256");

/// Signs or authorizes `request` as `policy` says.
pub(super) async fn apply(
    request: &mut reqwest::Request,
    policy: &PolicyShared,
) -> Result<(), Error> {
    let bearer = match (call_bearer(), &policy.auth) {
        (Some(b), _) => {
            record_authorized_by(AuthorizedBy::CallToken);
            b
        }
        (None, Auth::Token(cache)) => {
            record_authorized_by(AuthorizedBy::Credential);
            Zeroizing::new(cache.token().await?.secret().to_owned())
        }
        (None, Auth::Key(key)) => {
            record_authorized_by(AuthorizedBy::AccessKey);
            return sign(request, key, &policy.host);
        }
    };
    // Checked on each request's own URL (https, or plain http to a loopback host): every
    // request, a followed next link included, is on the endpoint's origin, so this is the
    // endpoint's check, and stays right for any URL.
    if !crate::endpoint::credentials_allowed(request.url()) {
        return Err(Error::configuration(
            "refusing to send a bearer token over plain http to a host that is not loopback; \
             use https",
        ));
    }
    let mut value =
        HeaderValue::from_str(&format!("Bearer {}", bearer.as_str())).map_err(|_| {
            Error::invalid_argument(
                "the bearer token contains characters not allowed in an HTTP header",
            )
        })?;
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
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
    let signed =
        SignableRequest::new(request.method().as_str(), path_and_query, host).with_body(body);
    let (content_hash, authorization) = key.content_hash_and_authorization(&signed, &date);
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
