//! What a signature covers: the request's parts ([`SignableRequest`]), the string to sign, the
//! body hash, the three headers that carry the signature and the rules of the `Host` header.

use std::fmt;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// Name of the header carrying the request date ([`format_date`](super::format_date)).
pub const DATE_HEADER: &str = "x-ms-date";

/// Name of the header carrying the body hash ([`content_hash`]).
pub const CONTENT_HASH_HEADER: &str = "x-ms-content-sha256";

/// The `Authorization` header value up to (not including) the base64 signature.
pub const AUTHORIZATION_PREFIX: &str =
    "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";

/// Length of a base64 (padded) SHA-256 digest or HMAC-SHA256 tag.
pub(super) const DIGEST_BASE64_LEN: usize = 44;

/// The values of the three headers that authenticate a request, from [`AccessKey::sign`](crate::AccessKey::sign).
///
/// Put them on the request as [`DATE_HEADER`] (`x-ms-date`), [`CONTENT_HASH_HEADER`]
/// (`x-ms-content-sha256`) and `Authorization`.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    /// Value of the `x-ms-date` header.
    pub date: String,
    /// Value of the `x-ms-content-sha256` header.
    pub content_hash: String,
    /// Value of the `Authorization` header.
    pub authorization: String,
}

impl fmt::Debug for SignatureHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Nothing to redact: the authorization value is a per-request signature, which
        // does not reveal the key and is only valid for this exact request.
        f.debug_struct("SignatureHeaders")
            .field("date", &self.date)
            .field("content_hash", &self.content_hash)
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// Returns `base64(SHA-256(body))`, the `x-ms-content-sha256` value.
///
/// ```
/// use acs_identity::signing::content_hash;
///
/// assert_eq!(content_hash(b""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
/// ```
pub fn content_hash(body: &[u8]) -> String {
    let mut out = String::with_capacity(DIGEST_BASE64_LEN);
    STANDARD.encode_string(Sha256::digest(body), &mut out);
    out
}

/// Returns the `Host` header value for a request: `host`, followed by `:port` only when a
/// port is given and it is not the scheme's default (80 for `http`, 443 for `https`;
/// schemes compared case-insensitively; any port is kept for other schemes).
///
/// An IPv6 address may be passed with brackets (as [`reqwest::Url::host_str`] returns it,
/// e.g. `[::1]`) or without (`::1`); the result always has them. Domain names and IPv4
/// addresses are used as given (a parsed URL has already normalised them).
///
/// For a [`reqwest::Url`], `host_header(url.scheme(), url.host_str()?, url.port())`.
///
/// ```
/// use acs_identity::signing::host_header;
///
/// assert_eq!(host_header("https", "contoso.communication.azure.com", Some(443)),
///            "contoso.communication.azure.com");
/// assert_eq!(host_header("http", "localhost", Some(8080)), "localhost:8080");
/// assert_eq!(host_header("https", "[::1]", Some(8443)), "[::1]:8443");
/// assert_eq!(host_header("https", "::1", None), "[::1]");
/// ```
pub fn host_header(scheme: &str, host: &str, port: Option<u16>) -> String {
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        Some(443)
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(80)
    } else {
        None
    };
    let port = port.filter(|&p| Some(p) != default_port);
    let bracket = host.contains(':') && !host.starts_with('[');
    let mut out = String::with_capacity(host.len() + 8);
    if bracket {
        out.push('[');
    }
    out.push_str(host);
    if bracket {
        out.push(']');
    }
    if let Some(port) = port {
        let _ = write!(out, ":{port}");
    }
    out
}

/// Builds the string to sign of `request`:
/// `"<METHOD>\n<path_and_query>\n<date>;<host>;<content_hash>"`.
///
/// The method is upper-cased (ASCII) and an empty `path_and_query` becomes `/`.
/// [`AccessKey::sign`](crate::AccessKey::sign) computes the same bytes without building this string; use it to
/// inspect or log what is signed.
///
/// ```
/// use acs_identity::signing::{SignableRequest, string_to_sign};
///
/// assert_eq!(
///     string_to_sign(&SignableRequest::new("get", "", "example.com"),
///                    "Wed, 13 Apr 2022 18:09:12 GMT", "HASH"),
///     "GET\n/\nWed, 13 Apr 2022 18:09:12 GMT;example.com;HASH"
/// );
/// ```
pub fn string_to_sign(request: &SignableRequest<'_>, date: &str, content_hash: &str) -> String {
    let path_and_query = target_or_root(request.path_and_query);
    let mut s = String::with_capacity(
        request.method.len()
            + path_and_query.len()
            + date.len()
            + request.host.len()
            + content_hash.len()
            + 4,
    );
    s.push_str(request.method);
    s.make_ascii_uppercase();
    s.push('\n');
    s.push_str(path_and_query);
    s.push('\n');
    s.push_str(date);
    s.push(';');
    s.push_str(request.host);
    s.push(';');
    s.push_str(content_hash);
    s
}

/// The parts of a request that its HMAC signature covers: method, request target, `Host`
/// header and body, exactly as sent on the wire (or as received, to verify).
///
/// `Debug` shows the body's length only (it may hold a token).
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    method: &'a str,
    path_and_query: &'a str,
    host: &'a str,
    body: &'a [u8],
}

impl<'a> SignableRequest<'a> {
    /// A request without a body.
    ///
    /// - `method`: the HTTP method; it is upper-cased (ASCII) for signing.
    /// - `path_and_query`: the request target exactly as sent, e.g.
    ///   `/identities/8%3Aacs%3Aabc/:issueAccessToken?api-version=2026-09-23`; an empty
    ///   string is signed as `/`.
    /// - `host`: the `Host` header value, see [`host_header`].
    pub fn new(method: &'a str, path_and_query: &'a str, host: &'a str) -> Self {
        SignableRequest {
            method,
            path_and_query,
            host,
            body: &[],
        }
    }

    /// The same request with `body`: the exact body bytes sent.
    pub fn with_body(self, body: &'a [u8]) -> Self {
        SignableRequest { body, ..self }
    }

    /// The body bytes.
    pub(super) fn body(&self) -> &'a [u8] {
        self.body
    }

    /// Feeds the bytes of the [string to sign](string_to_sign) to `feed`, piece by piece,
    /// without building it: what the access key hashes.
    pub(super) fn feed_string_to_sign(
        &self,
        date: &str,
        content_hash: &str,
        mut feed: impl FnMut(&[u8]),
    ) {
        feed_upper(&mut feed, self.method);
        feed(b"\n");
        feed(target_or_root(self.path_and_query).as_bytes());
        feed(b"\n");
        feed(date.as_bytes());
        feed(b";");
        feed(self.host.as_bytes());
        feed(b";");
        feed(content_hash.as_bytes());
    }
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("host", &self.host)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Feeds `method` upper-cased (ASCII) without allocating.
fn feed_upper(feed: &mut impl FnMut(&[u8]), method: &str) {
    let bytes = method.as_bytes();
    if !bytes.iter().any(u8::is_ascii_lowercase) {
        feed(bytes);
        return;
    }
    let mut buf = [0u8; 16];
    for chunk in bytes.chunks(buf.len()) {
        let out = &mut buf[..chunk.len()];
        out.copy_from_slice(chunk);
        out.make_ascii_uppercase();
        feed(out);
    }
}

fn target_or_root(path_and_query: &str) -> &str {
    if path_and_query.is_empty() {
        "/"
    } else {
        path_and_query
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
