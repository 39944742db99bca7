//! The emulator over https (a certificate made at start, or the user's), its Entra ID token
//! endpoint, and the API versions the official SDKs send.

use acs_identity::{
    BearerToken, BoxFuture, ClientOptions, CommunicationIdentityClient, CommunicationTokenScope,
    CredentialError, ErrorKind, RetryOptions, TokenCredential,
};
use acs_identity_emulator::{
    AuthOutcome, Emulator, EmulatorOptions, Fault, FaultAction, Tls, TokenStatus,
};
use serde_json::{Value, json};

const CHAT: &[CommunicationTokenScope] = &[CommunicationTokenScope::Chat];
const SCOPE: &str = "https://communication.azure.com//.default";

async fn https_emulator() -> Emulator {
    Emulator::start_with(EmulatorOptions {
        tls: Tls::Generated,
        ..EmulatorOptions::default()
    })
    .await
    .expect("an https emulator")
}

fn client(emulator: &Emulator, options: ClientOptions) -> CommunicationIdentityClient {
    CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .expect("a valid connection string")
}

/// A reqwest client that trusts only the certificates of `pem`.
fn trusting(pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}

/// The error and its sources, as text.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[tokio::test]
async fn sdk_client_over_https_trusting_the_certificate() {
    let emulator = https_emulator().await;
    assert!(emulator.endpoint().starts_with("https://127.0.0.1:"));
    assert!(emulator.connection_string().starts_with(&format!(
        "endpoint=https://127.0.0.1:{}/;accesskey=",
        emulator.port()
    )));
    let pem = emulator.certificate_pem().expect("a certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    let sdk = client(&emulator, emulator.client_options());
    let (user, token) = sdk.create_user_and_token(CHAT, None).await.unwrap();
    let token2 = sdk
        .get_token(&user, &[CommunicationTokenScope::Voip], None)
        .await
        .unwrap();
    sdk.revoke_tokens(&user).await.unwrap();
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Revoked);
    assert_eq!(emulator.token_status(token2.token()), TokenStatus::Revoked);
    sdk.delete_user(&user).await.unwrap();
    assert!(!emulator.user_exists(user.id()));
    let requests = emulator.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| r.auth == AuthOutcome::AccessKey));
    // The signature covers the Host header as received over TLS.
    assert_eq!(
        requests[0].header("host"),
        Some(format!("127.0.0.1:{}", emulator.port()).as_str())
    );

    // The same with a client built by hand from the PEM, the documented way.
    let options = ClientOptions {
        http_client: Some(trusting(pem)),
        ..ClientOptions::default()
    };
    client(&emulator, options).create_user().await.unwrap();
    assert_eq!(emulator.user_count(), 1);

    // Plain http emulators need no certificate.
    let plain = Emulator::start().await.unwrap();
    assert_eq!(plain.certificate_pem(), None);
    assert!(plain.client_options().http_client.is_none());
    client(&plain, plain.client_options())
        .create_user()
        .await
        .unwrap();
}

#[tokio::test]
async fn clients_that_do_not_trust_the_certificate_are_refused() {
    let emulator = https_emulator().await;
    let url = format!("{}/identities?api-version=2023-10-01", emulator.endpoint());

    // A client with the system's roots only.
    let error = reqwest::Client::new().post(&url).send().await.unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    let text = chain(&error).to_lowercase();
    assert!(text.contains("certificate"), "not a TLS error: {text}");

    // A client trusting another emulator's certificate.
    let other = https_emulator().await;
    let error = trusting(other.certificate_pem().unwrap())
        .post(&url)
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&error).to_lowercase().contains("certificate"),
        "{error:?}"
    );

    // The SDK's client: a transport error, and nothing reached the service.
    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 0,
            ..RetryOptions::default()
        },
        ..ClientOptions::default()
    };
    let error = client(&emulator, options).create_user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(emulator.request_count(), 0);

    // Plain http to the https port is not served either.
    let plain = format!("http://127.0.0.1:{}/identities", emulator.port());
    assert!(reqwest::Client::new().post(&plain).send().await.is_err());

    // The emulator still serves clients that trust it.
    let status = trusting(emulator.certificate_pem().unwrap())
        .post(&url)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401, "unsigned, but served");
}

/// A CA, and a certificate for 127.0.0.1 it signed, both PEM, with the leaf's key.
fn user_certificates() -> (String, String, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.distinguished_name
        .push(DnType::CommonName, "test CA of the user");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "the user's server");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    (ca_cert.pem(), leaf_cert.pem(), leaf_key.serialize_pem())
}

#[tokio::test]
async fn a_certificate_the_user_brings() {
    let (ca, leaf, key) = user_certificates();
    let chain_pem = format!("{leaf}{ca}");
    let emulator = Emulator::start_with(EmulatorOptions {
        tls: Tls::pem(chain_pem.clone(), key.clone()),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    assert_eq!(emulator.certificate_pem(), Some(chain_pem.as_str()));
    assert!(emulator.endpoint().starts_with("https://"));

    // Trusting the user's CA alone is enough: the emulator serves that certificate.
    let options = ClientOptions {
        http_client: Some(trusting(&ca)),
        ..ClientOptions::default()
    };
    client(&emulator, options).create_user().await.unwrap();
    client(&emulator, emulator.client_options())
        .create_user()
        .await
        .unwrap();
    assert_eq!(emulator.user_count(), 2);

    // A client trusting a certificate made by an emulator does not trust the user's.
    let generated = https_emulator().await;
    let url = format!("{}/identities", emulator.endpoint());
    let error = trusting(generated.certificate_pem().unwrap())
        .post(&url)
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&error).to_lowercase().contains("certificate"),
        "{error:?}"
    );

    // Broken PEM is refused at start, and `Debug` does not show the key.
    for tls in [
        Tls::pem("not a certificate", key.clone()),
        Tls::pem(chain_pem.clone(), "not a key"),
        Tls::pem(ca.clone(), key.clone()), // the key is not the certificate's
    ] {
        let debug = format!("{tls:?}");
        assert!(!debug.contains("PRIVATE KEY"), "{debug}");
        assert!(
            debug.starts_with("Pem { certificate_chain: ")
                && debug.ends_with(", private_key: \"<redacted>\" }"),
            "{debug}"
        );
        let error = Emulator::start_with(EmulatorOptions {
            tls,
            ..EmulatorOptions::default()
        })
        .await
        .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{error}");
    }
}

#[tokio::test]
async fn reset_fault_over_tls() {
    let emulator = https_emulator().await;
    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 0,
            ..RetryOptions::default()
        },
        ..emulator.client_options()
    };
    let client = client(&emulator, options);
    emulator.faults().inject(Fault::new(FaultAction::Reset));
    let error = client.create_user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    client.create_user().await.unwrap();
}

/// Over TLS too, a `Reset` fault closes the connection abortively: the client reads a reset
/// of the TCP connection, not the end of a TLS stream without its close_notify.
#[tokio::test]
async fn a_reset_fault_over_tls_is_a_tcp_reset() {
    let emulator = https_emulator().await;
    emulator.faults().inject(Fault::new(FaultAction::Reset));
    let error = trusting(emulator.certificate_pem().unwrap())
        .post(format!("{}/identities?api-version=x", emulator.endpoint()))
        .send()
        .await
        .unwrap_err();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    let mut kinds = Vec::new();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            kinds.push(io.kind());
        }
        source = e.source();
    }
    assert_eq!(
        kinds,
        [std::io::ErrorKind::ConnectionReset],
        "{}",
        chain(&error)
    );
}

// --- the Entra ID token endpoint ---

/// A credential that hands out one fixed token.
#[derive(Debug)]
struct FixedToken(String, chrono::DateTime<chrono::Utc>);

impl TokenCredential for FixedToken {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        assert_eq!(scopes, [SCOPE]);
        Box::pin(async move { Ok(BearerToken::new(self.0.clone(), self.1)) })
    }
}

async fn post_token(emulator: &Emulator, body: Option<Value>) -> (u16, Value) {
    let http = trusting(emulator.certificate_pem().unwrap());
    let mut request = http.post(format!("{}/emulator/entra/token", emulator.endpoint()));
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn token_endpoint_tokens_authorize_the_client() {
    let emulator = https_emulator().await;
    let (status, answer) = post_token(&emulator, Some(json!({"scopes": [SCOPE]}))).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["token_type"], "Bearer");
    let token = answer["access_token"].as_str().unwrap().to_owned();
    let expires_on = answer["expires_on"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        (expires_on - now - 3600).abs() <= 2,
        "{expires_on} vs {now}"
    );
    assert!((answer["expires_in"].as_i64().unwrap() - 3600).abs() <= 2);

    let credential = FixedToken(
        token.clone(),
        chrono::DateTime::from_timestamp(expires_on, 0).unwrap(),
    );
    let client = CommunicationIdentityClient::new(
        emulator.endpoint(),
        std::sync::Arc::new(credential),
        Some(emulator.client_options()),
    )
    .unwrap();
    emulator.clear_requests();
    let (user, _) = client.create_user_and_token(CHAT, None).await.unwrap();
    client.delete_user(&user).await.unwrap();
    let requests = emulator.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.auth, AuthOutcome::ResourceToken, "{request:?}");
    }

    // Each answer is a new token; without a body the scope is the Communication Services one.
    let (status, again) = post_token(&emulator, None).await;
    assert_eq!(status, 200);
    assert_ne!(again["access_token"].as_str().unwrap(), token);

    // A token of another emulator is refused.
    let other = https_emulator().await;
    let (_, foreign) = post_token(&other, None).await;
    let foreign = FixedToken(
        foreign["access_token"].as_str().unwrap().to_owned(),
        chrono::Utc::now() + chrono::Duration::hours(1),
    );
    let client = CommunicationIdentityClient::new(
        emulator.endpoint(),
        std::sync::Arc::new(foreign),
        Some(emulator.client_options()),
    )
    .unwrap();
    let error = client.create_user().await.unwrap_err();
    assert_eq!((error.status(), error.code()), (Some(401), Some("Denied")));
}

#[tokio::test]
async fn token_endpoint_errors_and_faults() {
    let emulator = https_emulator().await;
    for (body, status, error) in [
        (
            json!({"scopes": ["https://graph.microsoft.com/.default"]}),
            400,
            "invalid_scope",
        ),
        (json!({"scopes": [SCOPE, SCOPE]}), 400, "invalid_scope"),
        (json!({"scopes": "chat"}), 400, "invalid_request"),
    ] {
        let (got, answer) = post_token(&emulator, Some(body.clone())).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(error)),
            "{body}"
        );
        assert!(answer["error_description"].is_string());
    }
    let http = trusting(emulator.certificate_pem().unwrap());
    let url = format!("{}/emulator/entra/token", emulator.endpoint());
    assert_eq!(http.get(&url).send().await.unwrap().status(), 405);
    assert_eq!(
        http.post(format!("{url}s")).send().await.unwrap().status(),
        404
    );

    // Faults are for the service's operations: the token endpoint does not take one.
    emulator
        .faults()
        .inject(Fault::new(FaultAction::status(503)));
    let (status, _) = post_token(&emulator, None).await;
    assert_eq!(status, 200);
    let status = http
        .post(format!(
            "{}/identities?api-version=2023-10-01",
            emulator.endpoint()
        ))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(
        status, 503,
        "the fault is still there for the next operation"
    );
}

// --- API versions ---

#[tokio::test]
async fn the_official_sdks_api_version_serves_the_core_operations() {
    let emulator = https_emulator().await;
    let options = ClientOptions {
        api_version: Some("2023-10-01".to_owned()),
        ..emulator.client_options()
    };
    let client = client(&emulator, options);
    let user = client.create_user().await.unwrap();
    let token = client.get_token(&user, CHAT, None).await.unwrap();
    client.revoke_tokens(&user).await.unwrap();
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Revoked);
    client.delete_user(&user).await.unwrap();
    let (app, object, tenant) = ("app", "object", "tenant");
    let aad = emulator.issue_teams_user_token(app, object, tenant, chrono::Duration::hours(1));
    client
        .get_token_for_teams_user(&aad, app, object)
        .await
        .unwrap();
    let requests = emulator.requests();
    assert_eq!(requests.len(), 5);
    for request in requests {
        assert!(
            request.path_and_query.ends_with("api-version=2023-10-01"),
            "{}",
            request.path_and_query
        );
        assert!(matches!(request.status, Some(200..=299)), "{request:?}");
    }
}
