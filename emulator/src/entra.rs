//! The emulator's Entra ID token endpoint, for tests in any language:
//! `POST /emulator/entra/token` with `{"scopes": ["https://communication.azure.com//.default"]}`
//! (no authentication) answers a bearer token the emulator accepts on every operation of the
//! resource, the same tokens as [`Emulator::token_credential`](super::Emulator::token_credential).

use super::routes::{Reply, Request};
use super::state::Shared;
use super::tokens;
use acs_identity::COMMUNICATION_SCOPE;
use serde_json::{Value, json};

/// The prefix of the emulator's own endpoints.
pub(crate) const PATH_PREFIX: &str = "/emulator/";

/// The token endpoint's path.
pub(crate) const TOKEN_PATH: &str = "/emulator/entra/token";

/// The only scope tokens are issued for, as Entra ID knows no other resource here.
pub(crate) fn check_scopes<S: AsRef<str>>(scopes: &[S]) -> Result<(), String> {
    if scopes.len() == 1 && scopes[0].as_ref() == COMMUNICATION_SCOPE {
        return Ok(());
    }
    let scopes: Vec<&str> = scopes.iter().map(AsRef::as_ref).collect();
    Err(format!(
        "the emulator issues tokens only for the scope {COMMUNICATION_SCOPE:?}, not {scopes:?}"
    ))
}

/// An OAuth 2.0 error answer, as Entra ID words them (`error`, `error_description`).
fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply {
        status,
        body: json!({"error": error, "error_description": description})
            .to_string()
            .into_bytes(),
        error: true,
    }
}

/// Answers a request to one of the emulator's own endpoints.
pub(crate) fn handle(shared: &Shared, req: &Request<'_>) -> Reply {
    if req.path() != TOKEN_PATH {
        return super::errors::ApiError::route_not_found(req.method, req.path()).into();
    }
    if req.method != "POST" {
        return oauth_error(
            405,
            "invalid_request",
            "the token endpoint takes POST with a JSON body {\"scopes\": [...]}",
        );
    }
    // No body, or no `scopes`: the Communication Services scope.
    let scopes: Vec<String> = if req.body.iter().all(u8::is_ascii_whitespace) {
        vec![COMMUNICATION_SCOPE.to_owned()]
    } else {
        let body: Value = match serde_json::from_slice(req.body) {
            Ok(body) => body,
            Err(e) => {
                return oauth_error(
                    400,
                    "invalid_request",
                    &format!("the body is not JSON: {e}"),
                );
            }
        };
        match body.get("scopes") {
            None | Some(Value::Null) => vec![COMMUNICATION_SCOPE.to_owned()],
            Some(value) => match serde_json::from_value(value.clone()) {
                Ok(scopes) => scopes,
                Err(_) => {
                    return oauth_error(
                        400,
                        "invalid_request",
                        "`scopes` must be an array of strings",
                    );
                }
            },
        }
    };
    if let Err(message) = check_scopes(&scopes) {
        return oauth_error(400, "invalid_scope", &message);
    }
    let (token, expires_on) = tokens::entra_resource_token(shared);
    let expires_in = (expires_on - chrono::Utc::now()).num_seconds().max(0);
    Reply::json(
        200,
        &json!({
            "token_type": "Bearer",
            "access_token": token,
            "expires_on": expires_on.timestamp(),
            "expires_in": expires_in,
        }),
    )
}
