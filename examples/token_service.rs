//! A token service: the backend of a chat or calling app, built with axum. The app creates a
//! Communication Services user per account of its own, stores the id, and hands out tokens.
//!
//! With `COMMUNICATION_SERVICES_CONNECTION_STRING` set, it uses that resource; without, it starts
//! the emulator in this process and says so. It listens on `127.0.0.1:3000` (`ADDR` to change).
//!
//! ```sh
//! cargo run --example token_service
//! curl -X POST localhost:3000/users                                   # {"id":"8:acs:…"}
//! curl -X POST localhost:3000/users/8:acs:…/token                     # {"token":"…","expiresOn":"…"}
//! curl -X POST localhost:3000/users/8:acs:…/token -H 'content-type: application/json' \
//!      -d '{"scopes":["chat.join"],"hours":1}'
//! curl -X POST localhost:3000/users/8:acs:…/revoke                    # 204
//! curl -X DELETE localhost:3000/users/8:acs:…                         # 204
//! ```
//!
//! Left out: the app's own sign-in. A real service checks that the caller is signed in and that
//! the id is the caller's before it issues, revokes or deletes anything.
//!
//! Errors are `{"error": "…"}` with a status that says what the caller can do: 404 (unknown or
//! deleted user), 400 (bad input), 503 with `Retry-After` when known (try again later), 502
//! (anything else: this service's problem, not the caller's). `cargo test --example
//! token_service` runs its tests against the emulator.

use acs_identity::{
    AccessToken, CommunicationIdentityClient, CommunicationTokenScope as Scope,
    CommunicationUserIdentifier as User, Error, ErrorCode, TokenExpiry,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// The routes. The client is the state: cloning it is cheap (one connection pool for all).
fn app(client: CommunicationIdentityClient) -> Router {
    Router::new()
        .route("/users", post(create_user))
        .route("/users/{id}", delete(delete_user))
        .route("/users/{id}/token", post(issue_token))
        .route("/users/{id}/revoke", post(revoke_tokens))
        .with_state(client)
}

type Client = State<CommunicationIdentityClient>;
type Id = Path<String>;

/// POST /users: a new user; the app stores its id beside its own account.
async fn create_user(State(client): Client) -> Result<Json<Value>, ApiError> {
    let user = client.create_user().await?;
    Ok(Json(json!({ "id": user.id() })))
}

/// The optional body of POST /users/{id}/token.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    /// Scope names (`chat`, `voip`, `chat.join`, ...); default `["chat", "voip"]`.
    scopes: Option<Vec<String>>,
    /// Lifetime in hours, 1 to 24; default: the service's (24 hours).
    hours: Option<u32>,
}

/// POST /users/{id}/token: a token for a stored id (no lookup needed: the id is the user).
async fn issue_token(
    State(client): Client,
    Path(id): Id,
    body: Bytes,
) -> Result<Json<AccessToken>, ApiError> {
    let request: TokenRequest = match body.is_empty() {
        true => TokenRequest::default(),
        false => serde_json::from_slice(&body)
            .map_err(|e| ApiError(StatusCode::BAD_REQUEST, e.to_string(), None))?,
    };
    // A name the SDK does not know is sent as it is: the service answers 400 for a bad one.
    let scopes: Vec<Scope> = match request.scopes {
        Some(names) => names.iter().map(|name| Scope::from_wire(name)).collect(),
        None => vec![Scope::Chat, Scope::Voip],
    };
    // Out of range (or an empty scope list) is refused by the SDK before sending: a 400 too.
    let expiry = request.hours.map(TokenExpiry::from_hours).transpose()?;
    Ok(Json(
        client.get_token(&User::new(id), &scopes, expiry).await?,
    ))
}

/// POST /users/{id}/revoke: the user's tokens stop working (e.g. at sign-out).
async fn revoke_tokens(State(client): Client, Path(id): Id) -> Result<StatusCode, ApiError> {
    client.revoke_tokens(&User::new(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /users/{id}: the user and its tokens are gone (deleting twice is fine).
async fn delete_user(State(client): Client, Path(id): Id) -> Result<StatusCode, ApiError> {
    client.delete_user(&User::new(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An error as this service answers it: status, message, and how long to wait (503 only).
#[derive(Debug)]
struct ApiError(StatusCode, String, Option<std::time::Duration>);

/// The SDK's error, classified with its checks rather than by parsing text.
impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = match e.error_code() {
            // An id of another Communication Services resource is as unknown here as a deleted
            // one: 404, not 403 (no permission of the caller would change the answer, and
            // callers need not learn that the id exists elsewhere).
            Some(ErrorCode::IdentityNotFound | ErrorCode::IdentityNotOwned) => {
                StatusCode::NOT_FOUND
            }
            // Refused by the SDK before sending (kind InvalidArgument) or answered 400.
            _ if e.is_invalid_request() => StatusCode::BAD_REQUEST,
            // 408, 429, 5xx, timeouts and transport failures, after the SDK's own retries.
            _ if e.is_transient() => StatusCode::SERVICE_UNAVAILABLE,
            // A wrong key, an unexpected answer: the fault is on this side.
            _ => StatusCode::BAD_GATEWAY,
        };
        if status.is_server_error() {
            eprintln!("token service: {e}"); // an SDK error holds no key or token
        }
        let transient = status == StatusCode::SERVICE_UNAVAILABLE;
        ApiError(status, e.to_string(), e.retry_after().filter(|_| transient))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(status, message, retry_after) = self;
        let mut response = (status, Json(json!({ "error": message }))).into_response();
        if let Some(wait) = retry_after {
            let seconds = HeaderValue::from(wait.as_secs_f64().ceil() as u64);
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        response
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let configured = std::env::var("COMMUNICATION_SERVICES_CONNECTION_STRING").ok();
    // The emulator stops when dropped: keep it for as long as the server runs.
    let (connection_string, _emulator) = match configured.filter(|cs| !cs.is_empty()) {
        Some(cs) => (cs, None),
        None => {
            let emulator = acs_identity_emulator::Emulator::start().await?;
            println!(
                "COMMUNICATION_SERVICES_CONNECTION_STRING is not set: using the emulator at {}.",
                emulator.endpoint()
            );
            (emulator.connection_string(), Some(emulator))
        }
    };
    let client = CommunicationIdentityClient::from_connection_string(&connection_string, None)?;
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("Token service on http://{}", listener.local_addr()?);
    axum::serve(listener, app(client)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use acs_identity::ClientOptions;
    use acs_identity_emulator::{Emulator, Fault, FaultAction, TokenStatus};

    /// The service on a free port over a new emulator, without retries (a fault shows at once).
    async fn serve() -> (Emulator, String, reqwest::Client) {
        let emulator = Emulator::start().await.unwrap();
        let mut options = ClientOptions::default();
        options.retry.max_retries = 0;
        let cs = emulator.connection_string();
        let client = CommunicationIdentityClient::from_connection_string(&cs, Some(options));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = app(client.unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (emulator, base, reqwest::Client::new())
    }

    /// Sends `request`: the status, `Retry-After` and the JSON answer (`Null` when none).
    async fn send(request: reqwest::RequestBuilder) -> (u16, Option<HeaderValue>, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").cloned();
        (
            status,
            retry_after,
            response.json().await.unwrap_or_default(),
        )
    }

    #[tokio::test]
    async fn every_route() {
        let (emulator, base, http) = serve().await;
        let (status, _, created) = send(http.post(format!("{base}/users"))).await;
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(status == 200 && emulator.user_exists(&id), "{created}");

        let token_url = format!("{base}/users/{id}/token");
        let (status, _, token) = send(http.post(&token_url)).await;
        let first = token["token"].as_str().unwrap().to_owned();
        assert_eq!(
            (status, emulator.token_status(&first)),
            (200, TokenStatus::Valid)
        );
        let body = json!({ "scopes": ["chat.join"], "hours": 1 });
        let (status, _, token) = send(http.post(&token_url).json(&body)).await;
        let expires: chrono::DateTime<chrono::Utc> =
            token["expiresOn"].as_str().unwrap().parse().unwrap();
        let minutes = (expires - chrono::Utc::now()).num_minutes();
        assert!(status == 200 && (55..=60).contains(&minutes), "{token}");

        let (status, ..) = send(http.post(format!("{base}/users/{id}/revoke"))).await;
        assert_eq!(
            (status, emulator.token_status(&first)),
            (204, TokenStatus::Revoked)
        );
        let (status, ..) = send(http.delete(format!("{base}/users/{id}"))).await;
        assert!(status == 204 && !emulator.user_exists(&id));
    }

    #[tokio::test]
    async fn errors_map_to_statuses() {
        let (emulator, base, http) = serve().await;
        let (_, _, created) = send(http.post(format!("{base}/users"))).await;
        let user_url = format!("{base}/users/{}", created["id"].as_str().unwrap());
        let token_url = format!("{user_url}/token");
        // Invalid input, refused by the SDK (hours, an empty list), by the service (an unknown
        // scope) or by this service (JSON): 400, and nothing to retry.
        for body in [
            json!({"hours": 0}),
            json!({"hours": 25}),
            json!({"scopes": []}),
            json!({"scopes": ["bogus"]}),
            json!({"hour": 1}),
        ] {
            let (status, retry_after, answer) = send(http.post(&token_url).json(&body)).await;
            assert_eq!((status, retry_after), (400, None), "{body}: {answer}");
        }
        // A deleted user, an id of another resource: 404.
        send(http.delete(&user_url)).await;
        let foreign =
            "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
        for url in [token_url, format!("{base}/users/{foreign}/revoke")] {
            let (status, _, answer) = send(http.post(url)).await;
            assert_eq!(status, 404, "{answer}");
        }
        // The service is unavailable (after the SDK's retries, here none): 503, Retry-After.
        let fault = |action| emulator.faults().inject(Fault::new(action));
        fault(FaultAction::status_with_retry_after(503, 7));
        let (status, retry_after, answer) = send(http.post(format!("{base}/users"))).await;
        let seven = Some(HeaderValue::from_static("7"));
        assert_eq!((status, retry_after), (503, seven), "{answer}");
        fault(FaultAction::Reset);
        let (status, retry_after, answer) = send(http.post(format!("{base}/users"))).await;
        assert_eq!((status, retry_after), (503, None), "{answer}");
        // Anything else (here a 401 the SDK cannot mend): 502.
        fault(FaultAction::status(401));
        let (status, _, answer) = send(http.post(format!("{base}/users"))).await;
        let message = answer["error"].as_str().unwrap();
        assert!(status == 502 && message.starts_with("401 "), "{answer}");
    }
}
