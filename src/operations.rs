//! The operations of [`CommunicationIdentityClient`], as in the Python SDK's client.

use crate::client::CommunicationIdentityClient;
use crate::error::{Error, ErrorKind};
use crate::pipeline::encoding::check_param;
use crate::pipeline::retry::Idempotency::{CreatesState, Safe};
use crate::raw::types;
use crate::{
    AccessToken, CommunicationTokenScope, CommunicationUserIdentifier, CreateUserOptions,
    CreatedUser, TeamsExtensionAssignment, TeamsExtensionPrincipalType, TokenExpiry,
};

impl CommunicationIdentityClient {
    /// Creates a new user (`POST /identities`).
    ///
    /// Retried only when the request provably did not reach the service, or the service
    /// declined it with 429/503 and `Retry-After` (see [`RetryOptions`](crate::RetryOptions)).
    pub async fn create_user(&self) -> Result<CommunicationUserIdentifier, Error> {
        let body = types::CommunicationIdentityCreateRequest::default();
        let raw = self.raw();
        let result = self
            .shared
            .calls
            .run("create_user", CreatesState, None, || {
                raw.create_identity(&body)
            })
            .await?;
        Ok(CommunicationUserIdentifier::new(result.identity.id))
    }

    /// Creates a new user and a token for it with `scopes`, in one request. `expiry` defaults to
    /// 24 hours.
    pub async fn create_user_and_token(
        &self,
        scopes: &[CommunicationTokenScope],
        expiry: Option<TokenExpiry>,
    ) -> Result<(CommunicationUserIdentifier, AccessToken), Error> {
        let body = types::CommunicationIdentityCreateRequest {
            create_token_with_scopes: non_empty(scopes)?,
            expires_in_minutes: TokenExpiry::wire(expiry),
        };
        let raw = self.raw();
        let result = self
            .shared
            .calls
            .run("create_user_and_token", CreatesState, None, || {
                raw.create_identity(&body)
            })
            .await?;
        user_and_token(result)
    }

    /// Creates a new user with every optional parameter of the operation: a token in the same
    /// request ([`CreateUserOptions::with_token`]), and whatever later API versions add to
    /// [`CreateUserOptions`]. Retried like [`create_user`](Self::create_user).
    ///
    /// ```no_run
    /// # async fn run(client: acs_identity::CommunicationIdentityClient) -> Result<(), acs_identity::Error> {
    /// use acs_identity::{CommunicationTokenScope, CreateUserOptions};
    /// let options = CreateUserOptions::new().with_token(&[CommunicationTokenScope::Voip], None);
    /// let created = client.create_user_with(options).await?;
    /// println!("{} {:?}", created.user(), created.token().map(|t| t.expires_on()));
    /// # Ok(()) }
    /// ```
    pub async fn create_user_with(&self, options: CreateUserOptions) -> Result<CreatedUser, Error> {
        let (create_token_with_scopes, expires_in_minutes) = token_request(&options)?;
        #[cfg(feature = "preview")]
        if let Some(custom_id) = &options.custom_id {
            return self
                .create_durable_user(custom_id, create_token_with_scopes, expires_in_minutes)
                .await;
        }
        let with_token = !create_token_with_scopes.is_empty();
        let body = types::CommunicationIdentityCreateRequest {
            create_token_with_scopes,
            expires_in_minutes,
        };
        let raw = self.raw();
        let result = self
            .shared
            .calls
            .run("create_user_with", CreatesState, None, || {
                raw.create_identity(&body)
            })
            .await?;
        created_user(
            result.identity.id,
            result.access_token.map(Into::into),
            with_token,
        )
    }

    /// Issues a token with `scopes` for `user`. `expiry` defaults to 24 hours.
    pub async fn get_token(
        &self,
        user: &CommunicationUserIdentifier,
        scopes: &[CommunicationTokenScope],
        expiry: Option<TokenExpiry>,
    ) -> Result<AccessToken, Error> {
        let id = check_param("user id", user.id())?;
        let body = types::CommunicationIdentityAccessTokenRequest {
            scopes: non_empty(scopes)?,
            expires_in_minutes: TokenExpiry::wire(expiry),
        };
        let raw = self.raw();
        let token = self
            .shared
            .calls
            .run("get_token", Safe, None, || {
                raw.issue_access_token(id, &body)
            })
            .await?;
        Ok(token.into())
    }

    /// Revokes every token issued for `user` so far.
    pub async fn revoke_tokens(&self, user: &CommunicationUserIdentifier) -> Result<(), Error> {
        let id = check_param("user id", user.id())?;
        let raw = self.raw();
        self.shared
            .calls
            .run("revoke_tokens", Safe, None, || raw.revoke_access_tokens(id))
            .await
    }

    /// Deletes `user`, revokes its tokens and deletes its data.
    pub async fn delete_user(&self, user: &CommunicationUserIdentifier) -> Result<(), Error> {
        let id = check_param("user id", user.id())?;
        let raw = self.raw();
        self.shared
            .calls
            .run("delete_user", Safe, None, || raw.delete_identity(id))
            .await
    }

    /// Exchanges the Entra ID access token of a Teams user for a Communication Services token
    /// with the same expiry. `client_id` is the Entra ID application's client id (checked against
    /// the token's `appid` claim), `user_object_id` the user's object id (its `oid` claim).
    pub async fn get_token_for_teams_user(
        &self,
        aad_token: &str,
        client_id: &str,
        user_object_id: &str,
    ) -> Result<AccessToken, Error> {
        let body = types::TeamsUserExchangeTokenRequest {
            token: required("aad_token", aad_token)?.to_owned(),
            app_id: required("client_id", client_id)?.to_owned(),
            user_id: required("user_object_id", user_object_id)?.to_owned(),
        };
        let raw = self.raw();
        let token = self
            .shared
            .calls
            .run("get_token_for_teams_user", Safe, None, || {
                raw.exchange_teams_user_access_token(&body)
            })
            .await?;
        Ok(token.into())
    }

    /// Exchanges a Teams Phone extension user's Entra ID token for a Communication Services user
    /// and token. The request is authorized by `entra_token` itself (as `Authorization: Bearer`),
    /// not by the client's credential.
    pub async fn exchange_teams_extension_token(
        &self,
        entra_token: &str,
    ) -> Result<(CommunicationUserIdentifier, AccessToken), Error> {
        let entra_token = required("entra_token", entra_token)?;
        let body = types::TeamsExtensionExchangeTokenRequest(serde_json::Map::new());
        let raw = self.raw();
        let result = self
            .shared
            .calls
            .run(
                "exchange_teams_extension_token",
                Safe,
                Some(entra_token),
                || raw.exchange_teams_extension_token(&body),
            )
            .await?;
        user_and_token(result)
    }

    /// Gets the Teams Phone extension assignment of `object_id` in `tenant_id`.
    pub async fn get_teams_extension_assignment(
        &self,
        tenant_id: &str,
        object_id: &str,
    ) -> Result<TeamsExtensionAssignment, Error> {
        let (tenant_id, object_id) = assignment_args(tenant_id, object_id)?;
        let raw = self.raw();
        self.shared
            .calls
            .run("get_teams_extension_assignment", Safe, None, || {
                raw.get_teams_extension_assignment(tenant_id, object_id)
            })
            .await
            .map(Into::into)
    }

    /// Creates or replaces the Teams Phone extension assignment of `object_id` in `tenant_id`.
    pub async fn upsert_teams_extension_assignment<S: AsRef<str>>(
        &self,
        tenant_id: &str,
        object_id: &str,
        principal_type: TeamsExtensionPrincipalType,
        client_ids: &[S],
    ) -> Result<TeamsExtensionAssignment, Error> {
        let (tenant_id, object_id) = assignment_args(tenant_id, object_id)?;
        let body = types::TeamsExtensionAssignmentCreateOrUpdateRequest {
            principal_type,
            client_ids: client_ids.iter().map(|c| c.as_ref().to_owned()).collect(),
        };
        let raw = self.raw();
        self.shared
            .calls
            .run("upsert_teams_extension_assignment", Safe, None, || {
                raw.upsert_teams_extension_assignment(tenant_id, object_id, &body)
            })
            .await
            .map(Into::into)
    }

    /// Deletes the Teams Phone extension assignment of `object_id` in `tenant_id`.
    pub async fn delete_teams_extension_assignment(
        &self,
        tenant_id: &str,
        object_id: &str,
    ) -> Result<(), Error> {
        let (tenant_id, object_id) = assignment_args(tenant_id, object_id)?;
        let raw = self.raw();
        self.shared
            .calls
            .run("delete_teams_extension_assignment", Safe, None, || {
                raw.delete_teams_extension_assignment(tenant_id, object_id)
            })
            .await
    }
}

/// The token part of a create request: the scopes (none, or at least one valid) and the expiry
/// in minutes, which needs scopes.
pub(crate) fn token_request(
    options: &CreateUserOptions,
) -> Result<(Vec<CommunicationTokenScope>, Option<i32>), Error> {
    if options.token_scopes.is_empty() {
        if options.token_expiry.is_some() {
            return Err(Error::invalid_argument(
                "a token expiry was given without token scopes; give the scopes of the token too",
            ));
        }
        return Ok((Vec::new(), None));
    }
    Ok((
        non_empty(&options.token_scopes)?,
        TokenExpiry::wire(options.token_expiry),
    ))
}

/// The result of a create: the user, and its token when one was asked for (then required).
pub(crate) fn created_user(
    id: String,
    token: Option<AccessToken>,
    asked_for_token: bool,
) -> Result<CreatedUser, Error> {
    if asked_for_token && token.is_none() {
        return Err(Error::new(
            ErrorKind::InvalidResponse,
            "the service created the user but sent no access token",
        ));
    }
    Ok(CreatedUser::new(
        CommunicationUserIdentifier::new(id),
        token,
    ))
}

pub(crate) fn non_empty(
    scopes: &[CommunicationTokenScope],
) -> Result<Vec<CommunicationTokenScope>, Error> {
    if scopes.is_empty() {
        return Err(Error::invalid_argument(format!(
            "at least one token scope is required; allowed: {}",
            crate::spec::TOKEN_SCOPES.join(", ")
        )));
    }
    if let Some(CommunicationTokenScope::Other(s)) = scopes
        .iter()
        .find(|s| matches!(s, CommunicationTokenScope::Other(o) if o.is_empty()))
    {
        return Err(Error::invalid_argument(format!(
            "token scope {s:?} is empty"
        )));
    }
    Ok(scopes.to_vec())
}

pub(crate) fn required<'a>(name: &str, value: &'a str) -> Result<&'a str, Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "`{name}` must not be empty"
        )));
    }
    Ok(value)
}

fn assignment_args<'a>(
    tenant_id: &'a str,
    object_id: &'a str,
) -> Result<(&'a str, &'a str), Error> {
    Ok((
        check_param("tenant id", tenant_id)?,
        check_param("object id", object_id)?,
    ))
}

fn user_and_token(
    result: types::CommunicationIdentityAccessTokenResult,
) -> Result<(CommunicationUserIdentifier, AccessToken), Error> {
    match created_user(
        result.identity.id,
        result.access_token.map(Into::into),
        true,
    )?
    .into_parts()
    {
        (user, Some(token)) => Ok((user, token)),
        (_, None) => unreachable!("created_user requires the token asked for"),
    }
}
