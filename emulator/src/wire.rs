//! Wire formats: percent-decoding of path segments and query parameters, the service's
//! timestamp format, JSON bodies.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// Decodes `%XX` escapes. `None` when an escape is cut short or not hex, or the result is not
/// UTF-8. (`+` is kept: it only means a space in form bodies.)
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Encodes every byte but the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - . _ ~`) as
/// `%XX`, for a query parameter's value.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first value of query parameter `name` (names and values percent-decoded).
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key)? == name).then(|| percent_decode(value))?
    })
}

/// The fields of an `application/x-www-form-urlencoded` body (OAuth 2.0 token requests), in
/// order: `+` is a space, names and values percent-decoded; a pair that is not valid
/// percent-encoding is left out.
pub(crate) fn form_fields(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode(&s.replace('+', " "));
            Some((decode(key)?, decode(value)?))
        })
        .collect()
}

/// Formats an instant like the service: seven fractional digits and `+00:00`, e.g.
/// `2026-11-28T18:00:00.1234567+00:00`.
pub(crate) fn service_time(t: DateTime<Utc>) -> String {
    let ticks = (t.timestamp_subsec_nanos() / 100).min(9_999_999);
    format!("{}.{ticks:07}+00:00", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// Formats an instant in whole seconds with `+00:00`, as the service writes
/// `lastTokenIssuedAt`, e.g. `2025-04-14T15:32:27+00:00`.
pub(crate) fn service_time_seconds(t: DateTime<Utc>) -> String {
    format!("{}+00:00", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// Truncates an instant to the service's precision (100 ns).
pub(crate) fn to_ticks(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.timestamp_subsec_nanos();
    t - chrono::Duration::nanoseconds(i64::from(nanos % 100))
}

/// Serializes a response model compactly, with every `expiresOn` and `lastTokenIssuedAt` in the
/// service's formats.
pub(crate) fn json_body(value: &impl Serialize) -> Vec<u8> {
    let mut value = serde_json::to_value(value).expect("response models serialize");
    rewrite_times(&mut value);
    serde_json::to_vec(&value).expect("JSON values serialize")
}

fn rewrite_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let format: Option<fn(DateTime<Utc>) -> String> = match key.as_str() {
                    "expiresOn" => Some(service_time),
                    "lastTokenIssuedAt" => Some(service_time_seconds),
                    _ => None,
                };
                let time = format.zip(
                    v.as_str()
                        .and_then(|s| DateTime::parse_from_rfc3339(s).ok()),
                );
                match time {
                    Some((format, t)) => *v = Value::String(format(t.with_timezone(&Utc))),
                    None => rewrite_times(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_times),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn form_fields_are_decoded() {
        let fields = form_fields("grant_type=password&scope=a+b%2Fc&empty=&flag&bad=%G1&=x");
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("grant_type", "password"),
                ("scope", "a b/c"),
                ("empty", ""),
                ("flag", ""),
                ("", "x")
            ]
        );
        assert!(form_fields("").is_empty());
    }

    #[test]
    fn decoding() {
        assert_eq!(
            percent_decode("8%3Aacs%3Ax_y").as_deref(),
            Some("8:acs:x_y")
        );
        assert_eq!(percent_decode("t%2F1").as_deref(), Some("t/1"));
        assert_eq!(percent_decode("plain:id").as_deref(), Some("plain:id"));
        assert_eq!(percent_decode("%3"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn query() {
        let q = Some("a=1&api-version=2026-09-23&api-version=x");
        assert_eq!(query_param(q, "api-version").as_deref(), Some("2026-09-23"));
        assert_eq!(
            query_param(Some("api%2Dversion=v"), "api-version").as_deref(),
            Some("v")
        );
        assert_eq!(
            query_param(Some("api-version"), "api-version").as_deref(),
            Some("")
        );
        assert_eq!(query_param(Some("b=2"), "api-version"), None);
        assert_eq!(query_param(None, "api-version"), None);
    }

    #[test]
    fn service_time_has_seven_digits() {
        let t = Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(service_time(t), "2026-11-28T18:00:00.1234567+00:00");
        assert_eq!(to_ticks(t).timestamp_subsec_nanos(), 123_456_700);
        let whole = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(service_time(whole), "2026-01-02T03:04:05.0000000+00:00");
    }

    #[test]
    fn encoding() {
        assert_eq!(percent_encode("2025-03-02-preview"), "2025-03-02-preview");
        assert_eq!(percent_encode("a b/&=é"), "a%20b%2F%26%3D%C3%A9");
        assert_eq!(
            percent_decode(&percent_encode("a b/&=é")).as_deref(),
            Some("a b/&=é")
        );
    }

    #[test]
    fn last_token_issued_at_is_in_whole_seconds() {
        let t = Utc.with_ymd_and_hms(2025, 4, 14, 15, 32, 27).unwrap();
        let identity = acs_identity::raw::types::CommunicationIdentity {
            custom_id: None,
            id: "i".into(),
            last_token_issued_at: Some(t),
        };
        assert_eq!(
            String::from_utf8(json_body(&identity)).unwrap(),
            r#"{"id":"i","lastTokenIssuedAt":"2025-04-14T15:32:27+00:00"}"#
        );
    }

    #[test]
    fn json_bodies_use_the_service_time_format() {
        let t = Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()
            + chrono::Duration::nanoseconds(100);
        let token = acs_identity::raw::types::CommunicationIdentityAccessToken {
            token: "t".into(),
            expires_on: t,
        };
        assert_eq!(
            String::from_utf8(json_body(&token)).unwrap(),
            r#"{"expiresOn":"2026-11-28T18:00:00.0000001+00:00","token":"t"}"#
        );
        // Every one, however deep: in objects and in arrays.
        let nested = serde_json::json!({"page": [{"accessToken": token}]});
        assert_eq!(
            String::from_utf8(json_body(&nested)).unwrap(),
            r#"{"page":[{"accessToken":{"expiresOn":"2026-11-28T18:00:00.0000001+00:00","token":"t"}}]}"#
        );
    }
}
