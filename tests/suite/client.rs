//! The client against a scripted local server that checks every signature with its own code.

use crate::common;

use common::no_retries;

use acs_identity::spec::API_VERSION;
use acs_identity::{
    AccessKey, ApiVersion, ClientOptions, CommunicationIdentityClient,
    CommunicationTokenScope as Scope, CommunicationUserIdentifier, ErrorKind,
    TeamsExtensionPrincipalType, TokenExpiry, TokenOptions,
};
use acs_identity::{BearerToken, BoxFuture, CredentialError, TokenCredential};
use common::mock::{KEY, MockResponse, MockServer};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const USER: &str =
    "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
const USER_IN_PATH: &str =
    "8%3Aacs%3A2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
const EXPIRES: &str = "2026-11-28T18:00:00.1234567+00:00";

fn token_json() -> serde_json::Value {
    json!({"token": "eyJ.token.sig", "expiresOn": EXPIRES})
}

async fn client_for(server: &MockServer) -> CommunicationIdentityClient {
    CommunicationIdentityClient::from_connection_string(&server.connection_string(), no_retries())
        .unwrap()
}

#[tokio::test]
async fn create_user_sends_no_body_and_is_signed() {
    let server = MockServer::start(vec![MockResponse::json(
        201,
        json!({"identity": {"id": USER}}),
    )])
    .await;
    let client = client_for(&server).await;
    let user = client.create_user().await.unwrap();
    assert_eq!(user.id(), USER);
    let r = server.last();
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, format!("/identities?api-version={API_VERSION}"));
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-length"), Some("0"));
    assert_eq!(
        r.header("x-ms-content-sha256"),
        Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    );
    assert_eq!(
        r.header("host"),
        Some(format!("127.0.0.1:{}", server.port).as_str())
    );
    assert_eq!(
        r.header("api-version"),
        None,
        "progenitor's api-version header must be removed"
    );
    r.check_signature(KEY).unwrap();
}

#[tokio::test]
async fn create_user_and_token_with_expiry() {
    let server = MockServer::start(vec![MockResponse::json(
        201,
        json!({"identity": {"id": USER}, "accessToken": token_json()}),
    )])
    .await;
    let client = client_for(&server).await;
    let (user, token) = client
        .create_user_and_token(
            &[Scope::Chat, Scope::VoipJoin],
            Some(TokenExpiry::from_hours(1).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(user.id(), USER);
    assert_eq!(token.token(), "eyJ.token.sig");
    assert_eq!(
        token.expires_on().to_rfc3339(),
        "2026-11-28T18:00:00.123456700+00:00"
    );
    let r = server.last();
    assert_eq!(
        r.json(),
        json!({"createTokenWithScopes": ["chat", "voip.join"], "expiresInMinutes": 60})
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.check_signature(KEY).unwrap();
}

#[tokio::test]
async fn get_token_omits_expiry_when_not_given_and_encodes_the_id() {
    let server = MockServer::start(vec![
        MockResponse::json(200, token_json()),
        MockResponse::json(200, token_json()),
    ])
    .await;
    let client = client_for(&server).await;
    let user = CommunicationUserIdentifier::new(USER);
    client.get_token(&user, &[Scope::Chat], None).await.unwrap();
    let r = server.last();
    assert_eq!(
        r.target,
        format!("/identities/{USER_IN_PATH}/:issueAccessToken?api-version={API_VERSION}")
    );
    assert_eq!(r.json(), json!({"scopes": ["chat"]}));
    r.check_signature(KEY).unwrap();

    let scopes = [Scope::ChatJoinLimited, Scope::Other("future.scope".into())];
    client
        .get_token(&user, &scopes, Some(TokenExpiry::MAX))
        .await
        .unwrap();
    assert_eq!(
        server.last().json(),
        json!({"scopes": ["chat.join.limited", "future.scope"], "expiresInMinutes": 1440})
    );
}

#[tokio::test]
async fn revoke_and_delete_have_empty_bodies() {
    let server = MockServer::start(vec![MockResponse::empty(204), MockResponse::empty(204)]).await;
    let client = client_for(&server).await;
    let user = CommunicationUserIdentifier::new(USER);
    client.revoke_tokens(&user).await.unwrap();
    client.delete_user(&user).await.unwrap();
    let [revoke, delete] = <[_; 2]>::try_from(server.requests()).unwrap();
    assert_eq!(
        (revoke.method.as_str(), revoke.path()),
        (
            "POST",
            format!("/identities/{USER_IN_PATH}/:revokeAccessTokens").as_str()
        )
    );
    assert_eq!(
        (delete.method.as_str(), delete.path()),
        ("DELETE", format!("/identities/{USER_IN_PATH}").as_str())
    );
    assert_eq!(revoke.header("content-length"), Some("0"));
    for r in [revoke, delete] {
        assert!(r.body.is_empty());
        r.check_signature(KEY).unwrap();
    }
}

#[tokio::test]
async fn teams_user_exchange() {
    let server = MockServer::start(vec![MockResponse::json(200, token_json())]).await;
    let client = client_for(&server).await;
    let token = client
        .get_token_for_teams_user("aad-token", "app-id", "user-oid")
        .await
        .unwrap();
    assert_eq!(token.token(), "eyJ.token.sig");
    let r = server.last();
    assert_eq!(
        r.target,
        format!("/teamsUser/:exchangeAccessToken?api-version={API_VERSION}")
    );
    assert_eq!(
        r.json(),
        json!({"token": "aad-token", "appId": "app-id", "userId": "user-oid"})
    );
    r.check_signature(KEY).unwrap();
}

#[tokio::test]
async fn teams_extension_exchange_is_authorized_by_the_users_token() {
    let server = MockServer::start(vec![MockResponse::json(
        200,
        json!({"identity": {"id": USER}, "accessToken": token_json()}),
    )])
    .await;
    let client = client_for(&server).await;
    let (user, token) = client
        .exchange_teams_extension_token("user-entra-token")
        .await
        .unwrap();
    assert_eq!((user.id(), token.token()), (USER, "eyJ.token.sig"));
    let r = server.last();
    assert_eq!(
        r.target,
        format!("/access/teamsExtension/:exchangeAccessToken?api-version={API_VERSION}")
    );
    assert_eq!(r.header("authorization"), Some("Bearer user-entra-token"));
    assert_eq!(r.json(), json!({}));
}

#[tokio::test]
async fn teams_extension_assignments() {
    let assignment =
        json!({"objectId": "o:1", "tenantId": "t/1", "principalType": "user", "clientIds": ["c1"]});
    let server = MockServer::start(vec![
        MockResponse::json(201, assignment.clone()),
        MockResponse::json(200, assignment),
        MockResponse::empty(204),
    ])
    .await;
    let client = client_for(&server).await;
    let created = client
        .upsert_teams_extension_assignment("t/1", "o:1", TeamsExtensionPrincipalType::User, &["c1"])
        .await
        .unwrap();
    assert_eq!(created.principal_type(), &TeamsExtensionPrincipalType::User);
    assert_eq!(created.client_ids(), vec!["c1".to_owned()]);
    let got = client
        .get_teams_extension_assignment("t/1", "o:1")
        .await
        .unwrap();
    assert_eq!(got, created);
    client
        .delete_teams_extension_assignment("t/1", "o:1")
        .await
        .unwrap();
    let path = "/access/teamsExtension/tenants/t%2F1/assignments/o%3A1";
    let methods: Vec<_> = server
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path().to_owned()))
        .collect();
    assert_eq!(
        methods,
        [
            ("PUT".into(), path.into()),
            ("GET".into(), path.into()),
            ("DELETE".into(), path.into())
        ]
    );
    assert_eq!(
        server.requests()[0].json(),
        json!({"principalType": "user", "clientIds": ["c1"]})
    );
    for r in server.requests() {
        r.check_signature(KEY).unwrap();
    }
}

#[tokio::test]
async fn ids_cannot_leave_their_path_segment() {
    let cases = [
        ("a/b", "a%2Fb"),
        ("a?b", "a%3Fb"),
        ("a#b", "a%23b"),
        ("a%2Fb", "a%252Fb"),
        ("../x", "..%2Fx"),
        ("ü:é 1", "%C3%BC%3A%C3%A9%201"),
    ];
    let server = MockServer::start(cases.iter().map(|_| MockResponse::empty(204)).collect()).await;
    let client = client_for(&server).await;
    for (id, _) in cases {
        client
            .revoke_tokens(&CommunicationUserIdentifier::new(id))
            .await
            .unwrap();
    }
    for ((id, encoded), r) in cases.iter().zip(server.requests()) {
        assert_eq!(
            r.path(),
            format!("/identities/{encoded}/:revokeAccessTokens"),
            "{id}"
        );
        r.check_signature(KEY).unwrap();
    }
    for id in ["", ".", "..", "a\\b"] {
        let e = client
            .revoke_tokens(&CommunicationUserIdentifier::new(id))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
    }
    assert_eq!(
        server.requests().len(),
        cases.len(),
        "an invalid id was sent"
    );
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let server = MockServer::start(vec![]).await;
    let client = client_for(&server).await;
    let user = CommunicationUserIdentifier::new(USER);
    for minutes in [0, 59, 1441, u32::MAX] {
        let e = TokenExpiry::from_minutes(minutes).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("allowed: 60 to 1440 minutes"), "{e}");
    }
    assert!(TokenExpiry::from_hours(25).is_err() && TokenExpiry::from_hours(u32::MAX).is_err());
    assert!(TokenExpiry::try_from(std::time::Duration::from_secs(3601)).is_err());
    assert_eq!(
        TokenExpiry::try_from(std::time::Duration::from_secs(7200))
            .unwrap()
            .as_minutes(),
        120
    );

    let e = client.get_token(&user, &[], None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string()
            .contains("at least one token scope is required"),
        "{e}"
    );
    let e = client.create_user_and_token(&[], None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = client
        .get_token_for_teams_user("", "app", "user")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = client
        .exchange_teams_extension_token(" ")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(server.requests().is_empty());
}

#[test]
fn malformed_configuration_is_refused() {
    let key = "accesskey=cGFzc3dvcmQ=";
    for (cs, expected) in [
        ("", "empty"),
        ("endpoint=https://x.communication.azure.com/", "accesskey"),
        (key, "endpoint"),
        (
            "endpoint=https://a/;endpoint=https://b/;accesskey=cGFzc3dvcmQ=",
            "more than once",
        ),
        ("endpoint=;accesskey=cGFzc3dvcmQ=", "empty"),
        ("endpoint=https://a/;accesskey=not base64!", "base64"),
        ("endpoint=not a url;accesskey=cGFzc3dvcmQ=", "endpoint"),
        ("endpoint=ftp://a/;accesskey=cGFzc3dvcmQ=", "scheme"),
        (
            "endpoint=http://example.com/;accesskey=cGFzc3dvcmQ=",
            "http",
        ),
    ] {
        let e = CommunicationIdentityClient::from_connection_string(cs, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration, "{cs}");
        let text = e.to_string();
        assert!(text.to_lowercase().contains(expected), "{cs:?}: {text}");
        assert!(!text.contains("cGFzc3dvcmQ"), "{text}");
    }
    let key = AccessKey::from_base64("cGFzc3dvcmQ=").unwrap();
    let e = CommunicationIdentityClient::new("http://example.com", key.clone(), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    let e = CommunicationIdentityClient::new("https://x?y=1", key.clone(), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    let options = ClientOptions {
        api_version: Some(format!("{API_VERSION}&x=1")),
        ..ClientOptions::default()
    };
    assert!(CommunicationIdentityClient::new("https://x", key.clone(), Some(options)).is_err());
    for ok in [
        "https://x.communication.azure.com/",
        "http://localhost:8080",
        "http://127.0.0.2",
        "http://[::1]:1",
    ] {
        CommunicationIdentityClient::new(ok, key.clone(), None)
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[tokio::test]
async fn errors_carry_status_code_message_and_request_id() {
    let server = MockServer::start(vec![
        MockResponse::json(401, json!({"error": {"code": "IdentityNotOwned", "message": "Provided identity doesn't belong to the resource."}}))
            .with_header("x-ms-request-id", "req-1"),
        MockResponse::json(400, json!({"error": {"code": "ValidationError", "message": "bad", "target": "ExpiresInMinutes"}})),
        MockResponse::empty(500),
        MockResponse::raw(502, "text/html", "<html>gateway</html>"),
        MockResponse::raw(200, "application/json", "{\"token\": \"abc\""),
    ])
    .await;
    let client = client_for(&server).await;
    let user = CommunicationUserIdentifier::new(USER);
    let e = client.delete_user(&user).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Service, Some(401), Some("IdentityNotOwned"))
    );
    assert_eq!(e.request_id(), Some("req-1"));
    assert_eq!(
        e.to_string(),
        "401 IdentityNotOwned: Provided identity doesn't belong to the resource. [request id: req-1]"
    );
    let e = client.revoke_tokens(&user).await.unwrap_err();
    assert_eq!(
        (e.code(), e.target()),
        (Some("ValidationError"), Some("ExpiresInMinutes"))
    );
    assert_eq!(
        e.to_string(),
        "400 ValidationError: bad (target: ExpiresInMinutes)"
    );
    let e = client.revoke_tokens(&user).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Service, Some(500), None)
    );
    assert!(
        e.to_string().starts_with("500 Internal Server Error: "),
        "{e}"
    );
    let e = client.revoke_tokens(&user).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Service, Some(502)));
    let e = client
        .get_token(&user, &[Scope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::InvalidResponse, Some(200))
    );
}

#[tokio::test]
async fn retries_resign_with_a_fresh_date() {
    let server = MockServer::start(vec![
        MockResponse::empty(503).with_header("retry-after", "1"),
        MockResponse::json(200, token_json()),
    ])
    .await;
    let client =
        CommunicationIdentityClient::from_connection_string(&server.connection_string(), None)
            .unwrap();
    let user = CommunicationUserIdentifier::new(USER);
    client.get_token(&user, &[Scope::Voip], None).await.unwrap();
    let [first, second] = <[_; 2]>::try_from(server.requests()).unwrap();
    first.check_signature(KEY).unwrap();
    second.check_signature(KEY).unwrap();
    assert_ne!(first.header("x-ms-date"), second.header("x-ms-date"));
    assert_eq!(first.body, second.body);
}

#[tokio::test]
async fn create_user_is_not_retried_after_an_ambiguous_failure() {
    let server = MockServer::start(vec![
        MockResponse::empty(500),
        MockResponse::empty(503).with_header("retry-after", "0"),
        MockResponse::json(201, json!({"identity": {"id": USER}})),
    ])
    .await;
    let client =
        CommunicationIdentityClient::from_connection_string(&server.connection_string(), None)
            .unwrap();
    let e = client.create_user().await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(server.requests().len(), 1);
    // 503 with Retry-After: the service declined before doing anything.
    let user = client.create_user().await.unwrap();
    assert_eq!(user.id(), USER);
    assert_eq!(server.requests().len(), 3);
}

#[derive(Debug, Default)]
struct CountingCredential {
    calls: AtomicUsize,
}

impl TokenCredential for CountingCredential {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        Box::pin(async move {
            assert_eq!(scopes, ["https://communication.azure.com//.default"]);
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            // The first token is about to expire: it must be refreshed on the next call.
            let lifetime = if n == 0 {
                chrono::Duration::minutes(1)
            } else {
                chrono::Duration::hours(1)
            };
            Ok(BearerToken::new(
                format!("entra-{n}"),
                chrono::Utc::now() + lifetime,
            ))
        })
    }
}

#[tokio::test]
async fn bearer_tokens_are_cached_and_refreshed_once_for_concurrent_calls() {
    let server = MockServer::start((0..21).map(|_| MockResponse::empty(204)).collect()).await;
    let credential = Arc::new(CountingCredential::default());
    let client =
        CommunicationIdentityClient::new(&server.endpoint(), credential.clone(), no_retries())
            .unwrap();
    let user = CommunicationUserIdentifier::new(USER);
    client.revoke_tokens(&user).await.unwrap();
    assert_eq!(
        server.last().header("authorization"),
        Some("Bearer entra-0")
    );
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let (client, user) = (client.clone(), user.clone());
            tokio::spawn(async move { client.revoke_tokens(&user).await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(
        credential.calls.load(Ordering::SeqCst),
        2,
        "one refresh for 20 concurrent calls"
    );
    let requests = server.requests();
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer entra-1"))
    );
    assert!(requests.iter().all(|r| r.header("x-ms-date").is_none()));
}

#[test]
fn no_secret_in_debug_or_display() {
    let key = "c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5";
    let cs = format!("endpoint=https://x.communication.azure.com/;accesskey={key}");
    let client = CommunicationIdentityClient::from_connection_string(&cs, None).unwrap();
    let text = format!("{client:?}");
    assert!(!text.contains(key) && !text.contains("secret"), "{text}");
    // What it does show: where requests go, and how they are signed.
    assert!(
        text.starts_with(
            "CommunicationIdentityClient { endpoint: \"https://x.communication.azure.com\""
        ) && text.contains(&format!("api_version: \"{API_VERSION}\""))
            && text.contains("auth: AccessKey(<redacted>)"),
        "{text}"
    );
    let expires_on = chrono::DateTime::UNIX_EPOCH;
    let token = acs_identity::AccessToken::new("the-token-value", expires_on);
    assert_eq!(
        format!("{token:?}"),
        format!("AccessToken {{ token: \"<redacted>\", expires_on: {expires_on:?} }}")
    );
    let bearer = BearerToken::new("the-bearer-value", expires_on);
    assert_eq!(
        format!("{bearer:?}"),
        format!("BearerToken {{ token: \"<redacted>\", expires_on: {expires_on:?} }}")
    );
    let credential = acs_identity::Credential::from(Arc::new(CountingCredential::default()));
    assert_eq!(
        format!("{credential:?}"),
        "Credential::TokenCredential(CountingCredential { calls: 0 })"
    );
    let options = ClientOptions::default();
    assert!(format!("{options:?}").contains("max_retries"));
}

/// The version chosen in the options is the client's and is sent with each request.
#[tokio::test]
async fn the_api_version_of_the_options_is_sent() {
    let server = MockServer::start(vec![
        MockResponse::json(201, json!({"identity": {"id": USER}})),
        MockResponse::json(201, json!({"identity": {"id": USER}})),
        MockResponse::json(201, json!({"identity": {"id": USER}})),
    ])
    .await;
    let preview = ApiVersion::LATEST_PREVIEW;
    let cases = [
        (ClientOptions::default(), API_VERSION),
        (
            ClientOptions::default().with_api_version(ApiVersion::V2023_10_01),
            "2023-10-01",
        ),
        (ClientOptions::latest_preview(), preview.as_str()),
    ];
    for (options, expected) in cases {
        let options = ClientOptions {
            retry: no_retries().unwrap().retry,
            ..options
        };
        let client = CommunicationIdentityClient::from_connection_string(
            &server.connection_string(),
            Some(options),
        )
        .unwrap();
        assert_eq!(client.api_version(), expected);
        client.create_user().await.unwrap();
        assert_eq!(
            server.last().target,
            format!("/identities?api-version={expected}")
        );
    }
    assert_ne!(ApiVersion::LATEST_PREVIEW.as_str(), "2023-10-01");
}

/// A token's lifetime may be given as `Some(expiry)`, as the bare expiry, or as
/// `TokenOptions::new().expiry(..)`; each sends it.
#[tokio::test]
async fn every_form_of_the_token_options_sends_the_expiry() {
    let server = MockServer::start(vec![
        MockResponse::json(200, token_json()),
        MockResponse::json(200, token_json()),
        MockResponse::json(200, token_json()),
    ])
    .await;
    let client = client_for(&server).await;
    let user = CommunicationUserIdentifier::new(USER);
    let two_hours = TokenExpiry::from_hours(2).unwrap();
    client
        .get_token(&user, &[Scope::Chat], two_hours)
        .await
        .unwrap();
    assert_eq!(server.last().json()["expiresInMinutes"], 120);
    client
        .get_token(&user, &[Scope::Chat], TokenOptions::new().expiry(two_hours))
        .await
        .unwrap();
    assert_eq!(server.last().json()["expiresInMinutes"], 120);
    client
        .get_token(&user, &[Scope::Chat], TokenOptions::new())
        .await
        .unwrap();
    assert_eq!(server.last().json(), json!({"scopes": ["chat"]}));
}

#[test]
fn clients_are_send_sync_clone_debug() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    check::<CommunicationIdentityClient>();
    fn future_is_send<F: std::future::Future + Send>(_: F) {}
    let client = CommunicationIdentityClient::from_connection_string(
        "endpoint=https://x.communication.azure.com/;accesskey=cGFzc3dvcmQ=",
        None,
    )
    .unwrap();
    let user = CommunicationUserIdentifier::new(USER);
    future_is_send(client.get_token(&user, &[Scope::Chat], None));
    future_is_send(client.create_user());
    future_is_send(client.exchange_teams_extension_token("t"));
}

#[tokio::test]
async fn user_agent_names_the_crate_platform_and_application() {
    let server = MockServer::start(vec![MockResponse::empty(204)]).await;
    let options = ClientOptions {
        user_agent_suffix: Some("contoso-backend/2.1".into()),
        ..no_retries().unwrap()
    };
    let client = CommunicationIdentityClient::from_connection_string(
        &server.connection_string(),
        Some(options),
    )
    .unwrap();
    client
        .revoke_tokens(&CommunicationUserIdentifier::new(USER))
        .await
        .unwrap();
    let expected = format!(
        "acs-identity/{} ({}; {}) contoso-backend/2.1",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    assert_eq!(server.last().header("user-agent"), Some(expected.as_str()));
}

#[test]
fn the_library_never_reads_environment_variables() {
    fn scan(dir: &std::path::Path, hits: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // The emulator's binary is a program, not the library.
                if !path.ends_with("bin") {
                    scan(&path, hits);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Code, not documentation: doc examples may read the environment.
                let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
                for (n, line) in code.enumerate() {
                    if ["env::var", "var_os("].iter().any(|p| line.contains(p)) {
                        hits.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    let mut hits = Vec::new();
    scan(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut hits,
    );
    assert!(hits.is_empty(), "{hits:?}");
}
