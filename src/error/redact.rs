//! What an error shows of text it did not write (the causes' messages): on one line, bounded in
//! length, and without tokens.

/// The longest text of causes an error message shows; longer text is cut, with `…`.
pub(crate) const MAX_CAUSE_LEN: usize = 300;

/// What replaces a secret in a message.
const REDACTED: &str = "<redacted>";

/// The messages of `first` and the errors below it, outermost first, joined by `: ` as one
/// line, as [`shown`] shows it. Left out: a message that the one above it already contains, and
/// hyper's wrappers `client error (Connect)` and the like, which say nothing the next does not.
pub(crate) fn causes(first: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut last = String::new();
    let mut next = Some(first);
    while let Some(e) = next {
        let text = e.to_string();
        let wrapper = text
            .strip_prefix("client error (")
            .and_then(|rest| rest.strip_suffix(')'))
            .is_some_and(|inner| !inner.contains(' '));
        if !text.trim().is_empty() && !last.contains(text.trim()) && !wrapper {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(text.trim());
            last = text;
        }
        next = e.source();
    }
    shown(&out)
}

/// `text` as an error message may show it: on one line, at most [`MAX_CAUSE_LEN`]
/// characters, with every word shaped like a JSON Web Token (`eyJ…` with two dots, as Entra ID
/// and Communication Services tokens are) and the word after `Bearer ` replaced by
/// `<redacted>`.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CAUSE_LEN));
    let mut rest = text;
    let mut word_start = true;
    while let Some(c) = rest.chars().next() {
        if word_start {
            let jwt = jwt_len(rest);
            if jwt > 0 {
                out.push_str(REDACTED);
                // At least one character, whatever `jwt_len` says: the loop always moves on.
                rest = &rest[jwt.max(c.len_utf8())..];
                continue;
            }
            if rest.len() > 7
                && rest
                    .get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
            {
                let word_at = rest.len()
                    - rest[7..]
                        .trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                        .len();
                out.extend(rest[..word_at].chars().map(printable));
                rest = &rest[word_at..];
                let word = rest
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                    .unwrap_or(rest.len());
                out.push_str(REDACTED);
                rest = &rest[word..];
                continue;
            }
        }
        out.push(printable(c));
        word_start = !c.is_alphanumeric();
        rest = &rest[c.len_utf8()..];
    }
    if let Some((cut, _)) = out.char_indices().nth(MAX_CAUSE_LEN) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// `c`, or a space for a control character (a line break, a tab).
fn printable(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// The length of the JSON Web Token `text` starts with, or 0.
fn jwt_len(text: &str) -> usize {
    if !text.starts_with("eyJ") {
        return 0;
    }
    let len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
        .unwrap_or(text.len());
    if text[..len].matches('.').count() >= 2 {
        len
    } else {
        0
    }
}

#[cfg(test)]
#[path = "redact_tests.rs"]
pub(super) mod tests;
