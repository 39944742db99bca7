//! Property tests: signing agrees with verification and with an independent implementation;
//! connection-string parsing never panics; ids never leave their path segment.

use crate::common;

use acs_identity::signing::{SignableRequest, SignatureHeaders, VerifyError, host_header};
use acs_identity::{
    AccessKey, CommunicationIdentityClient, CommunicationTokenScope, CommunicationUserIdentifier,
    ConnectionString, ErrorKind,
};
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
        let sent = SignableRequest::new(method, &target, &host).with_body(&body);
        let signed = access_key.sign(&sent, date);
        let (hash, signature) = independent_signature(&key, method, &target, &host, date, &body);
        prop_assert_eq!(&signed.content_hash, &hash);
        prop_assert_eq!(
            &signed.authorization,
            &format!("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}")
        );
        // What the emulator runs on every request.
        let received = SignatureHeaders { date: date.to_owned(), content_hash: hash.clone(), authorization: signed.authorization.clone() };
        prop_assert_eq!(access_key.verify(&sent, &received), Ok(()));
        let mut tampered = body.clone();
        tampered.push(0);
        prop_assert_eq!(
            access_key.verify(&sent.with_body(&tampered), &received),
            Err(VerifyError::ContentHashMismatch)
        );
        let other_target = format!("{target}x");
        prop_assert_eq!(
            access_key.verify(&SignableRequest::new(method, &other_target, &host).with_body(&body), &received),
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
        match sent_path(&id) {
            Ok(path) => {
                let segments: Vec<&str> = path.split('/').collect();
                prop_assert_eq!(segments.len(), 4, "{:?} -> {}", id, path);
                prop_assert_eq!(segments[1], "identities");
                prop_assert_eq!(segments[3], ":issueAccessToken");
                prop_assert!(!segments[2].contains(':'));
                let decoded = percent_decode(segments[2]);
                prop_assert_eq!(decoded, id);
            }
            // Refused: ids that URL normalization would rewrite, blank ids, ids with whitespace
            // around them, and ids longer than `CommunicationUserIdentifier::MAX_ID_LEN`.
            Err(()) => prop_assert!(id.trim() != id || id.trim().is_empty() || id.len() > 1024 || id == "." || id == ".." || id.contains('\\'), "{:?}", id),
        }
    }
}

/// The request path (without the query) the client sends to issue a token for user `id`, taken
/// from the bytes a local server received; `Err` when the client refused the id and sent nothing.
fn sent_path(id: &str) -> Result<String, ()> {
    use std::sync::OnceLock;
    static SERVER: OnceLock<(tokio::runtime::Runtime, common::mock::MockServer)> = OnceLock::new();
    let (runtime, server) = SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(common::mock::MockServer::start(Vec::new()));
        (runtime, server)
    });
    // One request at a time: the tests of this file run in parallel and share the server.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let client = CommunicationIdentityClient::from_connection_string(
        &server.connection_string(),
        common::no_retries(),
    )
    .unwrap();
    let before = server.requests().len();
    let user = CommunicationUserIdentifier::new(id);
    let result = runtime.block_on(client.get_token(&user, &[CommunicationTokenScope::Chat], None));
    let requests = server.requests();
    if requests.len() == before {
        let error = result.expect_err("no request, no answer");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
        return Err(());
    }
    let target = requests.last().unwrap().target.clone();
    Ok(target.split('?').next().unwrap().to_owned())
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
        let path = sent_path(id).unwrap();
        assert_eq!(path, format!("/identities/{segment}/:issueAccessToken"));
    }
    for id in ["", ".", "..", "a\\..\\b"] {
        assert!(sent_path(id).is_err(), "{id:?}");
    }
}
