//! Caches the bearer token of a [`TokenCredential`]: one refresh serves concurrent callers, and
//! a refresh that fails while the cached token is still valid does not fail the call.
//!
//! The rules, with `now` from the cache's clock:
//! - a token with more than [`REFRESH_MARGIN`] left is used as it is;
//! - a token with less left but not expired is due for a refresh: one caller asks the
//!   credential, concurrent callers wait for that refresh and use its token. When the refresh
//!   fails, the cached token is used on (by all of them), and the credential is asked again
//!   [`RETRY_DELAY`] later at the earliest: as with azure_core's bearer token policy, calls fail
//!   only once the token has expired;
//! - without a valid token, callers wait for one refresh; when it fails, they all get its error
//!   (the credential is not asked once more per waiting caller).
//!
//! No lock is held across an `await` but the refresh mutex, whose guard a cancelled refresh (a
//! dropped future) releases: the next caller refreshes.

use crate::credential::{BearerToken, COMMUNICATION_SCOPE, CredentialError, TokenCredential};
use crate::error::{Error, ErrorKind};
use crate::sync::{AsyncMutex, Mutex, MutexGuard};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A token is refreshed when it has less than this left.
pub(crate) const REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// After a failed refresh, the still valid token is used this long before the credential is
/// asked again.
pub(crate) const RETRY_DELAY: chrono::Duration = chrono::Duration::seconds(30);

/// The cache's clock.
pub(crate) type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    clock: Clock,
    state: Mutex<State>,
    /// Held by the caller that asks the credential.
    refresh: AsyncMutex,
}

#[derive(Default)]
struct State {
    token: Option<BearerToken>,
    /// No refresh of a still valid token before this time (after a failed refresh).
    next_refresh: Option<DateTime<Utc>>,
    /// Counts the refreshes that ended, successful or not.
    refreshes: u64,
    /// The error of the last refresh, when it failed.
    failure: Option<Arc<CredentialError>>,
}

/// What the cache holds at some time.
enum Cached {
    /// A token to use without asking the credential.
    Use(BearerToken),
    /// A valid token that is due for a refresh.
    Due(BearerToken),
    /// No valid token.
    Missing,
}

impl TokenCache {
    pub(crate) fn new(credential: Arc<dyn TokenCredential>) -> Self {
        Self::with_clock(credential, Arc::new(Utc::now))
    }

    pub(crate) fn with_clock(credential: Arc<dyn TokenCredential>, clock: Clock) -> Self {
        TokenCache {
            credential,
            clock,
            state: Mutex::new(State::default()),
            refresh: AsyncMutex::new(()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn cached(&self) -> Cached {
        let now = (self.clock)();
        let state = self.state();
        match &state.token {
            Some(t) if t.expires_on() - REFRESH_MARGIN > now => Cached::Use(t.clone()),
            Some(t) if t.expires_on() > now => {
                if state.next_refresh.is_some_and(|at| at > now) {
                    Cached::Use(t.clone())
                } else {
                    Cached::Due(t.clone())
                }
            }
            _ => Cached::Missing,
        }
    }

    /// A valid token: the cached one, or a new one from the credential.
    pub(crate) async fn token(&self) -> Result<BearerToken, Error> {
        if let Cached::Use(token) = self.cached() {
            return Ok(token);
        }
        let seen = self.state().refreshes;
        let _refreshing = self.refresh.lock().await;
        // Another caller may have refreshed, or failed to, while this one waited.
        match self.cached() {
            Cached::Use(token) => Ok(token),
            Cached::Due(token) => match self.refresh().await {
                Ok(new) => Ok(new),
                // The credential may have taken longer than the token had left.
                Err(e) if token.expires_on() <= (self.clock)() => {
                    Err(credential_error(SharedCause(e)))
                }
                Err(e) => {
                    tracing::warn!(
                        error = %crate::error::redact::causes(&SharedCause(e)),
                        expires_on = %token.expires_on(),
                        "the token credential failed to refresh the token; the cached token is \
                         used until it expires"
                    );
                    Ok(token)
                }
            },
            Cached::Missing => {
                if let Some(failure) = self.failure_since(seen) {
                    return Err(credential_error(SharedCause(failure)));
                }
                self.refresh()
                    .await
                    .map_err(|cause| credential_error(SharedCause(cause)))
            }
        }
    }

    /// The error of the last refresh, when it failed and ended after `seen` refreshes.
    fn failure_since(&self, seen: u64) -> Option<Arc<CredentialError>> {
        let state = self.state();
        (state.refreshes != seen)
            .then(|| state.failure.clone())
            .flatten()
    }

    /// Asks the credential for a token and records the outcome; the caller holds `refresh`.
    async fn refresh(&self) -> Result<BearerToken, Arc<CredentialError>> {
        let result = self.credential.get_token(&[COMMUNICATION_SCOPE]).await;
        let now = (self.clock)();
        let mut state = self.state();
        state.refreshes += 1;
        match result {
            Ok(token) => {
                state.token = Some(token.clone());
                state.next_refresh = None;
                state.failure = None;
                Ok(token)
            }
            Err(e) => {
                let e = Arc::new(e);
                state.next_refresh = Some(now + RETRY_DELAY);
                state.failure = Some(e.clone());
                Err(e)
            }
        }
    }
}

/// The error of a call that has no valid token because the credential failed.
fn credential_error(cause: SharedCause) -> Error {
    let message = format!(
        "the token credential failed to provide a token: {}",
        crate::error::redact::causes(&cause)
    );
    Error::new(ErrorKind::Credential, message).with_source(cause)
}

/// A credential's error, shared by the callers that waited for the same refresh.
struct SharedCause(Arc<CredentialError>);

impl std::fmt::Display for SharedCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Debug for SharedCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SharedCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

/// The model check (`--cfg shuttle`): see TESTING.md.
#[cfg(all(test, shuttle))]
mod model;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::BoxFuture;
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A clock the test moves.
    #[derive(Clone)]
    struct TestClock(Arc<Mutex<DateTime<Utc>>>);

    impl TestClock {
        fn new() -> Self {
            let start = DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z").unwrap();
            TestClock(Arc::new(Mutex::new(start.into())))
        }
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
        fn advance(&self, by: chrono::Duration) {
            *self.0.lock().unwrap() += by;
        }
        fn clock(&self) -> Clock {
            let this = self.clone();
            Arc::new(move || this.now())
        }
    }

    /// What the credential does on a call: a token living this long, or an error.
    enum Outcome {
        Lives(chrono::Duration),
        Fails(&'static str),
    }

    /// A credential that answers from a script, after `gate` lets it (when given).
    #[derive(Default)]
    struct Scripted {
        script: Mutex<VecDeque<Outcome>>,
        clock: Option<TestClock>,
        calls: AtomicUsize,
        /// Calls wait for a permit; none: they answer at once.
        gate: Option<tokio::sync::Semaphore>,
        /// Calls whose future was dropped before answering.
        dropped: AtomicUsize,
    }

    impl std::fmt::Debug for Scripted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Scripted")
        }
    }

    struct CountDrop<'a>(&'a AtomicUsize, bool);

    impl Drop for CountDrop<'_> {
        fn drop(&mut self) {
            if !self.1 {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    impl TokenCredential for Scripted {
        fn get_token<'a>(
            &'a self,
            scopes: &'a [&'a str],
        ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
            Box::pin(async move {
                assert_eq!(scopes, [COMMUNICATION_SCOPE]);
                let n = self.calls.fetch_add(1, Ordering::SeqCst);
                let mut guard = CountDrop(&self.dropped, false);
                if let Some(gate) = &self.gate {
                    gate.acquire().await.unwrap().forget();
                }
                guard.1 = true;
                let outcome = self.script.lock().unwrap().pop_front();
                match outcome.expect("a scripted outcome") {
                    Outcome::Lives(d) => {
                        let now = self.clock.as_ref().unwrap().now();
                        Ok(BearerToken::new(format!("token-{n}"), now + d))
                    }
                    Outcome::Fails(m) => Err(m.into()),
                }
            })
        }
    }

    fn setup(script: Vec<Outcome>, gated: bool) -> (Arc<Scripted>, TokenCache, TestClock) {
        let clock = TestClock::new();
        let credential = Arc::new(Scripted {
            script: Mutex::new(script.into()),
            clock: Some(clock.clone()),
            gate: gated.then(|| tokio::sync::Semaphore::new(0)),
            ..Scripted::default()
        });
        let cache = TokenCache::with_clock(credential.clone(), clock.clock());
        (credential, cache, clock)
    }

    fn calls(c: &Scripted) -> usize {
        c.calls.load(Ordering::SeqCst)
    }

    const MIN: chrono::Duration = chrono::Duration::minutes(1);
    const SEC: chrono::Duration = chrono::Duration::seconds(1);

    #[tokio::test]
    async fn a_token_is_reused_until_the_margin_then_refreshed() {
        let hour = chrono::Duration::hours(1);
        let (credential, cache, clock) =
            setup(vec![Outcome::Lives(hour), Outcome::Lives(hour)], false);
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        // One second before the margin: still used as it is.
        clock.advance(hour - REFRESH_MARGIN - SEC);
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        assert_eq!(calls(&credential), 1);
        // At the margin: refreshed.
        clock.advance(SEC);
        assert_eq!(cache.token().await.unwrap().secret(), "token-1");
        assert_eq!(cache.token().await.unwrap().secret(), "token-1");
        assert_eq!(calls(&credential), 2);
    }

    /// A refresh that fails after the cached token expired does not hand out the expired token.
    #[tokio::test]
    async fn a_token_that_expired_during_a_failed_refresh_is_not_used() {
        let (credential, cache, clock) = setup(
            vec![
                Outcome::Lives(REFRESH_MARGIN + MIN),
                Outcome::Fails("offline"),
            ],
            true,
        );
        let gate = credential.gate.as_ref().unwrap();
        gate.add_permits(1);
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        clock.advance(MIN + SEC); // due for a refresh, still valid
        let call = cache.token();
        tokio::pin!(call);
        assert!(
            futures_poll_once(call.as_mut()).await.is_none(),
            "waits for the credential"
        );
        clock.advance(REFRESH_MARGIN); // expired while the credential works
        gate.add_permits(1);
        let error = call.await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Credential);
        assert!(error.to_string().contains("offline"), "{error}");
        assert_eq!(calls(&credential), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_valid_token_and_retries_later() {
        let (credential, cache, clock) = setup(
            vec![
                Outcome::Lives(REFRESH_MARGIN + MIN),
                Outcome::Fails("offline"),
                Outcome::Fails("still offline"),
                Outcome::Lives(chrono::Duration::hours(1)),
            ],
            false,
        );
        cache.token().await.unwrap();
        clock.advance(MIN * 2);
        // Due for a refresh, which fails: the valid token is used.
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        assert_eq!(calls(&credential), 2);
        // Not asked again until the retry delay has passed.
        clock.advance(RETRY_DELAY - SEC);
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        assert_eq!(calls(&credential), 2);
        clock.advance(SEC);
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        assert_eq!(calls(&credential), 3);
        // The next refresh succeeds: its token replaces the old one.
        clock.advance(RETRY_DELAY);
        assert_eq!(cache.token().await.unwrap().secret(), "token-3");
        assert_eq!(calls(&credential), 4);
    }

    #[tokio::test]
    async fn a_success_forgets_the_failure() {
        let (credential, cache, clock) = setup(
            vec![
                Outcome::Lives(REFRESH_MARGIN + MIN),
                Outcome::Fails("offline"),
                Outcome::Lives(REFRESH_MARGIN + MIN),
                Outcome::Lives(REFRESH_MARGIN + MIN),
            ],
            false,
        );
        cache.token().await.unwrap();
        clock.advance(MIN);
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        clock.advance(RETRY_DELAY);
        assert_eq!(cache.token().await.unwrap().secret(), "token-2");
        // token-2 is due a minute later: refreshed at once, no retry delay left over.
        clock.advance(MIN);
        assert_eq!(cache.token().await.unwrap().secret(), "token-3");
        assert_eq!(calls(&credential), 4);
    }

    #[tokio::test]
    async fn the_call_fails_once_the_token_has_expired() {
        let (credential, cache, clock) = setup(
            vec![
                Outcome::Lives(REFRESH_MARGIN),
                Outcome::Fails("offline"),
                Outcome::Fails("az not found"),
            ],
            false,
        );
        cache.token().await.unwrap();
        // One second before expiry: still valid (the refresh failed).
        clock.advance(REFRESH_MARGIN - SEC);
        assert_eq!(cache.token().await.unwrap().secret(), "token-0");
        // At expiry: no valid token; the credential is asked although the retry delay has not
        // passed, and its error is the call's.
        clock.advance(SEC);
        let e = cache.token().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credential);
        assert_eq!(
            e.to_string(),
            "credential error: the token credential failed to provide a token: az not found"
        );
        assert_eq!(
            std::error::Error::source(&e).unwrap().to_string(),
            "az not found"
        );
        assert_eq!(calls(&credential), 3);
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_refresh() {
        let (credential, cache, _) = setup(vec![Outcome::Lives(chrono::Duration::hours(1))], true);
        let cache = Arc::new(cache);
        let callers: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.token().await.map(|t| t.secret().to_owned()) })
            })
            .collect();
        while calls(&credential) == 0 {
            tokio::task::yield_now().await;
        }
        credential.gate.as_ref().unwrap().add_permits(1);
        for c in callers {
            assert_eq!(c.await.unwrap().unwrap(), "token-0");
        }
        assert_eq!(calls(&credential), 1);
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_failure() {
        let (credential, cache, _) = setup(
            vec![Outcome::Fails("offline"), Outcome::Lives(MIN * 60)],
            true,
        );
        let cache = Arc::new(cache);
        let callers: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.token().await.map(|t| t.secret().to_owned()) })
            })
            .collect();
        // Let every caller reach the refresh lock (the runtime runs one task at a time).
        while calls(&credential) == 0 {
            tokio::task::yield_now().await;
        }
        for _ in 0..16 {
            tokio::task::yield_now().await;
        }
        credential.gate.as_ref().unwrap().add_permits(2);
        for c in callers {
            let e = c.await.unwrap().unwrap_err();
            assert!(e.to_string().ends_with(": offline"), "{e}");
        }
        assert_eq!(
            calls(&credential),
            1,
            "the waiting callers did not ask again"
        );
        // A later call asks again.
        assert_eq!(cache.token().await.unwrap().secret(), "token-1");
    }

    #[tokio::test]
    async fn a_cancelled_refresh_leaves_the_cache_usable() {
        let (credential, cache, _) = setup(vec![Outcome::Lives(MIN * 60)], true);
        {
            let pending = cache.token();
            tokio::pin!(pending);
            // Poll until the credential is asked, then drop the caller's future.
            while calls(&credential) == 0 {
                assert!(futures_poll_once(pending.as_mut()).await.is_none());
            }
        }
        assert_eq!(credential.dropped.load(Ordering::SeqCst), 1);
        // The refresh lock was released: the next caller refreshes.
        credential.gate.as_ref().unwrap().add_permits(1);
        assert_eq!(cache.token().await.unwrap().secret(), "token-1");
        assert_eq!(calls(&credential), 2);
    }

    /// Polls `f` once.
    async fn futures_poll_once<F: std::future::Future + Unpin>(f: F) -> Option<F::Output> {
        let mut f = f;
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut f).poll(cx) {
                std::task::Poll::Ready(v) => Some(v),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }

    #[test]
    fn debug_shows_the_credential_only() {
        let (_, cache, _) = setup(Vec::new(), false);
        assert_eq!(
            format!("{cache:?}"),
            "TokenCache { credential: Scripted, .. }"
        );
    }

    /// A shared failure shows the credential's error as it is, in `Display` and `Debug`.
    #[test]
    fn a_shared_failure_shows_the_credentials_error() {
        let cause = SharedCause(Arc::new(CredentialError::from("offline")));
        assert_eq!(cause.to_string(), "offline");
        assert_eq!(
            format!("{cause:?}"),
            format!("{:?}", CredentialError::from("offline"))
        );
        assert!(format!("{cause:?}").contains("offline"));
    }
}
