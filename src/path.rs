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
    let path = url.path();
    // Compare the path's last segments with the template's, from the end: the endpoint may
    // carry a path prefix before them.
    let mut segments = path.rsplit('/');
    let mut colons = false;
    for t in template.rsplit('/').take_while(|t| !t.is_empty()) {
        let Some(s) = segments.next() else {
            return Err(changed_path(path));
        };
        if t.starts_with('{') {
            if s.is_empty() {
                return Err(changed_path(path));
            }
            colons |= s.contains(':');
        } else if s != t {
            return Err(changed_path(path));
        }
    }
    // What remains is the prefix, which starts with the empty text before the first `/`.
    if segments.next().is_none() {
        return Err(changed_path(path));
    }
    if !colons {
        return Ok(());
    }
    let template_len = template.trim_start_matches('/').split('/').count();
    let prefix_len = path.split('/').count() - template_len;
    let mut new_path = String::with_capacity(path.len() + 16);
    for (i, (s, t)) in path
        .split('/')
        .zip(std::iter::repeat_n("", prefix_len).chain(template.trim_start_matches('/').split('/')))
        .enumerate()
    {
        if i > 0 {
            new_path.push('/');
        }
        if t.starts_with('{') {
            for (k, part) in s.split(':').enumerate() {
                if k > 0 {
                    new_path.push_str("%3A");
                }
                new_path.push_str(part);
            }
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
