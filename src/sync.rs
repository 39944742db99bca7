//! The locks of the token cache (`src/token_cache.rs`): std's `Mutex` and Tokio's async `Mutex`,
//! re-exported as they are.
//!
//! The model check of the cache (`src/token_cache/model.rs`, see TESTING.md) builds the crate's
//! unit tests with `--cfg shuttle`. There, and only there, these are shuttle's: its scheduler then
//! chooses which task runs at each of their operations, and reports a deadlock.

#[cfg(not(all(test, shuttle)))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// The lock that one refresh holds at a time.
#[cfg(not(all(test, shuttle)))]
pub(crate) type AsyncMutex = tokio::sync::Mutex<()>;

#[cfg(all(test, shuttle))]
pub(crate) use model::AsyncMutex;
#[cfg(all(test, shuttle))]
pub(crate) use shuttle::sync::{Mutex, MutexGuard};

#[cfg(all(test, shuttle))]
mod model {
    use shuttle::future::batch_semaphore::{BatchSemaphore, Fairness};

    /// Tokio's `Mutex<()>` on shuttle's semaphore, as Tokio builds it on its own: one permit,
    /// first come first served. A `lock()` future dropped while it waits leaves the queue, and
    /// one dropped with the permit granted gives it back.
    pub(crate) struct AsyncMutex(BatchSemaphore);

    /// Holds the permit until dropped.
    pub(crate) struct AsyncMutexGuard<'a>(&'a BatchSemaphore);

    impl AsyncMutex {
        pub(crate) fn new((): ()) -> Self {
            AsyncMutex(BatchSemaphore::new(1, Fairness::StrictlyFair))
        }

        pub(crate) async fn lock(&self) -> AsyncMutexGuard<'_> {
            self.0
                .acquire(1)
                .await
                .expect("the semaphore is never closed");
            AsyncMutexGuard(&self.0)
        }
    }

    impl Drop for AsyncMutexGuard<'_> {
        fn drop(&mut self) {
            self.0.release(1);
        }
    }
}
