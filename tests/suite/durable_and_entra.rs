//! The operations that not every API version has, against a scripted server that checks every
//! signature with its own code: durable identities, user details, the Entra ID token exchange
//! and assignments (with paging and removal), at the newest preview (which has them all); and the
//! version table, which refuses an operation or a parameter the client's API version lacks before
//! anything is sent. Which version lacks what is read from the table, not assumed.

use crate::common;

use acs_identity::spec::{
    API_VERSIONS, CUSTOM_ID_MAX_LENGTH, OPERATIONS, OperationId, PREVIEW_API_VERSION,
};
use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope as Scope,
    CommunicationUserIdentifier, CreateUserOptions, EntraAssignment, EntraAssignmentUpdates,
    EntraPrincipalType, ErrorKind, RetryOptions,
};
use common::mock::{KEY, MockResponse, MockServer};
use serde_json::json;

const USER: &str = "8:acs:r_00000000-1111-2222-3333-444444444444";

fn client(server: &MockServer, api_version: &str) -> CommunicationIdentityClient {
    let options = ClientOptions {
        api_version: Some(api_version.to_owned()),
        retry: RetryOptions {
            max_retries: 1,
            initial_delay: std::time::Duration::from_millis(1),
            ..RetryOptions::default()
        },
        ..ClientOptions::default()
    };
    CommunicationIdentityClient::from_connection_string(&server.connection_string(), Some(options))
        .unwrap()
}

fn assignment_json(object_id: &str) -> serde_json::Value {
    json!({"objectId": object_id, "tenantId": "t", "principalType": "user", "clientIds": ["c"]})
}

#[tokio::test]
async fn durable_identities_send_the_custom_id_and_are_retried() {
    let server = MockServer::start(vec![
        MockResponse::empty(500),
        MockResponse::json(201, json!({"identity": {"id": USER, "customId": "alice"}})),
        MockResponse::json(
            201,
            json!({"identity": {"id": USER}, "accessToken": {"token": "t", "expiresOn": "2026-11-28T18:00:00+00:00"}}),
        ),
    ])
    .await;
    let client = client(&server, PREVIEW_API_VERSION);
    let created = client
        .create_user_with(CreateUserOptions::new().custom_id("alice"))
        .await
        .unwrap();
    assert_eq!(created.user().id(), USER);
    // A 500 is retried: a repeat with the same custom id returns the same user.
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.json(), json!({"customId": "alice"}));
        assert_eq!(
            r.target,
            format!("/identities?api-version={PREVIEW_API_VERSION}")
        );
        r.check_signature(KEY).unwrap();
    }
    let (_, token) = client
        .create_user_with(
            CreateUserOptions::new()
                .custom_id("alice")
                .with_token(&[Scope::Chat], None),
        )
        .await
        .unwrap()
        .into_parts();
    assert_eq!(token.unwrap().token(), "t");
    assert_eq!(
        server.last().json(),
        json!({"customId": "alice", "createTokenWithScopes": ["chat"]})
    );
}

#[tokio::test]
async fn custom_id_bounds_come_from_the_spec_and_are_checked_before_sending() {
    let server = MockServer::start(Vec::new()).await;
    let client = client(&server, PREVIEW_API_VERSION);
    for bad in [String::new(), "x".repeat(CUSTOM_ID_MAX_LENGTH + 1)] {
        let e = client
            .create_user_with(CreateUserOptions::new().custom_id(bad.clone()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(
            e.to_string()
                .contains(&format!("1 to {CUSTOM_ID_MAX_LENGTH}")),
            "{e}"
        );
    }
    assert_eq!(CUSTOM_ID_MAX_LENGTH, 256);
    assert!(server.requests().is_empty());
}

/// Every vendored version paired with each operation it lacks.
fn lacking() -> Vec<(&'static str, OperationId)> {
    API_VERSIONS
        .iter()
        .flat_map(|v| {
            OPERATIONS
                .iter()
                .filter(move |op| !op.versions.contains(v))
                .map(move |op| (*v, op.id))
        })
        .collect()
}

#[tokio::test]
async fn operations_a_version_lacks_are_refused_before_sending() {
    let server = MockServer::start(Vec::new()).await;
    let user = CommunicationUserIdentifier::new(USER);
    let mut checked = 0;
    for (version, id) in lacking() {
        let client = client(&server, version);
        let needs = id.operation().needs();
        let expected = |method: &str| {
            format!(
                "`{method}` needs API version {needs}; this client uses {version} (set \
                 `ClientOptions::api_version`)"
            )
        };
        // The facade names the method the user called; the raw client its own.
        let (method, e) = match id {
            OperationId::GetIdentity => ("get_user", client.get_user(&user).await.unwrap_err()),
            OperationId::GetTeamsExtensionAssignment => (
                "get_teams_extension_assignment",
                client
                    .get_teams_extension_assignment("t", "o")
                    .await
                    .unwrap_err(),
            ),
            OperationId::ListEntraAssignments => (
                "list_entra_assignments",
                client.list_entra_assignments().await.unwrap_err(),
            ),
            _ => continue,
        };
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(e.message(), expected(method));
        if id == OperationId::GetIdentity {
            let e = client.raw().get_identity(USER).await.unwrap_err();
            assert!(e.to_string().contains(&expected("get_identity")), "{e}");
        }
        checked += 1;
    }
    assert!(lacking().is_empty() || checked > 0);
    assert!(server.requests().is_empty(), "nothing was sent");
    // The core operations exist at every version.
    for version in API_VERSIONS {
        server.push(MockResponse::json(201, json!({"identity": {"id": USER}})));
        client(&server, version).create_user().await.unwrap();
    }
    assert_eq!(server.requests().len(), API_VERSIONS.len());
}

#[tokio::test]
async fn a_custom_id_is_refused_before_sending_at_versions_without_it() {
    let server = MockServer::start(Vec::new()).await;
    let create = OperationId::CreateIdentity.operation();
    let custom_id = create
        .body_properties
        .iter()
        .find(|p| p.name == "customId")
        .expect("some version takes a custom id and another does not");
    for version in API_VERSIONS
        .iter()
        .filter(|v| !custom_id.versions.contains(v))
    {
        let e = client(&server, version)
            .create_user_with(CreateUserOptions::new().custom_id("a"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            e.message(),
            format!(
                "`custom_id` of `create_user_with` needs API version {}; this client uses \
                 {version} (set `ClientOptions::api_version`)",
                custom_id.needs()
            )
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn user_details() {
    let server = MockServer::start(vec![MockResponse::json(
        200,
        json!({"id": USER, "customId": "alice", "lastTokenIssuedAt": "2025-04-10T21:39:39.3244584+00:00"}),
    )])
    .await;
    let details = client(&server, PREVIEW_API_VERSION)
        .get_user(&CommunicationUserIdentifier::new(USER))
        .await
        .unwrap();
    assert_eq!(details.user().id(), USER);
    assert_eq!(details.custom_id(), Some("alice"));
    assert_eq!(
        details.last_token_issued_at().unwrap().to_rfc3339(),
        "2025-04-10T21:39:39.324458400+00:00"
    );
    let r = server.last();
    assert_eq!(r.method, "GET");
    assert!(
        r.target.starts_with("/identities/8%3Aacs%3Ar_"),
        "{}",
        r.target
    );
    r.check_signature(KEY).unwrap();
}

#[tokio::test]
async fn entra_id_token_exchange_is_authorized_by_the_users_token() {
    let server = MockServer::start(vec![MockResponse::json(
        200,
        json!({"identity": {"id": USER}, "accessToken": {"token": "acs", "expiresOn": "2026-11-28T18:00:00+00:00"}}),
    )])
    .await;
    let exchanged = client(&server, PREVIEW_API_VERSION)
        .exchange_entra_id_token("entra-user-token")
        .await
        .unwrap();
    assert_eq!(
        (exchanged.user().id(), exchanged.token().token()),
        (USER, "acs")
    );
    let r = server.last();
    assert_eq!(
        r.target,
        format!("/access/entra/:exchangeAccessToken?api-version={PREVIEW_API_VERSION}")
    );
    assert_eq!(r.header("authorization"), Some("Bearer entra-user-token"));
    assert_eq!(r.json(), json!({}));
}

#[tokio::test]
async fn entra_assignments_get_upsert_delete() {
    let server = MockServer::start(vec![
        MockResponse::json(201, assignment_json("o:1")),
        MockResponse::json(200, assignment_json("o:1")),
        MockResponse::empty(204),
    ])
    .await;
    let client = client(&server, PREVIEW_API_VERSION);
    let created = client
        .upsert_entra_assignment("o:1", "t", EntraPrincipalType::User, &["c"])
        .await
        .unwrap();
    assert_eq!(
        created,
        EntraAssignment::new("o:1", "t", EntraPrincipalType::User, ["c"])
    );
    let r = server.last();
    assert_eq!(
        (r.method.as_str(), r.path()),
        ("PUT", "/access/entra/assignments/o%3A1")
    );
    assert_eq!(
        r.json(),
        json!({"tenantId": "t", "principalType": "user", "clientIds": ["c"]})
    );
    assert_eq!(
        (
            created.object_id(),
            created.tenant_id(),
            created.client_ids()
        ),
        ("o:1", "t", &["c".to_owned()][..])
    );
    assert_eq!(created.principal_type(), &EntraPrincipalType::User);
    assert_eq!(client.get_entra_assignment("o:1").await.unwrap(), created);
    client.delete_entra_assignment("o:1").await.unwrap();
    assert_eq!(server.last().method, "DELETE");
    for r in server.requests() {
        r.check_signature(KEY).unwrap();
    }
}

#[tokio::test]
async fn listing_follows_every_page_on_the_same_origin_only() {
    let server = MockServer::start(Vec::new()).await;
    let next = format!(
        "{}/access/entra/assignments?api-version=old&$skipToken=abc",
        server.endpoint()
    );
    server.push(MockResponse::json(
        200,
        json!({"value": [assignment_json("a")], "nextLink": next}),
    ));
    server.push(MockResponse::json(200, json!({"value": [assignment_json("b")], "nextLink": "/access/entra/assignments?$skipToken=def"})));
    server.push(MockResponse::json(
        200,
        json!({"value": [assignment_json("c")]}),
    ));
    let client = client(&server, PREVIEW_API_VERSION);
    let all = client.list_entra_assignments().await.unwrap();
    let ids: Vec<&str> = all.iter().map(|a| a.object_id()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[1].target,
        format!("/access/entra/assignments?%24skipToken=abc&api-version={PREVIEW_API_VERSION}")
    );
    assert_eq!(
        requests[2].target,
        format!("/access/entra/assignments?%24skipToken=def&api-version={PREVIEW_API_VERSION}")
    );
    for r in &requests {
        assert_eq!(r.method, "GET");
        r.check_signature(KEY).unwrap();
    }

    // A next link to another origin would carry the credentials elsewhere: refused.
    server.push(MockResponse::json(
        200,
        json!({"value": [], "nextLink": "https://elsewhere.example/access/entra/assignments"}),
    ));
    let e = client.list_entra_assignments().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert!(e.to_string().contains("another origin"), "{e}");
    assert_eq!(server.requests().len(), 4);

    // A later page's error is the service's error, with its code, as the first page's is.
    server.push(MockResponse::json(
        200,
        json!({"value": [assignment_json("a")], "nextLink": "/access/entra/assignments?$skipToken=x"}),
    ));
    server.push(MockResponse::json(
        403,
        json!({"error": {"code": "Forbidden", "message": "no access to this page"}}),
    ));
    let e = client.list_entra_assignments().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Service, Some(403), Some("Forbidden")),
        "{e}"
    );
    assert_eq!(e.message(), "no access to this page");
}

#[tokio::test]
async fn bulk_update_sends_removals_as_null_and_takes_204_as_empty() {
    let server = MockServer::start(vec![
        MockResponse::json(200, json!({"value": [assignment_json("a")]})),
        MockResponse::empty(204),
    ])
    .await;
    let client = client(&server, PREVIEW_API_VERSION);
    let updates = EntraAssignmentUpdates::new()
        .upsert("a", "t", EntraPrincipalType::User, ["c"])
        .remove("b");
    assert_eq!((updates.len(), updates.is_empty()), (2, false));
    assert_eq!(
        (
            EntraAssignmentUpdates::new().len(),
            EntraAssignmentUpdates::new().is_empty()
        ),
        (0, true)
    );
    let result = client.update_entra_assignments(&updates).await.unwrap();
    assert_eq!(result.len(), 1);
    let r = server.last();
    assert_eq!(r.method, "PATCH");
    assert_eq!(
        r.header("content-type"),
        Some("application/merge-patch+json")
    );
    assert_eq!(
        r.json(),
        json!({"a": {"tenantId": "t", "principalType": "user", "clientIds": ["c"]}, "b": null})
    );
    r.check_signature(KEY).unwrap();
    let result = client
        .update_entra_assignments(&EntraAssignmentUpdates::new().remove("a"))
        .await
        .unwrap();
    assert!(result.is_empty());

    // Only a 204 is an empty answer: another status without a body is not.
    server.push(MockResponse::empty(202));
    let e = client
        .update_entra_assignments(&EntraAssignmentUpdates::new().remove("a"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::InvalidResponse, Some(202)),
        "{e}"
    );

    let before = server.requests().len();
    let e = client
        .update_entra_assignments(&EntraAssignmentUpdates::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let twice = EntraAssignmentUpdates::new().remove("a").remove("a");
    let e = client.update_entra_assignments(&twice).await.unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
    assert_eq!(server.requests().len(), before);
}
