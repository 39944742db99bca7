use super::*;
use crate::signing::test_support::{array, s, vectors};
use chrono::TimeZone;

#[test]
fn date_format_vectors() {
    let v = vectors();
    for t in array(&v["date_format_vectors"], "vectors") {
        let utc = DateTime::parse_from_rfc3339(s(t, "utc"))
            .unwrap()
            .with_timezone(&Utc);
        let expected = s(t, "expected");
        assert_eq!(format_date(utc), expected);
        assert_eq!(parse_date(expected), Some(utc.with_nanosecond(0).unwrap()));
    }
}

#[test]
fn format_date_matches_chrono_and_round_trips() {
    // A sweep over 2000-2099 (leap years, month ends, all weekdays) against chrono's
    // own (locale-independent) formatter.
    let mut t = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    while t < end {
        let formatted = format_date(t);
        assert_eq!(formatted, t.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
        assert_eq!(formatted.len(), 29);
        assert_eq!(parse_date(&formatted), Some(t));
        assert_eq!(DateTime::parse_from_rfc2822(&formatted).unwrap(), t);
        t += chrono::Duration::seconds(86_400 * 3 + 3_607 * 5 + 1);
    }
    let early = Utc.with_ymd_and_hms(7, 3, 4, 5, 6, 7).unwrap();
    assert_eq!(format_date(early), "Sun, 04 Mar 0007 05:06:07 GMT");
    let late = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(format_date(late), "Sat, 01 Jan 10000 00:00:00 GMT");
}

#[test]
fn parse_date_is_strict() {
    let expected = Utc.with_ymd_and_hms(2022, 4, 13, 18, 9, 12).unwrap();
    assert_eq!(parse_date("Wed, 13 Apr 2022 18:09:12 GMT"), Some(expected));
    for bad in [
        "",
        "Thu, 13 Apr 2022 18:09:12 GMT",
        "Wed, 13 Apr 2022 18:09:12 UTC",
        "Wed, 13 Apr 2022 18:09:12 +0000",
        "Wed, 3 Apr 2022 18:09:12 GMT",
        "Wed,  13 Apr 2022 18:09:12 GMT",
        "Wednesday, 13-Apr-22 18:09:12 GMT",
        "Wed Apr 13 18:09:12 2022",
        "2022-04-13T18:09:12Z",
        "Wed, 13 Apr 2022 18:09:12 GMT ",
        // Of the right length, and read by the parser, but not as `format_date` writes it.
        "Wed, 13 apr 2022 18:09:12 GMT",
        "WED, 13 Apr 2022 18:09:12 GMT",
    ] {
        assert_eq!(parse_date(bad), None, "{bad:?}");
    }
}
