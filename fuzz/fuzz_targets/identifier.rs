//! An identifier either goes into exactly one path segment, decoding back to itself, or is
//! refused; it never changes the path around it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(id) = std::str::from_utf8(data) else {
        return;
    };
    let user = acs_identity::CommunicationUserIdentifier::new(id);
    let Ok(path) = acs_identity::identity_request_path("https://x.communication.azure.com", user.id())
    else {
        return;
    };
    let segments: Vec<&str> = path.split('/').collect();
    assert_eq!(segments.len(), 4, "{id:?} -> {path}");
    assert_eq!((segments[1], segments[3]), ("identities", ":issueAccessToken"));
    assert!(!segments[2].contains([':', '/', '?', '#']));
    assert_eq!(percent_decode(segments[2]), id.as_bytes());
});

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}
