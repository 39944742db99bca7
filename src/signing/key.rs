//! The access key: decoding its base64 text, the keyed HMAC state (overwritten on drop), `Debug`
//! without the key, and signing and verifying requests with it (the signature compared in
//! constant time). What is signed is in [`request`](super::request).

use std::fmt;

use ::hmac::{Hmac, Mac};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::request::{
    AUTHORIZATION_PREFIX, DIGEST_BASE64_LEN, SignableRequest, SignatureHeaders, content_hash,
};

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
        let content_hash = content_hash(request.body());
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
    ///    [`AUTHORIZATION_PREFIX`] followed by a padded
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
            .encode_slice(Sha256::digest(request.body()), &mut body_hash)
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
        request.feed_string_to_sign(date, content_hash, |bytes| mac.update(bytes));
        mac
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
            // Characters are counted from 1, as a connection string's parts are.
            KeyProblem::MisplacedPadding { offset } => write!(
                f,
                "unexpected '=' at character {} of the key (counting from 1); '=' padding may \
                 only end the key",
                offset + 1
            )?,
            KeyProblem::Whitespace { offset } => write!(
                f,
                "whitespace or a line break at character {} of the key (counting from 1); the \
                 key is one unbroken line",
                offset + 1
            )?,
            KeyProblem::InvalidCharacter { offset } => write!(
                f,
                "character {} of the key (counting from 1) is not in the standard base64 alphabet \
                 (A-Z, a-z, 0-9, '+', '/', with optional '=' padding; the URL-safe '-' and '_' \
                 are not accepted)",
                offset + 1
            )?,
            KeyProblem::InvalidLength { symbols } => write!(
                f,
                "{symbols} base64 characters cannot encode whole bytes; the key looks truncated \
                 or has an extra character"
            )?,
            KeyProblem::TrailingBits { offset } => write!(
                f,
                "the last character (character {} of the key, counting from 1) has unused bits \
                 set; the key looks truncated or altered",
                offset + 1
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

#[cfg(test)]
#[path = "key_tests.rs"]
mod tests;
