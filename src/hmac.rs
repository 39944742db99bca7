//! HMAC-SHA256 signing and verification with an access key: the implementation behind
//! [`AccessKey`] and the public [`signing`](crate::signing) module, which documents the scheme.

use std::fmt;
use std::fmt::Write as _;

use ::hmac::{Hmac, Mac};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Name of the header carrying the request date ([`format_date`]).
pub const DATE_HEADER: &str = "x-ms-date";

/// Name of the header carrying the body hash ([`content_hash`]).
pub const CONTENT_HASH_HEADER: &str = "x-ms-content-sha256";

/// The `Authorization` header value up to (not including) the base64 signature.
pub const AUTHORIZATION_PREFIX: &str =
    "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";

/// Length of a base64 (padded) SHA-256 digest or HMAC-SHA256 tag.
const DIGEST_BASE64_LEN: usize = 44;

/// Length of a SHA-256 digest or HMAC-SHA256 tag.
const DIGEST_LEN: usize = 32;

/// Decoding engine for access keys: standard alphabet, padding optional, no stray bits.
const KEY_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

/// The HMAC state right after the key schedule (inner and outer padded key already
/// absorbed). It is as sensitive as the key itself, so it is overwritten on drop.
#[derive(Clone)]
struct KeyedMac(HmacSha256);

impl Drop for KeyedMac {
    fn drop(&mut self) {
        // `hmac` 0.12 has no zeroize support. Overwrite the keyed state in place with the
        // state for an all-zero key (safe code, no layout assumptions) and keep the store
        // from being optimised away.
        self.0 = <HmacSha256 as ::hmac::digest::KeyInit>::new(&Default::default());
        std::hint::black_box(&mut self.0);
    }
}

/// A Communication Services access key, ready to sign requests.
///
/// Built from the base64 text shown in the Azure portal (or the `accesskey` part of a
/// connection string). The decoded bytes are only held in a [`Zeroizing`] buffer while
/// the HMAC key schedule runs; the value keeps the resulting keyed HMAC state, so each
/// signature costs one clone of that state and no key schedule. That state is overwritten when the value is dropped (best effort:
/// transient per-request copies on the stack are not wiped).
///
/// `Debug` prints `AccessKey(<redacted>)`; there is no `Display` and no way to read the
/// key back.
///
/// # Example
///
/// ```
/// use acs_identity::AccessKey;
///
/// let key = AccessKey::from_base64("pw==")?;
/// assert_eq!(format!("{key:?}"), "AccessKey(<redacted>)");
/// assert_eq!(key.signature("banana"), "88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8=");
/// # Ok::<(), acs_identity::InvalidAccessKey>(())
/// ```
#[derive(Clone)]
pub struct AccessKey {
    mac: KeyedMac,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(<redacted>)")
    }
}

impl AccessKey {
    /// Decodes a base64 access key.
    ///
    /// Accepted: the standard base64 alphabet (`A–Z a–z 0–9 + /`), with canonical `=`
    /// padding or with the padding left out (the decoded bytes are the same either way).
    /// Leading and trailing ASCII whitespace (e.g. a newline from a file or environment
    /// variable) is ignored.
    ///
    /// Rejected: empty text, characters outside the standard alphabet (including the
    /// URL-safe `-` and `_`, and whitespace inside the key), `=` anywhere but at the end,
    /// and a length or final character that cannot come from encoding whole bytes (a
    /// truncated or altered key). The error says what was wrong and where, never the key.
    pub fn from_base64(encoded: &str) -> Result<Self, InvalidAccessKey> {
        let encoded = encoded.trim_matches(|c: char| c.is_ascii_whitespace());
        if encoded.is_empty() {
            return Err(InvalidAccessKey(KeyProblem::Empty));
        }
        let mut decoded = Zeroizing::new(vec![0u8; base64::decoded_len_estimate(encoded.len())]);
        let len = KEY_ENGINE
            .decode_slice(encoded, &mut decoded[..])
            .map_err(|e| InvalidAccessKey(KeyProblem::from_decode(e)))?;
        if len == 0 {
            return Err(InvalidAccessKey(KeyProblem::Empty));
        }
        Ok(Self::from_decoded(&decoded[..len]))
    }

    fn from_decoded(key: &[u8]) -> Self {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        let mac = match HmacSha256::new_from_slice(key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC-SHA256 accepts keys of any length"),
        };
        AccessKey { mac: KeyedMac(mac) }
    }

    /// Computes the three authentication headers of `request`, dated `date` (an `x-ms-date`
    /// value, see [`format_date`](crate::signing::format_date)).
    pub fn sign(&self, request: &SignableRequest<'_>, date: &str) -> SignatureHeaders {
        let (content_hash, authorization) = self.content_hash_and_authorization(request, date);
        SignatureHeaders {
            date: date.to_owned(),
            content_hash,
            authorization,
        }
    }

    /// [`sign`](Self::sign) without a copy of `date`: the `x-ms-content-sha256` and
    /// `Authorization` values, for a caller that already owns the date.
    pub(crate) fn content_hash_and_authorization(
        &self,
        request: &SignableRequest<'_>,
        date: &str,
    ) -> (String, String) {
        let content_hash = content_hash(request.body);
        let mac = self.keyed_string_to_sign(request, date, &content_hash);
        let mut authorization =
            String::with_capacity(AUTHORIZATION_PREFIX.len() + DIGEST_BASE64_LEN);
        authorization.push_str(AUTHORIZATION_PREFIX);
        STANDARD.encode_string(mac.finalize().into_bytes(), &mut authorization);
        (content_hash, authorization)
    }

    /// Returns `base64(HMAC-SHA256(key, string_to_sign))`, the `Signature=` part of the
    /// `Authorization` header for a string built by
    /// [`string_to_sign`](crate::signing::string_to_sign).
    pub fn signature(&self, string_to_sign: &str) -> String {
        let mut mac = self.mac.0.clone();
        mac.update(string_to_sign.as_bytes());
        let mut out = String::with_capacity(DIGEST_BASE64_LEN);
        STANDARD.encode_string(mac.finalize().into_bytes(), &mut out);
        out
    }

    /// Checks a signed request as the service does: `request` as received (method, request
    /// target, `Host` header, body) against the values of its `x-ms-date`,
    /// `x-ms-content-sha256` and `Authorization` headers. Checks, in order:
    ///
    /// 1. the content hash header equals the base64 SHA-256 of the body
    ///    ([`VerifyError::ContentHashMismatch`]);
    /// 2. the `Authorization` header is exactly
    ///    [`AUTHORIZATION_PREFIX`](crate::signing::AUTHORIZATION_PREFIX) followed by a padded
    ///    base64 32-byte signature ([`VerifyError::MalformedAuthorization`]);
    /// 3. the signature matches the one computed with this key, compared in constant
    ///    time ([`VerifyError::SignatureMismatch`]).
    ///
    /// The freshness of the date is not checked here; see
    /// [`parse_date`](crate::signing::parse_date).
    ///
    /// # Example
    ///
    /// ```
    /// use acs_identity::AccessKey;
    /// use acs_identity::signing::{SignableRequest, VerifyError};
    ///
    /// let key = AccessKey::from_base64("pw==")?;
    /// let date = "Wed, 13 Apr 2022 18:09:12 GMT";
    /// let sent = SignableRequest::new("POST", "/identities?api-version=2026-09-23", "localhost:8080")
    ///     .with_body(b"{}");
    /// let headers = key.sign(&sent, date);
    /// assert_eq!(key.verify(&sent, &headers), Ok(()));
    /// let other = SignableRequest::new("POST", "/identities", "localhost:8080").with_body(b"{}");
    /// assert_eq!(key.verify(&other, &headers), Err(VerifyError::SignatureMismatch));
    /// # Ok::<(), acs_identity::InvalidAccessKey>(())
    /// ```
    pub fn verify(
        &self,
        request: &SignableRequest<'_>,
        headers: &SignatureHeaders,
    ) -> Result<(), VerifyError> {
        let mut body_hash = [0u8; DIGEST_BASE64_LEN];
        let written = STANDARD
            .encode_slice(Sha256::digest(request.body), &mut body_hash)
            .map_err(|_| VerifyError::ContentHashMismatch)?;
        if headers.content_hash.as_bytes() != &body_hash[..written] {
            return Err(VerifyError::ContentHashMismatch);
        }

        let encoded = headers
            .authorization
            .strip_prefix(AUTHORIZATION_PREFIX)
            .filter(|s| s.len() == DIGEST_BASE64_LEN)
            .ok_or(VerifyError::MalformedAuthorization)?;
        // Exactly a signature's size: 44 symbols of 33 bytes (no padding) do not fit, and
        // decoding fails; 31 bytes (`==`) fit and are refused below.
        let mut signature = [0u8; DIGEST_LEN];
        let len = STANDARD
            .decode_slice(encoded, &mut signature)
            .map_err(|_| VerifyError::MalformedAuthorization)?;
        if len != DIGEST_LEN {
            return Err(VerifyError::MalformedAuthorization);
        }

        self.keyed_string_to_sign(request, &headers.date, &headers.content_hash)
            .verify_slice(&signature[..len])
            .map_err(|_| VerifyError::SignatureMismatch)
    }

    /// Feeds the string to sign into a clone of the keyed state, without building it.
    fn keyed_string_to_sign(
        &self,
        request: &SignableRequest<'_>,
        date: &str,
        content_hash: &str,
    ) -> HmacSha256 {
        let mut mac = self.mac.0.clone();
        update_upper(&mut mac, request.method);
        mac.update(b"\n");
        mac.update(target_or_root(request.path_and_query).as_bytes());
        mac.update(b"\n");
        mac.update(date.as_bytes());
        mac.update(b";");
        mac.update(request.host.as_bytes());
        mac.update(b";");
        mac.update(content_hash.as_bytes());
        mac
    }
}

/// Feeds `method` upper-cased (ASCII) without allocating.
fn update_upper(mac: &mut HmacSha256, method: &str) {
    let bytes = method.as_bytes();
    if !bytes.iter().any(u8::is_ascii_lowercase) {
        mac.update(bytes);
        return;
    }
    let mut buf = [0u8; 16];
    for chunk in bytes.chunks(buf.len()) {
        let out = &mut buf[..chunk.len()];
        out.copy_from_slice(chunk);
        out.make_ascii_uppercase();
        mac.update(out);
    }
}

fn target_or_root(path_and_query: &str) -> &str {
    if path_and_query.is_empty() {
        "/"
    } else {
        path_and_query
    }
}

/// The access key text could not be decoded. The message says what is wrong and where,
/// never the key text.
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidAccessKey(KeyProblem);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KeyProblem {
    Empty,
    MisplacedPadding { offset: usize },
    Whitespace { offset: usize },
    InvalidCharacter { offset: usize },
    InvalidLength { symbols: usize },
    TrailingBits { offset: usize },
    InvalidPadding,
}

impl KeyProblem {
    fn from_decode(e: base64::DecodeSliceError) -> Self {
        use base64::DecodeError as D;
        match e {
            base64::DecodeSliceError::DecodeError(e) => match e {
                D::InvalidByte(offset, b'=') => KeyProblem::MisplacedPadding { offset },
                D::InvalidByte(offset, b) if b.is_ascii_whitespace() => {
                    KeyProblem::Whitespace { offset }
                }
                D::InvalidByte(offset, _) => KeyProblem::InvalidCharacter { offset },
                D::InvalidLength(symbols) => KeyProblem::InvalidLength { symbols },
                D::InvalidLastSymbol { offset, .. } => KeyProblem::TrailingBits { offset },
                D::InvalidPadding => KeyProblem::InvalidPadding,
            },
            // The buffer is sized with `decoded_len_estimate`, which is an upper bound.
            base64::DecodeSliceError::OutputSliceTooSmall => KeyProblem::InvalidPadding,
        }
    }
}

impl fmt::Debug for InvalidAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("InvalidAccessKey").field(&self.0).finish()
    }
}

impl fmt::Display for InvalidAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid access key: ")?;
        match self.0 {
            KeyProblem::Empty => f.write_str("it is empty")?,
            KeyProblem::MisplacedPadding { offset } => write!(
                f,
                "unexpected '=' at character {offset}; '=' padding may only end the key"
            )?,
            KeyProblem::Whitespace { offset } => write!(
                f,
                "whitespace or a line break at character {offset}; the key is one unbroken line"
            )?,
            KeyProblem::InvalidCharacter { offset } => write!(
                f,
                "the character at position {offset} is not in the standard base64 alphabet \
                 (A-Z, a-z, 0-9, '+', '/', with optional '=' padding; the URL-safe '-' and '_' \
                 are not accepted)"
            )?,
            KeyProblem::InvalidLength { symbols } => write!(
                f,
                "{symbols} base64 characters cannot encode whole bytes; the key looks truncated \
                 or has an extra character"
            )?,
            KeyProblem::TrailingBits { offset } => write!(
                f,
                "the last character (position {offset}) has unused bits set; the key looks \
                 truncated or altered"
            )?,
            KeyProblem::InvalidPadding => f.write_str("the '=' padding is malformed")?,
        }
        f.write_str(
            "; expected the base64 text of a Communication Services access key, as shown under \
             Keys for the resource in the Azure portal",
        )
    }
}

impl std::error::Error for InvalidAccessKey {}

/// The values of the three headers that authenticate a request, from [`AccessKey::sign`].
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

/// Errors from [`AccessKey::verify`]. They reveal nothing about the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// `x-ms-content-sha256` is not the base64 SHA-256 of the body received.
    ContentHashMismatch,
    /// The `Authorization` header is not an HMAC-SHA256 header of the expected form.
    MalformedAuthorization,
    /// The signature does not match the request and key.
    SignatureMismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerifyError::ContentHashMismatch => {
                "the x-ms-content-sha256 header differs from the SHA-256 hash of the request body"
            }
            VerifyError::MalformedAuthorization => {
                "the Authorization header is not of the form 'HMAC-SHA256 \
                 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64 HMAC-SHA256>'"
            }
            VerifyError::SignatureMismatch => {
                "the request signature does not match: the method, path and query, x-ms-date, \
                 host or content hash signed differ from the request, or the access key differs"
            }
        })
    }
}

impl std::error::Error for VerifyError {}

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

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats an instant as an HTTP date (RFC 7231 IMF-fixdate, the RFC 1123 form), e.g.
/// `Fri, 27 Nov 2026 18:00:00 GMT`: English names, two-digit day, 24-hour clock, always
/// `GMT`, sub-second part dropped. It does not depend on any locale.
///
/// Years outside 0000–9999 (which an HTTP date cannot express) are written with as many
/// digits as they need.
///
/// ```
/// use acs_identity::signing::format_date;
/// use chrono::{TimeZone, Utc};
///
/// let t = Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap();
/// assert_eq!(format_date(t), "Fri, 27 Nov 2026 18:00:00 GMT");
/// ```
pub fn format_date(t: DateTime<Utc>) -> String {
    let mut s = String::with_capacity(29);
    s.push_str(WEEKDAYS[t.weekday().num_days_from_monday() as usize]);
    s.push_str(", ");
    push_2_digits(&mut s, t.day());
    s.push(' ');
    s.push_str(MONTHS[t.month0() as usize]);
    s.push(' ');
    let year = t.year();
    if (0..=9999).contains(&year) {
        push_2_digits(&mut s, year as u32 / 100);
        push_2_digits(&mut s, year as u32 % 100);
    } else {
        let _ = write!(s, "{year}");
    }
    s.push(' ');
    push_2_digits(&mut s, t.hour());
    s.push(':');
    push_2_digits(&mut s, t.minute());
    s.push(':');
    push_2_digits(&mut s, t.second());
    s.push_str(" GMT");
    s
}

fn push_2_digits(s: &mut String, n: u32) {
    debug_assert!(n < 100);
    s.push(char::from(b'0' + (n / 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// Parses an `x-ms-date` value written by [`format_date`] (IMF-fixdate, e.g.
/// `Fri, 27 Nov 2026 18:00:00 GMT`), for example to reject stale requests when verifying.
///
/// Strict: other HTTP date forms, a weekday that does not match the date, or any other
/// variation return `None`.
///
/// ```
/// use acs_identity::signing::{format_date, parse_date};
/// use chrono::{TimeZone, Utc};
///
/// let t = Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap();
/// assert_eq!(parse_date("Fri, 27 Nov 2026 18:00:00 GMT"), Some(t));
/// assert_eq!(parse_date("Friday, 27-Nov-26 18:00:00 GMT"), None);
/// ```
pub fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    let t = NaiveDateTime::parse_from_str(value, "%a, %d %b %Y %H:%M:%S GMT")
        .ok()?
        .and_utc();
    (value.len() == 29 && format_date(t) == value).then_some(t)
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
/// [`AccessKey::sign`] computes the same bytes without building this string; use it to
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The positional forms the tests were written with.
    fn sign(
        k: &AccessKey,
        method: &str,
        path: &str,
        host: &str,
        date: &str,
        body: &[u8],
    ) -> SignatureHeaders {
        k.sign(
            &SignableRequest::new(method, path, host).with_body(body),
            date,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn verify(
        k: &AccessKey,
        method: &str,
        path: &str,
        host: &str,
        date: &str,
        content_hash: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<(), VerifyError> {
        let headers = SignatureHeaders {
            date: date.to_owned(),
            content_hash: content_hash.to_owned(),
            authorization: authorization.to_owned(),
        };
        k.verify(
            &SignableRequest::new(method, path, host).with_body(body),
            &headers,
        )
    }

    fn sts(method: &str, path: &str, host: &str, date: &str, content_hash: &str) -> String {
        string_to_sign(
            &SignableRequest::new(method, path, host),
            date,
            content_hash,
        )
    }
    use chrono::TimeZone;
    use serde_json::Value;

    const VECTORS: &str = include_str!("../tests/data/hmac-vectors.json");

    fn vectors() -> Value {
        serde_json::from_str(VECTORS).expect("vector file is valid JSON")
    }

    fn s<'a>(v: &'a Value, field: &str) -> &'a str {
        v[field]
            .as_str()
            .unwrap_or_else(|| panic!("field {field} missing in {v}"))
    }

    fn array<'a>(v: &'a Value, field: &str) -> &'a Vec<Value> {
        let a = v[field]
            .as_array()
            .unwrap_or_else(|| panic!("array {field} missing"));
        assert!(!a.is_empty(), "{field} is empty");
        a
    }

    fn key() -> AccessKey {
        AccessKey::from_base64("pw==").unwrap()
    }

    #[test]
    fn signature_vectors() {
        let v = vectors();
        let vectors = array(&v, "signature_vectors");
        for t in vectors {
            let id = s(t, "id");
            let key = AccessKey::from_base64(s(t, "key_base64")).unwrap();
            let (method, path, host, date) = (
                s(t, "method"),
                s(t, "path_and_query"),
                s(t, "host"),
                s(t, "x_ms_date"),
            );
            let body = s(t, "body").as_bytes();

            // The host and path given match the URL they come from.
            let url = reqwest::Url::parse(s(t, "url")).unwrap();
            assert_eq!(
                host_header(url.scheme(), url.host_str().unwrap(), url.port()),
                host,
                "{id}"
            );
            let mut target = url.path().to_owned();
            if let Some(q) = url.query() {
                target.push('?');
                target.push_str(q);
            }
            assert_eq!(target, path, "{id}");

            let h = sign(&key, method, path, host, date, body);
            assert_eq!(h.date, date, "{id}");
            assert_eq!(h.content_hash, s(t, "expected_x_ms_content_sha256"), "{id}");
            assert_eq!(h.authorization, s(t, "expected_authorization"), "{id}");

            // The string-based path gives the same signature.
            let sts = sts(method, path, host, date, &h.content_hash);
            let sig = key.signature(&sts);
            assert_eq!(
                format!("{AUTHORIZATION_PREFIX}{sig}"),
                h.authorization,
                "{id}"
            );

            // The lower-case method is upper-cased before signing.
            let lower = sign(&key, &method.to_ascii_lowercase(), path, host, date, body);
            assert_eq!(lower, h, "{id}");

            // And the emulator side accepts it.
            assert_eq!(
                verify(
                    &key,
                    method,
                    path,
                    host,
                    date,
                    &h.content_hash,
                    body,
                    &h.authorization
                ),
                Ok(()),
                "{id}"
            );
        }
        assert_eq!(vectors.len(), 5);
    }

    #[test]
    fn raw_hmac_vectors() {
        let v = vectors();
        for t in array(&v, "raw_hmac_vectors") {
            let key = AccessKey::from_base64(s(t, "key_base64")).unwrap();
            assert_eq!(
                key.signature(s(t, "message_utf8")),
                s(t, "expected_base64"),
                "{}",
                s(t, "id")
            );
        }
        // The unicode vector is the UTF-8 encoding of U+1F600.
        assert_eq!("\u{1F600}".as_bytes(), [0xF0, 0x9F, 0x98, 0x80]);
    }

    #[test]
    fn content_hash_vectors() {
        let v = vectors();
        for t in array(&v, "content_hash_vectors") {
            assert_eq!(
                content_hash(s(t, "body_utf8").as_bytes()),
                s(t, "expected_x_ms_content_sha256"),
                "{}",
                s(t, "id")
            );
        }
    }

    #[test]
    fn recorded_live_content_hashes() {
        let v = vectors();
        let recorded = &v["recorded_live_content_hashes"];
        for t in array(recorded, "vectors") {
            let body = s(t, "body_utf8");
            if let Some(len) = t["content_length"].as_u64() {
                assert_eq!(body.len() as u64, len, "{}", s(t, "path"));
            }
            assert_eq!(
                content_hash(body.as_bytes()),
                s(t, "x_ms_content_sha256"),
                "{}",
                s(t, "path")
            );
        }
    }

    #[test]
    fn date_format_vectors() {
        let v = vectors();
        for t in array(&v["date_format_vectors"], "vectors") {
            let utc = DateTime::parse_from_rfc3339(s(t, "utc"))
                .unwrap()
                .with_timezone(&Utc);
            let expected = s(t, "expected");
            assert_eq!(format_date(utc), expected);
            assert_eq!(parse_date(expected), Some(utc.with_nanosecond(0).unwrap()));
        }
    }

    // Not tested: `behavioural_facts`. The Host header facts are covered by
    // `host_header_ports`; the plain-http rejection is a transport rule (see the
    // connection string module); the 64-hex-character key has no fixed-date expectation;
    // `java_legacy_date_header` is the legacy scheme that signed the plain `date` header,
    // which this crate does not implement.

    #[test]
    fn host_header_ports() {
        assert_eq!(
            host_header("http", "localhost", Some(8080)),
            "localhost:8080"
        );
        assert_eq!(
            host_header("https", "localhost", Some(8080)),
            "localhost:8080"
        );
        assert_eq!(host_header("https", "[::1]", Some(8443)), "[::1]:8443");
        assert_eq!(host_header("https", "::1", Some(8443)), "[::1]:8443");
        assert_eq!(host_header("http", "[::1]", None), "[::1]");
        assert_eq!(host_header("https", "localhost", Some(443)), "localhost");
        assert_eq!(host_header("http", "localhost", Some(80)), "localhost");
        assert_eq!(
            host_header("HTTPS", "example.com", Some(443)),
            "example.com"
        );
        // Default ports are per scheme.
        assert_eq!(host_header("http", "localhost", Some(443)), "localhost:443");
        assert_eq!(host_header("https", "localhost", Some(80)), "localhost:80");
        assert_eq!(
            host_header("https", "127.0.0.1", Some(8080)),
            "127.0.0.1:8080"
        );
        assert_eq!(host_header("https", "example.com", None), "example.com");

        // As used with a parsed URL (`Url::port` already drops a default port).
        for (url, expected) in [
            ("https://localhost:443/x", "localhost"),
            ("https://localhost/x", "localhost"),
            ("http://localhost:8080/", "localhost:8080"),
            ("https://[::1]:8443/", "[::1]:8443"),
            ("http://[::1]:80/", "[::1]"),
            (
                "https://Contoso.Communication.Azure.com/",
                "contoso.communication.azure.com",
            ),
        ] {
            let url = reqwest::Url::parse(url).unwrap();
            assert_eq!(
                host_header(url.scheme(), url.host_str().unwrap(), url.port()),
                expected
            );
        }
    }

    #[test]
    fn empty_body_hash() {
        assert_eq!(
            content_hash(&[]),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        let h = sign(&key(), "DELETE", "/identities/x", "h", "d", &[]);
        assert_eq!(
            h.content_hash,
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn string_to_sign_layout() {
        assert_eq!(
            sts(
                "post",
                "/identities?api-version=1",
                "localhost:8080",
                "D",
                "H"
            ),
            "POST\n/identities?api-version=1\nD;localhost:8080;H"
        );
        assert_eq!(sts("GET", "", "h", "d", "c"), "GET\n/\nd;h;c");
        // An empty target is signed as "/".
        let k = key();
        assert_eq!(
            sign(&k, "GET", "", "h", "d", b""),
            sign(&k, "GET", "/", "h", "d", b"")
        );
        // A long mixed-case method is upper-cased in chunks.
        let method = "mIxEdCaSeMeThOdLoNgErThAnSiXtEeN";
        let h = sign(&k, method, "/", "h", "d", b"");
        let sts = sts(method, "/", "h", "d", &h.content_hash);
        assert!(sts.starts_with("MIXEDCASEMETHODLONGERTHANSIXTEEN\n"));
        assert_eq!(
            h.authorization,
            format!("{AUTHORIZATION_PREFIX}{}", k.signature(&sts))
        );
    }

    #[test]
    fn verify_accepts_own_and_rejects_tampering() {
        let k = key();
        let (method, path, host, date) = (
            "POST",
            "/identities/8%3Aacs%3Ax/:issueAccessToken?api-version=2026-09-23",
            "contoso.communication.azure.com",
            "Fri, 27 Nov 2026 18:00:00 GMT",
        );
        let body = br#"{"scopes":["chat"]}"#;
        let h = sign(&k, method, path, host, date, body);
        let (hash, auth) = (h.content_hash.as_str(), h.authorization.as_str());
        assert_eq!(
            verify(&k, method, path, host, date, hash, body, auth),
            Ok(())
        );

        // A flipped body byte: the content hash no longer matches.
        let mut flipped = body.to_vec();
        flipped[3] ^= 0x01;
        assert_eq!(
            verify(&k, method, path, host, date, hash, &flipped, auth),
            Err(VerifyError::ContentHashMismatch)
        );
        // ... and with a recomputed content hash, the signature does not.
        let flipped_hash = content_hash(&flipped);
        assert_eq!(
            verify(&k, method, path, host, date, &flipped_hash, &flipped, auth),
            Err(VerifyError::SignatureMismatch)
        );

        let mismatch = Err(VerifyError::SignatureMismatch);
        let other_date = "Fri, 27 Nov 2026 18:00:01 GMT";
        assert_eq!(
            verify(&k, method, path, host, other_date, hash, body, auth),
            mismatch
        );
        let other_path = "/identities/8%3Aacs%3Ay/:issueAccessToken?api-version=2026-09-23";
        assert_eq!(
            verify(&k, method, other_path, host, date, hash, body, auth),
            mismatch
        );
        let no_query = "/identities/8%3Aacs%3Ax/:issueAccessToken";
        assert_eq!(
            verify(&k, method, no_query, host, date, hash, body, auth),
            mismatch
        );
        assert_eq!(
            verify(&k, "PUT", path, host, date, hash, body, auth),
            mismatch
        );
        assert_eq!(
            verify(&k, method, path, "contoso:8443", date, hash, body, auth),
            mismatch
        );
        let other_key = AccessKey::from_base64("pA==").unwrap();
        assert_eq!(
            verify(&other_key, method, path, host, date, hash, body, auth),
            mismatch
        );

        // A flipped signature bit.
        let mut sig = STANDARD
            .decode(&auth[AUTHORIZATION_PREFIX.len()..])
            .unwrap();
        sig[31] ^= 0x80;
        let tampered = format!("{AUTHORIZATION_PREFIX}{}", STANDARD.encode(&sig));
        assert_eq!(
            verify(&k, method, path, host, date, hash, body, &tampered),
            mismatch
        );

        // Malformed Authorization headers.
        let sig = &auth[AUTHORIZATION_PREFIX.len()..];
        let malformed = [
            String::new(),
            "HMAC-SHA256".to_owned(),
            AUTHORIZATION_PREFIX.to_owned(),
            format!("Bearer {sig}"),
            format!("hmac-sha256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}"),
            format!("HMAC-SHA256 SignedHeaders=date;host;x-ms-content-sha256&Signature={sig}"),
            format!("HMAC-SHA256 SignedHeaders=x-ms-date;host&Signature={sig}"),
            format!("{AUTHORIZATION_PREFIX}{sig} "),
            format!("{AUTHORIZATION_PREFIX}{}", &sig[..43]),
            format!("{AUTHORIZATION_PREFIX}{}", sig.trim_end_matches('=')),
            format!("{AUTHORIZATION_PREFIX}{}", sig.replace('=', "A")),
            format!("{AUTHORIZATION_PREFIX}{}", "!".repeat(44)),
            format!("{AUTHORIZATION_PREFIX}{}", STANDARD.encode([0u8; 33])),
            format!("{AUTHORIZATION_PREFIX}{}", STANDARD.encode([0u8; 31])),
        ];
        for m in &malformed {
            assert_eq!(
                verify(&k, method, path, host, date, hash, body, m),
                Err(VerifyError::MalformedAuthorization),
                "{m:?}"
            );
        }
    }

    #[test]
    fn verify_error_messages() {
        for e in [
            VerifyError::ContentHashMismatch,
            VerifyError::MalformedAuthorization,
            VerifyError::SignatureMismatch,
        ] {
            assert!(!e.to_string().is_empty());
        }
        assert!(
            VerifyError::ContentHashMismatch
                .to_string()
                .contains("x-ms-content-sha256")
        );
    }

    #[test]
    fn access_key_debug_is_redacted() {
        let text = "aGVsbG8gd29ybGQsIHRoaXMgaXMgYSBzZWNyZXQga2V5IQ==";
        let k = AccessKey::from_base64(text).unwrap();
        let debug = format!("{k:?}");
        assert_eq!(debug, "AccessKey(<redacted>)");
        assert!(!debug.contains(text));
        assert!(!debug.contains("aGVsbG8"));
        let pretty = format!("{:#?}", k.clone());
        assert_eq!(pretty, "AccessKey(<redacted>)");
    }

    #[test]
    fn access_key_padding_and_whitespace() {
        let reference = key().signature("banana");
        for text in ["pw==", "pw=", "pw", " pw==\n", "\tpw==\r\n"] {
            let k = AccessKey::from_base64(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(k.signature("banana"), reference, "{text:?}");
        }
        // Keys of the usual sizes.
        let long = STANDARD.encode([0x5Au8; 64]);
        assert!(long.ends_with("=="));
        let a = AccessKey::from_base64(&long).unwrap();
        let b = AccessKey::from_base64(long.trim_end_matches('=')).unwrap();
        assert_eq!(a.signature("x"), b.signature("x"));
        // The 64-hex-character key of the .NET and Java tests is valid base64 too.
        AccessKey::from_base64("68810419818922fb0263dd6ee4b9c56537dbad914aa7324a119fce26778a286e")
            .unwrap();
    }

    #[test]
    fn invalid_access_keys() {
        let cases: [(&str, KeyProblem); 11] = [
            ("", KeyProblem::Empty),
            ("  \n", KeyProblem::Empty),
            ("====", KeyProblem::MisplacedPadding { offset: 0 }),
            ("p=w=", KeyProblem::MisplacedPadding { offset: 1 }),
            ("pw==pw==", KeyProblem::MisplacedPadding { offset: 2 }),
            ("pw== pw==", KeyProblem::MisplacedPadding { offset: 2 }),
            ("pwpw pwpw", KeyProblem::Whitespace { offset: 4 }),
            ("pw-_", KeyProblem::InvalidCharacter { offset: 2 }),
            ("pwé=", KeyProblem::InvalidCharacter { offset: 2 }),
            ("pwpwp", KeyProblem::InvalidLength { symbols: 5 }),
            ("px==", KeyProblem::TrailingBits { offset: 1 }),
        ];
        for (text, problem) in cases {
            let err = AccessKey::from_base64(text).expect_err(text);
            assert_eq!(err, InvalidAccessKey(problem), "{text:?}");
            let display = err.to_string();
            assert!(display.starts_with("invalid access key: "), "{display}");
            assert!(display.contains("expected the base64 text"), "{display}");
            let trimmed = text.trim();
            if trimmed.len() > 1 {
                assert!(!display.contains(trimmed), "{display} contains {trimmed}");
                assert!(!format!("{err:?}").contains(trimmed));
            }
        }
        // `=` in the middle of padding.
        assert!(AccessKey::from_base64("pw=a").is_err());
        // `Debug` names the problem and where, never the text.
        assert_eq!(
            format!("{:?}", AccessKey::from_base64("pwpw pwpw").unwrap_err()),
            "InvalidAccessKey(Whitespace { offset: 4 })"
        );

        let secret = STANDARD.encode(b"0123456789abcdef0123456789abcdef");
        for bad in [
            format!("{secret}-"),
            format!("{}_", &secret[..43]),
            format!("{secret}A"),
        ] {
            let err = AccessKey::from_base64(&bad).unwrap_err();
            assert!(!err.to_string().contains(&secret[..20]));
            assert!(!format!("{err:?}").contains(&secret[..20]));
        }
    }

    #[test]
    fn format_date_matches_chrono_and_round_trips() {
        // A sweep over 2000-2099 (leap years, month ends, all weekdays) against chrono's
        // own (locale-independent) formatter.
        let mut t = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
        while t < end {
            let formatted = format_date(t);
            assert_eq!(formatted, t.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
            assert_eq!(formatted.len(), 29);
            assert_eq!(parse_date(&formatted), Some(t));
            assert_eq!(DateTime::parse_from_rfc2822(&formatted).unwrap(), t);
            t += chrono::Duration::seconds(86_400 * 3 + 3_607 * 5 + 1);
        }
        let early = Utc.with_ymd_and_hms(7, 3, 4, 5, 6, 7).unwrap();
        assert_eq!(format_date(early), "Sun, 04 Mar 0007 05:06:07 GMT");
        let late = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(format_date(late), "Sat, 01 Jan 10000 00:00:00 GMT");
    }

    #[test]
    fn parse_date_is_strict() {
        let expected = Utc.with_ymd_and_hms(2022, 4, 13, 18, 9, 12).unwrap();
        assert_eq!(parse_date("Wed, 13 Apr 2022 18:09:12 GMT"), Some(expected));
        for bad in [
            "",
            "Thu, 13 Apr 2022 18:09:12 GMT",
            "Wed, 13 Apr 2022 18:09:12 UTC",
            "Wed, 13 Apr 2022 18:09:12 +0000",
            "Wed, 3 Apr 2022 18:09:12 GMT",
            "Wed,  13 Apr 2022 18:09:12 GMT",
            "Wednesday, 13-Apr-22 18:09:12 GMT",
            "Wed Apr 13 18:09:12 2022",
            "2022-04-13T18:09:12Z",
            "Wed, 13 Apr 2022 18:09:12 GMT ",
            // Of the right length, and read by the parser, but not as `format_date` writes it.
            "Wed, 13 apr 2022 18:09:12 GMT",
            "WED, 13 Apr 2022 18:09:12 GMT",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn signable_request_debug_shows_the_body_length_only() {
        let r = SignableRequest::new("POST", "/identities?api-version=1", "h:1").with_body(b"{}");
        assert_eq!(
            format!("{r:?}"),
            "SignableRequest { method: \"POST\", path_and_query: \"/identities?api-version=1\", \
             host: \"h:1\", body_len: 2 }"
        );
    }

    #[test]
    fn signature_headers_debug_shows_values() {
        let h = sign(
            &key(),
            "GET",
            "/",
            "example.com",
            "Wed, 13 Apr 2022 18:09:12 GMT",
            b"",
        );
        let debug = format!("{h:?}");
        assert!(debug.contains(&h.authorization));
        assert!(debug.contains(&h.content_hash));
        assert!(debug.contains(&h.date));
    }

    #[test]
    fn dropping_a_key_overwrites_its_keyed_state() {
        let tag = |mac: &HmacSha256| mac.clone().chain_update(b"banana").finalize().into_bytes();
        let zero_key = <HmacSha256 as ::hmac::digest::KeyInit>::new(&Default::default());
        let mut state = std::mem::ManuallyDrop::new(key().mac.clone());
        assert_ne!(tag(&state.0), tag(&zero_key));
        // SAFETY: `state` is not dropped again. The destructor only overwrites the state in
        // place, so the memory still holds a valid value (see `ManuallyDrop::drop`), which is
        // read to see what the destructor left there.
        unsafe { std::mem::ManuallyDrop::drop(&mut state) };
        assert_eq!(tag(&state.0), tag(&zero_key));
    }

    #[test]
    fn access_key_clone_and_drop() {
        let k = key();
        let c = k.clone();
        drop(k);
        // The clone owns its own keyed state.
        assert_eq!(
            c.signature("banana"),
            "88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8="
        );
        fn assert_send_sync<T: Send + Sync + Clone + fmt::Debug>() {}
        assert_send_sync::<AccessKey>();
        assert_send_sync::<SignatureHeaders>();
        assert_send_sync::<InvalidAccessKey>();
        assert_send_sync::<VerifyError>();
    }
}
