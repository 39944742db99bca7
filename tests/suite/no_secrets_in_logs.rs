//! A full run at TRACE level, captured: neither the access key nor any token issued or used
//! appears in the log output.

use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope as Scope, RetryOptions,
    TeamsExtensionPrincipalType,
};
use acs_identity_emulator::{Emulator, Fault, FaultAction};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// The process's default subscriber while the tests run: it records nothing, but answers
/// "sometimes" for every callsite. The tests of this binary run on many threads at once, and a
/// callsite first reached on another thread would otherwise be cached as "never" (no subscriber
/// there), hiding its events from the thread-local subscriber of the test below.
struct AskEachTime;

impl tracing::Subscriber for AskEachTime {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        false
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

// A current-thread runtime: the emulator, the client and the connections all log on this
// thread, to the subscriber set below.
#[tokio::test(flavor = "current_thread")]
async fn trace_output_holds_no_secret() {
    // Set once for the process (another test of the binary may have set it already).
    let _ = tracing::subscriber::set_global_default(AskEachTime);
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emulator = Emulator::start().await.unwrap();
    let options = || {
        Some(ClientOptions {
            retry: RetryOptions {
                max_retries: 1,
                initial_delay: std::time::Duration::from_millis(1),
                ..RetryOptions::default()
            },
            ..ClientOptions::default()
        })
    };
    let cs = emulator.connection_string();
    let access_key = cs
        .split("accesskey=")
        .nth(1)
        .unwrap()
        .trim_end_matches(';')
        .to_owned();
    let mut secrets = vec![access_key];

    let client = CommunicationIdentityClient::from_connection_string(&cs, options()).unwrap();
    let (user, token) = client
        .create_user_and_token(&[Scope::Chat], None)
        .await
        .unwrap();
    secrets.push(token.token().to_owned());
    secrets.push(
        client
            .get_token(&user, &[Scope::Voip], None)
            .await
            .unwrap()
            .token()
            .to_owned(),
    );
    // A retried call: its span counts the attempts.
    emulator.faults().inject(
        Fault::new(FaultAction::status_with_retry_after(503, 0)).on_path(":revokeAccessTokens"),
    );
    client.revoke_tokens(&user).await.unwrap();

    let teams = emulator.issue_teams_user_token("app", "oid", "tenant", chrono::Duration::hours(1));
    secrets.push(teams.clone());
    secrets.push(
        client
            .get_token_for_teams_user(&teams, "app", "oid")
            .await
            .unwrap()
            .token()
            .to_owned(),
    );
    let (_, ext) = client.exchange_teams_extension_token(&teams).await.unwrap();
    secrets.push(ext.token().to_owned());
    client
        .upsert_teams_extension_assignment(
            "tenant",
            "oid",
            TeamsExtensionPrincipalType::User,
            &["app"],
        )
        .await
        .unwrap();

    // Entra ID bearer mode, and a failing call (an error and a retry are logged too).
    let entra = CommunicationIdentityClient::new(
        emulator.endpoint(),
        emulator.token_credential(),
        options(),
    )
    .unwrap();
    let user2 = entra.create_user().await.unwrap();
    secrets.push(
        entra
            .get_token(&user2, &[Scope::Chat], None)
            .await
            .unwrap()
            .token()
            .to_owned(),
    );
    entra.delete_user(&user2).await.unwrap();
    assert!(entra.get_token(&user2, &[Scope::Chat], None).await.is_err());
    for r in emulator.requests() {
        if let Some((_, v)) = r
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            assert!(
                !v.starts_with("Bearer ey"),
                "the emulator's record must redact bearer values"
            );
        }
    }

    drop(_guard);
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("acs_identity") && log.contains("operation"),
        "nothing was logged:\n{log}"
    );
    assert!(
        log.lines().count() > 20,
        "too little was logged to mean anything:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("revoke_tokens") && l.contains("attempts=2")),
        "the retried call's span does not count its attempts:\n{log}"
    );
    for secret in &secrets {
        assert!(secret.len() >= 16, "not a real secret: {secret:?}");
        assert!(
            !log.contains(secret.as_str()),
            "a secret appears in the log"
        );
        // JWTs: not even their signature part.
        if let Some(sig) = secret.rsplit('.').next().filter(|s| s.len() >= 16) {
            assert!(!log.contains(sig), "a token signature appears in the log");
        }
    }
}
