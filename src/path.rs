//! Encoding of path parameters beyond what the generated client does.
//!
//! progenitor's `encode_path` escapes `/ ? # %` and more, but leaves `:` as is. Identity ids look
//! like `8:acs:...`; the official SDKs (Python, JS, .NET) send `:` as `%3A`, which every server
//! decodes the same way, so this client does too. The template tells parameter segments from the
//! spec's literal segments (such as `/:issueAccessToken`), whose `:` must stay.

use crate::error::Error;

/// Rewrites `:` as `%3A` in the segments of `url`'s path that stand for parameters of
/// `template`, and checks that the path still has the template's shape (an id such as `..` or
/// one with `\` would be rewritten by URL normalization into another path).
pub(crate) fn encode_colons(url: &mut reqwest::Url, template: &str) -> Result<(), Error> {
    let template: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let path = url.path();
    let segments: Vec<&str> = path.split('/').collect();
    // The endpoint may carry a path prefix: only the last segments follow the template.
    let Some(split) = segments
        .len()
        .checked_sub(template.len())
        .filter(|s| *s >= 1)
    else {
        return Err(changed_path(path));
    };
    let (prefix, rest) = segments.split_at(split);
    if rest.iter().zip(&template).any(|(s, t)| {
        if t.starts_with('{') {
            s.is_empty()
        } else {
            s != t
        }
    }) {
        return Err(changed_path(path));
    }
    if !rest.iter().any(|s| s.contains(':')) {
        return Ok(());
    }
    let mut new_path = prefix.join("/");
    for (s, t) in rest.iter().zip(&template) {
        new_path.push('/');
        if t.starts_with('{') {
            new_path.push_str(&s.replace(':', "%3A"));
        } else {
            new_path.push_str(s);
        }
    }
    url.set_path(&new_path);
    Ok(())
}

fn changed_path(path: &str) -> Error {
    Error::invalid_argument(format!(
        "an identifier changed the request path to `{path}`; identifiers must not be empty, `.` or \
         `..`, and must not contain `\\`"
    ))
}

/// Checks an identifier that goes into the request path: not blank, not `.` or `..`, no `\`
/// (URL parsing would turn those into another path before the hooks see it).
pub(crate) fn check_param<'a>(name: &str, value: &'a str) -> Result<&'a str, Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!("{name} must not be empty")));
    }
    if value == "." || value == ".." || value.contains('\\') {
        return Err(Error::invalid_argument(format!(
            "{name} {value:?} cannot be sent in a URL path; it must not be `.` or `..` and must not \
             contain `\\`"
        )));
    }
    Ok(value)
}

/// The request path the client sends for an operation on identity `id` under `endpoint`: the
/// generated client's encoding followed by this module's. Exposed for property tests and fuzzing.
#[doc(hidden)]
pub fn identity_request_path(endpoint: &str, id: &str) -> Result<String, Error> {
    let id = check_param("user id", id)?;
    const TEMPLATE: &str = "/identities/{id}/:issueAccessToken";
    let url = format!(
        "{endpoint}/identities/{}/:issueAccessToken",
        progenitor_client::encode_path(id)
    );
    let mut url = reqwest::Url::parse(&url)
        .map_err(|e| Error::invalid_argument(format!("not a URL: {e}")))?;
    encode_colons(&mut url, TEMPLATE)?;
    Ok(url.path().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(url: &str, template: &str) -> Result<String, Error> {
        let mut u = reqwest::Url::parse(url).unwrap();
        encode_colons(&mut u, template).map(|()| u.path().to_owned())
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
