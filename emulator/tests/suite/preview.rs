//! The preview API version (the newest the SDK vendors, `ApiVersion::LATEST_PREVIEW`, e.g.
//! 2025-03-02-preview) served by the emulator, driven by the SDK's client at that version and,
//! where the client refuses before sending, by requests signed by hand: durable identities
//! (custom ids), user details, Entra ID assignments with paging and bulk updates, the Entra ID
//! token exchange, and operations refused at versions that lack them. Which version lacks what
//! is read from the SDK's table (`acs_identity::spec::OPERATIONS`).

use crate::common;

use acs_identity::spec::{
    API_VERSIONS, BodyProperty, CUSTOM_ID_MAX_LENGTH, Operation, OperationId, PREVIEW_API_VERSION,
};
use acs_identity::{
    ApiVersion, ClientOptions, CommunicationIdentityClient, CommunicationTokenScope,
    CommunicationUserIdentifier, CreateUserOptions, EntraAssignment, EntraAssignmentUpdates,
    EntraPrincipalType, ErrorKind,
};
use acs_identity_emulator::{AuthOutcome, Emulator, EmulatorOptions, TokenStatus};
use chrono::{Duration as TimeDelta, Utc};
use common::send_signed;
use serde_json::{Value, json};
use std::time::Duration;

const CHAT: &[CommunicationTokenScope] = &[CommunicationTokenScope::Chat];
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP: &str = "617d08b5-f35b-4270-87d6-56833d2dee1b";
const USER_OID: &str = "b27b64b9-39d2-44a3-869d-67700b74e805";

fn client_at(emulator: &Emulator, api_version: &str) -> CommunicationIdentityClient {
    let options = ClientOptions {
        api_version: Some(api_version.to_owned()),
        ..emulator.client_options()
    };
    CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .expect("a valid connection string")
}

/// A client at the newest preview the SDK vendors (`PREVIEW_API_VERSION` in the targets of
/// hand-made requests).
fn preview_client(emulator: &Emulator) -> CommunicationIdentityClient {
    assert_eq!(ApiVersion::LATEST_PREVIEW.as_str(), PREVIEW_API_VERSION);
    client_at(emulator, ApiVersion::LATEST_PREVIEW.as_str())
}

/// The row of `POST /identities` in the SDK's table.
fn create_identity() -> &'static Operation {
    OperationId::CreateIdentity.operation()
}

/// The `customId` of the create request, with the versions that have it (some vendored
/// versions lack it: 2023-10-01 does).
fn custom_id_property() -> &'static BodyProperty {
    create_identity()
        .body_properties
        .iter()
        .find(|p| p.name == "customId")
        .expect("customId is in the table: 2023-10-01 lacks it")
}

/// The vendored versions whose create request has no `customId`, by the table; 2023-10-01
/// (pinned on purpose: it predates custom ids) among them.
fn versions_without_custom_ids() -> Vec<&'static str> {
    let versions: Vec<&'static str> = API_VERSIONS
        .iter()
        .copied()
        .filter(|v| !create_identity().takes_at("customId", v))
        .collect();
    assert!(versions.contains(&"2023-10-01"), "{versions:?}");
    versions
}

/// The vendored versions that lack `operation`, by the table; 2023-10-01 (pinned on purpose:
/// it predates every operation of the preview this is asked for) among them.
fn versions_without(operation: OperationId) -> Vec<&'static str> {
    let op = operation.operation();
    let versions: Vec<&'static str> = API_VERSIONS
        .iter()
        .copied()
        .filter(|v| !op.exists_at(v))
        .collect();
    assert!(
        versions.contains(&"2023-10-01"),
        "{}: {versions:?}",
        op.name
    );
    versions
}

/// An emulator that lists and reports Entra ID assignments `page_size` at a time.
async fn paging_at(page_size: usize) -> Emulator {
    Emulator::start_with(EmulatorOptions {
        page_size,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

async fn send_json(emulator: &Emulator, method: &str, target: &str, body: Value) -> (u16, Value) {
    let body = serde_json::to_vec(&body).unwrap();
    send_signed(emulator, method, target, "application/json", &body).await
}

fn encoded(id: &str) -> String {
    id.replace(':', "%3A")
}

// --- durable identities and user details ---

#[tokio::test]
async fn creating_twice_with_a_custom_id_gives_the_same_identity() {
    let emulator = Emulator::start().await.unwrap();
    let client = preview_client(&emulator);
    client.create_user().await.unwrap();
    let before = emulator.user_count();

    let first = client
        .create_user_with(CreateUserOptions::new().custom_id("alice@contoso.com"))
        .await
        .unwrap();
    assert!(first.token().is_none());
    let (again, token) = client
        .create_user_with(
            CreateUserOptions::new()
                .custom_id("alice@contoso.com")
                .with_token(CHAT, None),
        )
        .await
        .unwrap()
        .into_parts();
    assert_eq!(again, *first.user());
    assert_eq!(emulator.user_count(), before + 1);
    assert_eq!(
        emulator.custom_id(again.id()).as_deref(),
        Some("alice@contoso.com")
    );
    // A fresh token for the existing identity.
    let token = token.expect("a token was asked for");
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Valid);
    for request in emulator.requests().iter().skip(1) {
        assert_eq!(request.status, Some(201));
        assert_eq!(
            request.path_and_query,
            format!("/identities?api-version={PREVIEW_API_VERSION}")
        );
    }

    // Another custom id is another identity; deleting frees the custom id.
    let bob = client
        .create_user_with(CreateUserOptions::new().custom_id("bob@contoso.com"))
        .await
        .unwrap();
    assert_ne!(bob.user(), first.user());
    client.delete_user(first.user()).await.unwrap();
    let recreated = client
        .create_user_with(CreateUserOptions::new().custom_id("alice@contoso.com"))
        .await
        .unwrap();
    assert_ne!(recreated.user(), first.user());
    assert_eq!(emulator.user_count(), before + 2);
}

#[tokio::test]
async fn the_preview_create_answer_has_the_custom_id_and_last_token_time() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/identities?api-version={PREVIEW_API_VERSION}");
    let body =
        json!({"customId": "carol", "createTokenWithScopes": ["voip"], "expiresInMinutes": 120});
    let (status, first) = send_json(&emulator, "POST", &target, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["identity"]["customId"], "carol");
    let issued = first["identity"]["lastTokenIssuedAt"].as_str().unwrap();
    // Whole seconds and +00:00, as the live service writes it.
    assert_eq!(issued.len(), "2025-04-14T15:32:27+00:00".len(), "{issued}");
    assert!(issued.ends_with("+00:00"), "{issued}");
    assert!(first["accessToken"]["token"].is_string());

    let (status, second) =
        send_json(&emulator, "POST", &target, json!({"customId": "carol"})).await;
    assert_eq!(status, 201);
    assert_eq!(second["identity"]["id"], first["identity"]["id"]);
    assert!(second.get("accessToken").is_none());

    // The versions without custom ids answer the identity without the preview's fields.
    for version in versions_without_custom_ids() {
        let (status, stable) = send_json(
            &emulator,
            "POST",
            &format!("/identities?api-version={version}"),
            json!({"createTokenWithScopes": ["chat"]}),
        )
        .await;
        assert_eq!(status, 201, "{version}");
        assert_eq!(
            stable["identity"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["id"],
            "{version}"
        );
    }
}

#[tokio::test]
async fn custom_ids_are_checked_like_the_service() {
    let emulator = Emulator::start().await.unwrap();
    let preview = format!("/identities?api-version={PREVIEW_API_VERSION}");
    let longest = "x".repeat(CUSTOM_ID_MAX_LENGTH);
    let (status, _) = send_json(&emulator, "POST", &preview, json!({"customId": longest})).await;
    assert_eq!(status, 201);
    for bad in [
        json!(""),
        json!("x".repeat(CUSTOM_ID_MAX_LENGTH + 1)),
        json!(42),
    ] {
        let (status, body) = send_json(&emulator, "POST", &preview, json!({"customId": bad})).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "ValidationError");
        assert_eq!(body["error"]["target"], "customId");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("maximum length of 256"),
            "{body}"
        );
    }
    // Characters, not bytes: 256 two-byte characters are fine.
    let (status, _) = send_json(
        &emulator,
        "POST",
        &preview,
        json!({"customId": "é".repeat(CUSTOM_ID_MAX_LENGTH)}),
    )
    .await;
    assert_eq!(status, 201);

    // Versions without custom ids refuse one rather than create an identity without it,
    // naming the versions that have them.
    let before = emulator.user_count();
    let needs = custom_id_property().needs();
    for version in versions_without_custom_ids() {
        let (status, body) = send_json(
            &emulator,
            "POST",
            &format!("/identities?api-version={version}"),
            json!({"customId": "dave"}),
        )
        .await;
        assert_eq!(status, 400, "{version}");
        assert_eq!(body["error"]["target"], "customId");
        assert_eq!(
            body["error"]["message"],
            format!(
                "CustomId: The customId property is not supported at API version \
                 '{version}'; it needs API version {needs}."
            )
        );
    }
    assert_eq!(emulator.user_count(), before);
}

#[tokio::test]
async fn user_details_and_the_last_token_time() {
    let emulator = Emulator::start().await.unwrap();
    let client = preview_client(&emulator);
    let user = client
        .create_user_with(CreateUserOptions::new().custom_id("erin"))
        .await
        .unwrap()
        .into_parts()
        .0;
    let details = client.get_user(&user).await.unwrap();
    assert_eq!(details.user(), &user);
    assert_eq!(details.custom_id(), Some("erin"));
    assert_eq!(details.last_token_issued_at(), None);

    let before = Utc::now() - TimeDelta::seconds(1);
    client.get_token(&user, CHAT, None).await.unwrap();
    let first = client
        .get_user(&user)
        .await
        .unwrap()
        .last_token_issued_at()
        .expect("a token was issued");
    assert!(first >= before && first <= Utc::now(), "{first}");

    // The service reports whole seconds: the next token is issued in a later second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.get_token(&user, CHAT, None).await.unwrap();
    let second = client.get_user(&user).await.unwrap().last_token_issued_at();
    assert!(
        second.is_some_and(|s| s > first),
        "{second:?} after {first}"
    );

    // An identity created without a custom id has none.
    let plain = client.create_user().await.unwrap();
    assert_eq!(client.get_user(&plain).await.unwrap().custom_id(), None);
}

#[tokio::test]
async fn user_details_of_unknown_and_foreign_identities_are_refused() {
    let emulator = Emulator::start().await.unwrap();
    let client = preview_client(&emulator);
    let unknown = format!(
        "8:acs:{}_00000000-0000-0000-0000-000000000000",
        emulator.resource_id()
    );
    let e = client
        .get_user(&CommunicationUserIdentifier::new(unknown))
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(404), Some("IdentityNotFound"))
    );
    let e = client
        .get_user(&CommunicationUserIdentifier::new(
            "8:acs:other-resource_user",
        ))
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(401), Some("IdentityNotOwned"))
    );
    let deleted = client.create_user().await.unwrap();
    client.delete_user(&deleted).await.unwrap();
    let e = client.get_user(&deleted).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
}

// --- versions ---

/// Refused by the client before sending: `InvalidArgument`, with `message`.
fn assert_refused(e: &acs_identity::Error, message: &str) {
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.to_string().ends_with(message), "{e}\nexpected: {message}");
}

#[tokio::test]
async fn the_previews_operations_are_refused_at_the_versions_without_them() {
    let emulator = Emulator::start().await.unwrap();
    let preview = preview_client(&emulator);
    let user = preview.create_user().await.unwrap();
    emulator.clear_requests();

    // The SDK refuses them before sending, naming the method called and the versions that
    // have what it needs.
    let get_identity = OperationId::GetIdentity.operation();
    let list = OperationId::ListEntraAssignments.operation();
    let refusal = |what: &str, needs: String, version: &str| {
        format!(
            "{what} needs API version {needs}; this client uses {version} (set \
             `ClientOptions::api_version`)"
        )
    };
    for version in versions_without(OperationId::GetIdentity) {
        let e = client_at(&emulator, version)
            .get_user(&user)
            .await
            .unwrap_err();
        assert_refused(&e, &refusal("`get_user`", get_identity.needs(), version));
    }
    for version in versions_without(OperationId::ListEntraAssignments) {
        let client = client_at(&emulator, version);
        let e = client.list_entra_assignments().await.unwrap_err();
        assert_refused(
            &e,
            &refusal("`list_entra_assignments`", list.needs(), version),
        );
    }
    for version in versions_without_custom_ids() {
        let e = client_at(&emulator, version)
            .create_user_with(CreateUserOptions::new().custom_id("frank"))
            .await
            .unwrap_err();
        let needs = custom_id_property().needs();
        assert_refused(
            &e,
            &refusal("`custom_id` of `create_user_with`", needs, version),
        );
    }
    assert_eq!(emulator.request_count(), 0, "nothing reached the emulator");

    // A request sent anyway: 400 `UnsupportedApiVersion`, as the service refuses a version.
    let path = format!("/identities/{}", encoded(user.id()));
    for version in versions_without(OperationId::GetIdentity) {
        let (status, body) = send_signed(
            &emulator,
            "GET",
            &format!("{path}?api-version={version}"),
            "application/json",
            b"",
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "UnsupportedApiVersion");
        let message = body["error"]["message"].as_str().unwrap();
        let expected = format!(
            "get_identity (GET /identities/{{id}}) needs API version {}",
            get_identity.needs()
        );
        assert!(message.contains(&expected), "{message}");
    }
    for version in versions_without(OperationId::ListEntraAssignments) {
        let (status, body) = send_signed(
            &emulator,
            "GET",
            &format!("/access/entra/assignments?api-version={version}"),
            "application/json",
            b"",
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("UnsupportedApiVersion")),
            "{version}"
        );
    }
    let requests = emulator.requests();
    assert!(!requests.is_empty());
    for request in requests {
        assert_eq!(request.auth, AuthOutcome::NotChecked, "{request:?}");
    }

    // The same request at the preview is served.
    let (status, body) = send_signed(
        &emulator,
        "GET",
        &format!("{path}?api-version={PREVIEW_API_VERSION}"),
        "application/json",
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"id": user.id()}));
}

// --- Entra ID assignments ---

#[tokio::test]
async fn entra_assignments_upsert_get_delete() {
    let emulator = Emulator::start().await.unwrap();
    let client = preview_client(&emulator);
    let e = client.get_entra_assignment(USER_OID).await.unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(404), Some("AssignmentNotFound"))
    );

    let created = client
        .upsert_entra_assignment(USER_OID, TENANT, EntraPrincipalType::User, &[APP])
        .await
        .unwrap();
    let expected = EntraAssignment::new(USER_OID, TENANT, EntraPrincipalType::User, [APP]);
    assert_eq!(created, expected);
    assert_eq!(emulator.requests().last().unwrap().status, Some(201));
    assert_eq!(
        client.get_entra_assignment(USER_OID).await.unwrap(),
        expected
    );

    let replaced = client
        .upsert_entra_assignment(
            USER_OID,
            TENANT,
            EntraPrincipalType::Group,
            &[APP, "other-app"],
        )
        .await
        .unwrap();
    assert_eq!(emulator.requests().last().unwrap().status, Some(200));
    assert_eq!(replaced.principal_type(), &EntraPrincipalType::Group);
    assert_eq!(emulator.entra_assignment(USER_OID), Some(replaced));

    client.delete_entra_assignment(USER_OID).await.unwrap();
    assert_eq!(emulator.entra_assignment(USER_OID), None);
    // Deleting again has the same effect: 204.
    client.delete_entra_assignment(USER_OID).await.unwrap();
    assert_eq!(emulator.requests().last().unwrap().status, Some(204));
}

#[tokio::test]
async fn entra_assignments_are_validated() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/access/entra/assignments/o?api-version={PREVIEW_API_VERSION}");
    let valid = json!({"tenantId": TENANT, "principalType": "user", "clientIds": [APP]});
    for (field, target_name) in [
        ("tenantId", "TenantId"),
        ("principalType", "PrincipalType"),
        ("clientIds", "ClientIds"),
    ] {
        let mut body = valid.clone();
        body.as_object_mut().unwrap().remove(field);
        let (status, answer) = send_json(&emulator, "PUT", &target, body).await;
        assert_eq!(status, 400, "{field}");
        assert_eq!(answer["error"]["target"], target_name);
    }
    let mut body = valid.clone();
    body["principalType"] = json!("resourceAccount");
    let (status, answer) = send_json(&emulator, "PUT", &target, body).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["target"], "principalType");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("Supported values: user, group, tenant."),
        "{answer}"
    );
    assert_eq!(emulator.entra_assignment("o"), None);
    let (status, answer) = send_json(&emulator, "PUT", &target, valid).await;
    assert_eq!(status, 201);
    assert_eq!(answer["objectId"], "o");
}

#[tokio::test]
async fn listing_serves_pages_of_the_configured_size() {
    let emulator = paging_at(2).await;
    let client = preview_client(&emulator);
    let ids = ["o5", "o1", "o4", "o2", "o3"];
    for id in ids {
        client
            .upsert_entra_assignment(id, TENANT, EntraPrincipalType::User, &[APP])
            .await
            .unwrap();
    }
    emulator.clear_requests();
    let all = client.list_entra_assignments().await.unwrap();
    let listed: Vec<&str> = all.iter().map(EntraAssignment::object_id).collect();
    assert_eq!(listed, ["o1", "o2", "o3", "o4", "o5"]);

    let requests = emulator.requests();
    assert_eq!(requests.len(), 3, "three pages of at most 2");
    assert_eq!(
        requests[0].path_and_query,
        format!("/access/entra/assignments?api-version={PREVIEW_API_VERSION}")
    );
    for r in &requests[1..] {
        assert!(
            r.path_and_query.contains("skipToken="),
            "{}",
            r.path_and_query
        );
        assert_eq!(r.method, "GET");
        assert_eq!(r.status, Some(200));
        assert_eq!(r.auth, AuthOutcome::AccessKey);
    }

    // The next link is absolute, on the emulator's endpoint.
    let (status, page) = send_signed(
        &emulator,
        "GET",
        &format!("/access/entra/assignments?api-version={PREVIEW_API_VERSION}"),
        "application/json",
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
    let next = page["nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!(
            "{}/access/entra/assignments?",
            emulator.endpoint()
        )),
        "{next}"
    );
    // A token the emulator did not make is refused.
    let (status, answer) = send_signed(
        &emulator,
        "GET",
        &format!("/access/entra/assignments?api-version={PREVIEW_API_VERSION}&$skipToken=bogus"),
        "application/json",
        b"",
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("ValidationError"))
    );
}

#[tokio::test]
async fn bulk_updates_create_replace_and_remove() {
    let emulator = paging_at(2).await;
    let client = preview_client(&emulator);
    client
        .upsert_entra_assignment("gone", TENANT, EntraPrincipalType::User, &[APP])
        .await
        .unwrap();
    let updates = EntraAssignmentUpdates::new()
        .upsert("a", TENANT, EntraPrincipalType::User, [APP])
        .upsert("b", TENANT, EntraPrincipalType::Group, [APP])
        .upsert("c", TENANT, EntraPrincipalType::Tenant, [APP])
        .remove("gone")
        .remove("never-existed");
    emulator.clear_requests();
    let reported = client.update_entra_assignments(&updates).await.unwrap();
    let reported: Vec<&str> = reported.iter().map(EntraAssignment::object_id).collect();
    assert_eq!(reported, ["a", "b", "c"]);
    // Three changed assignments at two a page: the PATCH and one GET of its next page.
    let requests = emulator.requests();
    assert_eq!(
        requests
            .iter()
            .map(|r| r.method.as_str())
            .collect::<Vec<_>>(),
        ["PATCH", "GET"]
    );
    assert_eq!(
        requests[0].header("content-type"),
        Some("application/merge-patch+json")
    );
    assert_eq!(emulator.entra_assignment("gone"), None);
    assert_eq!(
        emulator.entra_assignment("b").unwrap().principal_type(),
        &EntraPrincipalType::Group
    );

    // Only removals: nothing to report, 204.
    let removed = client
        .update_entra_assignments(&EntraAssignmentUpdates::new().remove("a").remove("b"))
        .await
        .unwrap();
    assert!(removed.is_empty());
    assert_eq!(emulator.requests().last().unwrap().status, Some(204));
    let left = client.list_entra_assignments().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].object_id(), "c");
}

/// An update's changed assignments are reported a page at a time, in object-id order: each
/// page starts where the previous one ended, and a last full page has no next link.
#[tokio::test]
async fn bulk_update_results_page_through_every_change() {
    let emulator = paging_at(3).await;
    let client = preview_client(&emulator);
    let methods = |emulator: &Emulator| -> Vec<String> {
        emulator.requests().into_iter().map(|r| r.method).collect()
    };
    for (count, expected_requests) in [
        (7, &["PATCH", "GET", "GET"][..]),
        (6, &["PATCH", "GET"][..]),
        (3, &["PATCH"][..]),
    ] {
        let ids: Vec<String> = (0..count).rev().map(|i| format!("object-{i}")).collect();
        let updates = ids.iter().fold(EntraAssignmentUpdates::new(), |u, id| {
            u.upsert(id.as_str(), TENANT, EntraPrincipalType::User, [APP])
        });
        emulator.clear_requests();
        let reported = client.update_entra_assignments(&updates).await.unwrap();
        let reported: Vec<&str> = reported.iter().map(EntraAssignment::object_id).collect();
        let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(reported, expected, "{count} changes");
        assert_eq!(methods(&emulator), expected_requests, "{count} changes");
    }
}

#[tokio::test]
async fn bulk_updates_are_merge_patches_checked_before_any_change() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/access/entra/assignments?api-version={PREVIEW_API_VERSION}");
    let body = json!({
        "a": {"tenantId": TENANT, "principalType": "user", "clientIds": [APP]},
        "b": {"tenantId": TENANT, "principalType": "robot", "clientIds": [APP]},
    });
    let bytes = serde_json::to_vec(&body).unwrap();
    let (status, answer) = send_signed(
        &emulator,
        "PATCH",
        &target,
        "application/merge-patch+json",
        &bytes,
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["target"], "principalType");
    assert_eq!(emulator.entra_assignment("a"), None, "nothing applied");

    let valid = serde_json::to_vec(&json!({"a": body["a"]})).unwrap();
    let (status, answer) =
        send_signed(&emulator, "PATCH", &target, "application/json", &valid).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (415, Some("UnsupportedMediaType"))
    );
    let (status, answer) = send_signed(
        &emulator,
        "PATCH",
        &target,
        "application/merge-patch+json; charset=utf-8",
        &valid,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["value"][0]["objectId"], "a");
    assert!(answer.get("nextLink").is_none());
}

// --- the Entra ID token exchange ---

#[tokio::test]
async fn entra_id_token_exchange_needs_an_assignment() {
    let emulator = Emulator::start().await.unwrap();
    let client = preview_client(&emulator);
    let entra = emulator.issue_teams_user_token(APP, USER_OID, TENANT, TimeDelta::hours(1));

    // Without an assignment: refused, 403 (the token itself is valid).
    let e = client.exchange_entra_id_token(&entra).await.unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(403), Some("Forbidden")),
        "{e}"
    );
    let refused = emulator.requests().pop().unwrap();
    assert_eq!(refused.auth, AuthOutcome::TeamsUserToken);
    assert_eq!(emulator.user_count(), 0);

    client
        .upsert_entra_assignment(USER_OID, TENANT, EntraPrincipalType::User, &[APP])
        .await
        .unwrap();
    let (user, token) = client
        .exchange_entra_id_token(&entra)
        .await
        .unwrap()
        .into_parts();
    assert_eq!(
        user.id(),
        format!("8:acs:{}_wf_{TENANT}_{USER_OID}", emulator.resource_id())
    );
    assert!(emulator.user_exists(user.id()));
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Valid);
    assert!(token.expires_on() <= Utc::now() + TimeDelta::hours(1));
    // The same user again: the same identity; its last token time is known.
    let again = client.exchange_entra_id_token(&entra).await.unwrap();
    assert_eq!(again.user(), &user);
    assert!(
        client
            .get_user(&user)
            .await
            .unwrap()
            .last_token_issued_at()
            .is_some()
    );

    // Another application of the user is not assigned.
    let other_app =
        emulator.issue_teams_user_token("other-app", USER_OID, TENANT, TimeDelta::hours(1));
    let e = client
        .exchange_entra_id_token(&other_app)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403));
    // Another user of the tenant, once the whole tenant is assigned.
    let colleague = emulator.issue_teams_user_token(APP, "colleague", TENANT, TimeDelta::hours(1));
    assert_eq!(
        client
            .exchange_entra_id_token(&colleague)
            .await
            .unwrap_err()
            .status(),
        Some(403)
    );
    client
        .upsert_entra_assignment(TENANT, TENANT, EntraPrincipalType::Tenant, &[APP])
        .await
        .unwrap();
    let colleague_user = client.exchange_entra_id_token(&colleague).await.unwrap();
    assert!(colleague_user.user().id().ends_with("_colleague"));

    // A token the emulator did not issue, or an expired one: 401.
    for bad in [
        "not-a-token".to_owned(),
        emulator.issue_teams_user_token(APP, USER_OID, TENANT, TimeDelta::hours(-1)),
    ] {
        let e = client.exchange_entra_id_token(&bad).await.unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (Some(401), Some("InvalidAccessToken"))
        );
    }
    // The resource's access key does not authorize the exchange.
    let (status, _) = send_json(
        &emulator,
        "POST",
        &format!("/access/entra/:exchangeAccessToken?api-version={PREVIEW_API_VERSION}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 401);
}
