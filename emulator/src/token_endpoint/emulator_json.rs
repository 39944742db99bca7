//! The emulator's own JSON token endpoint, for tests in any language:
//! `POST /emulator/entra/token` with `{"scopes": ["https://communication.azure.com//.default"]}`
//! (no authentication) answers a bearer token the emulator accepts on every operation of the
//! resource, the same tokens as [`Emulator::token_credential`](crate::Emulator::token_credential).

use super::super::http::{Reply, Request};
use super::super::state::Shared;
use super::super::tokens;
use super::common::{check_scopes, oauth_error};
use acs_identity::COMMUNICATION_SCOPE;
use serde_json::{Value, json};

/// Answers `POST /emulator/entra/token`.
pub(super) fn issue(shared: &Shared, req: &Request<'_>) -> Reply {
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
