//! HMAC-SHA256 request signing with a Communication Services access key: what a server, a
//! proxy or a test needs to sign or verify requests as the service does. The key itself is
//! [`AccessKey`](crate::AccessKey).
//!
//! Every request authenticated with the resource's access key carries three headers:
//!
//! ```text
//! x-ms-date: Fri, 27 Nov 2026 18:00:00 GMT
//! x-ms-content-sha256: base64(SHA-256(body bytes))
//! Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<signature>
//! ```
//!
//! where `<signature>` is `base64(HMAC-SHA256(key, string_to_sign))`, the key is the
//! base64-decoded access key and the string to sign is
//!
//! ```text
//! <METHOD>\n<path and query>\n<x-ms-date>;<host>;<x-ms-content-sha256>
//! ```
//!
//! The path, query, host and body must be exactly the ones sent on the wire: the service
//! recomputes the signature from the request it receives. Sign every attempt (including
//! retries) with a fresh date.
//!
//! The same code signs requests ([`AccessKey::sign`](crate::AccessKey::sign)) and checks them
//! ([`AccessKey::verify`](crate::AccessKey::verify)), so a local emulator accepts exactly what the client sends.
//!
//! # Example
//!
//! ```
//! use acs_identity::AccessKey;
//! use acs_identity::signing::{SignableRequest, host_header};
//!
//! let key = AccessKey::from_base64("pw==")?;
//! let host = host_header("https", "example.com", None);
//! let date = "Wed, 13 Apr 2022 18:09:12 GMT"; // normally format_date(chrono::Utc::now())
//! let headers = key.sign(&SignableRequest::new("GET", "/testPath?testQuery=test", &host), date);
//! assert_eq!(headers.content_hash, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
//! assert_eq!(
//!     headers.authorization,
//!     "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256\
//!      &Signature=DGdgwggJWnQyc6EHjR/Vbqg1ES64KpD6U2XwTDDj3tU="
//! );
//! # Ok::<(), acs_identity::InvalidAccessKey>(())
//! ```

mod date;
pub(crate) mod key;
mod request;
#[cfg(test)]
mod test_support;

pub use date::{format_date, parse_date};
pub use key::VerifyError;
pub use request::{
    AUTHORIZATION_PREFIX, CONTENT_HASH_HEADER, DATE_HEADER, SignableRequest, SignatureHeaders,
    content_hash, host_header, string_to_sign,
};
