//! The model check of the token cache: [shuttle](https://docs.rs/shuttle) runs concurrent callers
//! in thousands of interleavings (its scheduler chooses the task that runs at each lock, atomic,
//! `await` and abort), and each case checks, in every one of them, what must hold. A task that
//! waits forever is reported as a deadlock, a failed assertion with the schedule that led to it.
//!
//! Built only with `--cfg shuttle`, which makes the cache's locks shuttle's (`src/sync.rs`); the
//! command is in TESTING.md. The clock is an atomic too: time moves between any two steps.

use super::*;
use shuttle::future::{self, JoinHandle};
use shuttle::scheduler::{PctScheduler, RandomScheduler, Scheduler};
use shuttle::sync::atomic::{AtomicI64, AtomicUsize, Ordering::SeqCst};
use std::collections::VecDeque;
use std::pin::pin;
use std::sync::atomic::{AtomicBool as StdBool, AtomicUsize as StdUsize, Ordering::Relaxed};

/// The interleavings each scheduler explores per case.
const ITERATIONS: usize = 5_000;
/// Fixed: a run explores the same interleavings as the last, so a failure reproduces.
const SEED: u64 = 0x5eed_cace;
/// PCT's bug depth: the number of ordering constraints a bug may need (priority changes).
const PCT_DEPTH: usize = 3;
/// Concurrent callers per case.
const CALLERS: usize = 3;

const HOUR: chrono::Duration = chrono::Duration::hours(1);
/// Due for a refresh from the start (less than [`REFRESH_MARGIN`] left), but valid.
const SHORT: chrono::Duration = chrono::Duration::minutes(4);

/// Runs `case` under a uniformly random scheduler, then under PCT (which favours the few
/// preemptions at precise points that most concurrency bugs need).
fn explore(case: fn()) {
    run(RandomScheduler::new_from_seed(SEED, ITERATIONS), case);
    run(
        PctScheduler::new_from_seed(SEED, PCT_DEPTH, ITERATIONS),
        case,
    );
}

fn run(scheduler: impl Scheduler + 'static, case: fn()) {
    let mut config = shuttle::Config::new();
    // Its warning is that atomics are modelled as sequentially consistent: the cache has none,
    // the test's clock and counters use `SeqCst`.
    config.silence_warnings = true;
    let ran = shuttle::Runner::new(scheduler, config).run(case);
    assert_eq!(ran, ITERATIONS);
}

/// A clock that a task moves while others run.
#[derive(Clone)]
struct ModelClock {
    start: DateTime<Utc>,
    seconds: Arc<AtomicI64>,
}

impl ModelClock {
    fn now(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::seconds(self.seconds.load(SeqCst))
    }
    fn advance(&self, by: chrono::Duration) {
        self.seconds.fetch_add(by.num_seconds(), SeqCst);
    }
}

/// What the credential answers, in order: a token living this long, or an error.
enum Outcome {
    Lives(chrono::Duration),
    Fails,
}

/// A credential that answers from a script after two `await`s (where other tasks run, or its
/// caller is dropped). Call `n` answers `token-n` or the error `offline-n`.
struct Model {
    script: Mutex<VecDeque<Outcome>>,
    clock: ModelClock,
    calls: AtomicUsize,
    /// Calls whose future was dropped before answering.
    dropped: AtomicUsize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Model")
    }
}

/// Counts a call dropped before it answers.
struct Unanswered<'a>(&'a AtomicUsize, bool);

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        if self.1 {
            self.0.fetch_add(1, SeqCst);
        }
    }
}

impl TokenCredential for Model {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> crate::credential::BoxFuture<'a, Result<BearerToken, CredentialError>> {
        Box::pin(async move {
            assert_eq!(scopes, [COMMUNICATION_SCOPE]);
            let n = self.calls.fetch_add(1, SeqCst);
            let mut unanswered = Unanswered(&self.dropped, true);
            future::yield_now().await;
            future::yield_now().await;
            unanswered.1 = false;
            let outcome = self.script.lock().unwrap().pop_front();
            match outcome.unwrap_or_else(|| panic!("call {n}: no more calls were expected")) {
                Outcome::Lives(d) => {
                    Ok(BearerToken::new(format!("token-{n}"), self.clock.now() + d))
                }
                Outcome::Fails => Err(format!("offline-{n}").into()),
            }
        })
    }
}

impl Model {
    fn calls(&self) -> usize {
        self.calls.load(SeqCst)
    }
    fn then_answer(&self, outcome: Outcome) {
        let mut script = self.script.lock().unwrap();
        script.clear();
        script.push_back(outcome);
    }
}

fn setup(script: Vec<Outcome>) -> (Arc<Model>, Arc<TokenCache>, ModelClock) {
    let clock = ModelClock {
        start: DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
            .unwrap()
            .into(),
        seconds: Arc::new(AtomicI64::new(0)),
    };
    let credential = Arc::new(Model {
        script: Mutex::new(script.into()),
        clock: clock.clone(),
        calls: AtomicUsize::new(0),
        dropped: AtomicUsize::new(0),
    });
    let now = clock.clone();
    let cache = TokenCache::with_clock(credential.clone(), Arc::new(move || now.now()));
    (credential, Arc::new(cache), clock)
}

/// What a caller saw: its result, the clock when it began and ended, and how many refreshes had
/// ended when it began.
struct Call {
    result: Result<BearerToken, Error>,
    began: DateTime<Utc>,
    ended: DateTime<Utc>,
    refreshes_before: u64,
}

fn spawn_callers(cache: &Arc<TokenCache>, clock: &ModelClock) -> Vec<JoinHandle<Call>> {
    (0..CALLERS)
        .map(|_| {
            let (cache, clock) = (cache.clone(), clock.clone());
            future::spawn(async move {
                let refreshes_before = cache.state().refreshes;
                let began = clock.now();
                let result = cache.token().await;
                let ended = clock.now();
                Call {
                    result,
                    began,
                    ended,
                    refreshes_before,
                }
            })
        })
        .collect()
}

async fn join(callers: Vec<JoinHandle<Call>>) -> Vec<Call> {
    let mut calls = Vec::new();
    for caller in callers {
        calls.push(caller.await.expect("not aborted"));
    }
    calls
}

fn secret(call: &Call) -> &str {
    match &call.result {
        Ok(token) => token.secret(),
        Err(e) => panic!("the call failed: {e}"),
    }
}

/// The number `n` of the call `offline-n` a failed caller got.
fn failed_call(call: &Call) -> usize {
    let e = call.result.as_ref().expect_err("the call failed");
    assert_eq!(e.kind(), ErrorKind::Credential);
    let cause = std::error::Error::source(e).unwrap().to_string();
    cause
        .strip_prefix("offline-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a credential's error: {e}"))
}

#[test]
fn concurrent_callers_with_an_empty_cache_share_one_refresh() {
    explore(|| {
        let (credential, cache, clock) = setup(vec![Outcome::Lives(HOUR)]);
        future::block_on(async move {
            for call in join(spawn_callers(&cache, &clock)).await {
                assert_eq!(secret(&call), "token-0");
            }
            assert_eq!(credential.calls(), 1);
        });
    });
}

#[test]
fn a_failed_refresh_of_a_valid_token_fails_no_caller() {
    explore(|| {
        let (credential, cache, clock) = setup(vec![Outcome::Lives(SHORT), Outcome::Fails]);
        future::block_on(async move {
            cache.token().await.unwrap();
            for call in join(spawn_callers(&cache, &clock)).await {
                assert_eq!(secret(&call), "token-0");
            }
            // One refresh failed; the others used the valid token within the retry delay.
            assert_eq!(credential.calls(), 2);
        });
    });
}

/// The interleavings in which fewer calls than callers failed.
static SHARED_A_FAILURE: StdUsize = StdUsize::new(0);

#[test]
fn a_failed_refresh_without_a_valid_token_fails_its_waiters_and_a_later_call_retries() {
    explore(|| {
        let (credential, cache, clock) = setup((0..CALLERS).map(|_| Outcome::Fails).collect());
        future::block_on(async move {
            let calls = join(spawn_callers(&cache, &clock)).await;
            let asked = credential.calls();
            for call in &calls {
                // Each caller gets the error of a refresh that ended after it came: a waiting
                // caller shares it, and no caller gets an older refresh's error.
                let n = failed_call(call);
                assert!(n < asked);
                assert!(
                    n as u64 >= call.refreshes_before,
                    "call {n} had ended before"
                );
            }
            // Every call's error reached the caller that asked.
            let mut answered: Vec<_> = calls.iter().map(failed_call).collect();
            answered.sort();
            answered.dedup();
            assert_eq!(answered.len(), asked);
            if asked < CALLERS {
                SHARED_A_FAILURE.fetch_add(1, Relaxed);
            }
            // Not poisoned: the next call asks again, and gets the token.
            credential.then_answer(Outcome::Lives(HOUR));
            let token = cache.token().await.unwrap();
            assert_eq!(token.secret(), format!("token-{asked}"));
            assert_eq!(credential.calls(), asked + 1);
        });
    });
    // Which callers waited for a refresh is up to the scheduler; in some interleavings some
    // did, and took its error instead of asking again.
    assert!(
        SHARED_A_FAILURE.load(Relaxed) > 0,
        "no caller shared a failure"
    );
}

/// Where the cancelled caller was when it was dropped, counted over the interleavings.
static DONE_BEFORE_ABORT: StdUsize = StdUsize::new(0);
static DROPPED_BEFORE_FIRST_POLL: StdUsize = StdUsize::new(0);
static DROPPED_WAITING_FOR_THE_LOCK: StdUsize = StdUsize::new(0);
static DROPPED_IN_THE_CREDENTIAL: StdUsize = StdUsize::new(0);

#[test]
fn a_cancelled_caller_leaves_the_refresh_to_another() {
    explore(|| {
        let (credential, cache, clock) = setup(vec![Outcome::Lives(HOUR), Outcome::Lives(HOUR)]);
        future::block_on(async move {
            let polled = Arc::new(StdBool::new(false));
            let cancelled = {
                let (cache, polled) = (cache.clone(), polled.clone());
                future::spawn(async move {
                    let mut call = pin!(cache.token());
                    std::future::poll_fn(|cx| {
                        let poll = call.as_mut().poll(cx);
                        polled.store(true, Relaxed);
                        poll
                    })
                    .await
                })
            };
            let others = spawn_callers(&cache, &clock);
            cancelled.abort();
            let cancelled = cancelled.await;
            let others = join(others).await;

            // Exactly one call answered, whoever made it, and every caller has its token.
            let dropped = credential.dropped.load(SeqCst);
            assert_eq!(credential.calls() - dropped, 1);
            let token = format!("token-{dropped}");
            for call in &others {
                assert_eq!(secret(call), token);
            }
            if let Ok(result) = &cancelled {
                assert_eq!(result.as_ref().unwrap().secret(), token);
            }
            assert_eq!(cache.token().await.unwrap().secret(), token);

            let place = match (cancelled.is_ok(), dropped, polled.load(Relaxed)) {
                (true, _, _) => &DONE_BEFORE_ABORT,
                (false, 1, _) => &DROPPED_IN_THE_CREDENTIAL,
                (false, _, true) => &DROPPED_WAITING_FOR_THE_LOCK,
                (false, _, false) => &DROPPED_BEFORE_FIRST_POLL,
            };
            place.fetch_add(1, Relaxed);
        });
    });
    // The schedulers dropped the caller at each of its await points (and before and after).
    for (place, count) in [
        ("done before the abort", &DONE_BEFORE_ABORT),
        ("before the first poll", &DROPPED_BEFORE_FIRST_POLL),
        (
            "waiting for the refresh lock",
            &DROPPED_WAITING_FOR_THE_LOCK,
        ),
        ("in the credential's call", &DROPPED_IN_THE_CREDENTIAL),
    ] {
        let count = count.load(Relaxed);
        println!("cancelled caller {place}: {count} interleavings");
        assert!(
            count > 0,
            "no interleaving had the cancelled caller {place}"
        );
    }
}

#[test]
fn the_token_expires_during_a_successful_refresh() {
    explore(|| {
        let (credential, cache, clock) = setup(vec![Outcome::Lives(SHORT), Outcome::Lives(HOUR)]);
        future::block_on(async move {
            cache.token().await.unwrap();
            let callers = spawn_callers(&cache, &clock);
            let ticking = clock.clone();
            future::spawn(async move {
                ticking.advance(SHORT / 2);
                ticking.advance(SHORT / 2);
            })
            .await
            .unwrap();
            for call in join(callers).await {
                assert_eq!(secret(&call), "token-1");
            }
            assert_eq!(credential.calls(), 2);
        });
    });
}

#[test]
fn the_token_expires_during_a_failed_refresh() {
    explore(|| {
        let mut script = vec![Outcome::Lives(SHORT)];
        script.extend((0..CALLERS).map(|_| Outcome::Fails));
        let (credential, cache, clock) = setup(script);
        future::block_on(async move {
            let expires_on = cache.token().await.unwrap().expires_on();
            let callers = spawn_callers(&cache, &clock);
            let ticking = clock.clone();
            future::spawn(async move {
                // Past the retry delay, then to the expiry.
                ticking.advance(RETRY_DELAY + chrono::Duration::seconds(1));
                ticking.advance(SHORT - RETRY_DELAY - chrono::Duration::seconds(1));
            })
            .await
            .unwrap();
            for call in join(callers).await {
                match &call.result {
                    // The cached token, valid when the call began.
                    Ok(token) => {
                        assert_eq!(token.secret(), "token-0");
                        assert!(call.began < expires_on);
                    }
                    // Calls fail only once the token has expired.
                    Err(_) => {
                        assert!(call.ended >= expires_on, "failed with a valid token");
                        failed_call(&call);
                    }
                }
            }
            credential.then_answer(Outcome::Lives(HOUR));
            let asked = credential.calls();
            assert_eq!(
                cache.token().await.unwrap().secret(),
                format!("token-{asked}")
            );
        });
    });
}
