use super::*;
use crate::signing::test_support::{array, key, s, sign, sts, vectors};

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
