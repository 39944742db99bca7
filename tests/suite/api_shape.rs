//! The public API's shape: typed causes behind configuration errors, `?` on the crate's own
//! error types, options that grow (`create_user_with`), hand-written models and service errors.

use crate::common;

use acs_identity::{
    AccessKey, AccessToken, CommunicationIdentityClient, CommunicationTokenScope as Scope,
    CommunicationUserIdentifier, ConnectionStringError, CreateUserOptions, EndpointError, Error,
    ErrorKind, TeamsExtensionAssignment, TeamsExtensionPrincipalType, TokenExpiry,
};
use common::mock::{KEY, MockResponse, MockServer};
use common::no_retries;
use serde_json::json;

const USER: &str = "8:acs:r_u";

fn cause<T: std::error::Error + 'static>(e: &Error) -> &T {
    std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<T>())
        .unwrap_or_else(|| panic!("no typed cause in {e:?}"))
}

#[test]
fn configuration_errors_keep_their_typed_cause() {
    let e = CommunicationIdentityClient::from_connection_string("endpoint=https://x/", None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert_eq!(
        cause::<ConnectionStringError>(&e),
        &ConnectionStringError::MissingAccessKey
    );

    let e = CommunicationIdentityClient::from_connection_string(
        "endpoint=http://example.com/;accesskey=cHc=",
        None,
    )
    .unwrap_err();
    assert_eq!(
        cause::<ConnectionStringError>(&e),
        &ConnectionStringError::InvalidEndpoint(EndpointError::PlainHttpToRemoteHost)
    );

    let key = AccessKey::from_base64("cHc=").unwrap();
    // One rule for path prefixes: refused by `new` as by a connection string.
    for (endpoint, expected) in [
        (
            "https://x.communication.azure.com/prefix",
            EndpointError::Path,
        ),
        ("http://example.com", EndpointError::PlainHttpToRemoteHost),
        ("https://x?y=1", EndpointError::Query),
    ] {
        let e = CommunicationIdentityClient::new(endpoint, key.clone(), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration, "{endpoint}");
        assert_eq!(cause::<EndpointError>(&e), &expected, "{endpoint}");
        assert!(e.to_string().contains("expected"), "{e}");
    }
    let e = CommunicationIdentityClient::from_connection_string(
        "endpoint=https://x.communication.azure.com/prefix;accesskey=cHc=",
        None,
    )
    .unwrap_err();
    assert_eq!(
        cause::<ConnectionStringError>(&e),
        &ConnectionStringError::InvalidEndpoint(EndpointError::Path)
    );
}

#[test]
fn question_mark_converts_the_crates_own_errors() {
    fn build(key: &str, endpoint: &str) -> Result<CommunicationIdentityClient, Error> {
        let key = AccessKey::from_base64(key)?;
        let cs: acs_identity::ConnectionString =
            format!("endpoint={endpoint};accesskey=cHc=").parse()?;
        CommunicationIdentityClient::new(cs.endpoint(), key, None)
    }
    assert!(build("cHc=", "https://x.communication.azure.com").is_ok());
    let e = build("not base64!", "https://x").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert!(e.to_string().contains("invalid access key"), "{e}");
    cause::<acs_identity::InvalidAccessKey>(&e);
    let e = build("cHc=", "ftp://x").unwrap_err();
    assert!(matches!(
        cause::<ConnectionStringError>(&e),
        ConnectionStringError::InvalidEndpoint(EndpointError::UnsupportedScheme(s)) if s == "ftp"
    ));
}

#[tokio::test]
async fn create_user_with_options() {
    let token = json!({"token": "t", "expiresOn": "2026-11-28T18:00:00+00:00"});
    let server = MockServer::start(vec![
        MockResponse::json(201, json!({"identity": {"id": USER}})),
        MockResponse::json(201, json!({"identity": {"id": USER}, "accessToken": token})),
    ])
    .await;
    let client = CommunicationIdentityClient::from_connection_string(
        &server.connection_string(),
        no_retries(),
    )
    .unwrap();

    let created = client
        .create_user_with(CreateUserOptions::new())
        .await
        .unwrap();
    assert_eq!(created.user().id(), USER);
    assert!(created.token().is_none());
    assert!(server.last().body.is_empty(), "no option, no body");

    let options = CreateUserOptions::new().with_token(
        &[Scope::Chat, Scope::Voip],
        Some(TokenExpiry::from_hours(2).unwrap()),
    );
    let created = client.create_user_with(options).await.unwrap();
    assert_eq!(created.token().map(AccessToken::token), Some("t"));
    let (user, token) = created.into_parts();
    assert_eq!(user.id(), USER);
    assert_eq!(token.unwrap().token(), "t");
    let sent: serde_json::Value = serde_json::from_slice(&server.last().body).unwrap();
    assert_eq!(
        sent,
        json!({"createTokenWithScopes": ["chat", "voip"], "expiresInMinutes": 120})
    );
    server.last().check_signature(KEY).unwrap();

    // An expiry without scopes is refused before anything is sent.
    let sent_before = server.requests().len();
    let mut no_scopes = CreateUserOptions::new().with_token(&[], Some(TokenExpiry::MAX));
    let e = client
        .create_user_with(no_scopes.clone())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("scopes"), "{e}");
    no_scopes = no_scopes.with_token(&[Scope::Other(String::new())], None);
    let e = client.create_user_with(no_scopes).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(server.requests().len(), sent_before);
}

#[tokio::test]
async fn service_errors_are_hand_written_models() {
    let server = MockServer::start(vec![MockResponse::json(
        400,
        json!({"error": {
            "code": "ValidationError", "message": "outer", "target": "scopes",
            "details": [{"code": "D1", "message": "first"}],
            "innererror": {"code": "Inner", "message": "inner",
                           "innererror": {"code": "Innermost", "message": "deepest"}}
        }}),
    )])
    .await;
    let client = CommunicationIdentityClient::from_connection_string(
        &server.connection_string(),
        no_retries(),
    )
    .unwrap();
    let e = client
        .get_token(&USER.into(), &[Scope::Chat], None)
        .await
        .unwrap_err();
    let s = e.service_error().expect("the service's error");
    assert_eq!(
        (s.code(), s.message(), s.target()),
        ("ValidationError", "outer", Some("scopes"))
    );
    assert_eq!(s.details().len(), 1);
    assert_eq!(
        (s.details()[0].code(), s.details()[0].message()),
        ("D1", "first")
    );
    let inner = s.inner_error().unwrap();
    assert_eq!(inner.code(), "Inner");
    assert_eq!(inner.inner_error().unwrap().message(), "deepest");
}

#[test]
fn assignments_serialize_as_the_service_sends_them() {
    let wire =
        json!({"tenantId": "t", "objectId": "o", "principalType": "user", "clientIds": ["c"]});
    let a: TeamsExtensionAssignment = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(
        a,
        TeamsExtensionAssignment::new("t", "o", TeamsExtensionPrincipalType::User, ["c"])
    );
    assert_eq!(
        (a.tenant_id(), a.object_id(), a.client_ids()),
        ("t", "o", &["c".to_owned()][..])
    );
    assert_eq!(serde_json::to_value(&a).unwrap(), wire);
    // A principal type the service adds later is kept.
    let later: TeamsExtensionAssignment =
        serde_json::from_value(json!({"tenantId": "t", "objectId": "o", "principalType": "group"}))
            .unwrap();
    assert_eq!(
        later.principal_type(),
        &TeamsExtensionPrincipalType::Other("group".into())
    );
    assert!(later.client_ids().is_empty());
}

/// Every operation of the table has a facade method: the facade's sources name each
/// `OperationId` they call (`Call::new("<method>", OperationId::<Operation>)`).
#[test]
fn every_operation_has_a_facade_method() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/operations");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        sources.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for &id in acs_identity::spec::OperationId::ALL {
        let variant = format!("OperationId::{id:?}");
        assert!(
            sources.contains(&variant),
            "the operation `{}` ({} {}) has no facade method: add one to the file of its resource \
             in src/operations/ (declared with `operations!`, calling `{variant}`)",
            id.name(),
            id.operation().method,
            id.operation().path,
        );
    }
}

/// The rule for the order of arguments, on the calls that take two ids of the same type: the
/// path's parameters in the path's order, then the body's fields.
#[tokio::test]
async fn assignment_ids_come_in_the_path_s_order() {
    let answer = json!({"tenantId": "t", "objectId": "o", "principalType": "user"});
    let server = MockServer::start(vec![MockResponse::json(200, answer)]).await;
    let client = CommunicationIdentityClient::from_connection_string(
        &server.connection_string(),
        no_retries(),
    )
    .unwrap();
    client
        .get_teams_extension_assignment("tenant-1", "object-1")
        .await
        .unwrap();
    assert!(
        server
            .last()
            .path()
            .ends_with("/tenants/tenant-1/assignments/object-1"),
        "{}",
        server.last().path()
    );
    let template = acs_identity::spec::OperationId::GetTeamsExtensionAssignment
        .operation()
        .path;
    assert!(template.find("{tenantId}") < template.find("{objectId}"));
}

/// An identifier gives back the id it wraps, whichever way it was made, and displays as it.
#[test]
fn identifiers_give_back_their_id() {
    let id = "8:acs:resource_user";
    for user in [
        CommunicationUserIdentifier::new(id),
        CommunicationUserIdentifier::from(id),
        CommunicationUserIdentifier::from(id.to_owned()),
    ] {
        assert_eq!(user.id(), id);
        assert_eq!(user.to_string(), id);
        assert_eq!(user.into_id(), id);
    }
}
