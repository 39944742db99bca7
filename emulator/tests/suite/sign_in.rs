//! Entra ID sign-in over HTTP, as the official credential libraries do it: the OpenID Connect
//! documents, client credentials (a bearer token for the resource) and a Teams user's password
//! (a token for `get_token_for_teams_user`).

use crate::common::{http, status_and_json};
use acs_identity::spec::API_VERSION;
use acs_identity::{COMMUNICATION_SCOPE, CommunicationIdentityClient};
use acs_identity_emulator::{AuthOutcome, Emulator};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

const TEAMS_SCOPES: &str = "https://auth.msft.communication.azure.com/Teams.ManageCalls \
                            https://auth.msft.communication.azure.com/Teams.ManageChats";
const TENANT: &str = "8f2c7d4e-1a2b-4c3d-9e8f-0a1b2c3d4e5f";

async fn get(emulator: &Emulator, path: &str) -> (u16, Value) {
    let response = http()
        .get(format!("{}{path}", emulator.endpoint()))
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

async fn post_form(emulator: &Emulator, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let body: String = form
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.replace(' ', "+")
                    .replace('/', "%2F")
                    .replace(':', "%3A")
                    .replace('@', "%40")
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let response = http()
        .post(format!("{}{path}", emulator.endpoint()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// The claims of a JWT.
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn openid_documents_are_on_the_emulators_authority() {
    let emulator = Emulator::start().await.unwrap();
    let base = emulator.endpoint();
    let (status, adfs) = get(&emulator, "/adfs/.well-known/openid-configuration").await;
    assert_eq!(status, 200);
    assert_eq!(adfs["issuer"], format!("{base}/adfs"));
    assert_eq!(adfs["token_endpoint"], format!("{base}/adfs/oauth2/token"));
    for key in ["authorization_endpoint", "jwks_uri"] {
        assert!(adfs[key].as_str().unwrap().starts_with(base), "{key}");
    }
    let (_, v2) = get(
        &emulator,
        &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
    )
    .await;
    assert_eq!(v2["issuer"], format!("{base}/{TENANT}/v2.0"));
    assert_eq!(
        v2["token_endpoint"],
        format!("{base}/{TENANT}/oauth2/v2.0/token")
    );
    let (status, keys) = get(&emulator, &format!("/{TENANT}/discovery/v2.0/keys")).await;
    assert_eq!(
        (status, keys["keys"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    let (_, realm) = get(
        &emulator,
        "/common/userrealm/alice@contoso.com?api-version=1.0",
    )
    .await;
    assert_eq!(realm["account_type"], "Managed");
    // The documents are GET only; the token endpoint POST only.
    let (status, body) = post_form(&emulator, "/adfs/.well-known/openid-configuration", &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (405, Some("invalid_request"))
    );
    let (status, _) = get(&emulator, "/adfs/oauth2/token").await;
    assert_eq!(status, 405);
}

/// What `EnvironmentCredential` does with `AZURE_TENANT_ID=adfs` (or a tenant id) and any
/// client id and secret: the token is accepted as `Authorization: Bearer`.
#[tokio::test]
async fn client_credentials_give_a_bearer_token_for_the_resource() {
    let emulator = Emulator::start().await.unwrap();
    for path in [
        "/adfs/oauth2/token".to_owned(),
        format!("/{TENANT}/oauth2/v2.0/token"),
    ] {
        let (status, body) = post_form(
            &emulator,
            &path,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "any-client"),
                ("client_secret", "any-secret"),
                ("scope", COMMUNICATION_SCOPE),
            ],
        )
        .await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].as_i64().unwrap() > 0);
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(claims(token)["appid"], "any-client");
        let response = http()
            .post(format!(
                "{}/identities?api-version={API_VERSION}",
                emulator.endpoint()
            ))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{path}");
        assert_eq!(
            emulator.requests().last().unwrap().auth,
            AuthOutcome::ResourceToken
        );
    }
    assert_eq!(emulator.user_count(), 2);
    // The token endpoints' requests are recorded without their secrets.
    let recorded = emulator.requests();
    let form = recorded
        .iter()
        .find(|r| r.path_and_query == "/adfs/oauth2/token")
        .unwrap();
    let body = String::from_utf8(form.body.clone()).unwrap();
    assert!(body.contains("client_secret=<redacted>"), "{body}");
    assert!(!body.contains("any-secret"), "{body}");
}

/// Faults are for the service's operations: the token endpoints answer through them.
#[tokio::test]
async fn faults_never_apply_to_the_token_endpoints() {
    let emulator = Emulator::start().await.unwrap();
    emulator.faults().inject(acs_identity_emulator::Fault::new(
        acs_identity_emulator::FaultAction::status(500),
    ));
    let (status, _) = get(&emulator, "/adfs/.well-known/openid-configuration").await;
    assert_eq!(status, 200);
    let (status, body) = post_form(
        &emulator,
        "/adfs/oauth2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "c"),
            ("client_secret", "s"),
            ("scope", COMMUNICATION_SCOPE),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        emulator.faults().remaining(),
        1,
        "the fault waits for an operation"
    );
}

#[tokio::test]
async fn token_requests_the_emulator_cannot_grant_are_oauth_errors() {
    let emulator = Emulator::start().await.unwrap();
    let path = "/adfs/oauth2/token";
    type Form<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Form, u16, &str); 6] = [
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_secret", "s"),
                ("scope", COMMUNICATION_SCOPE),
            ],
            400,
            "invalid_request",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "c"),
                ("scope", COMMUNICATION_SCOPE),
            ],
            401,
            "invalid_client",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "c"),
                ("client_secret", "s"),
                ("scope", "https://vault.azure.net/.default"),
            ],
            400,
            "invalid_scope",
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", "c"),
                ("username", "u"),
                ("password", "p"),
                ("scope", COMMUNICATION_SCOPE),
            ],
            400,
            "invalid_scope",
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", "c"),
                ("username", "u"),
                ("scope", TEAMS_SCOPES),
            ],
            400,
            "invalid_request",
        ),
        (
            &[
                ("grant_type", "authorization_code"),
                ("client_id", "c"),
                ("code", "x"),
            ],
            400,
            "unsupported_grant_type",
        ),
    ];
    for (form, status, error) in cases {
        let (got, body) = post_form(&emulator, path, form).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{form:?}: {body}"
        );
        assert!(!body["error_description"].as_str().unwrap().is_empty());
    }
}

/// What MSAL's username and password flow does for a Teams user: the token it gets is
/// exchanged by `get_token_for_teams_user` with the client id as `appId` and the object id of
/// its `id_token` (or `client_info`) as `userId`.
#[tokio::test]
async fn a_teams_user_signs_in_with_a_password() {
    let emulator = Emulator::start().await.unwrap();
    let client_id = "3a4b5c6d-0000-4000-8000-000000000001";
    let sign_in = |username: &'static str, path: String| {
        let emulator = &emulator;
        async move {
            post_form(
                emulator,
                &path,
                &[
                    ("grant_type", "password"),
                    ("client_id", client_id),
                    ("username", username),
                    ("password", "any password"),
                    (
                        "scope",
                        &format!("{TEAMS_SCOPES} openid profile offline_access"),
                    ),
                    ("client_info", "1"),
                ],
            )
            .await
        }
    };
    let (status, body) = sign_in("alice@contoso.com", format!("/{TENANT}/oauth2/v2.0/token")).await;
    assert_eq!(status, 200, "{body}");
    for field in [
        "access_token",
        "id_token",
        "refresh_token",
        "client_info",
        "scope",
    ] {
        assert!(body[field].is_string(), "{field}: {body}");
    }
    let access = claims(body["access_token"].as_str().unwrap());
    let id = claims(body["id_token"].as_str().unwrap());
    let info: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(body["client_info"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(access["aud"], "https://auth.msft.communication.azure.com");
    assert_eq!(access["appid"], client_id);
    assert_eq!(access["tid"], TENANT);
    assert_eq!(id["aud"], client_id);
    assert_eq!(id["iss"], format!("{}/{TENANT}/v2.0", emulator.endpoint()));
    assert_eq!(id["preferred_username"], "alice@contoso.com");
    let now = chrono::Utc::now().timestamp();
    assert!(id["exp"].as_i64().unwrap() > now + 3000, "{id}");
    assert_eq!((&id["oid"], &id["tid"]), (&access["oid"], &access["tid"]));
    assert_eq!(
        (&info["uid"], &info["utid"]),
        (&access["oid"], &access["tid"])
    );
    let object_id = access["oid"].as_str().unwrap().to_owned();

    // The same user name is the same user, at any tenant's endpoint and in another emulator.
    let (_, again) = sign_in("Alice@Contoso.com", "/adfs/oauth2/token".to_owned()).await;
    assert_eq!(
        claims(again["access_token"].as_str().unwrap())["oid"],
        object_id.as_str()
    );
    let other = Emulator::start().await.unwrap();
    let (_, elsewhere) = post_form(
        &other,
        "/adfs/oauth2/token",
        &[
            ("grant_type", "password"),
            ("client_id", client_id),
            ("username", "alice@contoso.com"),
            ("password", "p"),
            ("scope", TEAMS_SCOPES),
        ],
    )
    .await;
    assert_eq!(
        claims(elsewhere["access_token"].as_str().unwrap())["oid"],
        object_id.as_str()
    );

    let client =
        CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), None)
            .unwrap();
    let teams_token = body["access_token"].as_str().unwrap();
    let token = client
        .get_token_for_teams_user(teams_token, client_id, &object_id)
        .await
        .unwrap();
    assert!(!token.token().is_empty());
    // The ids are checked against the token, as the service checks them.
    let wrong_app = client
        .get_token_for_teams_user(teams_token, "another-app", &object_id)
        .await
        .unwrap_err();
    assert_eq!(wrong_app.message(), "Provided AppId has invalid format.");
    let wrong_user = client
        .get_token_for_teams_user(teams_token, client_id, "another-user")
        .await
        .unwrap_err();
    assert_eq!(wrong_user.message(), "Provided UserId has invalid format.");
    // The password is never recorded.
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| !String::from_utf8_lossy(&r.body).contains("any password"))
    );
}
