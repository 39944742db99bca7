//! The tokens the emulator issues: Communication Services access tokens, Teams users' Entra ID
//! tokens, and Entra ID tokens for the resource (its token credential).

use super::auth::{RESOURCE_AUDIENCE, TEAMS_AUDIENCE};
use super::jwt::{Claims, signature_part, str_claim, time_claim};
use super::persist::SaveError;
use super::state::{Shared, Store, TokenRecord};
use acs_identity::raw::types::CommunicationIdentityAccessToken;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// `scp` of tokens of Communication Services identities.
const SCP_IDENTITY: u32 = 1792;
/// `scp` of tokens of Teams users.
const SCP_TEAMS_USER: u32 = 1024;

fn object(value: Value) -> Claims {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("claims are built as JSON objects"),
    }
}

/// What [`Emulator::token_status`](crate::Emulator::token_status) makes of a Communication Services access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenStatus {
    /// Issued by this emulator, not expired, not revoked.
    Valid,
    /// Past its expiry.
    Expired,
    /// Issued before the identity's tokens were revoked.
    Revoked,
    /// Its identity was deleted.
    UserDeleted,
    /// Not an access token this emulator issued.
    Invalid,
}

/// What an access token is for.
pub(crate) struct AcsToken<'a> {
    /// `skypeid`: the identity without the `8:` prefix, or `orgid:<oid>` for a Teams user.
    pub(crate) skype_id: &'a str,
    /// The identity to revoke the token with, if any.
    pub(crate) user: Option<&'a str>,
    pub(crate) scp: u32,
    /// `acsScope`: comma-joined scopes.
    pub(crate) scopes: String,
    /// `tid`, for Teams users.
    pub(crate) tenant_id: Option<&'a str>,
    pub(crate) expires_on: DateTime<Utc>,
}

impl<'a> AcsToken<'a> {
    /// A token for identity `user` (`8:acs:…`) with `scopes`.
    pub(crate) fn identity(user: &'a str, scopes: String, expires_on: DateTime<Utc>) -> Self {
        AcsToken {
            skype_id: user.strip_prefix("8:").unwrap_or(user),
            user: Some(user),
            scp: SCP_IDENTITY,
            scopes,
            tenant_id: None,
            expires_on,
        }
    }

    /// A token for a Teams user (`orgid:<object id>`), not tied to an identity of the resource.
    pub(crate) fn teams_user(
        skype_id: &'a str,
        tenant_id: &'a str,
        expires_on: DateTime<Utc>,
    ) -> Self {
        AcsToken {
            skype_id,
            user: None,
            scp: SCP_TEAMS_USER,
            scopes: "voip,chat".to_owned(),
            tenant_id: Some(tenant_id),
            expires_on,
        }
    }

    /// Signs the token and remembers it in `store` (for revocation and [`status`]).
    pub(crate) fn issue(
        self,
        shared: &Shared,
        store: &mut Store,
    ) -> Result<CommunicationIdentityAccessToken, SaveError> {
        let now = Utc::now();
        let mut claims = object(json!({
            "skypeid": self.skype_id,
            "scp": self.scp,
            "csi": now.timestamp().to_string(),
            "exp": self.expires_on.timestamp(),
            "rgn": "amer",
            "acsScope": self.scopes,
            "resourceId": shared.resource_id,
            "resourceLocation": "unitedstates",
            "iat": now.timestamp(),
            // Unique per token: two tokens for the same identity and scopes issued within one
            // second differ, so each is revoked or reported on by itself.
            "jti": shared.random.guid(),
        }));
        if let Some(tid) = self.tenant_id {
            claims.insert("tid".into(), tid.into());
        }
        let token = shared.signer.sign(&claims);
        store.add_token(signature_part(&token), self.user)?;
        Ok(CommunicationIdentityAccessToken {
            token,
            expires_on: self.expires_on,
        })
    }
}

/// An Entra ID-like token of a Teams user for Communication Services.
pub(crate) fn teams_user_token(
    shared: &Shared,
    app_id: &str,
    user_object_id: &str,
    tenant_id: &str,
    lifetime: chrono::Duration,
) -> String {
    let now = Utc::now();
    let expires = now + lifetime;
    let issued = if expires > now {
        now
    } else {
        expires - chrono::Duration::hours(1)
    };
    shared.signer.sign(&object(json!({
        "aud": TEAMS_AUDIENCE,
        "iss": format!("https://sts.windows.net/{tenant_id}/"),
        "iat": issued.timestamp(),
        "nbf": issued.timestamp(),
        "exp": expires.timestamp(),
        "appid": app_id,
        "oid": user_object_id,
        "tid": tenant_id,
        "scp": "Teams.ManageCalls Teams.ManageChats",
        "uti": shared.random.guid(),
        "ver": "1.0",
    })))
}

/// An Entra ID-like token of an application for the resource (`aud` is the Communication
/// Services audience).
pub(crate) fn resource_token(
    shared: &Shared,
    app_id: &str,
    tenant_id: &str,
    expires: DateTime<Utc>,
) -> String {
    let now = Utc::now();
    shared.signer.sign(&object(json!({
        "aud": RESOURCE_AUDIENCE,
        "iss": format!("https://sts.windows.net/{tenant_id}/"),
        "iat": now.timestamp(),
        "nbf": now.timestamp(),
        "exp": expires.timestamp(),
        "appid": app_id,
        "oid": app_id,
        "tid": tenant_id,
        "idtyp": "app",
        "uti": shared.random.guid(),
        "ver": "1.0",
    })))
}

/// An OpenID Connect ID token of a user signed in at the token endpoint `issuer`, for the
/// application `client_id`: what MSAL reads to know the account (`oid`, `tid`,
/// `preferred_username`).
pub(crate) fn id_token(
    shared: &Shared,
    issuer: &str,
    client_id: &str,
    user: &SignedInUser<'_>,
    expires: DateTime<Utc>,
) -> String {
    let now = Utc::now();
    shared.signer.sign(&object(json!({
        "aud": client_id,
        "iss": issuer,
        "iat": now.timestamp(),
        "nbf": now.timestamp(),
        "exp": expires.timestamp(),
        "oid": user.object_id,
        "sub": user.object_id,
        "tid": user.tenant_id,
        "name": user.name,
        "preferred_username": user.name,
        "ver": "2.0",
    })))
}

/// A user signed in with a password at the token endpoint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedInUser<'a> {
    /// The user name, e.g. `alice@contoso.com`.
    pub(crate) name: &'a str,
    pub(crate) object_id: &'a str,
    pub(crate) tenant_id: &'a str,
}

/// A bearer token of the emulator's Entra ID application for the resource, living
/// [`bearer_token_lifetime`](Shared::bearer_token_lifetime), and its expiry (whole seconds): what
/// [`EmulatorCredential`](super::EmulatorCredential) and the token endpoint hand out.
pub(crate) fn entra_resource_token(shared: &Shared) -> (String, DateTime<Utc>) {
    let lifetime = bearer_lifetime(shared);
    let now = Utc::now();
    let expires = DateTime::from_timestamp((now + lifetime).timestamp(), 0).unwrap_or(now);
    let token = resource_token(
        shared,
        &shared.entra_app_id,
        &shared.entra_tenant_id,
        expires,
    );
    (token, expires)
}

/// How long the bearer tokens for the resource live
/// ([`bearer_token_lifetime`](Shared::bearer_token_lifetime); an hour if it is out of range).
pub(crate) fn bearer_lifetime(shared: &Shared) -> chrono::Duration {
    chrono::Duration::from_std(shared.bearer_token_lifetime).unwrap_or(chrono::Duration::hours(1))
}

/// The state of a Communication Services access token.
pub(crate) fn status(shared: &Shared, token: &str) -> TokenStatus {
    let Some(claims) = shared.signer.verify(token) else {
        return TokenStatus::Invalid;
    };
    if str_claim(&claims, "skypeid").is_none() {
        return TokenStatus::Invalid;
    }
    let Some(expires) = time_claim(&claims, "exp") else {
        return TokenStatus::Invalid;
    };
    match shared.store().token(signature_part(token)) {
        TokenRecord::Unknown => TokenStatus::Invalid,
        TokenRecord::UserDeleted => TokenStatus::UserDeleted,
        TokenRecord::Revoked => TokenStatus::Revoked,
        TokenRecord::Live if expires <= Utc::now() => TokenStatus::Expired,
        TokenRecord::Live => TokenStatus::Valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims_of(shared: &Shared, token: &str) -> Claims {
        shared
            .signer
            .verify(token)
            .expect("a token the emulator signed")
    }

    /// A Teams user's token is issued now and valid from now; one made already expired was
    /// issued an hour before it expired (never after).
    #[test]
    fn teams_user_tokens_are_issued_before_they_expire() {
        let shared = Shared::detached("r");
        for hours in [1, 3] {
            let before = Utc::now().timestamp();
            let token = teams_user_token(&shared, "a", "o", "t", chrono::Duration::hours(hours));
            let claims = claims_of(&shared, &token);
            let (iat, nbf, exp) = (
                claims["iat"].as_i64().unwrap(),
                claims["nbf"].as_i64().unwrap(),
                claims["exp"].as_i64().unwrap(),
            );
            assert!(iat >= before && iat <= Utc::now().timestamp(), "{hours} h");
            assert_eq!(nbf, iat);
            assert!((exp - iat - hours * 3600).abs() <= 1, "{hours} h");
        }
        for lifetime in [chrono::Duration::hours(-1), chrono::Duration::zero()] {
            let token = teams_user_token(&shared, "a", "o", "t", lifetime);
            let claims = claims_of(&shared, &token);
            let (iat, exp) = (
                claims["iat"].as_i64().unwrap(),
                claims["exp"].as_i64().unwrap(),
            );
            assert_eq!(exp - iat, 3600, "{lifetime}");
        }
    }

    /// A live token past its `exp` is expired; before it, valid.
    #[test]
    fn a_live_token_past_its_expiry_is_expired() {
        let shared = Shared::detached("r");
        let user = "8:acs:r_u";
        shared.store().add_user(user).unwrap();
        let issue = |expires_on| {
            AcsToken::identity(user, "chat".to_owned(), expires_on)
                .issue(&shared, &mut shared.store())
                .unwrap()
                .token
        };
        let past = issue(Utc::now() - chrono::Duration::seconds(5));
        let future = issue(Utc::now() + chrono::Duration::hours(1));
        assert_eq!(status(&shared, &past), TokenStatus::Expired);
        assert_eq!(status(&shared, &future), TokenStatus::Valid);
        assert_eq!(status(&shared, "a.b.c"), TokenStatus::Invalid);
    }
}
