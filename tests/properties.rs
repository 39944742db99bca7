//! Property tests: signing agrees with verification and with an independent implementation;
//! connection-string parsing never panics; ids never leave their path segment.

mod common;

use acs_identity::auth::connection_string::ConnectionString;
use acs_identity::auth::hmac::{AccessKey, VerifyError, host_header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

/// The signature computed here from first principles, not with the crate's code.
fn independent_signature(
    key: &[u8],
    method: &str,
    target: &str,
    host: &str,
    date: &str,
    body: &[u8],
) -> (String, String) {
    let hash = STANDARD.encode(Sha256::digest(body));
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{method}\n{target}\n{date};{host};{hash}").as_bytes());
    (hash, STANDARD.encode(mac.finalize().into_bytes()))
}

fn target() -> impl Strategy<Value = String> {
    (
        "(/[a-zA-Z0-9%:._~-]{0,20}){1,4}",
        proptest::option::of("[a-z-]{1,10}=[a-zA-Z0-9%-]{0,12}"),
    )
        .prop_map(|(p, q)| match q {
            Some(q) => format!("{p}?{q}"),
            None => p,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signing_matches_independent_computation_and_verifies(
        key in proptest::collection::vec(any::<u8>(), 1..64),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        target in target(),
        host in "[a-z][a-z0-9.-]{0,30}",
        port in proptest::option::of(any::<u16>()),
        https in any::<bool>(),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let scheme = if https { "https" } else { "http" };
        let host = host_header(scheme, &host, port);
        let date = "Fri, 27 Nov 2026 18:00:00 GMT";
        let access_key = AccessKey::from_base64(&STANDARD.encode(&key)).unwrap();
        let signed = access_key.sign(method, &target, &host, date, &body);
        let (hash, signature) = independent_signature(&key, method, &target, &host, date, &body);
        prop_assert_eq!(&signed.content_hash, &hash);
        prop_assert_eq!(
            &signed.authorization,
            &format!("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}")
        );
        // What the emulator runs on every request.
        prop_assert_eq!(access_key.verify(method, &target, &host, date, &hash, &body, &signed.authorization), Ok(()));
        let mut tampered = body.clone();
        tampered.push(0);
        prop_assert_eq!(
            access_key.verify(method, &target, &host, date, &hash, &tampered, &signed.authorization),
            Err(VerifyError::ContentHashMismatch)
        );
        let other_target = format!("{target}x");
        prop_assert_eq!(
            access_key.verify(method, &other_target, &host, date, &hash, &body, &signed.authorization),
            Err(VerifyError::SignatureMismatch)
        );
        let default_port = if https { 443 } else { 80 };
        prop_assert_eq!(host.contains(':'), port.is_some_and(|p| p != default_port));
    }

    #[test]
    fn connection_string_parsing_never_panics(s in any::<String>()) {
        let _ = ConnectionString::parse(&s);
    }

    #[test]
    fn connection_string_keys_are_case_insensitive_and_errors_hide_the_key(
        endpoint_case in proptest::collection::vec(any::<bool>(), 8),
        access_key_case in proptest::collection::vec(any::<bool>(), 9),
        key in proptest::collection::vec(any::<u8>(), 1..48),
        host in "[a-z]{1,12}",
        trailing in prop::sample::select(vec!["", "/", "/;", ";"]),
        garbage in "[ -~]{0,12}",
    ) {
        let key = STANDARD.encode(&key);
        let endpoint_key = mixed_case("endpoint", &endpoint_case);
        let access_key_name = mixed_case("accesskey", &access_key_case);
        let cs = format!("{endpoint_key}=https://{host}.communication.azure.com{trailing};{access_key_name}={key}");
        let parsed = ConnectionString::parse(&cs).unwrap();
        prop_assert_eq!(parsed.endpoint(), format!("https://{host}.communication.azure.com"));
        let broken = format!("{cs};{garbage}");
        if let Err(e) = ConnectionString::parse(&broken) {
            let debug = format!("{:?}", e);
            prop_assert!(!e.to_string().contains(&key) && !debug.contains(&key));
        }
    }

    #[test]
    fn ids_stay_in_their_path_segment(id in any::<String>()) {
        match acs_identity::identity_request_path("https://x.communication.azure.com", &id) {
            Ok(path) => {
                let segments: Vec<&str> = path.split('/').collect();
                prop_assert_eq!(segments.len(), 4, "{:?} -> {}", id, path);
                prop_assert_eq!(segments[1], "identities");
                prop_assert_eq!(segments[3], ":issueAccessToken");
                prop_assert!(!segments[2].contains(':'));
                let decoded = percent_decode(segments[2]);
                prop_assert_eq!(decoded, id);
            }
            // Only ids that URL normalization would rewrite are refused.
            Err(_) => prop_assert!(id.trim().is_empty() || id == "." || id == ".." || id.contains('\\'), "{:?}", id),
        }
    }
}

fn mixed_case(word: &str, upper: &[bool]) -> String {
    word.chars()
        .zip(upper)
        .map(|(c, u)| if *u { c.to_ascii_uppercase() } else { c })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn hostile_ids_examples() {
    for (id, segment) in [
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("%2F", "%252F"),
        ("a?b#c", "a%3Fb%23c"),
        ("8:acs:x", "8%3Aacs%3Ax"),
    ] {
        let path = acs_identity::identity_request_path("https://h", id).unwrap();
        assert_eq!(path, format!("/identities/{segment}/:issueAccessToken"));
    }
    for id in ["", ".", "..", "a\\..\\b"] {
        assert!(
            acs_identity::identity_request_path("https://h", id).is_err(),
            "{id:?}"
        );
    }
}
