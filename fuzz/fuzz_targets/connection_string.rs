//! Connection-string parsing never panics, and no error shows the access key.
#![no_main]

use acs_identity::auth::connection_string::ConnectionString;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match ConnectionString::parse(s) {
        Ok(cs) => {
            assert!(!cs.endpoint().ends_with('/'));
            assert!(!format!("{cs:?}").contains(key_of(s)));
        }
        Err(e) => {
            let key = key_of(s);
            if key.len() >= 8 {
                assert!(!e.to_string().contains(key), "error shows the key");
            }
        }
    }
});

/// The text after the last `accesskey=` (any case), or "" when none.
fn key_of(s: &str) -> &str {
    let lower = s.to_ascii_lowercase();
    match lower.rfind("accesskey=") {
        Some(i) => s[i + "accesskey=".len()..].split(';').next().unwrap_or("").trim(),
        None => "\u{0}",
    }
}
