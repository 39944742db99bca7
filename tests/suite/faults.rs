//! The client under the emulator's injected faults: retries, timeouts, broken answers.

use crate::common;

use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope as Scope,
    CommunicationUserIdentifier, ErrorKind, RetryOptions,
};
use acs_identity_emulator::{Emulator, Fault, FaultAction};
use std::time::{Duration, Instant};

fn options(max_retries: u32) -> ClientOptions {
    ClientOptions {
        retry: RetryOptions {
            max_retries,
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
        },
        ..ClientOptions::default()
    }
}

async fn setup(
    max_retries: u32,
) -> (
    Emulator,
    CommunicationIdentityClient,
    CommunicationUserIdentifier,
) {
    let emulator = Emulator::start().await.unwrap();
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options(max_retries)),
    )
    .unwrap();
    let user = client.create_user().await.unwrap();
    emulator.clear_requests();
    (emulator, client, user)
}

fn inject(emulator: &Emulator, action: FaultAction, times: usize) {
    emulator.faults().inject(Fault::new(action).times(times));
}

#[tokio::test]
async fn sequences_of_503_and_429_are_retried() {
    let (emulator, client, user) = setup(3).await;
    inject(&emulator, FaultAction::status_with_retry_after(503, 0), 2);
    inject(&emulator, FaultAction::status(429), 1);
    client.get_token(&user, &[Scope::Chat], None).await.unwrap();
    assert_eq!(emulator.request_count(), 4);
    let statuses: Vec<_> = emulator.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(429), Some(200)]);
    common::assert_processed_requests_signed(&emulator.requests());
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (emulator, client, user) = setup(1).await;
    inject(&emulator, FaultAction::status_with_retry_after(503, 1), 1);
    let started = Instant::now();
    client.revoke_tokens(&user).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let dates: Vec<_> = emulator
        .requests()
        .iter()
        .map(|r| r.header("x-ms-date").unwrap().to_owned())
        .collect();
    assert_ne!(
        dates[0], dates[1],
        "the retry must be signed with a fresh date"
    );
}

#[tokio::test]
async fn retries_run_out() {
    let (emulator, client, user) = setup(2).await;
    inject(&emulator, FaultAction::status(503), 10);
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Service, Some(503)));
    assert_eq!(emulator.request_count(), 3);
}

#[tokio::test]
async fn never_retried_statuses() {
    let (emulator, client, user) = setup(3).await;
    for status in [400, 401, 403, 404, 409] {
        inject(&emulator, FaultAction::status(status), 1);
        let before = emulator.request_count();
        let e = client.revoke_tokens(&user).await.unwrap_err();
        assert_eq!(e.status(), Some(status));
        assert_eq!(emulator.request_count(), before + 1, "{status} was retried");
    }
}

#[tokio::test]
async fn a_response_slower_than_the_attempt_timeout() {
    let (emulator, _, user) = setup(0).await;
    let mut o = options(1);
    o.attempt_timeout = Some(Duration::from_millis(300));
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(o.clone()),
    )
    .unwrap();
    inject(&emulator, FaultAction::Delay(Duration::from_secs(2)), 1);
    let started = Instant::now();
    client.get_token(&user, &[Scope::Chat], None).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    // The first attempt timed out (the emulator drops the request whose client went away).
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(emulator.faults().remaining(), 0);

    o.retry.max_retries = 0;
    let client =
        CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), Some(o))
            .unwrap();
    inject(&emulator, FaultAction::Delay(Duration::from_secs(2)), 1);
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn the_overall_timeout_bounds_retries() {
    let (emulator, _, user) = setup(0).await;
    let mut o = options(100);
    o.timeout = Some(Duration::from_millis(500));
    let client =
        CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), Some(o))
            .unwrap();
    inject(&emulator, FaultAction::status(503), 1000);
    let started = Instant::now();
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_connection_reset_mid_response() {
    let (emulator, client, user) = setup(2).await;
    inject(&emulator, FaultAction::ResetMidResponse, 1);
    client.get_token(&user, &[Scope::Chat], None).await.unwrap();
    assert_eq!(emulator.request_count(), 2);

    let (emulator, client, user) = setup(0).await;
    inject(&emulator, FaultAction::ResetMidResponse, 1);
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(
        e.status(),
        Some(200),
        "the status line arrived before the reset"
    );
}

#[tokio::test]
async fn creating_a_user_is_not_repeated_after_an_ambiguous_failure() {
    let (emulator, client, _) = setup(3).await;
    let users = emulator.user_count();
    for action in [
        FaultAction::Reset,
        FaultAction::ResetMidResponse,
        FaultAction::status(500),
    ] {
        inject(&emulator, action.clone(), 1);
        let before = emulator.request_count();
        assert!(client.create_user().await.is_err(), "{action:?}");
        assert_eq!(
            emulator.request_count(),
            before + 1,
            "{action:?} was retried"
        );
    }
    // Reset and 500 are answered before processing; the cut answer was processed.
    assert_eq!(emulator.user_count(), users + 1);
    // Declined with Retry-After: retried.
    inject(&emulator, FaultAction::status_with_retry_after(429, 0), 1);
    client
        .create_user_and_token(&[Scope::Chat], None)
        .await
        .unwrap();
    assert_eq!(emulator.user_count(), users + 2);
}

#[tokio::test]
async fn connection_refused_is_a_connect_failure() {
    let emulator = Emulator::start().await.unwrap();
    let cs = emulator.connection_string();
    drop(emulator);
    let client =
        CommunicationIdentityClient::from_connection_string(&cs, Some(options(1))).unwrap();
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.is_connect(), "{e:?}");
}

#[tokio::test]
async fn broken_answers() {
    let (emulator, client, user) = setup(0).await;
    inject(&emulator, FaultAction::MalformedBody, 1);
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::InvalidResponse, Some(200))
    );

    // A valid JSON answer under a wrong content type is accepted: the body is what counts.
    inject(&emulator, FaultAction::WrongContentType, 1);
    client.get_token(&user, &[Scope::Chat], None).await.unwrap();

    inject(&emulator, FaultAction::Oversized(2 * 1024 * 1024), 1);
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::InvalidResponse, Some(200))
    );
    assert!(
        e.to_string().contains("exceeds the limit of 1048576 bytes"),
        "{e}"
    );

    inject(&emulator, FaultAction::status(500), 1);
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Service, Some(500), None)
    );
}
