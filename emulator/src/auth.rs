//! Authentication of requests: HMAC-SHA256 with the access key (checked by
//! [`AccessKey::verify`](acs_identity::AccessKey::verify), the code the client signs
//! with), bearer tokens of the emulator's token credential, and Teams users' own tokens.

use super::errors::ApiError;
use super::http::Request;
use super::jwt::{Claims, str_claim, time_claim};
use super::record::{AuthFailure, AuthOutcome};
use super::state::Shared;
use acs_identity::signing::{SignableRequest, SignatureHeaders, VerifyError, parse_date};
use chrono::{DateTime, Utc};

/// The audience of Entra ID tokens for Communication Services, as requested with
/// [`COMMUNICATION_SCOPE`](acs_identity::COMMUNICATION_SCOPE).
pub(crate) const RESOURCE_AUDIENCE: &str = "https://communication.azure.com/";

/// The audience of Teams users' Entra ID tokens for Communication Services.
pub(crate) const TEAMS_AUDIENCE: &str = "https://auth.msft.communication.azure.com";

/// A refused request: why, and the answer.
pub(crate) struct Rejection {
    pub(crate) failure: AuthFailure,
    pub(crate) error: ApiError,
}

fn denied(failure: AuthFailure) -> Rejection {
    Rejection {
        failure,
        error: ApiError::denied(),
    }
}

/// Authenticates a request to a resource operation (every operation but the Teams extension
/// and Entra ID token exchanges): HMAC-SHA256 with the access key, or a bearer token of the
/// emulator's token credential.
pub(crate) fn resource_operation(
    shared: &Shared,
    req: &Request<'_>,
) -> Result<AuthOutcome, Rejection> {
    let Some(authorization) = req.header("authorization") else {
        return Err(denied(AuthFailure::MissingAuthorization));
    };
    if let Some(token) = bearer(authorization) {
        return resource_token(shared, token)
            .map(|()| AuthOutcome::ResourceToken)
            .map_err(denied);
    }
    if !authorization.starts_with("HMAC-SHA256 ") {
        return Err(denied(AuthFailure::UnsupportedScheme));
    }
    let header = |name: &'static str| {
        req.header(name)
            .ok_or(denied(AuthFailure::MissingHeader(name)))
    };
    let date = header("x-ms-date")?;
    let content_hash = header("x-ms-content-sha256")?;
    let host = header("host")?;
    let received = SignableRequest::new(req.method, req.path_and_query, host).with_body(req.body);
    let signature = SignatureHeaders {
        date: date.to_owned(),
        content_hash: content_hash.to_owned(),
        authorization: authorization.to_owned(),
    };
    shared
        .access_key
        .verify(&received, &signature)
        .map_err(|e| match e {
            VerifyError::ContentHashMismatch => Rejection {
                failure: AuthFailure::ContentHashMismatch,
                error: ApiError::content_hash_mismatch(),
            },
            VerifyError::MalformedAuthorization => denied(AuthFailure::MalformedAuthorization),
            VerifyError::SignatureMismatch => denied(AuthFailure::SignatureMismatch),
        })?;
    let Some(date) = parse_date(date) else {
        return Err(denied(AuthFailure::MalformedDate));
    };
    let (now, skew) = (Utc::now(), shared.max_clock_skew);
    if ahead_by_more_than(date, now, skew) || ahead_by_more_than(now, date, skew) {
        return Err(denied(AuthFailure::StaleDate));
    }
    Ok(AuthOutcome::AccessKey)
}

/// Authenticates an operation authorized by the user's own Entra ID token, as bearer (the
/// Teams extension and Entra ID token exchanges), not by the resource's credentials.
pub(crate) fn users_own_token(shared: &Shared, req: &Request<'_>) -> Result<TeamsUser, Rejection> {
    let refuse = |failure| Rejection {
        failure,
        error: ApiError::invalid_access_token(),
    };
    let Some(authorization) = req.header("authorization") else {
        return Err(refuse(AuthFailure::MissingAuthorization));
    };
    let Some(token) = bearer(authorization) else {
        return Err(refuse(AuthFailure::UnsupportedScheme));
    };
    teams_user(shared, token).map_err(refuse)
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Checks a bearer token of [`EmulatorCredential`](super::EmulatorCredential).
fn resource_token(shared: &Shared, token: &str) -> Result<(), AuthFailure> {
    entra_claims(shared, token, RESOURCE_AUDIENCE).map(|_| ())
}

/// A Teams user, from a valid Entra ID token of theirs.
#[derive(Debug, Clone)]
pub(crate) struct TeamsUser {
    pub(crate) app_id: String,
    pub(crate) object_id: String,
    pub(crate) tenant_id: String,
    pub(crate) expires_on: DateTime<Utc>,
}

/// Checks a Teams user's Entra ID token (from
/// [`Emulator::issue_teams_user_token`](super::Emulator::issue_teams_user_token)).
pub(crate) fn teams_user(shared: &Shared, token: &str) -> Result<TeamsUser, AuthFailure> {
    let claims = entra_claims(shared, token, TEAMS_AUDIENCE)?;
    let claim = |name| {
        str_claim(&claims, name)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or(AuthFailure::InvalidToken)
    };
    Ok(TeamsUser {
        app_id: claim("appid")?,
        object_id: claim("oid")?,
        tenant_id: claim("tid")?,
        expires_on: time_claim(&claims, "exp").ok_or(AuthFailure::InvalidToken)?,
    })
}

/// The claims of an Entra ID-like token the emulator issued for `audience`, unexpired and
/// already valid (`nbf`, with the allowed clock skew).
fn entra_claims(shared: &Shared, token: &str, audience: &str) -> Result<Claims, AuthFailure> {
    let claims = shared
        .signer
        .verify(token)
        .ok_or(AuthFailure::InvalidToken)?;
    if str_claim(&claims, "aud") != Some(audience) {
        return Err(AuthFailure::InvalidToken);
    }
    let now = Utc::now();
    let expires = time_claim(&claims, "exp").ok_or(AuthFailure::InvalidToken)?;
    if expires <= now {
        return Err(AuthFailure::ExpiredToken);
    }
    if let Some(not_before) = time_claim(&claims, "nbf")
        && ahead_by_more_than(not_before, now, shared.max_clock_skew)
    {
        return Err(AuthFailure::InvalidToken);
    }
    Ok(claims)
}

/// Whether `later` comes more than `skew` after `earlier` (the allowed difference of clocks,
/// for `x-ms-date` either way and a token's `nbf`).
fn ahead_by_more_than(
    later: DateTime<Utc>,
    earlier: DateTime<Utc>,
    skew: std::time::Duration,
) -> bool {
    (later - earlier).to_std().is_ok_and(|ahead| ahead > skew)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowed_skew_is_inclusive() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let skew = std::time::Duration::from_secs(300);
        let at = |seconds: i64| now + chrono::Duration::seconds(seconds);
        for within in [-86_400, -301, -1, 0, 1, 299, 300] {
            assert!(!ahead_by_more_than(at(within), now, skew), "{within}");
        }
        for beyond in [301, 86_400] {
            assert!(ahead_by_more_than(at(beyond), now, skew), "{beyond}");
        }
    }
}
