//! The order in which the emulator checks a request, where the service's own answers show it;
//! each case names its source (see the emulator's README, "Checks, in order").

use crate::common::send_json;
use acs_identity::spec::{API_VERSION, API_VERSIONS};
use acs_identity_emulator::{Emulator, EmulatorOptions};
use chrono::Duration as TimeDelta;
use serde_json::{Value, json};

fn invalid_access_token() -> Value {
    json!({"error": {"code": "InvalidAccessToken", "message": "Provided access token is not valid."}})
}

/// `POST /teamsUser/:exchangeAccessToken` checks the token before the required fields, then
/// the ids against the token.
#[tokio::test]
async fn the_teams_exchange_checks_the_token_first() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/teamsUser/:exchangeAccessToken?api-version={API_VERSION}");
    let (app, user) = ("app-id", "user-oid");
    let valid = emulator.issue_teams_user_token(app, user, "tenant", TimeDelta::hours(1));
    let expired = emulator.issue_teams_user_token(app, user, "tenant", TimeDelta::hours(-1));
    let exchange = |body: Value| {
        let emulator = &emulator;
        let target = target.clone();
        async move { send_json(emulator, "POST", &target, body.to_string().as_bytes()).await }
    };

    // An invalid, empty or missing token with an empty `userId`: 401, not the validation error
    // of the missing field (azure-sdk-for-python 14cb0face179,
    // test_get_token_for_teams_user_with_invalid_token: `get_token_for_teams_user(invalid_token,
    // m365_client_id, "")` expects 401).
    for token in [json!("not a token"), json!(""), Value::Null, json!(expired)] {
        for (app_id, user_id) in [(app, ""), ("", ""), ("", user)] {
            let body = json!({"token": token, "appId": app_id, "userId": user_id});
            assert_eq!(
                exchange(body.clone()).await,
                (401, invalid_access_token()),
                "{body}"
            );
        }
    }
    // A valid token with an empty `appId`: 400, the required field (the same suite's
    // test_get_token_for_teams_user_with_invalid_client_id[empty_client_id-] expects 400).
    let (status, body) = exchange(json!({"token": valid, "appId": "", "userId": user})).await;
    assert_eq!(
        (status, body["error"]["target"].as_str()),
        (400, Some("AppId"))
    );
    // A valid token with an empty `userId`: 400 "UserId: The UserId field is required."
    // (recorded: azure-sdk-for-java, getTokenForTeamsUserWithInvalidUserId).
    let (status, body) = exchange(json!({"token": valid, "appId": app, "userId": ""})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "UserId: The UserId field is required."
    );
    // Both present, each checked against the token: `appId` first (recorded: Python
    // test_get_token_for_teams_user_with_invalid_user_object_id answers "Provided UserId has
    // invalid format." for a wrong user with the right app).
    let (_, body) = exchange(json!({"token": valid, "appId": "other", "userId": "other"})).await;
    assert_eq!(
        body["error"]["message"],
        "Provided AppId has invalid format."
    );
    let (_, body) = exchange(json!({"token": valid, "appId": app, "userId": "other"})).await;
    assert_eq!(
        body["error"]["message"],
        "Provided UserId has invalid format."
    );
    let (status, body) = exchange(json!({"token": valid, "appId": app, "userId": user})).await;
    assert_eq!(status, 200, "{body}");
}

/// An API version the service does not serve is refused as it refuses one: 400
/// `UnsupportedApiVersion` "The HTTP resource that matches the request URI '…' does not support
/// the API version '…'." (the service's answer to `POST /identities?api-version=2020-07-20-preview2`,
/// Azure-Samples/communication-services-web-calling-tutorial#8); a near miss of a real version
/// (`2023-10-1`) too. The emulator's `any_api_version` serves them.
#[tokio::test]
async fn unknown_api_versions_are_refused_unless_asked_for() {
    let emulator = Emulator::start().await.unwrap();
    for version in ["2023-10-1", "2020-07-20-preview2", "2099-01-01", "latest"] {
        let (status, body) = send_json(
            &emulator,
            "POST",
            &format!("/identities?api-version={version}"),
            b"{}",
        )
        .await;
        assert_eq!(status, 400, "{version}: {body}");
        assert_eq!(body["error"]["code"], "UnsupportedApiVersion");
        let message = body["error"]["message"].as_str().unwrap();
        let services_words = format!(
            "The HTTP resource that matches the request URI '{}/identities' does not support \
             the API version '{version}'.",
            emulator.endpoint()
        );
        assert!(message.starts_with(&services_words), "{message}");
        assert!(message.contains(API_VERSIONS[0]), "{message}");
    }
    assert_eq!(emulator.user_count(), 0, "nothing was created");

    let lenient = Emulator::start_with(EmulatorOptions {
        any_api_version: true,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let (status, body) =
        send_json(&lenient, "POST", "/identities?api-version=2023-10-1", b"{}").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(lenient.user_count(), 1);
    // A version the table knows still lacks what it lacks.
    let (status, _) = send_json(
        &lenient,
        "GET",
        "/access/entra/assignments?api-version=2023-10-01",
        b"",
    )
    .await;
    assert_eq!(status, 400);
}
