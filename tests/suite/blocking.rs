//! The synchronous client (feature `blocking`), against a scripted server and the emulator, each
//! run by a runtime the calling thread does not enter.

#![cfg(feature = "blocking")]

use crate::common;

use acs_identity::spec::API_VERSION;
use common::no_retries;

use acs_identity::blocking::CommunicationIdentityClient;
use acs_identity::{
    ClientOptions, CommunicationTokenScope as Scope, CommunicationUserIdentifier, ErrorKind,
    RetryOptions, TeamsExtensionPrincipalType, TokenExpiry,
};
use acs_identity_emulator::{AuthOutcome, Emulator, TokenStatus};
use common::mock::{KEY, MockResponse, MockServer};
use serde_json::json;
use std::time::Duration;

const USER: &str =
    "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
const USER_IN_PATH: &str =
    "8%3Aacs%3A2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
const EXPIRES: &str = "2026-11-28T18:00:00+00:00";

/// A scripted server on a runtime of its own (declared first: dropped before the runtime).
struct Server {
    mock: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(script: Vec<MockResponse>) -> Server {
        let runtime = server_runtime();
        let mock = runtime.block_on(MockServer::start(script));
        Server {
            mock,
            _runtime: runtime,
        }
    }

    fn client(&self) -> CommunicationIdentityClient {
        CommunicationIdentityClient::from_connection_string(
            &self.mock.connection_string(),
            no_retries(),
        )
        .unwrap()
    }
}

fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn token_json() -> serde_json::Value {
    json!({"token": "eyJ.token.sig", "expiresOn": EXPIRES})
}

#[test]
fn every_operation() {
    let assignment =
        json!({"objectId": "o:1", "tenantId": "t/1", "principalType": "user", "clientIds": ["c1"]});
    let server = Server::start(vec![
        MockResponse::json(201, json!({"identity": {"id": USER}})),
        MockResponse::json(
            201,
            json!({"identity": {"id": USER}, "accessToken": token_json()}),
        ),
        MockResponse::json(200, token_json()),
        MockResponse::empty(204),
        MockResponse::empty(204),
        MockResponse::json(200, token_json()),
        MockResponse::json(
            200,
            json!({"identity": {"id": USER}, "accessToken": token_json()}),
        ),
        MockResponse::json(201, assignment.clone()),
        MockResponse::json(200, assignment),
        MockResponse::empty(204),
    ]);
    let client = server.client();

    let user = client.create_user().unwrap();
    assert_eq!(user.id(), USER);
    let (user2, token) = client
        .create_user_and_token(&[Scope::Chat], Some(TokenExpiry::from_hours(1).unwrap()))
        .unwrap();
    assert_eq!(user2, user);
    assert_eq!(token.token(), "eyJ.token.sig");
    assert_eq!(token.expires_on().to_rfc3339(), EXPIRES);
    let token = client
        .get_token(&user, &[Scope::Chat, Scope::Voip], None)
        .unwrap();
    assert_eq!(token.token(), "eyJ.token.sig");
    client.revoke_tokens(&user).unwrap();
    client.delete_user(&user).unwrap();
    let token = client
        .get_token_for_teams_user("aad-token", "app-id", "user-oid")
        .unwrap();
    assert_eq!(token.token(), "eyJ.token.sig");
    let (teams_user, _) = client
        .exchange_teams_extension_token("user-entra-token")
        .unwrap();
    assert_eq!(teams_user.id(), USER);
    let created = client
        .upsert_teams_extension_assignment("t/1", "o:1", TeamsExtensionPrincipalType::User, &["c1"])
        .unwrap();
    assert_eq!(created.client_ids(), ["c1"]);
    let got = client.get_teams_extension_assignment("t/1", "o:1").unwrap();
    assert_eq!(got, created);
    client
        .delete_teams_extension_assignment("t/1", "o:1")
        .unwrap();

    let api = format!("api-version={API_VERSION}");
    let assignment = "/access/teamsExtension/tenants/t%2F1/assignments/o%3A1";
    let expected = [
        ("POST", format!("/identities?{api}")),
        ("POST", format!("/identities?{api}")),
        (
            "POST",
            format!("/identities/{USER_IN_PATH}/:issueAccessToken?{api}"),
        ),
        (
            "POST",
            format!("/identities/{USER_IN_PATH}/:revokeAccessTokens?{api}"),
        ),
        ("DELETE", format!("/identities/{USER_IN_PATH}?{api}")),
        ("POST", format!("/teamsUser/:exchangeAccessToken?{api}")),
        (
            "POST",
            format!("/access/teamsExtension/:exchangeAccessToken?{api}"),
        ),
        ("PUT", format!("{assignment}?{api}")),
        ("GET", format!("{assignment}?{api}")),
        ("DELETE", format!("{assignment}?{api}")),
    ];
    let requests = server.mock.requests();
    let sent: Vec<_> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.target.clone()))
        .collect();
    assert_eq!(sent, expected);
    assert_eq!(
        requests[1].json(),
        json!({"createTokenWithScopes": ["chat"], "expiresInMinutes": 60})
    );
    assert_eq!(requests[2].json(), json!({"scopes": ["chat", "voip"]}));
    assert_eq!(
        requests[5].json(),
        json!({"token": "aad-token", "appId": "app-id", "userId": "user-oid"})
    );
    assert_eq!(
        requests[6].header("authorization"),
        Some("Bearer user-entra-token")
    );
    assert_eq!(
        requests[7].json(),
        json!({"principalType": "user", "clientIds": ["c1"]})
    );
    for (i, r) in requests.iter().enumerate() {
        if i != 6 {
            r.check_signature(KEY).unwrap();
        }
    }
}

#[test]
fn accessors_and_raw() {
    let server = Server::start(vec![MockResponse::empty(204)]);
    let client = server.client();
    assert_eq!(client.endpoint(), server.mock.endpoint());
    assert_eq!(client.api_version(), acs_identity::spec::API_VERSION);
    let response = client
        .block_on(client.raw().revoke_access_tokens(USER))
        .unwrap()
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let r = server.mock.last();
    assert_eq!(
        r.target,
        format!("/identities/{USER_IN_PATH}/:revokeAccessTokens?api-version={API_VERSION}")
    );
    r.check_signature(KEY).unwrap();

    let options = ClientOptions {
        api_version: Some("2023-10-01".into()),
        ..ClientOptions::default()
    };
    let key = acs_identity::AccessKey::from_base64(KEY).unwrap();
    let client =
        CommunicationIdentityClient::new("https://r.communication.azure.com/", key, Some(options))
            .unwrap();
    assert_eq!(client.endpoint(), "https://r.communication.azure.com");
    assert_eq!(client.api_version(), "2023-10-01");
    let e = CommunicationIdentityClient::from_connection_string("endpoint=x", None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
}

#[test]
fn service_errors_and_retries() {
    let server = Server::start(vec![
        MockResponse::error(
            401,
            "IdentityNotOwned",
            "Provided identity doesn't belong to the resource.",
        ),
        MockResponse::empty(503).with_header("retry-after", "0"),
        MockResponse::empty(204),
    ]);
    let user = CommunicationUserIdentifier::new(USER);
    let e = server.client().revoke_tokens(&user).unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.code(), Some("IdentityNotOwned"));

    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 1,
            initial_delay: Duration::from_millis(10),
            ..RetryOptions::default()
        },
        ..ClientOptions::default()
    };
    let client = CommunicationIdentityClient::from_connection_string(
        &server.mock.connection_string(),
        Some(options),
    )
    .unwrap();
    client.revoke_tokens(&user).unwrap();
    assert_eq!(server.mock.requests().len(), 3);

    let e = client.get_token(&user, &[], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(server.mock.requests().len(), 3);
}

#[test]
fn clones_work_from_several_threads_at_once() {
    let server = Server::start(
        (0..8)
            .map(|_| MockResponse::json(201, json!({"identity": {"id": USER}})))
            .collect(),
    );
    let client = server.client();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let client = client.clone();
                s.spawn(move || client.create_user().unwrap())
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().id(), USER);
        }
    });
    assert_eq!(server.mock.requests().len(), 8);
}

#[test]
fn inside_a_runtime_it_returns_an_error_and_sends_nothing() {
    let server = Server::start(vec![
        MockResponse::json(201, json!({"identity": {"id": USER}})),
        MockResponse::json(201, json!({"identity": {"id": USER}})),
    ]);
    let client = server.client();
    // Used once outside, so that its runtime has a connection and a resolver thread.
    client.create_user().unwrap();

    let check = |e: acs_identity::Error| {
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains("Tokio runtime is current"), "{e}");
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // In `block_on` itself,
    runtime.block_on(async {
        check(client.create_user().unwrap_err());
    });
    // in a task of a multi-threaded runtime,
    let multi = server_runtime();
    let c = client.clone();
    multi
        .block_on(multi.spawn(async move {
            check(
                c.delete_user(&CommunicationUserIdentifier::new(USER))
                    .unwrap_err(),
            );
            check(c.block_on(async { 1 }).unwrap_err());
        }))
        .unwrap();
    // under `enter` and in `spawn_blocking`.
    {
        let _guard = runtime.enter();
        check(
            client
                .revoke_tokens(&CommunicationUserIdentifier::new(USER))
                .unwrap_err(),
        );
    }
    let c = client.clone();
    multi
        .block_on(multi.spawn_blocking(move || {
            check(c.create_user().unwrap_err());
        }))
        .unwrap();
    assert_eq!(server.mock.requests().len(), 1, "nothing was sent");

    // Outside again, it works; dropping the last clone inside a runtime does not panic.
    client.create_user().unwrap();
    let c = client.clone();
    drop(client);
    runtime.block_on(async move { drop(c) });
}

#[test]
fn clients_are_send_sync_clone_debug_and_redacted() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    check::<CommunicationIdentityClient>();
    let client = CommunicationIdentityClient::from_connection_string(
        &format!("endpoint=https://r.communication.azure.com/;accesskey={KEY}"),
        None,
    )
    .unwrap();
    let text = format!("{client:?}");
    assert!(
        text.starts_with("blocking::CommunicationIdentityClient("),
        "{text}"
    );
    assert!(text.contains("https://r.communication.azure.com"), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

#[test]
fn every_operation_against_the_emulator() {
    let runtime = server_runtime();
    let emulator = runtime.block_on(Emulator::start()).unwrap();
    let client =
        CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), None)
            .unwrap();
    assert_eq!(client.endpoint(), emulator.endpoint());

    let user = client.create_user().unwrap();
    assert!(emulator.user_exists(user.id()));
    let token = client.get_token(&user, &[Scope::Chat], None).unwrap();
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Valid);
    let (user2, token2) = client
        .create_user_and_token(&[Scope::VoipJoin], Some(TokenExpiry::MIN))
        .unwrap();
    let lifetime = token2.expires_on() - chrono::Utc::now();
    assert!(lifetime <= chrono::Duration::minutes(60), "{lifetime}");
    client.revoke_tokens(&user).unwrap();
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Revoked);
    client.delete_user(&user).unwrap();
    assert!(!emulator.user_exists(user.id()));
    let e = client.get_token(&user, &[Scope::Chat], None).unwrap_err();
    assert_eq!(e.status(), Some(404), "{e}");
    client.delete_user(&user2).unwrap();

    let (app, oid, tenant) = ("app-guid", "user-guid", "tenant-guid");
    let aad = emulator.issue_teams_user_token(app, oid, tenant, chrono::Duration::hours(1));
    let teams = client.get_token_for_teams_user(&aad, app, oid).unwrap();
    assert_eq!(emulator.token_status(teams.token()), TokenStatus::Valid);
    let (teams_user, teams_token) = client.exchange_teams_extension_token(&aad).unwrap();
    assert!(
        teams_user.id().ends_with(&format!("_{tenant}_{oid}")),
        "{teams_user:?}"
    );
    assert_eq!(
        emulator.token_status(teams_token.token()),
        TokenStatus::Valid
    );

    let created = client
        .upsert_teams_extension_assignment(tenant, oid, TeamsExtensionPrincipalType::User, &["c1"])
        .unwrap();
    assert_eq!(emulator.assignment(tenant, oid).as_ref(), Some(&created));
    let got = client.get_teams_extension_assignment(tenant, oid).unwrap();
    assert_eq!(got, created);
    client
        .delete_teams_extension_assignment(tenant, oid)
        .unwrap();
    assert_eq!(emulator.assignment(tenant, oid), None);

    // 12 requests, each authenticated as expected.
    let auth: Vec<_> = emulator.requests().iter().map(|r| r.auth).collect();
    let mut expected = vec![AuthOutcome::AccessKey; 12];
    expected[8] = AuthOutcome::TeamsUserToken;
    assert_eq!(auth, expected);
}

#[test]
fn entra_id_credential_against_the_emulator() {
    let runtime = server_runtime();
    let emulator = runtime.block_on(Emulator::start()).unwrap();
    let credential = emulator.token_credential();
    // The credential's future is driven by the blocking client's own runtime.
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), credential.clone(), None).unwrap();
    let user = client.create_user().unwrap();
    client.get_token(&user, &[Scope::Chat], None).unwrap();
    client.delete_user(&user).unwrap();
    assert_eq!(credential.tokens_issued(), 1);
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| r.auth == AuthOutcome::ResourceToken)
    );
}

/// The operations of the newest preview, synchronously.
#[test]
fn preview_operations() {
    use acs_identity::spec::PREVIEW_API_VERSION;
    use acs_identity::{EntraAssignmentUpdates, EntraPrincipalType};
    let assignment =
        json!({"objectId": "o", "tenantId": "t", "principalType": "group", "clientIds": ["c"]});
    let server = Server::start(vec![
        MockResponse::json(200, json!({"id": USER, "customId": "alice"})),
        MockResponse::json(200, assignment.clone()),
        MockResponse::json(200, json!({"value": [assignment.clone()]})),
        MockResponse::json(200, json!({"value": [assignment]})),
        MockResponse::empty(204),
        MockResponse::json(
            200,
            json!({"identity": {"id": USER}, "accessToken": token_json()}),
        ),
    ]);
    let client = CommunicationIdentityClient::from_connection_string(
        &server.mock.connection_string(),
        Some(ClientOptions {
            api_version: Some(PREVIEW_API_VERSION.into()),
            ..no_retries().unwrap()
        }),
    )
    .unwrap();
    let user = CommunicationUserIdentifier::new(USER);
    assert_eq!(client.get_user(&user).unwrap().custom_id(), Some("alice"));
    let a = client
        .upsert_entra_assignment("o", "t", EntraPrincipalType::Group, &["c"])
        .unwrap();
    assert_eq!(a.principal_type(), &EntraPrincipalType::Group);
    assert_eq!(client.list_entra_assignments().unwrap().len(), 1);
    let updated = client
        .update_entra_assignments(&EntraAssignmentUpdates::new().remove("x"))
        .unwrap();
    assert_eq!(updated.len(), 1);
    client.delete_entra_assignment("o").unwrap();
    let exchanged = client.exchange_entra_id_token("entra").unwrap();
    assert_eq!(exchanged.user().id(), USER);
    let methods: Vec<String> = server
        .mock
        .requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["GET", "PUT", "GET", "PATCH", "DELETE", "POST"]);
}
