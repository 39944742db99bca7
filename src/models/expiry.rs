//! The lifetime of a token to issue, validated against the spec's bounds.

use crate::spec::{EXPIRES_IN_MINUTES_MAX, EXPIRES_IN_MINUTES_MIN};
use std::time::Duration;

/// A custom token lifetime: whole minutes within the bounds of the spec
/// ([`EXPIRES_IN_MINUTES_MIN`]..=[`EXPIRES_IN_MINUTES_MAX`], i.e. 1 to 24 hours).
///
/// Without one the service issues a token valid for
/// [`EXPIRES_IN_MINUTES_DEFAULT`](crate::spec::EXPIRES_IN_MINUTES_DEFAULT) minutes.
///
/// ```
/// use acs_identity::TokenExpiry;
/// assert_eq!(TokenExpiry::from_hours(2)?.as_minutes(), 120);
/// assert!(TokenExpiry::from_minutes(59).is_err());
/// assert!(TokenExpiry::try_from(std::time::Duration::from_secs(90)).is_err());
/// # Ok::<(), acs_identity::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenExpiry {
    minutes: u32,
}

impl TokenExpiry {
    /// The shortest lifetime the service accepts.
    pub const MIN: TokenExpiry = TokenExpiry {
        minutes: EXPIRES_IN_MINUTES_MIN,
    };
    /// The longest lifetime the service accepts.
    pub const MAX: TokenExpiry = TokenExpiry {
        minutes: EXPIRES_IN_MINUTES_MAX,
    };

    /// A lifetime of `minutes`; an error unless within the spec's bounds.
    pub fn from_minutes(minutes: u32) -> Result<Self, crate::Error> {
        if (EXPIRES_IN_MINUTES_MIN..=EXPIRES_IN_MINUTES_MAX).contains(&minutes) {
            Ok(TokenExpiry { minutes })
        } else {
            Err(out_of_range(format!("{minutes} minutes")))
        }
    }

    /// A lifetime of `hours`; an error unless within the spec's bounds.
    pub fn from_hours(hours: u32) -> Result<Self, crate::Error> {
        match hours.checked_mul(60) {
            Some(minutes) => {
                Self::from_minutes(minutes).map_err(|_| out_of_range(format!("{hours} hours")))
            }
            None => Err(out_of_range(format!("{hours} hours"))),
        }
    }

    /// The lifetime in minutes, as sent in `expiresInMinutes`.
    pub fn as_minutes(self) -> u32 {
        self.minutes
    }

    /// The lifetime as a [`Duration`].
    pub fn as_duration(self) -> Duration {
        Duration::from_secs(u64::from(self.minutes) * 60)
    }

    /// The value of `expiresInMinutes` on the wire.
    pub(crate) fn wire(expiry: Option<TokenExpiry>) -> Option<i32> {
        // Bounds are at most 1440, far below i32::MAX.
        expiry.map(|e| e.minutes as i32)
    }
}

impl TryFrom<Duration> for TokenExpiry {
    type Error = crate::Error;

    /// Accepts whole minutes only, within the spec's bounds.
    fn try_from(d: Duration) -> Result<Self, Self::Error> {
        let secs = d.as_secs();
        if d.subsec_nanos() != 0 || !secs.is_multiple_of(60) {
            return Err(crate::Error::invalid_argument(format!(
                "token expiry of {d:?} is not a whole number of minutes; allowed: whole minutes \
                 from {EXPIRES_IN_MINUTES_MIN} to {EXPIRES_IN_MINUTES_MAX}"
            )));
        }
        match u32::try_from(secs / 60) {
            Ok(minutes) => Self::from_minutes(minutes),
            Err(_) => Err(out_of_range(format!("{d:?}"))),
        }
    }
}

impl std::fmt::Display for TokenExpiry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} minutes", self.minutes)
    }
}

fn out_of_range(what: String) -> crate::Error {
    crate::Error::invalid_argument(format!(
        "token expiry of {what} is out of range; allowed: {EXPIRES_IN_MINUTES_MIN} to \
         {EXPIRES_IN_MINUTES_MAX} minutes (1 to 24 hours)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(e: Result<TokenExpiry, crate::Error>) -> u32 {
        e.expect("within the bounds").as_minutes()
    }

    #[test]
    fn bounds_come_from_the_spec() {
        assert_eq!((EXPIRES_IN_MINUTES_MIN, EXPIRES_IN_MINUTES_MAX), (60, 1440));
        assert_eq!(TokenExpiry::MIN.as_minutes(), 60);
        assert_eq!(TokenExpiry::MAX.as_minutes(), 1440);
    }

    #[test]
    fn minutes_within_the_bounds_only() {
        for m in [60, 61, 90, 1439, 1440] {
            assert_eq!(minutes(TokenExpiry::from_minutes(m)), m);
        }
        for m in [0, 1, 59, 1441, u32::MAX] {
            let e = TokenExpiry::from_minutes(m).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
            assert_eq!(
                e.message(),
                format!(
                    "token expiry of {m} minutes is out of range; allowed: 60 to 1440 minutes \
                     (1 to 24 hours)"
                )
            );
        }
    }

    #[test]
    fn hours() {
        assert_eq!(minutes(TokenExpiry::from_hours(1)), 60);
        assert_eq!(minutes(TokenExpiry::from_hours(7)), 420);
        assert_eq!(minutes(TokenExpiry::from_hours(24)), 1440);
        for h in [0, 25, u32::MAX / 60, u32::MAX / 60 + 1, u32::MAX] {
            let e = TokenExpiry::from_hours(h).unwrap_err();
            assert!(
                e.message()
                    .starts_with(&format!("token expiry of {h} hours is out of range")),
                "{e}"
            );
        }
    }

    #[test]
    fn durations_of_whole_minutes() {
        let d = |secs| TokenExpiry::try_from(Duration::from_secs(secs));
        assert_eq!(minutes(d(3600)), 60);
        assert_eq!(minutes(d(5400)), 90);
        assert_eq!(minutes(d(86_400)), 1440);
        for secs in [3601, 3659, 5430] {
            let e = d(secs).unwrap_err();
            assert!(
                e.message().contains("is not a whole number of minutes"),
                "{e}"
            );
        }
        let e = TokenExpiry::try_from(Duration::new(3600, 1)).unwrap_err();
        assert!(
            e.message().contains("is not a whole number of minutes"),
            "{e}"
        );
        // Whole minutes outside the bounds, up to more minutes than a u32 holds.
        for secs in [0, 60, 3540, 86_460, u64::from(u32::MAX) * 60 + 60] {
            let e = d(secs).unwrap_err();
            assert!(e.message().contains("is out of range"), "{secs}: {e}");
        }
    }

    #[test]
    fn as_duration_wire_and_display() {
        let e = TokenExpiry::from_minutes(90).unwrap();
        assert_eq!(e.as_duration(), Duration::from_secs(5400));
        assert_eq!(TokenExpiry::MAX.as_duration(), Duration::from_secs(86_400));
        assert_eq!(TokenExpiry::wire(Some(e)), Some(90));
        assert_eq!(TokenExpiry::wire(None), None);
        assert_eq!(e.to_string(), "90 minutes");
    }
}
