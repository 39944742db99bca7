//! The OAuth 2.0 token endpoint (`POST /{tenant}/oauth2/v2.0/token`, `/{tenant}/oauth2/token`,
//! `/adfs/oauth2/token`), with the form fields MSAL sends:
//!
//! - `grant_type=client_credentials` (any `client_id`, with a `client_secret` or a
//!   `client_assertion`), `scope=https://communication.azure.com//.default`: a bearer token the
//!   emulator accepts on every operation of the resource, as `EnvironmentCredential` and
//!   `DefaultAzureCredential` ask for one;
//! - `grant_type=password` (any `client_id`, `username` and `password`), scopes of
//!   `https://auth.msft.communication.azure.com/` (`Teams.ManageCalls`, `Teams.ManageChats`):
//!   a Teams user's Entra ID token for `get_token_for_teams_user` and the Teams extension and
//!   Entra ID exchanges, with `appid` the client id, `oid` derived from the user name (the same
//!   user name is the same user, across restarts too) and `tid` the tenant; with the `id_token`,
//!   `client_info` and `refresh_token` MSAL keeps.
//!
//! Errors are OAuth 2.0's: 400 `invalid_request`, `invalid_client`, `invalid_scope`,
//! `unsupported_grant_type`.

use super::super::auth::TEAMS_AUDIENCE;
use super::super::http::{Reply, Request};
use super::super::state::Shared;
use super::super::tokens::{self, SignedInUser};
use super::super::wire::form_fields;
use super::common::{check_scopes, issuer, oauth_error, tenant_id};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The scopes OpenID Connect adds to every request of MSAL; they ask for the `id_token` and the
/// refresh token, not for a resource.
const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// How long a Teams user's token lives, as Entra ID's default access token lifetime (about an
/// hour).
const USER_TOKEN_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// `POST` to the token endpoint of `tenant`, reached at `base`.
pub(super) fn token(shared: &Shared, req: &Request<'_>, base: &str, tenant: &str) -> Reply {
    let Ok(body) = std::str::from_utf8(req.body) else {
        return invalid_request("the body is not UTF-8 text");
    };
    let fields = form_fields(body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let Some(client_id) = field("client_id") else {
        return invalid_request(
            "the request body must contain the parameter 'client_id' \
             (application/x-www-form-urlencoded)",
        );
    };
    let scopes: Vec<&str> = field("scope")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty() && !OIDC_SCOPES.contains(s))
        .collect();
    match field("grant_type") {
        Some("client_credentials") => {
            if field("client_secret").is_none() && field("client_assertion").is_none() {
                return oauth_error(
                    401,
                    "invalid_client",
                    "the request body must contain 'client_secret' or 'client_assertion' \
                     (any value is accepted)",
                );
            }
            client_credentials(shared, client_id, tenant, &scopes)
        }
        Some("password") => {
            let (Some(username), Some(_password)) = (field("username"), field("password")) else {
                return invalid_request(
                    "the password grant needs 'username' and 'password' (any values are accepted)",
                );
            };
            let issuer = issuer(base, tenant, true);
            password(shared, client_id, tenant, username, &scopes, &issuer)
        }
        Some(other) => oauth_error(
            400,
            "unsupported_grant_type",
            &format!(
                "the grant type '{other}' is not supported by the emulator; it issues tokens \
                 for 'client_credentials' and 'password'"
            ),
        ),
        None => invalid_request("the request body must contain the parameter 'grant_type'"),
    }
}

fn invalid_request(description: &str) -> Reply {
    oauth_error(400, "invalid_request", description)
}

/// A bearer token for the resource, for the application `client_id`.
fn client_credentials(shared: &Shared, client_id: &str, tenant: &str, scopes: &[&str]) -> Reply {
    if let Err(message) = check_scopes(scopes) {
        return oauth_error(400, "invalid_scope", &message);
    }
    let lifetime = tokens::bearer_lifetime(shared);
    let expires = Utc::now() + lifetime;
    let token = tokens::resource_token(shared, client_id, &tenant_id(shared, tenant), expires);
    Reply::json(
        200,
        &json!({
            "token_type": "Bearer",
            "expires_in": lifetime.num_seconds(),
            "ext_expires_in": lifetime.num_seconds(),
            "access_token": token,
        }),
    )
}

/// A Teams user's token for Communication Services, signed in as `username`.
fn password(
    shared: &Shared,
    client_id: &str,
    tenant: &str,
    username: &str,
    scopes: &[&str],
    issuer: &str,
) -> Reply {
    let prefix = format!("{TEAMS_AUDIENCE}/");
    if scopes.is_empty() || scopes.iter().any(|s| !s.starts_with(&prefix)) {
        return oauth_error(
            400,
            "invalid_scope",
            &format!(
                "the emulator signs users in for the scopes of {TEAMS_AUDIENCE} (e.g. \
                 {prefix}Teams.ManageCalls), not {scopes:?}"
            ),
        );
    }
    let object_id = object_id(username);
    let tenant_id = tenant_id(shared, tenant);
    let user = SignedInUser {
        name: username,
        object_id: &object_id,
        tenant_id: &tenant_id,
    };
    let access_token = tokens::teams_user_token(
        shared,
        client_id,
        &object_id,
        &tenant_id,
        USER_TOKEN_LIFETIME,
    );
    let id_token = tokens::id_token(
        shared,
        issuer,
        client_id,
        &user,
        Utc::now() + USER_TOKEN_LIFETIME,
    );
    let client_info =
        URL_SAFE_NO_PAD.encode(json!({"uid": object_id, "utid": tenant_id}).to_string());
    let mut granted: Vec<&str> = scopes.to_vec();
    granted.extend(OIDC_SCOPES);
    Reply::json(
        200,
        &json!({
            "token_type": "Bearer",
            "scope": granted.join(" "),
            "expires_in": USER_TOKEN_LIFETIME.num_seconds(),
            "ext_expires_in": USER_TOKEN_LIFETIME.num_seconds(),
            "access_token": access_token,
            "refresh_token": shared.random.guid(),
            "id_token": id_token,
            "client_info": client_info,
        }),
    )
}

/// The object id of the user `username`: a GUID derived from the name (case-insensitive), the
/// same in every emulator, so that a user keeps their id across restarts.
pub(crate) fn object_id(username: &str) -> String {
    let digest = Sha256::digest(username.to_lowercase().as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_name_is_one_object_id() {
        let id = object_id("Alice@Contoso.com");
        assert_eq!(id, object_id("alice@contoso.com"));
        assert_ne!(id, object_id("bob@contoso.com"));
        assert_eq!(id.len(), 36);
        let dashes: Vec<usize> = id.match_indices('-').map(|(i, _)| i).collect();
        assert_eq!(dashes, [8, 13, 18, 23]);
        assert_eq!(&id[14..15], "4");
    }
}
