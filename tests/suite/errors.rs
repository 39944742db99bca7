//! Errors that say what happened: causes named in `Display` (and no secret), the service's
//! codes as typed values with the checks users reach for, and ids refused before anything is
//! sent.

use crate::common;

use acs_identity::{
    BearerToken, BoxFuture, ClientOptions, CommunicationIdentityClient,
    CommunicationTokenScope as Scope, CommunicationUserIdentifier, CredentialError, Error,
    ErrorCode, ErrorKind, RetryOptions, TokenCredential,
};
use acs_identity_emulator::{Emulator, Fault, FaultAction};
use common::no_retries;
use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

async fn setup() -> (
    Emulator,
    CommunicationIdentityClient,
    CommunicationUserIdentifier,
) {
    let emulator = Emulator::start().await.unwrap();
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        no_retries(),
    )
    .unwrap();
    let user = client.create_user().await.unwrap();
    emulator.clear_requests();
    (emulator, client, user)
}

/// Options that retry quickly, to show what is (not) retried.
fn fast_retries() -> Option<ClientOptions> {
    Some(ClientOptions {
        retry: RetryOptions {
            max_retries: 3,
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        ..ClientOptions::default()
    })
}

/// The emulator's host and port as errors name them, e.g. `127.0.0.1:40313`.
fn host(emulator: &Emulator) -> String {
    let url = reqwest::Url::parse(emulator.endpoint()).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
}

/// The transport error's `Display` names its cause below reqwest, not the URL, and keeps the
/// reqwest error as its source.
fn assert_names_cause(e: &Error, summary: &str, cause: &str) {
    let shown = e.to_string();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert!(
        shown.starts_with("transport error") && shown.contains(summary),
        "{shown}"
    );
    assert!(shown.to_lowercase().contains(cause), "{shown}");
    assert!(!shown.contains("http://"), "the URL is left out: {shown}");
    assert!(
        !shown.contains("client error ("),
        "hyper's wrapper is left out: {shown}"
    );
    assert!(e.message().contains(cause) || e.message().to_lowercase().contains(cause));
    let source = e.source().expect("the chain is kept");
    assert!(
        source.downcast_ref::<reqwest::Error>().is_some(),
        "{source:?}"
    );
}

#[tokio::test]
async fn a_connection_reset_names_its_cause() {
    let (emulator, client, user) = setup().await;
    emulator.faults().inject(Fault::new(FaultAction::Reset));
    let e = client.revoke_tokens(&user).await.unwrap_err();
    // Depending on when the reset arrives: "Connection reset by peer" or "connection closed
    // before message completed".
    let summary = format!("the request to {} failed: ", host(&emulator));
    assert_names_cause(&e, &summary, "connection");
    assert!(e.is_transient());
    assert!(e.to_string().ends_with(" [after 1 attempt]"), "{e}");
}

#[tokio::test]
async fn a_body_cut_short_names_its_cause() {
    let (emulator, client, user) = setup().await;
    emulator
        .faults()
        .inject(Fault::new(FaultAction::ResetMidResponse));
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    let summary = format!(
        "the response body from {} could not be read: ",
        host(&emulator)
    );
    assert_names_cause(&e, &summary, "end of file before message length reached");
    assert_eq!(e.status(), Some(200));
    assert!(e.to_string().starts_with("transport error (200): "), "{e}");
}

#[tokio::test]
async fn connection_refused_names_its_cause_host_and_attempts() {
    let emulator = Emulator::start().await.unwrap();
    let (cs, host) = (emulator.connection_string(), host(&emulator));
    drop(emulator);
    let client = CommunicationIdentityClient::from_connection_string(&cs, no_retries()).unwrap();
    let e = client.create_user().await.unwrap_err();
    let summary = format!("could not connect to {host}: ");
    assert_names_cause(&e, &summary, "connection refused");
    assert!(e.is_connect());
    assert_eq!(e.attempts(), Some(1));
    // e.g. "transport error: could not connect to 127.0.0.1:40313: tcp connect error:
    // Connection refused (os error 111) [after 1 attempt]"
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("transport error: {summary}")),
        "{shown}"
    );
    assert!(shown.ends_with(" [after 1 attempt]"), "{shown}");
    assert!(!shown.contains("/identities") && !shown.contains("api-version"));

    // Retried: a refused connection never reached the service, so even a create is retried.
    let client = CommunicationIdentityClient::from_connection_string(&cs, fast_retries()).unwrap();
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.attempts(), Some(4));
    assert!(e.to_string().ends_with(" [after 4 attempts]"), "{e}");
}

#[derive(Debug)]
struct Failing(&'static str);

impl TokenCredential for Failing {
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        let cause: CredentialError = self.0.into();
        Box::pin(async move { Err(cause) })
    }
}

#[derive(Debug)]
struct Chained;

#[derive(Debug)]
struct Outer(std::io::Error);

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AzureCliCredential authentication failed")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl TokenCredential for Chained {
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        let cause = Outer(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "az not found",
        ));
        Box::pin(async move { Err(Box::new(cause) as CredentialError) })
    }
}

async fn credential_error(credential: impl TokenCredential + 'static) -> Error {
    let emulator = Emulator::start().await.unwrap();
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), Arc::new(credential), no_retries())
            .unwrap();
    let e = client.create_user().await.unwrap_err();
    assert_eq!(
        emulator.request_count(),
        0,
        "nothing is sent without a token"
    );
    e
}

#[tokio::test]
async fn a_credential_error_names_its_cause_and_keeps_the_chain() {
    let e = credential_error(Chained).await;
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert_eq!(
        e.to_string(),
        "credential error: the token credential failed to provide a token: AzureCliCredential \
         authentication failed: az not found"
    );
    let source = e.source().expect("the credential's error");
    assert_eq!(
        source.to_string(),
        "AzureCliCredential authentication failed"
    );
    assert_eq!(
        source.source().expect("its cause").to_string(),
        "az not found"
    );
    assert!(!e.is_transient());
}

#[tokio::test]
async fn a_credential_error_shows_no_token() {
    let jwt =
        "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvbW11bmljYXRpb24uYXp1cmUuY29tIn0.c2lnbmF0dXJl";
    let message: &'static str = Box::leak(
        format!("refresh with {jwt} failed; sent Authorization: Bearer s3cr3t-0paque\nline two")
            .into_boxed_str(),
    );
    let e = credential_error(Failing(message)).await;
    let (shown, debug) = (e.to_string(), format!("{e:?}"));
    for text in [&shown, &debug] {
        assert!(!text.contains("eyJhbGci"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }
    assert!(
        shown.ends_with(
            "refresh with <redacted> failed; sent Authorization: Bearer <redacted> line two"
        ),
        "{shown}"
    );

    // A long message is cut.
    let long: &'static str = Box::leak("x".repeat(5000).into_boxed_str());
    let e = credential_error(Failing(long)).await;
    assert!(e.to_string().len() < 500, "{}", e.to_string().len());
    assert!(e.to_string().ends_with('…'));
}

#[tokio::test]
async fn the_services_codes_are_typed() {
    let (emulator, client, user) = setup().await;

    // An id of another resource: 401 IdentityNotOwned.
    let foreign = CommunicationUserIdentifier::new(
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081",
    );
    let e = client.revoke_tokens(&foreign).await.unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::IdentityNotOwned));
    assert_eq!(e.code(), Some("IdentityNotOwned"));
    assert!(e.is_unauthorized() && !e.is_not_found() && !e.is_transient());
    assert!(!e.is_invalid_request() && !e.is_forbidden() && !e.is_throttled());

    // A wrong key: 401 Denied.
    let wrong_key = CommunicationIdentityClient::new(
        emulator.endpoint(),
        acs_identity::AccessKey::from_base64("d3Jvbmc=").unwrap(),
        no_retries(),
    )
    .unwrap();
    let e = wrong_key.create_user().await.unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::Denied));
    assert!(e.is_unauthorized());

    // A deleted user: 404 IdentityNotFound.
    client.delete_user(&user).await.unwrap();
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.error_code()),
        (Some(404), Some(&ErrorCode::IdentityNotFound))
    );
    assert!(e.is_not_found() && !e.is_unauthorized());

    // A missing assignment: 404 AssignmentNotFound.
    let e = client
        .get_teams_extension_assignment("tenant", "object")
        .await
        .unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::AssignmentNotFound));
    assert!(e.is_not_found());

    // A scope the service does not know: 400 ValidationError.
    let other = client.create_user().await.unwrap();
    let e = client
        .get_token(&other, &[Scope::Other("bogus".into())], None)
        .await
        .unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::ValidationError));
    assert!(e.is_invalid_request() && e.kind() == ErrorKind::Service);
}

#[tokio::test]
async fn an_unknown_code_is_kept_as_text() {
    let (emulator, client, user) = setup().await;
    for (status, check) in [
        (403, Error::is_forbidden as fn(&Error) -> bool),
        (429, Error::is_throttled),
    ] {
        emulator.faults().inject(Fault::new(FaultAction::Status {
            status,
            retry_after: None,
            body: Some(r#"{"error":{"code":"QuotaExceeded","message":"Try later."}}"#.into()),
        }));
        let e = client.revoke_tokens(&user).await.unwrap_err();
        assert_eq!(
            e.error_code(),
            Some(&ErrorCode::Other("QuotaExceeded".into()))
        );
        assert_eq!(e.code(), Some("QuotaExceeded"));
        assert_eq!(
            e.service_error().unwrap().error_code().as_str(),
            "QuotaExceeded"
        );
        assert!(check(&e), "{status}");
        assert_eq!(e.is_transient(), status == 429, "{status}");
        // A failure that may go away by itself says how many attempts were made.
        let attempts = if status == 429 {
            "[after 1 attempt] "
        } else {
            ""
        };
        assert!(
            e.to_string().starts_with(&format!(
                "{status} QuotaExceeded: Try later. {attempts}[request id: "
            )),
            "{e}"
        );
    }
    // An empty body: the status, and no code.
    emulator
        .faults()
        .inject(Fault::new(FaultAction::status(404)));
    let e = client.revoke_tokens(&user).await.unwrap_err();
    assert_eq!((e.error_code(), e.code()), (None, None));
    assert!(e.is_not_found());
}

#[tokio::test]
async fn client_side_checks_are_not_service_answers() {
    let (emulator, _, _) = setup().await;
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        fast_retries(),
    )
    .unwrap();
    let e = client.create_user_and_token(&[], None).await.unwrap_err();
    assert!(e.is_invalid_request());
    assert!(!e.is_not_found() && !e.is_unauthorized() && !e.is_transient() && !e.is_timeout());
    assert_eq!(emulator.request_count(), 0);

    // Retries ran out on 503: transient.
    emulator
        .faults()
        .inject(Fault::new(FaultAction::status(503)).times(4));
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert!(e.is_transient() && !e.is_invalid_request());
}

#[tokio::test]
async fn ids_that_cannot_be_sent_are_refused_before_sending() {
    let (emulator, _, _) = setup().await;
    // With retries on: nothing is sent, so nothing is retried.
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        fast_retries(),
    )
    .unwrap();
    let max = CommunicationUserIdentifier::MAX_ID_LEN;
    assert_eq!(max, 1024);
    for id in [
        "a".repeat(100_000),
        "a".repeat(max + 1),
        // Bytes count, not characters: 513 two-byte characters.
        "é".repeat(513),
    ] {
        let user = CommunicationUserIdentifier::new(id.as_str());
        let e = client.revoke_tokens(&user).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.to_string().contains("at most 1024 bytes"), "{e}");
        assert!(
            e.to_string()
                .contains(&format!("is {} bytes long", id.len())),
            "{e}"
        );
        assert!(e.to_string().len() < 300, "the id is not echoed");
        let e = client
            .delete_teams_extension_assignment("tenant", &id)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("object id is"), "{e}");
    }
    assert_eq!(emulator.request_count(), 0);
    // The longest id allowed is sent (and refused by the service).
    let user = CommunicationUserIdentifier::new("a".repeat(max));
    let e = client.revoke_tokens(&user).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(emulator.request_count(), 1);
}

#[tokio::test]
async fn ids_with_surrounding_whitespace_are_refused() {
    let (emulator, client, user) = setup().await;
    for id in [
        format!(" {}", user.id()),
        format!("{}\n", user.id()),
        format!("\t{}\r\n", user.id()),
        format!("{}\u{a0}", user.id()),
    ] {
        let e = client
            .revoke_tokens(&CommunicationUserIdentifier::new(id.as_str()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("whitespace"), "{e}");
        let e = client
            .get_teams_extension_assignment(&id, "object")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("tenant id"), "{e}");
    }
    assert_eq!(emulator.request_count(), 0);
    // Whitespace inside an id is sent as it is.
    let e = client
        .get_teams_extension_assignment("a tenant", "an object")
        .await
        .unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::AssignmentNotFound));
    assert_eq!(emulator.request_count(), 1);
}

/// A credential whose token the service does not accept.
#[derive(Debug)]
struct Foreign;

impl TokenCredential for Foreign {
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        let token = BearerToken::new(
            "s3cr3t-token-of-another-audience",
            chrono::Utc::now() + chrono::Duration::hours(1),
        );
        Box::pin(async move { Ok(token) })
    }
}

#[tokio::test]
async fn a_denied_request_gets_a_hint_by_how_it_was_authorized() {
    let emulator = Emulator::start().await.unwrap();

    // Access key: the key, the resource and the clock.
    let wrong_key = CommunicationIdentityClient::new(
        emulator.endpoint(),
        acs_identity::AccessKey::from_base64("d3Jvbmc=").unwrap(),
        no_retries(),
    )
    .unwrap();
    let e = wrong_key.create_user().await.unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::Denied));
    let hint = "the request was signed with the access key: check that it is a current key of \
                this resource, from the same connection string as the endpoint, and that this \
                machine's clock is right: the signature covers the request's time, `x-ms-date`, \
                and the service allows only a few minutes of difference";
    assert_eq!(e.hint(), Some(hint));
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!(
            "401 Denied: Denied by the resource provider. (hint: {hint}) [request id: "
        )),
        "{shown}"
    );
    assert!(!shown.contains("d3Jvbmc"), "{shown}");

    // Token credential: the token's audience and the role assignment.
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), Arc::new(Foreign), no_retries())
            .unwrap();
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::Denied));
    assert_eq!(
        e.hint(),
        Some(
            "the request was authorized by a token of the client's credential: check that the \
             token is for Communication Services, scope \
             `https://communication.azure.com//.default`, and that its identity has a role on \
             this resource, e.g. Contributor; a new role assignment can take a few minutes to \
             apply"
        )
    );
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(
            text.contains("hint: \"the request was authorized")
                || text.contains("(hint: the request was authorized"),
            "{text}"
        );
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    // Other codes get no hint.
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        no_retries(),
    )
    .unwrap();
    let foreign = CommunicationUserIdentifier::new(
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081",
    );
    let e = client.revoke_tokens(&foreign).await.unwrap_err();
    assert_eq!(e.error_code(), Some(&ErrorCode::IdentityNotOwned));
    assert_eq!(e.hint(), None);
}

#[tokio::test]
async fn a_timeout_says_how_many_attempts_were_made() {
    let (emulator, _, user) = setup().await;
    let delay = || Fault::new(FaultAction::Delay(Duration::from_secs(2))).times(10);
    // Each attempt cut short, then retried.
    let mut options = fast_retries().unwrap();
    options.attempt_timeout = Some(Duration::from_millis(50));
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .unwrap();
    emulator.faults().inject(delay());
    let e = client.revoke_tokens(&user).await.unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Timeout, Some(4)));
    assert_eq!(
        e.to_string(),
        "timed out: no response within the attempt timeout of 50ms [after 4 attempts]"
    );
    // The whole operation cut short, during its first attempt.
    let mut options = fast_retries().unwrap();
    options.timeout = Some(Duration::from_millis(100));
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .unwrap();
    let e = client.revoke_tokens(&user).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "timed out: the operation did not complete within 100ms [after 1 attempt]"
    );
}
