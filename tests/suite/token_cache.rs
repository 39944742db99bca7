//! The Entra ID token cache seen from the client, against the emulator: a refresh that fails
//! while the cached token is valid does not fail the call, and callers waiting for one refresh
//! share its outcome. (The cases that need a clock are unit tests of `src/token_cache.rs`.)

use crate::common;

use acs_identity::{
    BearerToken, BoxFuture, CommunicationIdentityClient, CredentialError, ErrorKind,
    TokenCredential,
};
use acs_identity_emulator::{AuthOutcome, Emulator, EmulatorCredential, EmulatorOptions};
use common::no_retries;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The emulator's credential for the first `good` calls, then an error; each call takes `delay`.
#[derive(Debug)]
struct Flaky {
    inner: Arc<EmulatorCredential>,
    good: usize,
    delay: Duration,
    calls: AtomicUsize,
}

impl TokenCredential for Flaky {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            if n < self.good {
                self.inner.get_token(scopes).await
            } else {
                Err("the identity endpoint is unreachable".into())
            }
        })
    }
}

/// An emulator whose bearer tokens live `lifetime`, a client with a [`Flaky`] credential.
async fn setup(
    lifetime: Duration,
    good: usize,
    delay: Duration,
) -> (Emulator, CommunicationIdentityClient, Arc<Flaky>) {
    let emulator = Emulator::start_with(EmulatorOptions {
        bearer_token_lifetime: lifetime,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let credential = Arc::new(Flaky {
        inner: emulator.token_credential(),
        good,
        delay,
        calls: AtomicUsize::new(0),
    });
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), credential.clone(), no_retries())
            .unwrap();
    (emulator, client, credential)
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_valid_token() {
    // Tokens of 4 minutes are always within the 5-minute refresh margin: each call wants a
    // refresh, and the second call's refresh fails.
    let (emulator, client, credential) = setup(Duration::from_secs(240), 1, Duration::ZERO).await;
    let user = client.create_user().await.unwrap();
    for _ in 0..3 {
        client.revoke_tokens(&user).await.unwrap();
    }
    // One token, one failed refresh, and no further attempt within the retry delay.
    assert_eq!(credential.calls.load(Ordering::SeqCst), 2);
    assert_eq!(emulator.token_credential().tokens_issued(), 1);
    let requests = emulator.requests();
    assert_eq!(requests.len(), 4);
    assert!(
        requests
            .iter()
            .all(|r| r.auth == AuthOutcome::ResourceToken)
    );
    let first = requests[0].header("authorization").unwrap().to_owned();
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some(first.as_str()))
    );
}

#[tokio::test]
async fn without_a_valid_token_the_credentials_error_is_the_calls() {
    let (emulator, client, credential) = setup(Duration::from_secs(3600), 0, Duration::ZERO).await;
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(
        e.to_string()
            .ends_with("failed to provide a token: the identity endpoint is unreachable"),
        "{e}"
    );
    // The next call asks again: without a valid token there is no retry delay.
    client.create_user().await.unwrap_err();
    assert_eq!(credential.calls.load(Ordering::SeqCst), 2);
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn concurrent_callers_share_one_failed_refresh() {
    let (emulator, client, credential) =
        setup(Duration::from_secs(3600), 0, Duration::from_millis(100)).await;
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.create_user().await })
        })
        .collect();
    for call in calls {
        let e = call.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credential);
        assert!(e.to_string().ends_with("unreachable"), "{e}");
    }
    // The callers that waited for the refresh took its error instead of asking again (a caller
    // that had not yet reached the cache when it failed may ask once more).
    let asked = credential.calls.load(Ordering::SeqCst);
    assert!(asked < 16, "the credential was asked {asked} times");
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let (emulator, client, credential) =
        setup(Duration::from_secs(3600), 1, Duration::from_millis(100)).await;
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.create_user().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(credential.calls.load(Ordering::SeqCst), 1);
    assert_eq!(emulator.user_count(), 16);
}
