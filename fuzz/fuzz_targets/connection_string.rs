//! Connection-string parsing never panics, and no error shows the access key.
#![no_main]

use acs_identity::ConnectionString;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let result = ConnectionString::parse(s);
    if let Ok(cs) = &result {
        assert!(!cs.endpoint().ends_with('/'));
    }
    // Only text that could be a real key (fixed help texts name `accesskey=` too).
    let key = key_of(s);
    let base64_like = key.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
    if key.len() >= 16 && base64_like {
        let shown = match &result {
            Ok(cs) => format!("{cs:?}"),
            Err(e) => format!("{e} {e:?}"),
        };
        assert!(!shown.contains(key), "the key is shown: {shown}");
    }
});

/// The value of the `accesskey` segment (any case), when it occurs exactly once in the input
/// (a value that also appears elsewhere, e.g. inside an unknown key's name, proves nothing);
/// "\0" when none.
fn key_of(s: &str) -> &str {
    for segment in s.split(';') {
        if let Some((name, value)) = segment.split_once('=') {
            let value = value.trim();
            if name.trim().eq_ignore_ascii_case("accesskey") && s.matches(value).count() == 1 {
                return value;
            }
        }
    }
    "\u{0}"
}
