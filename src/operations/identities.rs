//! Identities: users and their tokens (`/identities`).

use super::operations;
use crate::error::{Error, ErrorKind};
use crate::pipeline::encoding::check_param;
use crate::pipeline::per_call::Call;
use crate::raw::types;
use crate::spec::{CUSTOM_ID_MAX_LENGTH, CUSTOM_ID_MIN_LENGTH, OperationId};
use crate::{
    AccessToken, CommunicationTokenScope, CommunicationUserIdentifier, CreateUserOptions,
    CreatedUser, TokenExpiry, TokenOptions, UserDetails,
};

operations! {
    /// Creates a new user (`POST /identities`).
    ///
    /// # Errors
    ///
    /// Only the [errors of every operation](crate#errors-and-retries) (authentication,
    /// throttling, service faults, transport, timeouts): this call has no argument to refuse.
    ///
    /// Not idempotent (each call creates a user): retried only when the request provably did
    /// not reach the service (the connection could not be made), or the service declined it
    /// with 429/503 and `Retry-After`; after a timeout or a lost answer the error is returned,
    /// and the user may or may not exist. [`create_user_with`](Self::create_user_with) with a
    /// custom id is the idempotent way to create.
    pub async fn create_user(&self) -> Result<CommunicationUserIdentifier, Error> {
        self.create_user_with_as("create_user", CreateUserOptions::new())
            .await
            .map(|created| created.into_parts().0)
    }

    /// Creates a new user and a token for it with `scopes`, in one request. `options` (e.g.
    /// `None`, `Some(expiry)` or a [`TokenOptions`]) sets the token's lifetime, by default 24
    /// hours.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): no
    ///   scope, or an empty [`Other`](CommunicationTokenScope::Other) scope;
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError) with target `scopes`: a
    ///   scope the service does not know ([`Other`](CommunicationTokenScope::Other)). (A
    ///   lifetime out of the service's bounds cannot be sent: [`TokenExpiry`] refuses it when
    ///   made.)
    /// - [`InvalidResponse`](crate::ErrorKind::InvalidResponse): the service created the user
    ///   but sent no token.
    ///
    /// Retried like [`create_user`](Self::create_user) (not idempotent).
    pub async fn create_user_and_token(
        &self,
        scopes: &[CommunicationTokenScope],
        options: impl Into<TokenOptions>,
    ) -> Result<(CommunicationUserIdentifier, AccessToken), Error> {
        let options = options.into();
        non_empty(scopes)?;
        let created = self
            .create_user_with_as(
                "create_user_and_token",
                CreateUserOptions::new().with_token(scopes, options.expiry),
            )
            .await?;
        match created.into_parts() {
            (user, Some(token)) => Ok((user, token)),
            (_, None) => unreachable!("created_user requires the token asked for"),
        }
    }

    /// Creates a new user with every optional parameter of the operation: a token in the same
    /// request ([`CreateUserOptions::with_token`]), a custom id ([`CreateUserOptions::custom_id`],
    /// at the API versions that take one), and whatever later API versions add to
    /// [`CreateUserOptions`].
    ///
    /// ```no_run
    /// # async fn run(client: acs_identity::CommunicationIdentityClient) -> Result<(), acs_identity::Error> {
    /// use acs_identity::{CommunicationTokenScope, CreateUserOptions};
    /// let options = CreateUserOptions::new().with_token(&[CommunicationTokenScope::Voip], None);
    /// let created = client.create_user_with(options).await?;
    /// println!("{} {:?}", created.user(), created.token().map(|t| t.expires_on()));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries) and those of
    /// [`create_user_and_token`](Self::create_user_and_token) when a token is asked for:
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): a
    ///   token lifetime without token scopes; a custom id that is not 1 to 256 characters
    ///   ([`CUSTOM_ID_MIN_LENGTH`]..=[`CUSTOM_ID_MAX_LENGTH`]);
    ///   a custom id at an API version without custom ids (the message names the versions
    ///   that have them);
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError) with target `customId`: the
    ///   service refused the custom id (e.g. at an API version the crate does not know).
    ///
    /// Without a custom id, retried like [`create_user`](Self::create_user) (not idempotent).
    /// With one, retried on every transient failure: creating again with the same custom id
    /// returns the same user (201, recorded from the live service), with a new token when one is
    /// asked for.
    pub async fn create_user_with(&self, options: CreateUserOptions) -> Result<CreatedUser, Error> {
        self.create_user_with_as("create_user_with", options).await
    }

    /// The details of `user` (`GET /identities/{id}`): its custom id and when a token was last
    /// issued for it.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)), or a user id
    ///   that cannot be one (see [identifiers](crate#refused-before-sending));
    /// - 401 [`IdentityNotOwned`](crate::ErrorCode::IdentityNotOwned): the id belongs to
    ///   another Communication Services resource;
    /// - 404 [`IdentityNotFound`](crate::ErrorCode::IdentityNotFound): no such user (never
    ///   created, or deleted);
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError): the id is not of the form
    ///   of the service's ids.
    ///
    /// Retried on every transient failure (it changes nothing).
    pub async fn get_user(&self, user: &CommunicationUserIdentifier) -> Result<UserDetails, Error> {
        let id = check_param("user id", user.id())?;
        let raw = self.raw();
        self.call(Call::new("get_user", OperationId::GetIdentity), || {
            raw.get_identity(id)
        })
        .await
        .map(Into::into)
    }

    /// Issues a token with `scopes` for `user`. `options` (e.g. `None`, `Some(expiry)` or a
    /// [`TokenOptions`]) sets its lifetime, by default 24 hours.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): no
    ///   scope, an empty [`Other`](CommunicationTokenScope::Other) scope, or a user id that
    ///   cannot be one (see [identifiers](crate#refused-before-sending));
    /// - 401 [`IdentityNotOwned`](crate::ErrorCode::IdentityNotOwned): the user belongs to
    ///   another Communication Services resource (recorded from the live service);
    /// - 404 [`IdentityNotFound`](crate::ErrorCode::IdentityNotFound): no such user (never
    ///   created, or deleted);
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError): with target `scopes`, a
    ///   scope the service does not know; without, an id not of the form of the service's ids.
    ///   (A lifetime out of bounds cannot be sent: [`TokenExpiry`] refuses it when made.)
    ///
    /// Retried on every transient failure: a repeat issues another, equally valid token.
    pub async fn get_token(
        &self,
        user: &CommunicationUserIdentifier,
        scopes: &[CommunicationTokenScope],
        options: impl Into<TokenOptions>,
    ) -> Result<AccessToken, Error> {
        let options = options.into();
        let id = check_param("user id", user.id())?;
        let body = types::CommunicationIdentityAccessTokenRequest {
            scopes: non_empty(scopes)?,
            expires_in_minutes: TokenExpiry::wire(options.expiry),
        };
        let raw = self.raw();
        let token = self
            .call(Call::new("get_token", OperationId::IssueAccessToken), || {
                raw.issue_access_token(id, &body)
            })
            .await?;
        Ok(token.into())
    }

    /// Revokes every token issued for `user` so far.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): a user
    ///   id that cannot be one (see [identifiers](crate#refused-before-sending));
    /// - 401 [`IdentityNotOwned`](crate::ErrorCode::IdentityNotOwned): the user belongs to
    ///   another Communication Services resource (recorded from the live service);
    /// - 404 [`IdentityNotFound`](crate::ErrorCode::IdentityNotFound): no such user (never
    ///   created, or deleted: a deleted user's tokens are already revoked);
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError): the id is not of the form
    ///   of the service's ids.
    ///
    /// Retried on every transient failure: revoking twice is revoking once.
    pub async fn revoke_tokens(&self, user: &CommunicationUserIdentifier) -> Result<(), Error> {
        let id = check_param("user id", user.id())?;
        let raw = self.raw();
        self.call(
            Call::new("revoke_tokens", OperationId::RevokeAccessTokens),
            || raw.revoke_access_tokens(id),
        )
        .await
    }

    /// Deletes `user`, revokes its tokens and deletes its data. Deleting a user that does not
    /// exist (any more) succeeds: the service answers 204 as for the first delete.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): a user
    ///   id that cannot be one (see [identifiers](crate#refused-before-sending));
    /// - 401 [`IdentityNotOwned`](crate::ErrorCode::IdentityNotOwned): the user belongs to
    ///   another Communication Services resource (recorded from the live service);
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError): the id is not of the form
    ///   of the service's ids.
    ///
    /// Retried on every transient failure: the operation is idempotent.
    pub async fn delete_user(&self, user: &CommunicationUserIdentifier) -> Result<(), Error> {
        let id = check_param("user id", user.id())?;
        let raw = self.raw();
        self.call(Call::new("delete_user", OperationId::DeleteIdentity), || {
            raw.delete_identity(id)
        })
        .await
    }
}

impl crate::CommunicationIdentityClient {
    /// `create_user_with` for the facade method `method`.
    async fn create_user_with_as(
        &self,
        method: &'static str,
        options: CreateUserOptions,
    ) -> Result<CreatedUser, Error> {
        let (create_token_with_scopes, expires_in_minutes) = token_request(&options)?;
        let custom_id = match &options.custom_id {
            None => None,
            Some(custom_id) => Some(checked_custom_id(custom_id)?),
        };
        let with_token = !create_token_with_scopes.is_empty();
        // A creation with a custom id returns the same user when repeated: safe to retry.
        let call = Call::new(method, OperationId::CreateIdentity);
        let call = if custom_id.is_some() {
            call
        } else {
            call.creates_state()
        };
        let body = types::CommunicationIdentityCreateRequest {
            create_token_with_scopes,
            custom_id,
            expires_in_minutes,
        };
        let raw = self.raw();
        let result = self.call(call, || raw.create_identity(&body)).await?;
        created_user(
            result.identity.id,
            result.access_token.map(Into::into),
            with_token,
        )
    }
}

/// A custom id of the spec's length, in characters.
fn checked_custom_id(
    custom_id: &str,
) -> Result<types::CommunicationIdentityCreateRequestCustomId, Error> {
    let length = custom_id.chars().count();
    if !(CUSTOM_ID_MIN_LENGTH..=CUSTOM_ID_MAX_LENGTH).contains(&length) {
        return Err(Error::invalid_argument(format!(
            "custom id of {length} characters; it must have {CUSTOM_ID_MIN_LENGTH} to \
             {CUSTOM_ID_MAX_LENGTH} characters"
        )));
    }
    custom_id
        .parse()
        .map_err(|e| Error::invalid_argument(format!("custom id refused by the spec's rules: {e}")))
}

/// The token part of a create request: the scopes (none, or at least one valid) and the expiry
/// in minutes, which needs scopes.
fn token_request(
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
pub(super) fn created_user(
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

/// At least one scope, none of them empty.
fn non_empty(scopes: &[CommunicationTokenScope]) -> Result<Vec<CommunicationTokenScope>, Error> {
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
