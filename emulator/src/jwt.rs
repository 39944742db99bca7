//! JSON Web Tokens issued and checked by the emulator: HS256 with the emulator's own random
//! key, base64url without padding.
//!
//! The real service signs with RS256 and its own keys; clients treat tokens as opaque text,
//! so only the shape (`header.payload.signature`) and the claims matter to them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The JOSE header of every token the emulator issues.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The claims of a token, as a JSON object.
pub(crate) type Claims = Map<String, Value>;

/// Signs and verifies tokens with one key.
pub(crate) struct JwtSigner {
    mac: HmacSha256,
}

impl JwtSigner {
    pub(crate) fn new(key: &[u8]) -> Self {
        let mac = match HmacSha256::new_from_slice(key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC-SHA256 accepts keys of any length"),
        };
        JwtSigner { mac }
    }

    /// Returns `base64url(header).base64url(claims).base64url(HMAC-SHA256(signing input))`.
    pub(crate) fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).expect("a JSON map serializes");
        let mut token = URL_SAFE_NO_PAD.encode(HEADER);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let mut mac = self.mac.clone();
        mac.update(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(mac.finalize().into_bytes(), &mut token);
        token
    }

    /// The claims of `token` when it is a well-formed HS256 token signed with this key (the
    /// signature is compared in constant time); `None` otherwise. Expiry is not checked.
    pub(crate) fn verify(&self, token: &str) -> Option<Claims> {
        let (signing_input, signature) = token.rsplit_once('.')?;
        let (header, payload) = signing_input.split_once('.')?;
        if payload.contains('.') {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&signature).ok()?;
        let header: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return None;
        }
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

/// The signature part of a token: the key under which the emulator remembers tokens it issued.
pub(crate) fn signature_part(token: &str) -> &str {
    token.rsplit_once('.').map_or(token, |(_, s)| s)
}

/// A string claim.
pub(crate) fn str_claim<'a>(claims: &'a Claims, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// A numeric date claim (`exp`, `iat`, `nbf`), in seconds since the Unix epoch.
pub(crate) fn time_claim(claims: &Claims, name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let seconds = claims.get(name)?.as_i64()?;
    chrono::DateTime::from_timestamp(seconds, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Claims {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn round_trip() {
        let signer = JwtSigner::new(b"key");
        let c = claims(json!({"skypeid": "acs:r_u", "scp": 1792, "exp": 2_000_000_000}));
        let token = signer.sign(&c);
        assert_eq!(token.split('.').count(), 3);
        assert!(!token.contains('='));
        assert_eq!(signer.verify(&token), Some(c.clone()));
        assert_eq!(time_claim(&c, "exp").unwrap().timestamp(), 2_000_000_000);
        assert_eq!(str_claim(&c, "skypeid"), Some("acs:r_u"));
        let header = URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        assert_eq!(header, HEADER.as_bytes());
    }

    #[test]
    fn rejects_other_keys_and_tampering() {
        let signer = JwtSigner::new(b"key");
        let token = signer.sign(&claims(json!({"oid": "a"})));
        assert_eq!(JwtSigner::new(b"other").verify(&token), None);
        let (head, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(r#"{"oid":"b"}"#);
        assert_eq!(
            signer.verify(&format!("{head}.{forged_payload}.{signature}")),
            None
        );
        for bad in ["", "a", "a.b", "a.b.c.d", &format!("{token}x")] {
            assert_eq!(signer.verify(bad), None, "{bad}");
        }
        assert_eq!(signature_part(&token), signature);
    }
}
