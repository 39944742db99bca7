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

/// Parses and checks a client endpoint with the connection string's rules
/// ([`check_endpoint`](crate::auth::connection_string::check_endpoint)), except that a path
/// prefix is allowed.
pub(crate) fn parse_endpoint(endpoint: &str) -> Result<reqwest::Url, crate::Error> {
    let url = reqwest::Url::parse(endpoint.trim()).map_err(|e| {
        crate::Error::configuration(format!(
            "endpoint {endpoint:?} is not an absolute URL ({e}); expected e.g. \
             https://<resource>.communication.azure.com"
        ))
    })?;
    crate::auth::connection_string::check_endpoint(&url)
        .map_err(|e| crate::Error::configuration(e.detail()))?;
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
        // The client retries by itself, re-signing each attempt. reqwest's retry layer is
        // always there; with no retry allowed per request it does not clone every request
        // (`never()` alone still does).
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .build()
        .map_err(|e| crate::Error::configuration("could not build the HTTP client").with_source(e))
}
