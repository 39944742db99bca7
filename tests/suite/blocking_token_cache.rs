//! The synchronous client's token cache, called from several threads at once (feature
//! `blocking`).
//!
//! The synchronous client has no lock or state of its own: its clones share the async client
//! (and so its token cache) and one current-thread runtime, which each calling thread drives with
//! `block_on` (Tokio lets several threads do so at once: one drives the I/O and timers, the others
//! hook into it). The cache's locks are model-checked in `src/token_cache/model.rs`; this checks
//! that threads blocking on one client share one refresh across that runtime.

#![cfg(feature = "blocking")]

use crate::common::no_retries;

use acs_identity::blocking::CommunicationIdentityClient;
use acs_identity::{BearerToken, BoxFuture, CredentialError, TokenCredential};
use acs_identity_emulator::{AuthOutcome, Emulator, EmulatorCredential};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const THREADS: usize = 8;

/// The emulator's credential, whose calls answer once the test opens the gate.
#[derive(Debug)]
struct Gated {
    inner: Arc<EmulatorCredential>,
    gate: tokio::sync::Semaphore,
    calls: AtomicUsize,
}

impl TokenCredential for Gated {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.gate.acquire().await?.forget();
            self.inner.get_token(scopes).await
        })
    }
}

#[test]
fn threads_blocking_on_one_client_share_one_refresh() {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = server.block_on(Emulator::start()).unwrap();
    let credential = Arc::new(Gated {
        inner: emulator.token_credential(),
        gate: tokio::sync::Semaphore::new(0),
        calls: AtomicUsize::new(0),
    });
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), credential.clone(), no_retries())
            .unwrap();
    let start = Barrier::new(THREADS + 1);
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (client, start) = (client.clone(), &start);
                s.spawn(move || {
                    start.wait();
                    client.create_user()
                })
            })
            .collect();
        start.wait();
        // One thread is refreshing, held by the gate while the others start their calls.
        let deadline = Instant::now() + Duration::from_secs(10);
        while credential.calls.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "the credential was not asked");
            std::thread::sleep(Duration::from_millis(1));
        }
        // Enough permits for every thread: a cache that asked once per thread fails below
        // instead of hanging.
        credential.gate.add_permits(THREADS);
        for thread in threads {
            thread.join().unwrap().unwrap();
        }
    });
    assert_eq!(credential.calls.load(Ordering::SeqCst), 1);
    assert_eq!(emulator.token_credential().tokens_issued(), 1);
    assert_eq!(emulator.user_count(), THREADS);
    let requests = emulator.requests();
    assert_eq!(requests.len(), THREADS);
    assert!(
        requests
            .iter()
            .all(|r| r.auth == AuthOutcome::ResourceToken)
    );
}
