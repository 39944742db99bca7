//! Transport security rules: https everywhere, plain http only to loopback hosts.

/// Whether `url` may receive credentials: https, or http to a loopback host (`localhost`,
/// 127.0.0.0/8, `::1`) for local emulators.
pub(crate) fn bearer_allowed(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => crate::auth::connection_string::is_loopback_host(url),
        _ => false,
    }
}

/// Parses and checks a client endpoint: an absolute https URL (http only for loopback hosts),
/// without user info, query or fragment.
pub(crate) fn parse_endpoint(endpoint: &str) -> Result<reqwest::Url, crate::Error> {
    let url = reqwest::Url::parse(endpoint.trim()).map_err(|e| {
        crate::Error::configuration(format!(
            "endpoint {endpoint:?} is not an absolute URL ({e}); expected e.g. \
             https://<resource>.communication.azure.com"
        ))
    })?;
    if !bearer_allowed(&url) {
        return Err(crate::Error::configuration(format!(
            "endpoint scheme `{}` is not supported; use https (plain http is accepted only for \
             loopback hosts: localhost, 127.0.0.0/8, ::1)",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(crate::Error::configuration("endpoint has no host"));
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(crate::Error::configuration(
            "endpoint must not carry user info, a query or a fragment; expected e.g. \
             https://<resource>.communication.azure.com",
        ));
    }
    Ok(url)
}

/// The crate's HTTP client: no global timeout (attempts are timed by the call policy), the
/// crate's user agent.
pub(crate) fn http_client(suffix: Option<&str>) -> Result<reqwest::Client, crate::Error> {
    let mut agent = format!(
        "acs-identity/{} ({}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    if let Some(s) = suffix.filter(|s| !s.is_empty()) {
        agent.push(' ');
        agent.push_str(s);
    }
    reqwest::Client::builder()
        .user_agent(agent)
        // The client retries by itself, re-signing each attempt: reqwest's own retry layer would
        // only clone every request for nothing.
        .retry(reqwest::retry::never())
        .build()
        .map_err(|e| crate::Error::configuration("could not build the HTTP client").with_source(e))
}
