//! Step 2 of each try: what the generated client encodes differently from the official SDKs.
//!
//! progenitor's `encode_path` escapes `/ ? # %` and more, but leaves `:` as is. Identity ids look
//! like `8:acs:...`; the official SDKs (Python, JS, .NET) send `:` as `%3A`, which every server
//! decodes the same way, so this client does too. The template tells parameter segments from the
//! spec's literal segments (such as `/:issueAccessToken`), whose `:` must stay.

use crate::error::Error;
use crate::spec::Operation;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};

/// The most parameters a path template may have (the spec's have at most two).
pub(crate) const MAX_PATH_PARAMS: usize = 8;

/// Rewrites `:` as `%3A` in the segments of `url`'s path that stand for parameters of
/// `template`, and checks that the path still has the template's shape (an id such as `..` or
/// one with `\` would be rewritten by URL normalization into another path).
///
/// One backward pass over the path; the URL is only rewritten when a parameter holds a `:`.
pub(crate) fn encode_colons(url: &mut reqwest::Url, template: &str) -> Result<(), Error> {
    let path = url.path();
    // Byte ranges in `path` of the parameter segments that hold a `:` (with the `/` before
    // them), last segment first.
    let mut found = [(0usize, 0usize); MAX_PATH_PARAMS];
    let mut n = 0;
    // Compare the path's last segments with the template's, from the end: the endpoint may
    // carry a path prefix before them. `end` is where the segment being compared ends.
    let mut end = path.len();
    for t in template.rsplit('/').take_while(|t| !t.is_empty()) {
        let Some(slash) = path[..end].rfind('/') else {
            return Err(changed_path(path));
        };
        let s = &path[slash + 1..end];
        if t.starts_with('{') {
            if s.is_empty() {
                return Err(changed_path(path));
            }
            if s.contains(':') {
                let Some(slot) = found.get_mut(n) else {
                    return Err(changed_path(path));
                };
                *slot = (slash, end);
                n += 1;
            }
        } else if s != t {
            return Err(changed_path(path));
        }
        end = slash;
    }
    if n == 0 {
        return Ok(());
    }
    let colons = found[..n]
        .iter()
        .map(|&(a, b)| path[a..b].bytes().filter(|&c| c == b':').count())
        .sum::<usize>();
    let mut new_path = String::with_capacity(path.len() + 2 * colons);
    let mut copied = 0;
    for &(a, b) in found[..n].iter().rev() {
        new_path.push_str(&path[copied..a]);
        for (k, part) in path[a..b].split(':').enumerate() {
            if k > 0 {
                new_path.push_str("%3A");
            }
            new_path.push_str(part);
        }
        copied = b;
    }
    new_path.push_str(&path[copied..]);
    debug_assert_eq!(
        new_path.len(),
        path.len() + 2 * colons,
        "the capacity was exact"
    );
    url.set_path(&new_path);
    Ok(())
}

fn changed_path(path: &str) -> Error {
    Error::invalid_argument(format!(
        "an identifier changed the request path to `{path}`; identifiers must not be empty, `.` or \
         `..`, and must not contain `\\`"
    ))
}

/// Checks an identifier that goes into the request path before anything is sent: not blank,
/// no leading or trailing whitespace (the service would look up another id and answer 404), at
/// most [`MAX_ID_LEN`](crate::CommunicationUserIdentifier::MAX_ID_LEN) bytes (far longer than any
/// id of the service; a much longer one cannot be sent at all), not `.` or `..`, no `\` (URL
/// parsing would turn those into another path before the hooks see it).
pub(crate) fn check_param<'a>(name: &str, value: &'a str) -> Result<&'a str, Error> {
    let max = crate::CommunicationUserIdentifier::MAX_ID_LEN;
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!("{name} must not be empty")));
    }
    if value.len() > max {
        return Err(Error::invalid_argument(format!(
            "{name} is {} bytes long; an identifier sent in the request path may have at most \
             {max} bytes (the service's ids have about 90)",
            value.len()
        )));
    }
    if value.trim() != value {
        return Err(Error::invalid_argument(format!(
            "{name} {value:?} starts or ends with whitespace; no identifier of the service does \
             (was it copied with a space or a line break?)"
        )));
    }
    if value == "." || value == ".." || value.contains('\\') {
        return Err(Error::invalid_argument(format!(
            "{name} {value:?} cannot be sent in a URL path; it must not be `.` or `..` and must not \
             contain `\\`"
        )));
    }
    Ok(value)
}

/// Sends no body for an operation whose body is optional when it serializes to `{}`,
/// `Content-Length: 0` for a POST or PUT without a body, as the official SDKs do (some front
/// ends answer 411 otherwise), and a merge-patch body with its content type (adjustment
/// `merge-patch-as-json`).
pub(crate) fn body(request: &mut reqwest::Request, op: &Operation) {
    if op.merge_patch && request.body().is_some() {
        request.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/merge-patch+json"),
        );
    }
    if op.optional_body && request.body().and_then(|b| b.as_bytes()) == Some(b"{}".as_slice()) {
        *request.body_mut() = None;
        request.headers_mut().remove(CONTENT_TYPE);
    }
    if request.body().is_none() && matches!(op.method, "POST" | "PUT") {
        request
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(url: &str, template: &str) -> Result<String, Error> {
        let mut u = reqwest::Url::parse(url).unwrap();
        encode_colons(&mut u, template).map(|()| u.path().to_owned())
    }

    #[test]
    fn ids_that_cannot_be_sent_are_refused() {
        let refused = |value: &str| check_param("user id", value).unwrap_err().to_string();
        assert_eq!(refused(""), "invalid argument: user id must not be empty");
        assert_eq!(
            refused(" \t"),
            "invalid argument: user id must not be empty"
        );
        for value in [".", "..", "a\\b", "\\"] {
            assert!(
                refused(value).contains("cannot be sent in a URL path"),
                "{value:?}"
            );
        }
        for value in [" a", "a ", "a\n", "\u{3000}a"] {
            assert!(
                refused(value).contains("starts or ends with whitespace"),
                "{value:?}"
            );
        }
        let max = crate::CommunicationUserIdentifier::MAX_ID_LEN;
        assert_eq!(
            refused(&"a".repeat(max + 1)),
            "invalid argument: user id is 1025 bytes long; an identifier sent in the request \
             path may have at most 1024 bytes (the service's ids have about 90)"
        );
        // A long id with surrounding whitespace is refused for its length first.
        assert!(refused(&format!(" {}", "a".repeat(max))).contains("1025 bytes"));
        for value in [
            "8:acs:r_u",
            "...",
            ".a",
            "a.",
            "a b",
            "/?#%",
            &"a".repeat(max),
        ] {
            assert_eq!(check_param("user id", value).unwrap(), value);
        }
    }

    #[test]
    fn colons_in_parameters_only() {
        let t = "/identities/{id}/:issueAccessToken";
        assert_eq!(
            encode("https://h/identities/8:acs:x/:issueAccessToken", t).unwrap(),
            "/identities/8%3Aacs%3Ax/:issueAccessToken"
        );
        assert_eq!(
            encode("https://h/pre/fix/identities/a:b/:issueAccessToken", t).unwrap(),
            "/pre/fix/identities/a%3Ab/:issueAccessToken"
        );
        assert_eq!(
            encode("https://h/identities", "/identities").unwrap(),
            "/identities"
        );
    }

    #[test]
    fn colons_in_every_parameter_and_nowhere_else() {
        let t = "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}";
        assert_eq!(
            encode(
                "https://h/p:q/access/teamsExtension/tenants/a:b:c/assignments/d:e",
                t
            )
            .unwrap(),
            "/p:q/access/teamsExtension/tenants/a%3Ab%3Ac/assignments/d%3Ae"
        );
        assert_eq!(
            encode(
                "https://h/access/teamsExtension/tenants/ab/assignments/:d",
                t
            )
            .unwrap(),
            "/access/teamsExtension/tenants/ab/assignments/%3Ad"
        );
        // The query is kept as it is.
        let mut u = reqwest::Url::parse("https://h/identities/a:b?x=c:d").unwrap();
        encode_colons(&mut u, "/identities/{id}").unwrap();
        assert_eq!(u.as_str(), "https://h/identities/a%3Ab?x=c:d");
    }

    #[test]
    fn templates_of_the_spec_fit() {
        for op in crate::spec::OPERATIONS {
            let params = op.path.matches('{').count();
            assert!(
                params <= MAX_PATH_PARAMS,
                "{}: {params} parameters",
                op.path
            );
        }
    }

    #[test]
    fn shorter_paths_are_refused() {
        let t = "/identities/{id}/:issueAccessToken";
        for url in [
            "https://h/",
            "https://h/:issueAccessToken",
            "https://h/x/:issueAccessToken",
        ] {
            assert!(encode(url, t).is_err(), "{url}");
        }
    }

    #[test]
    fn normalized_paths_are_refused() {
        let t = "/identities/{id}/:revokeAccessTokens";
        // What `..`, `.` and `\` ids turn into once the URL is parsed.
        for url in [
            "https://h/identities/../:revokeAccessTokens",
            "https://h/identities/./:revokeAccessTokens",
            "https://h/identities/a\\b/:revokeAccessTokens",
        ] {
            assert!(encode(url, t).is_err(), "{url}");
        }
    }
}
