//! The emulator's request handling under hostile input: raw bytes through its HTTP server
//! (`acs_identity_emulator::fuzzing::serve_bytes`, the entry point of the fuzz target
//! `emulator_request`): crafted cases, and thousands of generated ones, signed or not. Each gets
//! an HTTP answer (or a closed connection for bytes that are not HTTP), never a panic, never a
//! 5xx.

use acs_identity::spec::{API_VERSIONS, OPERATIONS};
use acs_identity_emulator::fuzzing::{serve_bytes, signed_request as signed};

/// The status of an answer: `None` for a connection closed without one.
fn status(answer: &[u8]) -> Option<u16> {
    if answer.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(answer);
    let line = text.lines().next().unwrap_or_default();
    // An HTTP/1.0 request is answered in HTTP/1.0.
    let code = line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| line.strip_prefix("HTTP/1.0 "))
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    Some(
        code[..3]
            .parse()
            .unwrap_or_else(|_| panic!("no status: {line:?}")),
    )
}

fn assert_answered(input: &[u8]) -> Option<u16> {
    let answer = serve_bytes(input);
    let status = status(&answer);
    if let Some(code) = status {
        assert!(
            code < 500,
            "{code} for {:?}: {}",
            String::from_utf8_lossy(&input[..input.len().min(300)]),
            String::from_utf8_lossy(&answer)
        );
    }
    status
}

#[test]
fn crafted_inputs_are_answered() {
    let cases: Vec<&[u8]> = vec![
        b"",
        b"\r\n\r\n",
        b"\x00\xff\xfe garbage",
        b"GET",
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        b"BREW /identities HTTP/1.1\r\nHost: h\r\n\r\n",
        b"POST /identities?api-version=%ZZ HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        b"POST /identities/%FF%FE/:issueAccessToken?api-version=2023-10-01 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        b"POST /identities HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab",
        b"POST /identities HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        b"POST /identities HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST /identities HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nHost: h\r\nAuthorization: HMAC-SHA256 SignedHeaders=&Signature=\r\nContent-Length: 0\r\n\r\n",
        b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer a.b.c\r\nContent-Length: 0\r\n\r\n",
        b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nHost: h\r\nAuthorization: \xff\r\nContent-Length: 0\r\n\r\n",
        b"POST /adfs/oauth2/token HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\n\xff\xfe=&&%%=",
        b"POST /adfs/oauth2/token HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\ngrant_type=password&client_id=c&username=&password",
        b"GET /common/userrealm/%F0%9F HTTP/1.1\r\nHost: h\r\n\r\n",
        b"POST /emulator/entra/token HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n{\"scopes\":7}",
        b"GET /adfs/.well-known/openid-configuration HTTP/1.1\r\n\r\n",
        // Found by the fuzz target: HTTP/1.0 is answered in HTTP/1.0.
        b"POST /adfs$$$$/oauth2/tok]en HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
        // Pipelined: two requests on one connection, both answered.
        b"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n",
    ];
    for case in cases {
        assert_answered(case);
    }
    // A body cut short by a client that then closes its side: 400, not 413.
    let cut = serve_bytes(b"POST /identities HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab");
    assert_eq!(status(&cut), Some(400), "{}", String::from_utf8_lossy(&cut));
    // A signed request reaches its operation: a user is created.
    let created = serve_bytes(&signed(
        "POST",
        &format!("/identities?api-version={}", API_VERSIONS[0]),
        b"{}",
    ));
    assert_eq!(
        status(&created),
        Some(201),
        "{}",
        String::from_utf8_lossy(&created)
    );
    // A body of 100 KiB is well within the 1 MiB limit.
    let mut large = b"{}".to_vec();
    large.resize(100 * 1024, b' ');
    let created = serve_bytes(&signed(
        "POST",
        &format!("/identities?api-version={}", API_VERSIONS[0]),
        &large,
    ));
    assert_eq!(
        status(&created),
        Some(201),
        "{}",
        String::from_utf8_lossy(&created)
    );
    // Signed, so that the operations read the bodies.
    let version = API_VERSIONS[API_VERSIONS.len() - 1];
    for body in [
        &b"not json"[..],
        b"[]",
        b"null",
        b"{\"createTokenWithScopes\": 5}",
        b"{\"createTokenWithScopes\": [\"chat\", null], \"expiresInMinutes\": 1e99}",
        b"{\"customId\": {\"a\": 1}}",
        b"{\"scopes\": [\"\\ud800\"]}",
        b"{\"expiresInMinutes\": -9223372036854775808}",
    ] {
        for op in OPERATIONS {
            let path = op
                .path
                .replace("{id}", "8:acs:fuzz_u")
                .replace(['{', '}'], "");
            let target = format!("{path}?api-version={version}");
            assert_answered(&signed(op.method, &target, body));
        }
    }
}

/// Generated requests: every operation's method and path with random segments, random query,
/// headers and bodies, signed or not (a xorshift generator with a fixed seed: the same cases on
/// every run).
#[test]
fn generated_inputs_are_answered() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces = [
        "",
        "x",
        "8:acs:fuzz_u",
        "8%3Aacs%3Afuzz_u",
        "%",
        "%2F",
        "..",
        ":issueAccessToken",
        "\u{1F600}",
        "a b",
        "{id}",
    ];
    let bodies = [
        "",
        "{}",
        "{",
        "[1,2]",
        "{\"scopes\":[\"chat\"]}",
        "{\"customId\":\"\"}",
        "{\"token\":\"\",\"appId\":\"\",\"userId\":\"\"}",
        "{\"a\":null}",
        "\"s\"",
        "{\"principalType\":\"user\",\"clientIds\":[\"c\"],\"tenantId\":\"t\"}",
        "grant_type=client_credentials&client_id=c&client_secret=s&scope=x",
    ];
    let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    let mut answered = 0;
    let mut unanswered = Vec::new();
    for _ in 0..3000 {
        let op = &OPERATIONS[(next() as usize) % OPERATIONS.len()];
        let method = if next() % 4 == 0 {
            methods[(next() as usize) % methods.len()]
        } else {
            op.method
        };
        let path: String = op
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') || next() % 8 == 0 {
                    pieces[(next() as usize) % pieces.len()].to_owned()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let query = match next() % 5 {
            0 => String::new(),
            1 => "?api-version=2023-10-1".to_owned(),
            2 => format!("?api-version={}&$skipToken=%FF", API_VERSIONS[0]),
            _ => format!(
                "?api-version={}",
                API_VERSIONS[(next() as usize) % API_VERSIONS.len()]
            ),
        };
        let body = bodies[(next() as usize) % bodies.len()].as_bytes();
        let target = format!("{path}{query}");
        let input = if next() % 3 == 0 {
            format!(
                "{method} {target} HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes()
            .into_iter()
            .chain(body.iter().copied())
            .collect()
        } else {
            signed(method, &target, body)
        };
        if assert_answered(&input).is_some() {
            answered += 1;
        } else if unanswered.len() < 3 {
            unanswered.push(String::from_utf8_lossy(&input).into_owned());
        }
    }
    // Request targets that are not valid HTTP (a space, an emoji) are closed by hyper with 400;
    // the rest reach the emulator: nearly all are answered.
    assert!(
        answered > 2900,
        "{answered} of 3000 answered; e.g. {unanswered:#?}"
    );
}
