//! The `x-ms-date` value: an HTTP date (RFC 7231 IMF-fixdate, the RFC 1123 form), written and
//! read without any locale.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats an instant as an HTTP date (RFC 7231 IMF-fixdate, the RFC 1123 form), e.g.
/// `Fri, 27 Nov 2026 18:00:00 GMT`: English names, two-digit day, 24-hour clock, always
/// `GMT`, sub-second part dropped. It does not depend on any locale.
///
/// Years outside 0000–9999 (which an HTTP date cannot express) are written with as many
/// digits as they need.
///
/// ```
/// use acs_identity::signing::format_date;
/// use chrono::{TimeZone, Utc};
///
/// let t = Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap();
/// assert_eq!(format_date(t), "Fri, 27 Nov 2026 18:00:00 GMT");
/// ```
pub fn format_date(t: DateTime<Utc>) -> String {
    let mut s = String::with_capacity(29);
    s.push_str(WEEKDAYS[t.weekday().num_days_from_monday() as usize]);
    s.push_str(", ");
    push_2_digits(&mut s, t.day());
    s.push(' ');
    s.push_str(MONTHS[t.month0() as usize]);
    s.push(' ');
    let year = t.year();
    if (0..=9999).contains(&year) {
        push_2_digits(&mut s, year as u32 / 100);
        push_2_digits(&mut s, year as u32 % 100);
    } else {
        let _ = write!(s, "{year}");
    }
    s.push(' ');
    push_2_digits(&mut s, t.hour());
    s.push(':');
    push_2_digits(&mut s, t.minute());
    s.push(':');
    push_2_digits(&mut s, t.second());
    s.push_str(" GMT");
    s
}

fn push_2_digits(s: &mut String, n: u32) {
    debug_assert!(n < 100);
    s.push(char::from(b'0' + (n / 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// Parses an `x-ms-date` value written by [`format_date`] (IMF-fixdate, e.g.
/// `Fri, 27 Nov 2026 18:00:00 GMT`), for example to reject stale requests when verifying.
///
/// Strict: other HTTP date forms, a weekday that does not match the date, or any other
/// variation return `None`.
///
/// ```
/// use acs_identity::signing::{format_date, parse_date};
/// use chrono::{TimeZone, Utc};
///
/// let t = Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap();
/// assert_eq!(parse_date("Fri, 27 Nov 2026 18:00:00 GMT"), Some(t));
/// assert_eq!(parse_date("Friday, 27-Nov-26 18:00:00 GMT"), None);
/// ```
pub fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    let t = NaiveDateTime::parse_from_str(value, "%a, %d %b %Y %H:%M:%S GMT")
        .ok()?
        .and_utc();
    (value.len() == 29 && format_date(t) == value).then_some(t)
}

#[cfg(test)]
#[path = "date_tests.rs"]
mod tests;
