//! Fault injection: make the next matching requests fail in a chosen way.

use std::sync::Mutex;
use std::time::Duration;

/// What the emulator does instead of (or on top of) answering a request normally.
///
/// The actions that need an answer to damage ([`MalformedBody`](Self::MalformedBody),
/// [`WrongContentType`](Self::WrongContentType), [`Oversized`](Self::Oversized),
/// [`ResetMidResponse`](Self::ResetMidResponse)) let the request be processed as usual (it is
/// authenticated and changes state as usual), then damage the answer. Its status becomes 201
/// when the usual answer is 201, and 200 otherwise (also when the usual answer is an error or
/// 204), and a usual answer without a body counts as `{}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer `status` without processing the request, with a `Retry-After: <retry_after>`
    /// header when given, and `body` (sent as `application/json`) or an empty body.
    ///
    /// A status outside 100..=999 is sent as 500.
    Status {
        /// The HTTP status, e.g. 503, 500 or 429.
        status: u16,
        /// The `Retry-After` value, e.g. `"1"`.
        retry_after: Option<String>,
        /// The body, e.g. an error JSON; `None` for an empty body.
        body: Option<String>,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Close the connection without answering (an abortive close: the client sees a
    /// connection reset). The request is not processed.
    Reset,
    /// Send the status line and headers with a `Content-Length` larger than the body sent, send
    /// the first half of the body, then close the connection.
    ResetMidResponse,
    /// Send a well-formed HTTP answer whose JSON body is cut in the middle.
    MalformedBody,
    /// Send the usual (valid) JSON body as `text/html; charset=utf-8`.
    WrongContentType,
    /// Send a JSON body of exactly this many bytes (the usual body followed by spaces; never
    /// shorter than the usual body), e.g. `2 * 1024 * 1024`.
    Oversized(usize),
}

impl FaultAction {
    /// `status` with no `Retry-After` and an empty body.
    pub fn status(status: u16) -> Self {
        FaultAction::Status {
            status,
            retry_after: None,
            body: None,
        }
    }

    /// `status` with `Retry-After: <seconds>` and an empty body, e.g. `503` with `1`.
    pub fn status_with_retry_after(status: u16, seconds: u64) -> Self {
        FaultAction::Status {
            status,
            retry_after: Some(seconds.to_string()),
            body: None,
        }
    }

    /// Whether the action damages the usual answer (the request is processed first).
    pub(crate) fn damages_answer(&self) -> bool {
        matches!(
            self,
            FaultAction::ResetMidResponse
                | FaultAction::MalformedBody
                | FaultAction::WrongContentType
                | FaultAction::Oversized(_)
        )
    }
}

/// A fault to inject: `action` for the next `times` requests whose path and query (as
/// received, percent-encoded) contain `path_contains` (any request when `None`).
///
/// ```
/// use acs_identity_emulator::{Fault, FaultAction};
///
/// // The next two token requests get `503` with `Retry-After: 1`.
/// let fault = Fault::new(FaultAction::status_with_retry_after(503, 1))
///     .times(2)
///     .on_path(":issueAccessToken");
/// assert_eq!(fault.times, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Only requests whose path and query contain this text; `None` for every request.
    pub path_contains: Option<String>,
    /// How many matching requests get the fault; then it is used up. `0` never fires.
    pub times: usize,
    /// What to do.
    pub action: FaultAction,
}

impl Fault {
    /// `action` for the next request, whatever its path.
    pub fn new(action: FaultAction) -> Self {
        Fault {
            path_contains: None,
            times: 1,
            action,
        }
    }

    /// Applies the fault to `n` requests instead of one.
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    /// Applies the fault only to requests whose path and query contain `text`.
    pub fn on_path(mut self, text: impl Into<String>) -> Self {
        self.path_contains = Some(text.into());
        self
    }
}

/// Faults drawn at random: each request (the token endpoints aside) gets, with probability
/// `rate`, one of `actions`, picked uniformly; from a generator seeded with `seed`, so that a run
/// can be repeated (given the same order of requests).
///
/// ```
/// use acs_identity_emulator::RandomFaults;
///
/// // One request in ten fails the way a busy or restarting service fails.
/// let chaos = RandomFaults::transient(0.1);
/// assert_eq!(chaos.actions.len(), 5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFaults {
    /// The share of requests that get a fault, from 0.0 (none) to 1.0 (all).
    pub rate: f64,
    /// The faults to pick from (none: no fault).
    pub actions: Vec<FaultAction>,
    /// The seed of the generator.
    pub seed: u64,
}

impl RandomFaults {
    /// `rate` of the requests get a transient fault, one a client should retry: 500, 503 and
    /// 429 (both with `Retry-After: 0`), a reset before the answer (the request is not
    /// processed), or a reset in the middle of it (the request was processed). Seed 1.
    pub fn transient(rate: f64) -> Self {
        RandomFaults {
            rate,
            actions: vec![
                FaultAction::status(500),
                FaultAction::status_with_retry_after(503, 0),
                FaultAction::status_with_retry_after(429, 0),
                FaultAction::Reset,
                FaultAction::ResetMidResponse,
            ],
            seed: 1,
        }
    }
}

/// The faults waiting to be applied, shared by all connections.
///
/// Each request takes at most one fault: the first injected one that matches and is not used
/// up, else one drawn at random ([`inject_randomly`](Self::inject_randomly)). Faulted requests
/// are still recorded, with the fault
/// ([`RecordedRequest::fault`](super::RecordedRequest::fault)).
#[derive(Debug, Default)]
pub struct Faults {
    pending: Mutex<Vec<Fault>>,
    random: Mutex<Option<(RandomFaults, u64)>>,
}

impl Faults {
    /// Adds a fault after those already waiting.
    pub fn inject(&self, fault: Fault) {
        if fault.times > 0 {
            self.lock().push(fault);
        }
    }

    /// Draws faults at random from now on (replacing earlier random faults), for requests no
    /// injected fault matches.
    pub fn inject_randomly(&self, faults: RandomFaults) {
        // xorshift needs a state other than 0.
        let state = faults.seed.max(1);
        *self.random() = Some((faults, state));
    }

    /// Removes every waiting fault, random ones too.
    pub fn clear(&self) {
        self.lock().clear();
        *self.random() = None;
    }

    /// How many requests the waiting faults will still affect.
    pub fn remaining(&self) -> usize {
        self.lock().iter().map(|f| f.times).sum()
    }

    /// Takes one use of the first fault matching `path_and_query`.
    pub(crate) fn take(&self, path_and_query: &str) -> Option<FaultAction> {
        let mut pending = self.lock();
        let Some(index) = pending.iter().position(|f| {
            f.path_contains
                .as_deref()
                .is_none_or(|p| path_and_query.contains(p))
        }) else {
            drop(pending);
            return self.draw();
        };
        let fault = &mut pending[index];
        fault.times -= 1;
        let action = fault.action.clone();
        if fault.times == 0 {
            pending.remove(index);
        }
        Some(action)
    }

    /// A random fault, or none.
    fn draw(&self) -> Option<FaultAction> {
        let mut random = self.random();
        let (faults, state) = random.as_mut()?;
        let mut next = || {
            *state = xorshift(*state);
            *state
        };
        // 53 random bits as a fraction in [0, 1).
        let draw = (next() >> 11) as f64 / (1u64 << 53) as f64;
        if faults.actions.is_empty() || draw >= faults.rate {
            return None;
        }
        let pick = (next() % faults.actions.len() as u64) as usize;
        Some(faults.actions[pick].clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn random(&self) -> std::sync::MutexGuard<'_, Option<(RandomFaults, u64)>> {
        self.random.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One step of Marsaglia's xorshift64 generator (shifts 13, 7, 17).
fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_xorshift64() {
        // Marsaglia's xorshift64 (13, 7, 17) from 1.
        let expected = [
            1_082_269_761,
            1_152_992_998_833_853_505,
            11_177_516_664_432_764_457,
            17_678_023_832_001_937_445,
        ];
        let mut x = 1;
        for e in expected {
            x = xorshift(x);
            assert_eq!(x, e);
        }
    }

    #[test]
    fn faults_are_used_up_in_order() {
        let faults = Faults::default();
        faults.inject(
            Fault::new(FaultAction::Reset)
                .on_path("/identities")
                .times(2),
        );
        faults.inject(Fault::new(FaultAction::MalformedBody));
        faults.inject(Fault::new(FaultAction::Reset).times(0));
        assert_eq!(faults.remaining(), 3);
        assert_eq!(
            faults.take("/teamsUser/:exchangeAccessToken"),
            Some(FaultAction::MalformedBody)
        );
        assert_eq!(
            faults.take("/identities?api-version=1"),
            Some(FaultAction::Reset)
        );
        assert_eq!(
            faults.take("/identities?api-version=1"),
            Some(FaultAction::Reset)
        );
        assert_eq!(faults.take("/identities?api-version=1"), None);
        assert_eq!(faults.remaining(), 0);
        faults.inject(Fault::new(FaultAction::Reset));
        faults.clear();
        assert_eq!(faults.take("/"), None);
    }

    #[test]
    fn random_faults_come_at_their_rate_after_injected_ones() {
        let faults = Faults::default();
        faults.inject_randomly(RandomFaults::transient(0.1));
        faults.inject(Fault::new(FaultAction::MalformedBody));
        assert_eq!(faults.take("/"), Some(FaultAction::MalformedBody));
        let drawn: Vec<Option<FaultAction>> = (0..20_000).map(|_| faults.take("/")).collect();
        let hits = drawn.iter().filter(|d| d.is_some()).count();
        assert!((1_800..=2_200).contains(&hits), "{hits} of 20,000");
        for action in RandomFaults::transient(0.1).actions {
            let n = drawn.iter().filter(|d| d.as_ref() == Some(&action)).count();
            assert!((300..=500).contains(&n), "{action:?}: {n}");
        }
        // The same seed, the same faults.
        let again = Faults::default();
        again.inject_randomly(RandomFaults::transient(0.1));
        let repeated: Vec<Option<FaultAction>> = (0..20_000).map(|_| again.take("/")).collect();
        assert_eq!(repeated, drawn);
        for (rate, expected) in [(0.0, 0), (1.0, 1000)] {
            let faults = Faults::default();
            faults.inject_randomly(RandomFaults {
                rate,
                ..RandomFaults::transient(rate)
            });
            assert_eq!(
                (0..1000).filter(|_| faults.take("/").is_some()).count(),
                expected
            );
        }
        faults.clear();
        assert_eq!(faults.take("/"), None);
    }
}
