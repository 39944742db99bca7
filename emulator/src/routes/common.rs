//! What several operations share: reading bodies, token lifetimes and scopes, identity ids,
//! and the answer of an identity with its token.

use super::super::errors::ApiError;
use super::super::state::Shared;
use super::super::wire::to_ticks;
use acs_identity::CommunicationTokenScope;
use acs_identity::raw::types;
use acs_identity::spec::{
    EXPIRES_IN_MINUTES_DEFAULT, EXPIRES_IN_MINUTES_MAX, EXPIRES_IN_MINUTES_MIN,
};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A JSON body, required.
pub(super) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::invalid_body("a JSON body is required."));
    }
    serde_json::from_slice(body).map_err(ApiError::invalid_body)
}

/// A JSON object that may be absent: an empty body is `{}`.
pub(super) fn parse_optional_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match parse_json(body)? {
        Value::Object(fields) => Ok(fields),
        _ => Err(ApiError::invalid_body("expected a JSON object.")),
    }
}

pub(super) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(ApiError::invalid_body)
}

/// `expiresInMinutes` within the spec's bounds; the expiry it gives (default when absent).
pub(super) fn expiry(expires_in_minutes: Option<i32>) -> Result<DateTime<Utc>, ApiError> {
    let minutes = match expires_in_minutes {
        None => i64::from(EXPIRES_IN_MINUTES_DEFAULT),
        Some(m) => {
            let m = i64::from(m);
            let bounds = i64::from(EXPIRES_IN_MINUTES_MIN)..=i64::from(EXPIRES_IN_MINUTES_MAX);
            if !bounds.contains(&m) {
                return Err(ApiError::expires_in_minutes(m));
            }
            m
        }
    };
    Ok(to_ticks(Utc::now()) + chrono::Duration::minutes(minutes))
}

/// The scopes, comma-joined; every one must be a scope the spec knows.
pub(super) fn known_scopes(scopes: &[CommunicationTokenScope]) -> Result<String, ApiError> {
    if let Some(unknown) = scopes
        .iter()
        .find(|s| matches!(s, CommunicationTokenScope::Other(_)))
    {
        return Err(ApiError::unsupported_scope(unknown.as_str()));
    }
    Ok(scopes
        .iter()
        .map(CommunicationTokenScope::as_str)
        .collect::<Vec<_>>()
        .join(","))
}

/// An id of an identity of this resource: `8:acs:<resource id>_<user>`.
pub(super) fn own_identity(shared: &Shared, id: &str) -> Result<String, ApiError> {
    let rest = id
        .strip_prefix("8:acs:")
        .ok_or_else(ApiError::invalid_identity)?;
    let (resource, user) = rest
        .split_once('_')
        .ok_or_else(ApiError::invalid_identity)?;
    if resource.is_empty() || user.is_empty() {
        return Err(ApiError::invalid_identity());
    }
    if resource != shared.resource_id {
        return Err(ApiError::identity_not_owned());
    }
    Ok(id.to_owned())
}

/// The answer of a token exchange that makes an identity: `{identity: {id}, accessToken}`.
pub(super) fn identity_with_token(
    id: String,
    token: types::CommunicationIdentityAccessToken,
) -> types::CommunicationIdentityAccessTokenResult {
    types::CommunicationIdentityAccessTokenResult {
        identity: types::CommunicationIdentity {
            id,
            custom_id: None,
            last_token_issued_at: None,
        },
        access_token: Some(token),
    }
}
