//! What the client keeps of a response's headers: its request id and how long the service asked
//! to wait (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After` in seconds or as an HTTP date).

use std::time::Duration;

/// What the client keeps of a response's headers, for errors and retries.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
}

impl ResponseMeta {
    pub(crate) fn from_headers(status: u16, headers: &reqwest::header::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let request_id = ["x-ms-request-id", "request-id", "ms-cv"]
            .into_iter()
            .find_map(text)
            .map(str::to_owned);
        let millis = ["retry-after-ms", "x-ms-retry-after-ms"]
            .into_iter()
            .find_map(|h| text(h)?.trim().parse::<u64>().ok())
            .map(Duration::from_millis);
        let retry_after = millis.or_else(|| parse_retry_after(text("retry-after")?));
        ResponseMeta {
            status,
            request_id,
            retry_after,
        }
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            ResponseMeta::from_headers(503, &h).retry_after,
            Some(Duration::from_secs(7))
        );
        h.insert("x-ms-retry-after-ms", "250".parse().unwrap());
        assert_eq!(
            ResponseMeta::from_headers(503, &h).retry_after,
            Some(Duration::from_millis(250))
        );
        let past = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(parse_retry_after(past), Some(Duration::ZERO));
        let future = (chrono::Utc::now() + chrono::Duration::seconds(120))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let d = parse_retry_after(&future).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
