//! Teams users: the exchange of a Teams user's Entra ID token for a Communication Services
//! token.

use super::super::auth;
use super::super::errors::ApiError;
use super::super::http::{Reply, Request};
use super::super::state::Shared;
use super::super::tokens::AcsToken;
use super::common::parse_json;
use serde_json::Value;

/// `POST /teamsUser/:exchangeAccessToken`, checked in the service's order: the token first (a
/// missing, empty, invalid or expired token is 401 `InvalidAccessToken` whatever the other
/// fields), then the required `appId` and `userId`, then each against the token's `appid` and
/// `oid` claims. The sources of this order are in the emulator's README ("Checks, in order").
pub(super) fn exchange(shared: &Shared, req: &Request<'_>) -> Result<Reply, ApiError> {
    let body: Value = parse_json(req.body)?;
    let Some(fields) = body.as_object() else {
        return Err(ApiError::invalid_body("expected a JSON object."));
    };
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let token = text("token").ok_or_else(ApiError::invalid_access_token)?;
    let user = auth::teams_user(shared, token).map_err(|_| ApiError::invalid_access_token())?;
    let app_id = text("appId").ok_or_else(|| ApiError::field_required("AppId"))?;
    let user_id = text("userId").ok_or_else(|| ApiError::field_required("UserId"))?;
    if !app_id.eq_ignore_ascii_case(&user.app_id) {
        return Err(ApiError::app_id_invalid());
    }
    if !user_id.eq_ignore_ascii_case(&user.object_id) {
        return Err(ApiError::user_id_invalid());
    }
    let skype_id = format!("orgid:{}", user.object_id);
    let token = AcsToken::teams_user(&skype_id, &user.tenant_id, user.expires_on)
        .issue(shared, &mut shared.store())?;
    Ok(Reply::json(200, &token))
}
