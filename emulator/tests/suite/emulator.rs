//! Tests of the emulator (`acs_identity_emulator`): the service's behaviour with the client, and
//! at the HTTP level with requests signed by hand.

use crate::common;

use acs_identity::signing::{SignableRequest, SignatureHeaders, format_date};
use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope,
    CommunicationUserIdentifier, ErrorKind, RetryOptions, TeamsExtensionPrincipalType, TokenExpiry,
};
use acs_identity_emulator::{
    AuthFailure, AuthOutcome, Emulator, EmulatorOptions, Fault, FaultAction, TokenStatus,
};
use base64::Engine as _;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use common::{host, http, signed, status_and_json};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// `api-version=<the SDK's default version>`, read from the spec's facts.
const API: Api = Api;

struct Api;

impl std::fmt::Display for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "api-version={}", acs_identity::spec::API_VERSION)
    }
}
const CHAT: &[CommunicationTokenScope] = &[CommunicationTokenScope::Chat];

fn client(emulator: &Emulator) -> CommunicationIdentityClient {
    CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), None)
        .expect("a valid connection string")
}

/// A client that does not retry, so that a fault's effect reaches the caller.
fn client_without_retries(emulator: &Emulator) -> CommunicationIdentityClient {
    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 0,
            ..RetryOptions::default()
        },
        ..ClientOptions::default()
    };
    CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .expect("a valid connection string")
}

/// A request signed with the emulator's access key at `date`, changed by `tamper` after signing,
/// sent with `sent_body` (usually the body signed).
async fn send_signed_at(
    emulator: &Emulator,
    method: &str,
    target: &str,
    signed_body: &[u8],
    sent_body: &[u8],
    date: DateTime<Utc>,
    tamper: impl FnOnce(&mut SignatureHeaders),
) -> reqwest::Result<reqwest::Response> {
    signed(
        emulator,
        method,
        target,
        "application/json",
        signed_body,
        date,
        tamper,
    )
    .body(sent_body.to_vec())
    .send()
    .await
}

async fn send_signed(
    emulator: &Emulator,
    method: &str,
    target: &str,
    body: &[u8],
) -> reqwest::Response {
    send_signed_at(emulator, method, target, body, body, Utc::now(), |_| {})
        .await
        .expect("an answer")
}

fn error_body(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

fn denied() -> Value {
    error_body("Denied", "Denied by the resource provider.")
}

fn last_request(emulator: &Emulator) -> acs_identity_emulator::RecordedRequest {
    emulator.requests().pop().expect("a request was recorded")
}

/// The last request was refused with 401 for `why`.
fn assert_rejected(emulator: &Emulator, response: &reqwest::Response, why: AuthFailure) {
    assert_eq!(response.status(), 401);
    assert_eq!(last_request(emulator).auth, AuthOutcome::Rejected(why));
}

fn issue_target(id: &str) -> String {
    format!(
        "/identities/{}/:issueAccessToken?{API}",
        id.replace(':', "%3A")
    )
}

/// The claims of a JWT, decoded without checking the signature.
fn claims(token: &str) -> serde_json::Map<String, Value> {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(&engine.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap()
}

fn assert_close(actual: DateTime<Utc>, expected: DateTime<Utc>, tolerance: TimeDelta) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} is not within {tolerance} of {expected}"
    );
}

// --- the client flow ---

#[tokio::test]
async fn full_client_flow() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);

    // Its Debug says where it is and which resource it plays, and nothing secret.
    assert_eq!(
        format!("{emulator:?}"),
        format!(
            "Emulator {{ endpoint: {:?}, resource_id: {:?}, .. }}",
            emulator.endpoint(),
            emulator.resource_id()
        )
    );

    let user = client.create_user().await.unwrap();
    let prefix = format!("8:acs:{}_", emulator.resource_id());
    assert!(user.id().starts_with(&prefix), "{}", user.id());
    assert!(emulator.user_exists(user.id()));

    let (user2, first) = client
        .create_user_and_token(
            &[CommunicationTokenScope::Chat, CommunicationTokenScope::Voip],
            None,
        )
        .await
        .unwrap();
    assert_ne!(user.id(), user2.id());
    assert_eq!(emulator.token_status(first.token()), TokenStatus::Valid);
    assert_close(
        first.expires_on(),
        Utc::now() + TimeDelta::minutes(1440),
        TimeDelta::seconds(2),
    );

    let expiry = TokenExpiry::from_minutes(60).unwrap();
    let token = client.get_token(&user2, CHAT, Some(expiry)).await.unwrap();
    assert_close(
        token.expires_on(),
        Utc::now() + TimeDelta::minutes(60),
        TimeDelta::seconds(1),
    );
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Valid);

    client.revoke_tokens(&user2).await.unwrap();
    assert_eq!(emulator.token_status(first.token()), TokenStatus::Revoked);
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Revoked);
    let after = client.get_token(&user2, CHAT, None).await.unwrap();
    assert_eq!(emulator.token_status(after.token()), TokenStatus::Valid);

    client.delete_user(&user2).await.unwrap();
    assert!(!emulator.user_exists(user2.id()));
    assert_eq!(
        emulator.token_status(after.token()),
        TokenStatus::UserDeleted
    );
    let error = client.get_token(&user2, CHAT, None).await.unwrap_err();
    assert_eq!(error.status(), Some(404), "{error}");
    assert_eq!(error.code(), Some("IdentityNotFound"));
    let error = client.revoke_tokens(&user2).await.unwrap_err();
    assert_eq!(error.status(), Some(404), "{error}");
    // Deleting again has the same effect as the first time.
    client.delete_user(&user2).await.unwrap();

    assert_eq!(emulator.token_status("not.a.token"), TokenStatus::Invalid);
    assert_eq!(emulator.token_status(""), TokenStatus::Invalid);
}

/// Every token is a different string, and revocation is per token: a token issued after a
/// revocation in the same second as one issued before it (same identity, scopes and expiry)
/// is valid while the earlier one is revoked.
#[tokio::test]
async fn tokens_are_unique_and_revoked_one_by_one() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let user = client.create_user().await.unwrap();
    // Both tokens must fall in one second (`iat`) for the check to mean something: try again
    // when a second boundary fell in between.
    for attempt in 0.. {
        let before = client.get_token(&user, CHAT, None).await.unwrap();
        let twin = client.get_token(&user, CHAT, None).await.unwrap();
        client.revoke_tokens(&user).await.unwrap();
        let after = client.get_token(&user, CHAT, None).await.unwrap();
        let iat = |t: &acs_identity::AccessToken| claims(t.token())["iat"].as_i64().unwrap();
        if iat(&before) != iat(&after) && attempt < 5 {
            continue;
        }
        assert_eq!(iat(&before), iat(&after), "issued within one second");
        assert_ne!(before.token(), twin.token());
        assert_ne!(before.token(), after.token());
        assert_ne!(
            claims(before.token())["jti"],
            claims(after.token())["jti"],
            "a unique claim per token"
        );
        assert_eq!(emulator.token_status(before.token()), TokenStatus::Revoked);
        assert_eq!(emulator.token_status(twin.token()), TokenStatus::Revoked);
        assert_eq!(emulator.token_status(after.token()), TokenStatus::Valid);
        break;
    }
}

#[tokio::test]
async fn issued_token_has_the_service_claims() {
    let emulator = Emulator::start().await.unwrap();
    let (user, token) = client(&emulator)
        .create_user_and_token(
            &[CommunicationTokenScope::Chat, CommunicationTokenScope::Voip],
            Some(TokenExpiry::from_hours(2).unwrap()),
        )
        .await
        .unwrap();
    let c = claims(token.token());
    assert_eq!(c["skypeid"], user.id().strip_prefix("8:").unwrap());
    assert_eq!(c["scp"], 1792);
    assert_eq!(c["acsScope"], "chat,voip");
    assert_eq!(c["resourceId"], emulator.resource_id());
    assert_eq!(c["resourceLocation"], "unitedstates");
    let iat = c["iat"].as_i64().unwrap();
    assert_eq!(c["csi"], iat.to_string());
    assert!((iat - Utc::now().timestamp()).abs() <= 2);
    assert_eq!(c["exp"].as_i64().unwrap(), token.expires_on().timestamp());
}

#[tokio::test]
async fn expiry_is_formatted_like_the_service() {
    let emulator = Emulator::start().await.unwrap();
    let (_, created) =
        status_and_json(send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await)
            .await;
    let id = created["identity"]["id"].as_str().unwrap().to_owned();
    let response = send_signed(
        &emulator,
        "POST",
        &issue_target(&id),
        br#"{"scopes":["chat"]}"#,
    )
    .await;
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    let expires_on = body["expiresOn"].as_str().unwrap();
    // e.g. 2026-11-28T18:00:00.1234567+00:00
    assert_eq!(expires_on.len(), 33, "{expires_on}");
    assert!(expires_on.ends_with("+00:00"), "{expires_on}");
    assert_eq!(expires_on.as_bytes()[19], b'.', "{expires_on}");
    assert!(
        expires_on[20..27].bytes().all(|b| b.is_ascii_digit()),
        "{expires_on}"
    );
    let parsed = DateTime::parse_from_rfc3339(expires_on).unwrap();
    assert_close(
        parsed.with_timezone(&Utc),
        Utc::now() + TimeDelta::minutes(1440),
        TimeDelta::seconds(2),
    );
}

#[tokio::test]
async fn create_accepts_no_body_or_an_empty_object() {
    let emulator = Emulator::start().await.unwrap();
    for body in [&b""[..], b"{}"] {
        let (status, json) = status_and_json(
            send_signed(&emulator, "POST", &format!("/identities?{API}"), body).await,
        )
        .await;
        assert_eq!(status, 201, "{json}");
        assert!(json["identity"]["id"].as_str().is_some(), "{json}");
        assert!(json.get("accessToken").is_none(), "{json}");
    }
    // The client sends no body at all.
    client(&emulator).create_user().await.unwrap();
    let request = last_request(&emulator);
    assert!(request.body.is_empty());
    assert_eq!(request.status, Some(201));
    assert_eq!(emulator.user_count(), 3);
}

#[tokio::test]
async fn ids_arrive_percent_encoded_or_not() {
    let emulator = Emulator::start().await.unwrap();
    let user = client(&emulator).create_user().await.unwrap();
    assert!(
        last_request(&emulator)
            .path_and_query
            .starts_with("/identities?")
    );
    client(&emulator)
        .get_token(&user, CHAT, None)
        .await
        .unwrap();
    let encoded = user.id().replace(':', "%3A");
    assert_eq!(
        last_request(&emulator).path(),
        format!("/identities/{encoded}/:issueAccessToken")
    );
    let plain = format!("/identities/{}/:issueAccessToken?{API}", user.id());
    let response = send_signed(&emulator, "POST", &plain, br#"{"scopes":["voip"]}"#).await;
    assert_eq!(response.status(), 200);
}

// --- authentication ---

#[tokio::test]
async fn bad_signature_is_denied() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/identities?{API}");
    let response = send_signed_at(&emulator, "POST", &target, b"", b"", Utc::now(), |h| {
        // Change one symbol of the signature, keeping it well-formed base64.
        let mut chars: Vec<char> = h.authorization.chars().collect();
        let i = chars.len() - 5;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        h.authorization = chars.into_iter().collect();
    })
    .await
    .unwrap();
    assert_eq!(status_and_json(response).await, (401, denied()));
    assert_eq!(
        last_request(&emulator).auth,
        AuthOutcome::Rejected(AuthFailure::SignatureMismatch)
    );

    // Signed for another request target (without the query).
    let mut headers = emulator.access_key().sign(
        &SignableRequest::new("POST", "/identities", &host(&emulator)),
        &format_date(Utc::now()),
    );
    let response = send_signed_at(&emulator, "POST", &target, b"", b"", Utc::now(), |h| {
        std::mem::swap(h, &mut headers)
    })
    .await
    .unwrap();
    assert_eq!(status_and_json(response).await, (401, denied()));

    // A malformed Authorization header, and none at all.
    let response = send_signed_at(&emulator, "POST", &target, b"", b"", Utc::now(), |h| {
        h.authorization =
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=abc".into();
    })
    .await
    .unwrap();
    assert_eq!(status_and_json(response).await, (401, denied()));
    assert_eq!(
        last_request(&emulator).auth,
        AuthOutcome::Rejected(AuthFailure::MalformedAuthorization)
    );
    let response = http()
        .post(format!("{}{target}", emulator.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(status_and_json(response).await, (401, denied()));
    assert_eq!(
        last_request(&emulator).auth,
        AuthOutcome::Rejected(AuthFailure::MissingAuthorization)
    );
    assert_eq!(emulator.user_count(), 0);
}

#[tokio::test]
async fn signature_covers_the_host_as_received() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/identities?{API}");
    // Signed for `localhost:<port>` but sent to 127.0.0.1.
    let mut headers = emulator.access_key().sign(
        &SignableRequest::new("POST", &target, &format!("localhost:{}", emulator.port())),
        &format_date(Utc::now()),
    );
    let response = send_signed_at(&emulator, "POST", &target, b"", b"", Utc::now(), |h| {
        std::mem::swap(h, &mut headers)
    })
    .await
    .unwrap();
    assert_rejected(&emulator, &response, AuthFailure::SignatureMismatch);
}

#[tokio::test]
async fn wrong_content_hash_is_denied_with_the_hash_message() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/identities?{API}");
    let signed = br#"{"createTokenWithScopes":["chat"]}"#;
    let sent = br#"{"createTokenWithScopes":["voip"]}"#;
    let response = send_signed_at(&emulator, "POST", &target, signed, sent, Utc::now(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        status_and_json(response).await,
        (
            401,
            error_body(
                "Denied",
                "Request 'x-ms-content-sha256' differs from generated content hash."
            )
        )
    );
    assert_eq!(
        last_request(&emulator).auth,
        AuthOutcome::Rejected(AuthFailure::ContentHashMismatch)
    );
}

#[tokio::test]
async fn stale_date_is_refused() {
    let emulator = Emulator::start().await.unwrap();
    let target = format!("/identities?{API}");
    for (age, expected) in [
        (TimeDelta::minutes(10), 401),
        (TimeDelta::minutes(-10), 401),
        (TimeDelta::minutes(4), 201),
        (TimeDelta::seconds(-5), 201),
    ] {
        let response = send_signed_at(
            &emulator,
            "POST",
            &target,
            b"",
            b"",
            Utc::now() - age,
            |_| {},
        )
        .await
        .unwrap();
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, expected, "date {age} old: {body}");
        if expected == 401 {
            assert_eq!(body, denied());
            assert_eq!(
                last_request(&emulator).auth,
                AuthOutcome::Rejected(AuthFailure::StaleDate)
            );
        }
    }
    // A malformed date, signed as sent.
    let response = send_signed_at(&emulator, "POST", &target, b"", b"", Utc::now(), |h| {
        let date = Utc::now().to_rfc3339();
        *h = emulator.access_key().sign(
            &SignableRequest::new("POST", &target, &host(&emulator)),
            &date,
        );
    })
    .await
    .unwrap();
    assert_rejected(&emulator, &response, AuthFailure::MalformedDate);
}

#[tokio::test]
async fn clock_skew_is_configurable() {
    let emulator = Emulator::start_with(EmulatorOptions {
        max_clock_skew: Duration::from_secs(1),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let target = format!("/identities?{API}");
    let old = Utc::now() - TimeDelta::seconds(30);
    let response = send_signed_at(&emulator, "POST", &target, b"", b"", old, |_| {})
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn missing_api_version_and_unknown_routes() {
    let emulator = Emulator::start().await.unwrap();
    let (status, body) =
        status_and_json(send_signed(&emulator, "POST", "/identities", b"").await).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "MissingApiVersionParameter");
    // An empty value is a missing one, not an unsupported version.
    let (status, body) =
        status_and_json(send_signed(&emulator, "POST", "/identities?api-version=", b"").await)
            .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "MissingApiVersionParameter");
    // A known version is accepted.
    let (status, _) = status_and_json(
        send_signed(&emulator, "POST", "/identities?api-version=2023-10-01", b"").await,
    )
    .await;
    assert_eq!(status, 201);

    for (method, target) in [
        ("GET", format!("/identities?{API}")),
        ("POST", format!("//identities?{API}")),
        ("POST", format!("/identities/?{API}")),
        ("POST", format!("/chat/threads?{API}")),
    ] {
        let (status, body) =
            status_and_json(send_signed(&emulator, method, &target, b"").await).await;
        assert_eq!(status, 404, "{method} {target}");
        assert_eq!(body["error"]["code"], "NotFound");
    }
    assert_eq!(last_request(&emulator).auth, AuthOutcome::NotChecked);
}

/// Every API version the SDK knows is served, for the operations it has: the Teams extension
/// (from 2025-06-30) is refused with 400 `UnsupportedApiVersion` at 2023-10-01, the version the
/// official SDKs send, in the service's words for an unsupported version.
#[tokio::test]
async fn operations_are_served_at_the_versions_that_have_them() {
    let emulator = Emulator::start().await.unwrap();
    for version in acs_identity::spec::API_VERSIONS {
        let response = send_signed(
            &emulator,
            "POST",
            &format!("/identities?api-version={version}"),
            b"",
        )
        .await;
        let versions = response.headers()["api-supported-versions"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(versions.split(", ").any(|v| v == *version), "{versions}");
        assert_eq!(response.status(), 201, "{version}");
    }
    let assignment = "/access/teamsExtension/tenants/t/assignments/o";
    let body = br#"{"principalType":"user","clientIds":["c"]}"#;
    let (status, json) = status_and_json(
        send_signed(
            &emulator,
            "PUT",
            &format!("{assignment}?api-version=2023-10-01"),
            body,
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(json["error"]["code"], "UnsupportedApiVersion");
    assert_eq!(
        json["error"]["message"],
        format!(
            "The HTTP resource that matches the request URI '{}{assignment}' does not support \
             the API version '2023-10-01'. upsert_teams_extension_assignment (PUT \
             /access/teamsExtension/tenants/{{tenantId}}/assignments/{{objectId}}) needs API \
             version 2025-06-30 or later.",
            emulator.endpoint()
        )
    );
    assert_eq!(last_request(&emulator).auth, AuthOutcome::NotChecked);
    assert!(emulator.assignment("t", "o").is_none());
    let response = send_signed(
        &emulator,
        "PUT",
        &format!("{assignment}?api-version=2025-06-30"),
        body,
    )
    .await;
    assert_eq!(response.status(), 201);
}

/// An operation's body is recorded as received, even one that looks like a token request's form
/// (only the token endpoints' secrets are redacted).
#[tokio::test]
async fn an_operations_body_is_recorded_as_received() {
    let emulator = Emulator::start().await.unwrap();
    let form = b"client_secret=kept&password=kept";
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), form).await;
    assert_eq!(response.status(), 400);
    assert_eq!(last_request(&emulator).body, form);
}

#[tokio::test]
async fn requests_are_recorded_without_secrets() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let user = client.create_user().await.unwrap();
    client.get_token(&user, CHAT, None).await.unwrap();
    assert_eq!(emulator.request_count(), 2);
    let request = last_request(&emulator);
    assert_eq!(request.method, "POST");
    assert_eq!(request.auth, AuthOutcome::AccessKey);
    assert_eq!(request.status, Some(200));
    assert_eq!(request.fault, None);
    assert_eq!(request.json(), Some(json!({"scopes": ["chat"]})));
    assert_eq!(
        request.header("Authorization"),
        Some("HMAC-SHA256 <redacted>")
    );
    assert!(request.header("x-ms-date").is_some());
    assert_eq!(
        request.header("x-ms-content-sha256"),
        Some(acs_identity::signing::content_hash(&request.body).as_str())
    );
    assert!(request.path_and_query.ends_with(&API.to_string()));
    let debug = format!("{request:?}");
    assert!(debug.contains("<19 bytes>"), "{debug}");
    assert!(
        !format!("{emulator:?}").contains(
            emulator
                .connection_string()
                .split("accesskey=")
                .nth(1)
                .unwrap()
        )
    );
    emulator.clear_requests();
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn oversized_request_body_is_413() {
    let emulator = Emulator::start().await.unwrap();
    let body = vec![b' '; 1024 * 1024 + 1];
    let (status, json) =
        status_and_json(send_signed(&emulator, "POST", &format!("/identities?{API}"), &body).await)
            .await;
    assert_eq!(status, 413);
    assert_eq!(json["error"]["code"], "RequestEntityTooLarge");
    assert_eq!(emulator.user_count(), 0);
}

// --- identities ---

#[tokio::test]
async fn foreign_identity_is_not_owned() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let foreign = CommunicationUserIdentifier::new(
        "8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000000",
    );
    let message = "Provided identity doesn't belong to the resource.";
    let error = client.get_token(&foreign, CHAT, None).await.unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (Some(401), Some("IdentityNotOwned"))
    );
    assert_eq!(error.message(), message);
    let error = client.revoke_tokens(&foreign).await.unwrap_err();
    assert_eq!(error.code(), Some("IdentityNotOwned"));
    let error = client.delete_user(&foreign).await.unwrap_err();
    assert_eq!(error.code(), Some("IdentityNotOwned"));

    let (status, body) = status_and_json(
        send_signed(
            &emulator,
            "POST",
            &issue_target(foreign.id()),
            br#"{"scopes":["chat"]}"#,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (401, error_body("IdentityNotOwned", message))
    );

    for malformed in [
        "not-an-id",
        "8:acs:no-underscore",
        "8:acs:_user",
        "4:+14255550123",
    ] {
        let user = CommunicationUserIdentifier::new(malformed);
        let error = client.get_token(&user, CHAT, None).await.unwrap_err();
        assert_eq!(error.status(), Some(400), "{malformed}: {error}");
        assert_eq!(error.code(), Some("ValidationError"));
    }
    // An id of this resource that was never created.
    let unknown =
        CommunicationUserIdentifier::new(format!("8:acs:{}_nobody", emulator.resource_id()));
    let error = client.get_token(&unknown, CHAT, None).await.unwrap_err();
    assert_eq!(error.status(), Some(404));
}

#[tokio::test]
async fn expiry_out_of_range_gives_the_service_message() {
    let emulator = Emulator::start().await.unwrap();
    let user = client(&emulator).create_user().await.unwrap();
    for minutes in [59, 1441, 0, -5] {
        let expected = json!({"error": {
            "code": "ValidationError",
            "message": format!("ExpiresInMinutes value {minutes} is invalid. Value must be within the [60, 1440] interval."),
            "target": "ExpiresInMinutes",
        }});
        let body = format!(r#"{{"scopes":["chat"],"expiresInMinutes":{minutes}}}"#);
        let response =
            send_signed(&emulator, "POST", &issue_target(user.id()), body.as_bytes()).await;
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(status_and_json(response).await, (400, expected.clone()));
        let body = format!(r#"{{"createTokenWithScopes":["chat"],"expiresInMinutes":{minutes}}}"#);
        let response = send_signed(
            &emulator,
            "POST",
            &format!("/identities?{API}"),
            body.as_bytes(),
        )
        .await;
        assert_eq!(status_and_json(response).await, (400, expected));
    }
    for minutes in [60, 1440] {
        let body = format!(r#"{{"scopes":["chat"],"expiresInMinutes":{minutes}}}"#);
        let (status, json) = status_and_json(
            send_signed(&emulator, "POST", &issue_target(user.id()), body.as_bytes()).await,
        )
        .await;
        assert_eq!(status, 200, "{json}");
    }
}

#[tokio::test]
async fn missing_or_empty_scopes_give_the_service_message() {
    let emulator = Emulator::start().await.unwrap();
    let user = client(&emulator).create_user().await.unwrap();
    let expected = json!({"error": {
        "code": "ValidationError",
        "message": "Invalid scopes - Scopes field is required.",
        "target": "scopes",
    }});
    for body in [&br#"{"scopes":[]}"#[..], b"{}", br#"{"scopes":null}"#, b""] {
        let response = send_signed(&emulator, "POST", &issue_target(user.id()), body).await;
        assert_eq!(
            status_and_json(response).await,
            (400, expected.clone()),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    // A scope the spec does not know, and a body that is not JSON.
    for body in [&br#"{"scopes":["chat","teleport"]}"#[..], b"{scopes"] {
        let (status, json) =
            status_and_json(send_signed(&emulator, "POST", &issue_target(user.id()), body).await)
                .await;
        assert_eq!(status, 400);
        assert_eq!(json["error"]["code"], "ValidationError");
    }
}

// --- Teams users ---

#[tokio::test]
async fn teams_user_exchange() {
    let emulator = Emulator::start().await.unwrap();
    let client = client_without_retries(&emulator);
    let (app, user, tenant) = (
        "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac",
        "32c0a5db-05ec-78ea-51ab-3f06b329397e",
        "c70d068c-2f32-484d-9455-73070cd5aadd",
    );
    let aad = emulator.issue_teams_user_token(app, user, tenant, TimeDelta::minutes(50));
    let aad_exp = claims(&aad)["exp"].as_i64().unwrap();

    let token = client
        .get_token_for_teams_user(&aad, app, user)
        .await
        .unwrap();
    assert_eq!(token.expires_on().timestamp(), aad_exp);
    assert_eq!(token.expires_on().timestamp_subsec_nanos(), 0);
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Valid);
    let c = claims(token.token());
    assert_eq!(c["skypeid"], format!("orgid:{user}"));
    assert_eq!(c["tid"], tenant);
    assert_eq!(c["exp"].as_i64().unwrap(), aad_exp);

    let other = "11111111-1111-1111-1111-111111111111";
    let error = client
        .get_token_for_teams_user(&aad, other, user)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.code(), Some("ValidationError"));
    assert_eq!(error.target(), Some("appId"));
    assert_eq!(error.message(), "Provided AppId has invalid format.");
    let error = client
        .get_token_for_teams_user(&aad, app, other)
        .await
        .unwrap_err();
    assert_eq!(error.target(), Some("userId"));
    assert_eq!(error.message(), "Provided UserId has invalid format.");

    let invalid = error_body("InvalidAccessToken", "Provided access token is not valid.");
    let expired = emulator.issue_teams_user_token(app, user, tenant, TimeDelta::minutes(-1));
    let foreign = Emulator::start().await.unwrap().issue_teams_user_token(
        app,
        user,
        tenant,
        TimeDelta::hours(1),
    );
    for bad in [expired.as_str(), "invalid", foreign.as_str()] {
        let error = client
            .get_token_for_teams_user(bad, app, user)
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(401), "{error}");
        assert_eq!(error.code(), Some("InvalidAccessToken"));
        assert_eq!(error.message(), "Provided access token is not valid.");
    }

    // At the HTTP level: an empty token is 401 too; missing ids are validation errors.
    let target = format!("/teamsUser/:exchangeAccessToken?{API}");
    let body = json!({"token": "", "appId": app, "userId": user}).to_string();
    let response = send_signed(&emulator, "POST", &target, body.as_bytes()).await;
    assert_eq!(status_and_json(response).await, (401, invalid));
    let body = json!({"token": aad, "appId": "", "userId": user}).to_string();
    let (status, json) =
        status_and_json(send_signed(&emulator, "POST", &target, body.as_bytes()).await).await;
    assert_eq!(status, 400);
    assert_eq!(
        json,
        json!({"error": {"code": "ValidationError", "message": "AppId: The AppId field is required.", "target": "AppId"}})
    );
    let body = json!({"token": aad, "appId": app}).to_string();
    let (_, json) =
        status_and_json(send_signed(&emulator, "POST", &target, body.as_bytes()).await).await;
    assert_eq!(json["error"]["target"], "UserId");
}

#[tokio::test]
async fn teams_extension_exchange_is_authorized_by_the_users_token_only() {
    let emulator = Emulator::start().await.unwrap();
    let client = client_without_retries(&emulator);
    let (app, user, tenant) = ("app", "user-oid", "tenant-id");
    let entra = emulator.issue_teams_user_token(app, user, tenant, TimeDelta::hours(1));

    let (identity, token) = client.exchange_teams_extension_token(&entra).await.unwrap();
    assert_eq!(
        identity.id(),
        format!("8:acs:{}_{tenant}_{user}", emulator.resource_id())
    );
    assert!(emulator.user_exists(identity.id()));
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Valid);
    assert_eq!(
        token.expires_on().timestamp(),
        claims(&entra)["exp"].as_i64().unwrap()
    );
    let request = last_request(&emulator);
    assert_eq!(request.auth, AuthOutcome::TeamsUserToken);
    assert_eq!(request.header("authorization"), Some("Bearer <redacted>"));
    assert!(
        request.header("x-ms-date").is_none(),
        "not signed with the key"
    );

    // Signed with the access key only: refused.
    let target = format!("/access/teamsExtension/:exchangeAccessToken?{API}");
    let (status, json) =
        status_and_json(send_signed(&emulator, "POST", &target, b"{}").await).await;
    assert_eq!(status, 401);
    assert_eq!(json["error"]["code"], "InvalidAccessToken");
    assert_eq!(
        last_request(&emulator).auth,
        AuthOutcome::Rejected(AuthFailure::UnsupportedScheme)
    );

    // The resource's own bearer token, an expired user token, another emulator's token.
    let credential = emulator.token_credential();
    let resource_token = acs_identity::TokenCredential::get_token(
        credential.as_ref(),
        &[acs_identity::COMMUNICATION_SCOPE],
    )
    .await
    .unwrap();
    let expired = emulator.issue_teams_user_token(app, user, tenant, TimeDelta::seconds(-10));
    let foreign = Emulator::start().await.unwrap().issue_teams_user_token(
        app,
        user,
        tenant,
        TimeDelta::hours(1),
    );
    for (bad, failure) in [
        (resource_token.secret(), AuthFailure::InvalidToken),
        (expired.as_str(), AuthFailure::ExpiredToken),
        (foreign.as_str(), AuthFailure::InvalidToken),
    ] {
        let error = client
            .exchange_teams_extension_token(bad)
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(401), "{error}");
        assert_eq!(error.code(), Some("InvalidAccessToken"));
        assert_eq!(last_request(&emulator).auth, AuthOutcome::Rejected(failure));
    }
}

// --- Teams extension assignments ---

#[tokio::test]
async fn assignments_lifecycle() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let (tenant, object) = (
        "c70d068c-2f32-484d-9455-73070cd5aadd",
        "b27b64b9-39d2-44a3-869d-67700b74e805",
    );

    let created = client
        .upsert_teams_extension_assignment(
            tenant,
            object,
            TeamsExtensionPrincipalType::User,
            &["client-1"],
        )
        .await
        .unwrap();
    assert_eq!(last_request(&emulator).status, Some(201));
    assert_eq!(created.tenant_id(), tenant);
    assert_eq!(created.object_id(), object);
    assert_eq!(created.principal_type(), &TeamsExtensionPrincipalType::User);
    assert_eq!(created.client_ids(), ["client-1"]);

    let fetched = client
        .get_teams_extension_assignment(tenant, object)
        .await
        .unwrap();
    assert_eq!(fetched, created);

    let replaced = client
        .upsert_teams_extension_assignment::<&str>(
            tenant,
            object,
            TeamsExtensionPrincipalType::ResourceAccount,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(last_request(&emulator).status, Some(200));
    assert_eq!(
        replaced.principal_type(),
        &TeamsExtensionPrincipalType::ResourceAccount
    );
    assert!(replaced.client_ids().is_empty());
    assert_eq!(emulator.assignment(tenant, object), Some(replaced));

    client
        .delete_teams_extension_assignment(tenant, object)
        .await
        .unwrap();
    assert_eq!(last_request(&emulator).status, Some(204));
    assert_eq!(emulator.assignment(tenant, object), None);
    let error = client
        .get_teams_extension_assignment(tenant, object)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.code(), Some("AssignmentNotFound"));
    // Deleting again has the same effect.
    client
        .delete_teams_extension_assignment(tenant, object)
        .await
        .unwrap();

    // Ids are percent-decoded: `/` and `:` survive.
    client
        .upsert_teams_extension_assignment("t/1", "o:1", TeamsExtensionPrincipalType::User, &["c"])
        .await
        .unwrap();
    assert!(emulator.assignment("t/1", "o:1").is_some());

    // A principal type the spec does not know.
    let target = format!("/access/teamsExtension/tenants/{tenant}/assignments/{object}?{API}");
    let (status, json) = status_and_json(
        send_signed(&emulator, "PUT", &target, br#"{"principalType":"robot"}"#).await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(json["error"]["target"], "principalType");
}

// --- token credential mode ---

#[tokio::test]
async fn token_credential_mode() {
    let emulator = Emulator::start().await.unwrap();
    let credential = emulator.token_credential();
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), credential.clone(), None).unwrap();
    let (user, token) = client.create_user_and_token(CHAT, None).await.unwrap();
    client.get_token(&user, CHAT, None).await.unwrap();
    client.revoke_tokens(&user).await.unwrap();
    assert_eq!(emulator.token_status(token.token()), TokenStatus::Revoked);
    client
        .upsert_teams_extension_assignment("t", "o", TeamsExtensionPrincipalType::User, &["c"])
        .await
        .unwrap();
    client.delete_user(&user).await.unwrap();
    for request in emulator.requests() {
        assert_eq!(request.auth, AuthOutcome::ResourceToken, "{request:?}");
        assert_eq!(request.header("authorization"), Some("Bearer <redacted>"));
    }
    assert_eq!(credential.tokens_issued(), 1, "the client caches the token");
    // It counts what it issues, whoever asks.
    acs_identity::TokenCredential::get_token(&*credential, &[acs_identity::COMMUNICATION_SCOPE])
        .await
        .unwrap();
    assert_eq!(credential.tokens_issued(), 2);
    assert_eq!(
        format!("{credential:?}"),
        "EmulatorCredential { tokens_issued: 2, .. }"
    );

    // Another emulator's credential is refused.
    let other = Emulator::start().await.unwrap();
    let client =
        CommunicationIdentityClient::new(emulator.endpoint(), other.token_credential(), None)
            .unwrap();
    let error = client.create_user().await.unwrap_err();
    assert_eq!((error.status(), error.code()), (Some(401), Some("Denied")));
    assert_eq!(
        last_request(&emulator).auth,
        AuthOutcome::Rejected(AuthFailure::InvalidToken)
    );

    // The credential only serves the Communication Services scope (with its double slash).
    let wrong = acs_identity::TokenCredential::get_token(
        credential.as_ref(),
        &["https://communication.azure.com/.default"],
    )
    .await;
    assert!(wrong.is_err());
}

#[tokio::test]
async fn expired_bearer_token_is_refused() {
    let emulator = Emulator::start_with(EmulatorOptions {
        // Expiries are whole seconds: the token is valid for at least 1 s and at most 2 s.
        bearer_token_lifetime: Duration::from_secs(2),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let token = acs_identity::TokenCredential::get_token(
        emulator.token_credential().as_ref(),
        &[acs_identity::COMMUNICATION_SCOPE],
    )
    .await
    .unwrap();
    let target = format!("{}/identities?{API}", emulator.endpoint());
    let send = || http().post(&target).bearer_auth(token.secret()).send();
    assert_eq!(send().await.unwrap().status(), 201);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, json) = status_and_json(send().await.unwrap()).await;
    assert_eq!((status, json), (401, denied()));
    assert_eq!(
        last_request(&emulator).auth,
        AuthOutcome::Rejected(AuthFailure::ExpiredToken)
    );
}

// --- faults ---

#[tokio::test]
async fn fault_status_with_retry_after() {
    let emulator = Emulator::start().await.unwrap();
    emulator
        .faults()
        .inject(Fault::new(FaultAction::status_with_retry_after(503, 1)));
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(emulator.user_count(), 0, "not processed");
    let request = last_request(&emulator);
    assert_eq!(request.status, Some(503));
    assert_eq!(request.auth, AuthOutcome::NotChecked);
    assert!(request.fault.is_some());
    assert_eq!(emulator.faults().remaining(), 0);
    // Used up: the next request is answered normally.
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 201);

    // Through the client: the status and the delay the service asked for reach the caller.
    emulator
        .faults()
        .inject(Fault::new(FaultAction::status_with_retry_after(503, 1)));
    let error = client_without_retries(&emulator)
        .create_user()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn fault_500_with_empty_body_and_429_with_body() {
    let emulator = Emulator::start().await.unwrap();
    let client = client_without_retries(&emulator);
    emulator.faults().inject(Fault::new(FaultAction::Status {
        status: 500,
        retry_after: Some("0".into()),
        body: None,
    }));
    let error = client.create_user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.code(), None);

    let body = json!({"error": {"code": "TooManyRequests", "message": "Slow down."}}).to_string();
    emulator.faults().inject(Fault::new(FaultAction::Status {
        status: 429,
        retry_after: None,
        body: Some(body.clone()),
    }));
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.text().await.unwrap(), body);

    // The client retries 5xx by default: one fault is absorbed.
    emulator
        .faults()
        .inject(Fault::new(FaultAction::status(500)).on_path(":issueAccessToken"));
    let default_client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(ClientOptions {
            retry: RetryOptions {
                initial_delay: Duration::from_millis(10),
                ..RetryOptions::default()
            },
            ..ClientOptions::default()
        }),
    )
    .unwrap();
    let user = default_client.create_user().await.unwrap();
    default_client.get_token(&user, CHAT, None).await.unwrap();
    let statuses: Vec<_> = emulator
        .requests()
        .iter()
        .rev()
        .take(2)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(200), Some(500)]);
}

#[tokio::test]
async fn fault_delay_then_normal_answer() {
    let emulator = Emulator::start().await.unwrap();
    emulator
        .faults()
        .inject(Fault::new(FaultAction::Delay(Duration::from_millis(300))));
    let started = Instant::now();
    client(&emulator).create_user().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(last_request(&emulator).status, Some(201));

    // Longer than the client's attempt timeout: the client gives up.
    emulator
        .faults()
        .inject(Fault::new(FaultAction::Delay(Duration::from_secs(2))));
    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 0,
            ..RetryOptions::default()
        },
        attempt_timeout: Some(Duration::from_millis(200)),
        ..ClientOptions::default()
    };
    let client = CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .unwrap();
    let error = client.create_user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
}

#[tokio::test]
async fn fault_reset_closes_without_answer() {
    let emulator = Emulator::start().await.unwrap();
    emulator.faults().inject(Fault::new(FaultAction::Reset));
    let result = send_signed_at(
        &emulator,
        "POST",
        &format!("/identities?{API}"),
        b"",
        b"",
        Utc::now(),
        |_| {},
    )
    .await;
    let error = result.expect_err("no answer");
    assert!(!error.is_status() && !error.is_connect(), "{error:?}");
    let request = last_request(&emulator);
    assert_eq!(request.status, None);
    assert_eq!(request.fault, Some(FaultAction::Reset));
    assert_eq!(emulator.user_count(), 0, "not processed");

    emulator.faults().inject(Fault::new(FaultAction::Reset));
    let error = client_without_retries(&emulator)
        .create_user()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.status(), None);
    // The server is still serving.
    client(&emulator).create_user().await.unwrap();
}

#[tokio::test]
async fn fault_reset_mid_response() {
    let emulator = Emulator::start().await.unwrap();
    emulator
        .faults()
        .inject(Fault::new(FaultAction::ResetMidResponse));
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 201);
    let announced: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(announced > 10);
    assert!(response.bytes().await.is_err(), "the body is cut short");
    assert_eq!(emulator.user_count(), 1, "processed");

    emulator
        .faults()
        .inject(Fault::new(FaultAction::ResetMidResponse));
    let error = client_without_retries(&emulator)
        .create_user()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
}

/// Answers are framed as the service's (the Python SDK's recordings `test_create_user` and
/// `test_delete_user`): a body comes with its exact `Content-Length` and a content type, never
/// chunked; a 204 has no body headers at all; a status without a body says `Content-Length: 0`.
#[tokio::test]
async fn answers_are_framed_as_the_services() {
    let emulator = Emulator::start().await.unwrap();
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 201);
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap();
    assert_eq!(headers["content-length"], body.len().to_string().as_str());
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert!(headers.get("transfer-encoding").is_none(), "{headers:?}");
    let id = serde_json::from_slice::<Value>(&body).unwrap()["identity"]["id"]
        .as_str()
        .unwrap()
        .replace(':', "%3A");

    let response = send_signed(&emulator, "DELETE", &format!("/identities/{id}?{API}"), b"").await;
    assert_eq!(response.status(), 204);
    for name in ["content-type", "content-length", "transfer-encoding"] {
        assert!(
            response.headers().get(name).is_none(),
            "{name}: {response:?}"
        );
    }

    emulator
        .faults()
        .inject(Fault::new(FaultAction::status(503)));
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["content-length"], "0");
    for name in ["content-type", "transfer-encoding"] {
        assert!(
            response.headers().get(name).is_none(),
            "{name}: {response:?}"
        );
    }
}

#[tokio::test]
async fn fault_malformed_body() {
    let emulator = Emulator::start().await.unwrap();
    let user = client(&emulator).create_user().await.unwrap();
    emulator
        .faults()
        .inject(Fault::new(FaultAction::MalformedBody));
    let response = send_signed(
        &emulator,
        "POST",
        &issue_target(user.id()),
        br#"{"scopes":["chat"]}"#,
    )
    .await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"{\""), "{bytes:?}");
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());

    emulator
        .faults()
        .inject(Fault::new(FaultAction::MalformedBody));
    let error = client_without_retries(&emulator)
        .create_user()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse, "{error}");
    assert_eq!(error.status(), Some(201));
}

#[tokio::test]
async fn fault_wrong_content_type() {
    let emulator = Emulator::start().await.unwrap();
    emulator
        .faults()
        .inject(Fault::new(FaultAction::WrongContentType));
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let json: Value = response.json().await.unwrap();
    assert!(json["identity"]["id"].is_string(), "valid success JSON");
}

#[tokio::test]
async fn fault_oversized_body() {
    let emulator = Emulator::start().await.unwrap();
    let size = 2 * 1024 * 1024;
    emulator
        .faults()
        .inject(Fault::new(FaultAction::Oversized(size)));
    let response = send_signed(&emulator, "POST", &format!("/identities?{API}"), b"").await;
    assert_eq!(response.status(), 201);
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len(), size);
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(json["identity"]["id"].is_string());

    emulator
        .faults()
        .inject(Fault::new(FaultAction::Oversized(size)));
    let error = client_without_retries(&emulator)
        .create_user()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse, "{error}");
}

#[tokio::test]
async fn faults_follow_path_and_times() {
    let emulator = Emulator::start().await.unwrap();
    let client = client_without_retries(&emulator);
    let user = client.create_user().await.unwrap();
    emulator.faults().inject(
        Fault::new(FaultAction::status(502))
            .on_path(":issueAccessToken")
            .times(2),
    );
    client.create_user().await.unwrap();
    for _ in 0..2 {
        let error = client.get_token(&user, CHAT, None).await.unwrap_err();
        assert_eq!(error.status(), Some(502));
    }
    client.get_token(&user, CHAT, None).await.unwrap();
    let faulted = emulator
        .requests()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert_eq!(faulted, 2);
    emulator
        .faults()
        .inject(Fault::new(FaultAction::Reset).times(5));
    assert_eq!(emulator.faults().remaining(), 5);
    emulator.faults().clear();
    client.create_user().await.unwrap();
}

// --- concurrency and lifecycle ---

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_operations_all_succeed() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut done = 0;
                let mut tokens = Vec::new();
                let user = client.create_user().await.unwrap();
                done += 1;
                let ops = if task < 8 { 13 } else { 12 };
                for i in 1..ops {
                    match i % 3 {
                        0 => client.revoke_tokens(&user).await.unwrap(),
                        1 => tokens.push(client.get_token(&user, CHAT, None).await.unwrap()),
                        _ => {
                            client.create_user_and_token(CHAT, None).await.unwrap();
                        }
                    }
                    done += 1;
                }
                (done, user)
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        let (done, user) = task.await.unwrap();
        total += done;
        assert!(emulator.user_exists(user.id()));
    }
    assert_eq!(total, 200);
    assert_eq!(emulator.request_count(), 200);
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| matches!(r.status, Some(200 | 201 | 204)))
    );
}

#[tokio::test]
async fn dropping_the_emulator_stops_the_server() {
    let emulator = Emulator::start().await.unwrap();
    let client = client_without_retries(&emulator);
    client.create_user().await.unwrap();
    let address = format!("127.0.0.1:{}", emulator.port());
    drop(emulator);
    let connect = tokio::net::TcpStream::connect(&address).await;
    assert!(connect.is_err(), "the listening socket is closed at once");
    // Kept-alive connections close too.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let error = client.create_user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
}

#[tokio::test]
async fn options_fix_the_key_and_resource() {
    let key =
        "0iAHTwxfPMu70btL2S/tt3ADp/b5zFoz3sEw6EhJBwLVowsk5R1snCeOp22odZllW7sQPWrD/P0sAgo8tx1Isg==";
    let emulator = Emulator::start_with(EmulatorOptions {
        access_key: Some(key.into()),
        resource_id: Some("my-resource".into()),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    assert_eq!(
        emulator.connection_string(),
        format!("endpoint={}/;accesskey={key}", emulator.endpoint())
    );
    let user = client(&emulator).create_user().await.unwrap();
    assert!(user.id().starts_with("8:acs:my-resource_"));
    assert!(
        !format!(
            "{:?}",
            EmulatorOptions {
                access_key: Some(key.into()),
                ..EmulatorOptions::default()
            }
        )
        .contains(key)
    );

    for options in [
        EmulatorOptions {
            access_key: Some("not base64!".into()),
            ..EmulatorOptions::default()
        },
        EmulatorOptions {
            resource_id: Some("a_b".into()),
            ..EmulatorOptions::default()
        },
        EmulatorOptions {
            resource_id: Some(String::new()),
            ..EmulatorOptions::default()
        },
    ] {
        let error = Emulator::start_with(options).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
    // A port in use.
    let taken = Emulator::start_with(EmulatorOptions {
        port: emulator.port(),
        ..EmulatorOptions::default()
    })
    .await;
    assert!(taken.is_err());
}

#[tokio::test]
async fn ids_with_reserved_characters_arrive_intact() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    // Well-formed ids of this resource that do not exist: a 404 from the operation (not from
    // routing) shows the id was decoded back to what the client was given.
    for user in ["a/b", "c?d", "e#f", "g%20h", "i j+k", "l:m"] {
        let id = format!("8:acs:{}_{user}", emulator.resource_id());
        let error = client
            .get_token(&CommunicationUserIdentifier::new(id), CHAT, None)
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("IdentityNotFound"), "{user}: {error}");
    }
}

/// The emulator binary serves although whoever started it does not read its output (its banner
/// once made it panic on the broken pipe).
#[tokio::test]
async fn binary_serves_when_its_stdout_is_closed() {
    use std::process::{Command, Stdio};

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_acs-identity-emulator"))
        .args(["--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator binary starts");
    // Nobody reads the banner: the pipe is closed before the emulator writes to it.
    drop(child.stdout.take());

    let url = format!("http://127.0.0.1:{port}/identities?{API}");
    let status = || async {
        Some(
            reqwest::Client::new()
                .post(&url)
                .send()
                .await
                .ok()?
                .status(),
        )
    };
    let mut first = None;
    for _ in 0..50 {
        first = status().await;
        if first.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Still up a while after it started (a panic on the banner ends it within milliseconds).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = status().await;
    let exited = child.try_wait().expect("process status");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(exited, None, "the emulator exited");
    // Unsigned requests: refused, by a server that is up.
    assert_eq!(first.map(|s| s.as_u16()), Some(401));
    assert_eq!(later.map(|s| s.as_u16()), Some(401));
}
