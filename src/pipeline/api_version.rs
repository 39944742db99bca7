//! Step 1 of each try: `api-version` as the query, not as the header progenitor adds.

use reqwest::header::HeaderName;
use std::borrow::Cow;

static API_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

/// `api-version=<version>` as `query_pairs_mut().append_pair` writes it; computed once per
/// client.
pub(crate) fn query(version: &str) -> String {
    let mut url = reqwest::Url::parse("http://localhost/").expect("a constant, valid URL");
    url.query_pairs_mut().append_pair("api-version", version);
    url.query().unwrap_or_default().to_owned()
}

/// Removes progenitor's `api-version` header and sets `query` (from [`query`]) as the query,
/// after any query the request already has.
pub(crate) fn apply(request: &mut reqwest::Request, query: &str) {
    request.headers_mut().remove(&API_VERSION_HEADER);
    let url = request.url_mut();
    let full = match url.query() {
        Some(q) if !q.is_empty() => Cow::Owned(format!("{q}&{query}")),
        _ => Cow::Borrowed(query),
    };
    url.set_query(Some(&full));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_form_encoded_once() {
        assert_eq!(query("2026-09-23"), "api-version=2026-09-23");
        assert_eq!(query("a b&c=d"), "api-version=a+b%26c%3Dd");
        // Setting it as the query keeps it byte for byte (what is signed is what is sent), and
        // after an existing query it reads as `append_pair` would have written it.
        let mut url = reqwest::Url::parse("https://h/identities").unwrap();
        url.set_query(Some(&query("a b&c=d")));
        assert_eq!(url.as_str(), "https://h/identities?api-version=a+b%26c%3Dd");
        let mut appended = reqwest::Url::parse("https://h/x?k=v").unwrap();
        appended
            .query_pairs_mut()
            .append_pair("api-version", "a b&c=d");
        let mut request = reqwest::Request::new(
            reqwest::Method::GET,
            reqwest::Url::parse("https://h/x?k=v").unwrap(),
        );
        request
            .headers_mut()
            .insert("api-version", "2026-09-23".parse().unwrap());
        apply(&mut request, &query("a b&c=d"));
        assert_eq!(request.url().as_str(), appended.as_str());
        assert!(request.headers().get("api-version").is_none());
    }

    #[test]
    fn apply_appends_to_a_query_and_replaces_an_empty_one() {
        let version = query("2026-09-23");
        for (url, expected) in [
            ("https://h/p", "https://h/p?api-version=2026-09-23"),
            ("https://h/p?", "https://h/p?api-version=2026-09-23"),
            ("https://h/p?a=1", "https://h/p?a=1&api-version=2026-09-23"),
        ] {
            let mut request =
                reqwest::Request::new(reqwest::Method::GET, reqwest::Url::parse(url).unwrap());
            apply(&mut request, &version);
            assert_eq!(request.url().as_str(), expected);
        }
    }
}
