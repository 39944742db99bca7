//! Entra ID authentication by an `azure_core` token credential (feature `azure_core`).

#![cfg(feature = "azure_core")]

use crate::common;

use common::no_retries;

use acs_identity::{
    AzureCoreCredential, CommunicationIdentityClient, CommunicationTokenScope as Scope, Credential,
    ErrorKind,
};
use acs_identity::{COMMUNICATION_SCOPE, TokenCredential as _};
use acs_identity_emulator::{AuthFailure, AuthOutcome, Emulator};
use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration, OffsetDateTime};
use common::mock::{MockResponse, MockServer};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// Where the fake credential's tokens come from.
enum Source {
    /// This token, valid for an hour.
    Fixed(&'static str),
    /// This token, valid until then.
    At(&'static str, OffsetDateTime),
    /// A token of the emulator's credential, so that the emulator accepts it.
    Emulator(Arc<dyn acs_identity::TokenCredential>),
    /// An error.
    Fails,
}

/// An `azure_core` credential that records the scopes it is asked for.
struct FakeCredential {
    source: Source,
    requests: Mutex<Vec<Vec<String>>>,
}

impl FakeCredential {
    fn new(source: Source) -> Arc<Self> {
        Arc::new(FakeCredential {
            source,
            requests: Mutex::new(Vec::new()),
        })
    }

    fn requests(&self) -> Vec<Vec<String>> {
        self.requests.lock().unwrap().clone()
    }
}

impl std::fmt::Debug for FakeCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeCredential")
    }
}

// `azure_core`'s trait is declared with `async_trait`; this is its expanded signature.
impl TokenCredential for FakeCredential {
    fn get_token<'life0, 'life1, 'life2, 'life3, 'async_trait>(
        &'life0 self,
        scopes: &'life1 [&'life2 str],
        _options: Option<TokenRequestOptions<'life3>>,
    ) -> Pin<Box<dyn Future<Output = azure_core::Result<AccessToken>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        'life3: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            self.requests
                .lock()
                .unwrap()
                .push(scopes.iter().map(|s| s.to_string()).collect());
            match &self.source {
                Source::Fixed(token) => Ok(AccessToken::new(
                    *token,
                    OffsetDateTime::now_utc() + Duration::hours(1),
                )),
                Source::At(token, expires_on) => Ok(AccessToken::new(*token, *expires_on)),
                Source::Emulator(credential) => {
                    let token = credential.get_token(scopes).await.map_err(|e| {
                        azure_core::Error::with_message(
                            azure_core::error::ErrorKind::Credential,
                            e.to_string(),
                        )
                    })?;
                    let expires_on =
                        OffsetDateTime::from_unix_timestamp(token.expires_on().timestamp())
                            .unwrap();
                    Ok(AccessToken::new(token.secret().to_owned(), expires_on))
                }
                Source::Fails => Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "no account signed in",
                )),
            }
        })
    }
}

#[tokio::test]
async fn the_emulator_accepts_the_bearer_of_an_azure_core_credential() {
    let emulator = Emulator::start().await.unwrap();
    let credential = FakeCredential::new(Source::Emulator(emulator.token_credential()));
    let client = CommunicationIdentityClient::new(
        emulator.endpoint(),
        AzureCoreCredential::new(credential.clone()),
        None,
    )
    .unwrap();
    let (user, token) = client
        .create_user_and_token(&[Scope::Chat], None)
        .await
        .unwrap();
    assert!(!token.token().is_empty());
    client.get_token(&user, &[Scope::Voip], None).await.unwrap();
    client.revoke_tokens(&user).await.unwrap();
    client.delete_user(&user).await.unwrap();
    // One token, asked for the Communication Services scope (the emulator's credential issues
    // tokens for no other), served the four requests, each authenticated by it.
    assert_eq!(credential.requests(), [[COMMUNICATION_SCOPE]]);
    let requests = emulator.requests();
    assert_eq!(requests.len(), 4);
    for r in &requests {
        assert_eq!(r.auth, AuthOutcome::ResourceToken, "{r:?}");
        assert_eq!(r.header("authorization"), Some("Bearer <redacted>"));
    }
    assert_eq!(
        COMMUNICATION_SCOPE,
        "https://communication.azure.com//.default"
    );
}

#[tokio::test]
async fn the_emulator_refuses_a_bearer_it_did_not_issue() {
    let emulator = Emulator::start().await.unwrap();
    let credential: Arc<dyn TokenCredential> =
        FakeCredential::new(Source::Fixed("not-an-emulator-token"));
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), credential, no_retries()).unwrap();
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.status(), Some(401));
    assert_eq!(
        emulator.requests()[0].auth,
        AuthOutcome::Rejected(AuthFailure::InvalidToken)
    );
}

#[tokio::test]
async fn the_bearer_is_sent_as_is_and_cached() {
    let server = MockServer::start(vec![
        MockResponse::json(201, json!({"identity": {"id": "8:acs:1"}})),
        MockResponse::empty(204),
    ])
    .await;
    let credential = FakeCredential::new(Source::Fixed("fake-entra-token"));
    // An `Arc<dyn azure_core::credentials::TokenCredential>` converts without a wrapper.
    let dyn_credential: Arc<dyn TokenCredential> = credential.clone();
    let client =
        CommunicationIdentityClient::new(&server.endpoint(), dyn_credential, no_retries()).unwrap();
    let user = client.create_user().await.unwrap();
    client.delete_user(&user).await.unwrap();
    for r in server.requests() {
        assert_eq!(r.header("authorization"), Some("Bearer fake-entra-token"));
        assert_eq!(
            r.header("x-ms-content-sha256"),
            None,
            "no HMAC with a bearer"
        );
    }
    assert_eq!(server.requests().len(), 2);
    assert_eq!(credential.requests(), [[COMMUNICATION_SCOPE]]);
}

#[tokio::test]
async fn the_adapter_converts_token_and_expiry() {
    // 2026-11-28T18:00:00.123456789Z
    let expires_on = OffsetDateTime::from_unix_timestamp_nanos(1_795_888_800_123_456_789).unwrap();
    let credential = AzureCoreCredential::new(FakeCredential::new(Source::At("t0k3n", expires_on)));
    let token = credential.get_token(&[COMMUNICATION_SCOPE]).await.unwrap();
    assert_eq!(token.secret(), "t0k3n");
    assert_eq!(
        token.expires_on().to_rfc3339(),
        "2026-11-28T18:00:00.123456789+00:00"
    );
    assert!(!format!("{token:?}").contains("t0k3n"));
}

#[tokio::test]
async fn a_failing_credential_is_a_credential_error_and_sends_nothing() {
    let server = MockServer::start(vec![]).await;
    let credential = FakeCredential::new(Source::Fails);
    let client = CommunicationIdentityClient::new(
        &server.endpoint(),
        Credential::from_azure_core(credential),
        no_retries(),
    )
    .unwrap();
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    let source = std::error::Error::source(&e).expect("the credential's error");
    assert!(
        source.to_string().contains("no account signed in"),
        "{source}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn no_bearer_over_plain_http_to_other_hosts() {
    let credential = AzureCoreCredential::new(FakeCredential::new(Source::Fixed("secret-bearer")));
    let e = CommunicationIdentityClient::new("http://example.com", credential, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
}

#[test]
fn debug_shows_no_token() {
    let credential = AzureCoreCredential::new(FakeCredential::new(Source::Fixed("secret-bearer")));
    let text = format!("{credential:?}");
    assert_eq!(text, "AzureCoreCredential(FakeCredential)");
    let client =
        CommunicationIdentityClient::new("https://example.com", credential.clone(), None).unwrap();
    assert!(!format!("{client:?}").contains("secret-bearer"));
    let credential: Credential = credential.into();
    assert!(format!("{credential:?}").contains("AzureCoreCredential"));
    fn check<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    check::<AzureCoreCredential>();
}
