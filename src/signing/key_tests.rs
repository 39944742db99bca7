use super::*;
use crate::signing::host_header;
use crate::signing::test_support::{array, key, s, sign, sts, vectors, verify};

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
#[allow(unsafe_code, reason = "reads what the destructor left in place")]
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
