//! Teams users: the exchange of a Teams user's Entra ID token for a Communication Services
//! token.

use super::super::auth;
use super::super::errors::ApiError;
use super::super::state::Shared;
use super::super::tokens::AcsToken;
use super::common::{from_value, parse_json};
use super::{Reply, Request};
use acs_identity::raw::types;
use serde_json::Value;

/// `POST /teamsUser/:exchangeAccessToken`: checks in the service's order: required fields,
/// the token, then `appId` and `userId` against its `appid` and `oid` claims.
pub(super) fn exchange(shared: &Shared, req: &Request<'_>) -> Result<Reply, ApiError> {
    let mut body: Value = parse_json(req.body)?;
    let Some(fields) = body.as_object_mut() else {
        return Err(ApiError::invalid_body("expected a JSON object."));
    };
    let present = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !present("appId") {
        return Err(ApiError::field_required("AppId"));
    }
    if !present("userId") {
        return Err(ApiError::field_required("UserId"));
    }
    // An empty or missing token is an invalid token (401), not a validation error.
    if fields.get("token").is_none_or(Value::is_null) {
        fields.insert("token".into(), Value::String(String::new()));
    }
    let request: types::TeamsUserExchangeTokenRequest = from_value(body)?;
    let user =
        auth::teams_user(shared, &request.token).map_err(|_| ApiError::invalid_access_token())?;
    if !request.app_id.eq_ignore_ascii_case(&user.app_id) {
        return Err(ApiError::app_id_invalid());
    }
    if !request.user_id.eq_ignore_ascii_case(&user.object_id) {
        return Err(ApiError::user_id_invalid());
    }
    let skype_id = format!("orgid:{}", user.object_id);
    let token = AcsToken::teams_user(&skype_id, &user.tenant_id, user.expires_on)
        .issue(shared, &mut shared.store());
    Ok(Reply::json(200, &token))
}
