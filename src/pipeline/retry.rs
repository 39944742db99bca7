//! The retry policy: what is retried, and how long to wait.

use crate::error::Error;
use crate::options::RetryOptions;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Whether repeating an operation is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Repeating has the same effect, or yields another equally valid token.
    Safe,
    /// Each call creates new state (a user).
    CreatesState,
}

/// Whether `error` of an attempt may be retried for an operation of `idempotency`: for one
/// that is safe to repeat, every [transient](Error::is_transient) failure (nothing else: an
/// invalid argument, a request that could not be built, a configuration or credential error
/// would fail the same way again).
pub(crate) fn is_retryable(error: &Error, idempotency: Idempotency) -> bool {
    match idempotency {
        Idempotency::Safe => error.is_transient(),
        Idempotency::CreatesState => {
            error.is_connect()
                || (matches!(error.status(), Some(429 | 503)) && error.retry_after().is_some())
        }
    }
}

/// The wait before retry number `retry` (0-based): the service's `Retry-After` when given,
/// else `initial_delay * 2^retry` capped at `max_delay`, with jitter (between half and all of it).
pub(crate) fn delay(options: &RetryOptions, retry: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(d) = retry_after {
        return d;
    }
    let base = options
        .initial_delay
        .saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .min(options.max_delay);
    let half = base / 2;
    half + half.mul_f64(jitter())
}

/// A number in [0, 1): a small xorshift generator, seeded from the clock. Jitter needs spread,
/// not unpredictability.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = seed(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64),
        );
    }
    x = xorshift(x);
    STATE.store(x, Ordering::Relaxed);
    unit(x)
}

/// A seed for [`xorshift`] from `nanos`: with the lowest bit set, since zero is its fixed point.
fn seed(nanos: u64) -> u64 {
    nanos | 1
}

/// One step of Marsaglia's xorshift64 generator (shifts 13, 7, 17).
fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// The top 53 bits of `x` as a number in [0, 1).
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn service(status: u16, retry_after: Option<u64>) -> Error {
        let mut h = reqwest::header::HeaderMap::new();
        if let Some(s) = retry_after {
            h.insert("retry-after", s.to_string().parse().unwrap());
        }
        let meta = crate::pipeline::response_meta::ResponseMeta::from_headers(status, &h);
        Error::new(ErrorKind::Service, "x").with_response(status, &meta)
    }

    #[test]
    fn statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable(&service(s, None), Idempotency::Safe), "{s}");
        }
        for s in [400, 401, 403, 404, 409] {
            assert!(!is_retryable(&service(s, None), Idempotency::Safe), "{s}");
        }
        assert!(!is_retryable(
            &service(500, None),
            Idempotency::CreatesState
        ));
        assert!(!is_retryable(
            &service(503, None),
            Idempotency::CreatesState
        ));
        assert!(is_retryable(
            &service(503, Some(1)),
            Idempotency::CreatesState
        ));
        assert!(is_retryable(
            &service(429, Some(0)),
            Idempotency::CreatesState
        ));
        let timeout = Error::new(ErrorKind::Timeout, "t");
        assert!(is_retryable(&timeout, Idempotency::Safe));
        assert!(!is_retryable(&timeout, Idempotency::CreatesState));
        let refused = Error::new(ErrorKind::Transport, "c").connect_failure();
        assert!(is_retryable(&refused, Idempotency::CreatesState));
        let arg = Error::invalid_argument("a");
        assert!(!is_retryable(&arg, Idempotency::Safe));
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let o = RetryOptions {
            max_retries: 10,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
        };
        for retry in 0..10 {
            let expected = (100u64 << retry).min(1000);
            let d = delay(&o, retry, None).as_millis() as u64;
            assert!(d >= expected / 2 && d <= expected, "retry {retry}: {d} ms");
        }
        assert_eq!(
            delay(&o, 0, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        let samples: std::collections::HashSet<_> = (0..20).map(|_| delay(&o, 3, None)).collect();
        assert!(samples.len() > 1, "no jitter");
    }

    #[test]
    fn the_generator_is_xorshift64() {
        // Marsaglia's xorshift64 (13, 7, 17) from 1.
        let mut x = 1;
        let expected = [
            1_082_269_761,
            1_152_992_998_833_853_505,
            11_177_516_664_432_764_457,
            17_678_023_832_001_937_445,
        ];
        for e in expected {
            x = xorshift(x);
            assert_eq!(x, e);
        }
        assert_eq!(xorshift(0), 0, "zero is the fixed point the seed avoids");
        for nanos in [0, 1, 6, 7, u64::MAX - 1] {
            assert_eq!(seed(nanos), nanos | 1);
        }
        assert_eq!((seed(0), seed(6), seed(7)), (1, 7, 7));
    }

    #[test]
    fn unit_is_within_0_and_1() {
        assert_eq!(unit(0), 0.0);
        assert_eq!(unit((1 << 11) - 1), 0.0);
        assert_eq!(unit(1 << 11), 1.0 / (1u64 << 53) as f64);
        assert_eq!(unit(1 << 63), 0.5);
        assert_eq!(unit(u64::MAX), 1.0 - 1.0 / (1u64 << 53) as f64);
        let samples: Vec<f64> = (0..100).map(|_| jitter()).collect();
        assert!(samples.iter().all(|j| (0.0..1.0).contains(j)));
        assert!(samples.iter().any(|&j| j > 0.5) && samples.iter().any(|&j| j < 0.5));
    }
}
