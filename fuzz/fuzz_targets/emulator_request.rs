//! The emulator's request handling, from raw bytes on a connection: its HTTP server, routing,
//! authentication, operations and token endpoints. Every input gets an HTTP answer, or a
//! closed connection (bytes that are not HTTP); never a panic, never a 5xx.
//!
//! The first byte picks how the rest is sent: as raw bytes (odd), or (even) as the body of a
//! request signed with the emulator's access key, to an operation's path the next bytes pick,
//! so that inputs get past authentication into the operations.
#![no_main]

use acs_identity::spec::{API_VERSIONS, OPERATIONS};
use acs_identity_emulator::fuzzing::{serve_bytes, signed_request};
use libfuzzer_sys::fuzz_target;

fn signed(data: &[u8]) -> Vec<u8> {
    let (pick, body) = data.split_first().unwrap_or((&0, &[]));
    let op = &OPERATIONS[usize::from(*pick) % OPERATIONS.len()];
    let version = API_VERSIONS[usize::from(*pick / 16) % API_VERSIONS.len()];
    let path = op
        .path
        .replace("{id}", "8:acs:fuzz_u")
        .replace(['{', '}'], "");
    signed_request(op.method, &format!("{path}?api-version={version}"), body)
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let input = if mode % 2 == 1 {
        rest.to_vec()
    } else {
        signed(rest)
    };
    let answer = serve_bytes(&input);
    if answer.is_empty() {
        return;
    }
    // An HTTP/1.0 request is answered in HTTP/1.0.
    assert!(
        answer.starts_with(b"HTTP/1.1 ") || answer.starts_with(b"HTTP/1.0 "),
        "not HTTP: {:?}",
        String::from_utf8_lossy(&answer)
    );
    let status = &answer[9..12];
    assert!(
        status[0] != b'5',
        "a 5xx for {:?}",
        String::from_utf8_lossy(&input)
    );
});
