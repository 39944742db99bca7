//! A bounded soak: 2,000 operations at concurrency 32 with 10% transient faults injected. Every
//! operation ends in the right result, nothing panics, no task is left behind, and every request
//! the emulator processed was signed correctly.

use crate::common;

use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope as Scope, RetryOptions,
};
use acs_identity_emulator::{Emulator, Fault, FaultAction};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const OPERATIONS: usize = 2_000;
const CONCURRENCY: usize = 32;

/// The transient faults, in turn: every one is retried by an idempotent operation.
fn fault(i: usize) -> FaultAction {
    match i % 5 {
        0 => FaultAction::status_with_retry_after(503, 0),
        1 => FaultAction::status(500),
        2 => FaultAction::status(429),
        3 => FaultAction::ResetMidResponse,
        _ => FaultAction::Reset,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_with_transient_faults() {
    let emulator = Arc::new(Emulator::start().await.unwrap());
    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 6,
            initial_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
        },
        ..ClientOptions::default()
    };
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .unwrap();
    let users: Vec<_> = futures_join((0..CONCURRENCY).map(|_| {
        let client = client.clone();
        async move { client.create_user().await.unwrap() }
    }))
    .await;
    let users = Arc::new(users);
    let baseline_users = emulator.user_count();
    let tasks_before = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();

    let next = Arc::new(AtomicUsize::new(0));
    let (tokens, revokes, creates_ok, creates_failed) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|w| {
            let (client, users, emulator, next) = (
                client.clone(),
                users.clone(),
                emulator.clone(),
                next.clone(),
            );
            let (tokens, revokes, creates_ok, creates_failed) = (
                tokens.clone(),
                revokes.clone(),
                creates_ok.clone(),
                creates_failed.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= OPERATIONS {
                        break;
                    }
                    if i % 10 == 0 {
                        emulator.faults().inject(Fault::new(fault(i / 10)));
                    }
                    let user = &users[(i + w) % users.len()];
                    match i % 20 {
                        // Not idempotent: may fail under a fault, never creates two users.
                        0 => match client.create_user().await {
                            Ok(_) => creates_ok.fetch_add(1, Ordering::SeqCst),
                            Err(_) => creates_failed.fetch_add(1, Ordering::SeqCst),
                        },
                        1..=3 => {
                            client
                                .revoke_tokens(user)
                                .await
                                .unwrap_or_else(|e| panic!("revoke {i}: {e}"));
                            revokes.fetch_add(1, Ordering::SeqCst)
                        }
                        _ => {
                            let t = client
                                .get_token(user, &[Scope::Chat, Scope::Voip], None)
                                .await
                                .unwrap_or_else(|e| panic!("get_token {i}: {e}"));
                            assert!(
                                t.expires_on() > chrono::Utc::now() + chrono::Duration::hours(23)
                            );
                            tokens.fetch_add(1, Ordering::SeqCst)
                        }
                    };
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("no worker panicked");
    }

    let (ok, failed) = (
        creates_ok.load(Ordering::SeqCst),
        creates_failed.load(Ordering::SeqCst),
    );
    assert_eq!(
        tokens.load(Ordering::SeqCst) + revokes.load(Ordering::SeqCst) + ok + failed,
        OPERATIONS
    );
    let created = emulator.user_count() - baseline_users;
    assert!(
        created >= ok && created <= ok + failed,
        "{created} users for {ok} successes and {failed} failures"
    );

    let requests = emulator.requests();
    let faulted = requests.iter().filter(|r| r.fault.is_some()).count();
    assert!(
        faulted >= OPERATIONS / 10 - 1,
        "only {faulted} faults applied"
    );
    common::assert_processed_requests_signed(&requests);
    println!(
        "soak: {OPERATIONS} operations, {} requests, {faulted} faults, {ok} users created, {failed} creations failed",
        requests.len()
    );

    // No task left behind by the client: once its connections are gone, the runtime holds
    // what it held before (the emulator's).
    drop(client);
    let handle = tokio::runtime::Handle::current();
    for _ in 0..100 {
        if handle.metrics().num_alive_tasks() <= tasks_before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        handle.metrics().num_alive_tasks() <= tasks_before,
        "{} tasks alive, {tasks_before} before",
        handle.metrics().num_alive_tasks()
    );
}

async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
