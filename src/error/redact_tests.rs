use super::*;
use std::fmt;

/// An error of a chain of causes, for the tests (here and in the error type's).
#[derive(Debug)]
pub(crate) struct Layer(pub(crate) &'static str, pub(crate) Option<Box<Layer>>);

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Layer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.1
            .as_deref()
            .map(|l| l as &(dyn std::error::Error + 'static))
    }
}

fn chain(messages: &[&'static str]) -> Layer {
    let mut layer: Option<Box<Layer>> = None;
    for m in messages.iter().rev() {
        layer = Some(Box::new(Layer(m, layer)));
    }
    *layer.expect("at least one message")
}

#[test]
fn causes_name_each_layer_once() {
    assert_eq!(causes(&chain(&["a"])), "a");
    assert_eq!(causes(&chain(&["a", "b", "c"])), "a: b: c");
    // hyper's wrappers and empty messages are left out.
    assert_eq!(
        causes(&chain(&[
            "client error (Connect)",
            "tcp connect error",
            "refused"
        ])),
        "tcp connect error: refused"
    );
    assert_eq!(causes(&chain(&["client error (SendRequest)", ""])), "");
    assert_eq!(
        causes(&chain(&["client error (a b)", "x"])),
        "client error (a b): x"
    );
    assert_eq!(
        causes(&chain(&["client error (X", "y"])),
        "client error (X: y"
    );
    assert_eq!(causes(&chain(&["  ", "x "])), "x");
    // A message the one above already contains is given once.
    assert_eq!(
        causes(&chain(&["io failed: reset", "reset", "deep"])),
        "io failed: reset: deep"
    );
    assert_eq!(causes(&chain(&["reset", "reset"])), "reset");
    // Only the one right above counts.
    assert_eq!(causes(&chain(&["x", "y", "x"])), "x: y: x");
    // What is shown is cleaned like any message.
    assert_eq!(causes(&chain(&["a\nb"])), "a b");
}

#[test]
fn shown_redacts_tokens_and_bounds_length() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_-nature=";
    assert_eq!(shown(jwt), "<redacted>");
    assert_eq!(
        shown(&format!("token {jwt}, expired")),
        "token <redacted>, expired"
    );
    assert_eq!(shown(&format!("\"{jwt}\"")), "\"<redacted>\"");
    // One dot is not a token; inside a word is not a token.
    assert_eq!(shown("eyJhbGci.only"), "eyJhbGci.only");
    assert_eq!(shown(&format!("xy{jwt}")), format!("xy{jwt}"));
    assert_eq!(shown("eyJ"), "eyJ");
    assert_eq!(jwt_len("eyJa.b.cc d"), 9);
    assert_eq!(jwt_len("eyJa.b"), 0);
    assert_eq!(jwt_len("eyJa.b.c"), 8);
    assert_eq!(jwt_len("xeyJa.b.c"), 0);
    // The word after `Bearer `.
    assert_eq!(
        shown("Authorization: Bearer abc.def"),
        "Authorization: Bearer <redacted>"
    );
    assert_eq!(shown("bearer abc def"), "bearer <redacted> def");
    assert_eq!(shown("BEARER 'abc'"), "BEARER '<redacted>'");
    assert_eq!(shown("Bearer "), "Bearer ");
    assert_eq!(shown("Bearer \"abc\""), "Bearer \"<redacted>\"");
    assert_eq!(shown("Bearer  \t abc"), "Bearer    <redacted>");
    assert_eq!(shown("unbearer abc"), "unbearer abc");
    assert_eq!(shown("Bearers abc"), "Bearers abc");
    assert_eq!(shown("Beaeré abc"), "Beaeré abc");
    // Control characters become spaces; other text is kept.
    assert_eq!(shown("a\r\nb\tc é"), "a  b c é");
    // Long text is cut at MAX_CAUSE_LEN characters.
    let long = "é".repeat(MAX_CAUSE_LEN + 1);
    let cut = shown(&long);
    assert_eq!(cut.chars().count(), MAX_CAUSE_LEN + 1);
    assert!(cut.ends_with("é…"));
    let exact = "é".repeat(MAX_CAUSE_LEN);
    assert_eq!(shown(&exact), exact);
}

proptest::proptest! {
    #[test]
    fn shown_never_panics_and_keeps_one_bounded_line(text in ".*", tail in "\\PC*") {
        let out = shown(&format!("{text}Bearer {tail}"));
        proptest::prop_assert!(!out.chars().any(char::is_control), "{:?}", out);
        proptest::prop_assert!(out.chars().count() <= MAX_CAUSE_LEN + 1);
    }
}
