//! The Teams Phone extension: its token exchange and assignments (`/access/teamsExtension`).
//!
//! The assignment methods take the path's ids in the path's order, `tenant_id` then
//! `object_id` (`/tenants/{tenantId}/assignments/{objectId}`).

use super::{operations, required};
use crate::error::Error;
use crate::pipeline::encoding::check_param;
use crate::pipeline::per_call::Call;
use crate::raw::types;
use crate::spec::OperationId;
use crate::{
    AccessToken, CommunicationUserIdentifier, TeamsExtensionAssignment, TeamsExtensionPrincipalType,
};

operations! {
    /// Exchanges a Teams Phone extension user's Entra ID token for a Communication Services user
    /// and token. The request is authorized by `entra_token` itself (as `Authorization: Bearer`),
    /// not by the client's credential.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   or an empty `entra_token`;
    /// - 401 [`InvalidAccessToken`](crate::ErrorCode::InvalidAccessToken): `entra_token` is not
    ///   a valid Entra ID token (malformed, expired, for another audience). Since the request
    ///   is authorized by that token, a 401 here is about the user's token, never the client's
    ///   credential.
    /// - [`InvalidResponse`](crate::ErrorKind::InvalidResponse): the answer has no token.
    ///
    /// Retried on every transient failure: a repeat yields another, equally valid token.
    pub async fn exchange_teams_extension_token(
        &self,
        entra_token: &str,
    ) -> Result<(CommunicationUserIdentifier, AccessToken), Error> {
        let entra_token = required("entra_token", entra_token)?;
        let body = types::TeamsExtensionExchangeTokenRequest(serde_json::Map::new());
        let raw = self.raw();
        let call = Call::new(
            "exchange_teams_extension_token",
            OperationId::ExchangeTeamsExtensionToken,
        )
        .authorized_by(entra_token);
        let result = self
            .call(call, || raw.exchange_teams_extension_token(&body))
            .await?;
        super::identities::created_user(
            result.identity.id,
            result.access_token.map(Into::into),
            true,
        )
        .map(|created| match created.into_parts() {
            (user, Some(token)) => (user, token),
            (_, None) => unreachable!("created_user requires the token asked for"),
        })
    }

    /// Gets the Teams Phone extension assignment of `object_id` in `tenant_id` (the path's order).
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   or an id that cannot be one (see [identifiers](crate#refused-before-sending));
    /// - 404 [`AssignmentNotFound`](crate::ErrorCode::AssignmentNotFound): `object_id` has no
    ///   assignment in `tenant_id` ([`Error::is_not_found`](crate::Error::is_not_found)).
    ///
    /// Retried on every transient failure (it changes nothing).
    pub async fn get_teams_extension_assignment(
        &self,
        tenant_id: &str,
        object_id: &str,
    ) -> Result<TeamsExtensionAssignment, Error> {
        let (tenant_id, object_id) = assignment_path(tenant_id, object_id)?;
        let raw = self.raw();
        let call = Call::new(
            "get_teams_extension_assignment",
            OperationId::GetTeamsExtensionAssignment,
        );
        self.call(call, || raw.get_teams_extension_assignment(tenant_id, object_id))
            .await
            .map(Into::into)
    }

    /// Creates or replaces the Teams Phone extension assignment of `object_id` in `tenant_id`:
    /// the path's ids in the path's order, then the body's fields. The service answers 201 when
    /// it creates the assignment and 200 when it replaces one: both succeed alike.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   or an id that cannot be one (see [identifiers](crate#refused-before-sending));
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError) with target
    ///   `principalType`: a principal type the service does not know
    ///   ([`Other`](TeamsExtensionPrincipalType::Other)).
    ///
    /// Retried on every transient failure: putting the same assignment twice leaves the same
    /// assignment.
    pub async fn upsert_teams_extension_assignment<S: AsRef<str>>(
        &self,
        tenant_id: &str,
        object_id: &str,
        principal_type: TeamsExtensionPrincipalType,
        client_ids: &[S],
    ) -> Result<TeamsExtensionAssignment, Error> {
        let (tenant_id, object_id) = assignment_path(tenant_id, object_id)?;
        let body = types::TeamsExtensionAssignmentCreateOrUpdateRequest {
            principal_type,
            client_ids: client_ids.iter().map(|c| c.as_ref().to_owned()).collect(),
        };
        let raw = self.raw();
        let call = Call::new(
            "upsert_teams_extension_assignment",
            OperationId::UpsertTeamsExtensionAssignment,
        );
        self.call(call, || {
            raw.upsert_teams_extension_assignment(tenant_id, object_id, &body)
        })
        .await
        .map(Into::into)
    }

    /// Deletes the Teams Phone extension assignment of `object_id` in `tenant_id` (the path's
    /// order). Deleting an assignment that does not exist succeeds: the service answers 204 as
    /// for the first delete.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   or an id that cannot be one (see [identifiers](crate#refused-before-sending)).
    ///
    /// Retried on every transient failure: the operation is idempotent.
    pub async fn delete_teams_extension_assignment(
        &self,
        tenant_id: &str,
        object_id: &str,
    ) -> Result<(), Error> {
        let (tenant_id, object_id) = assignment_path(tenant_id, object_id)?;
        let raw = self.raw();
        let call = Call::new(
            "delete_teams_extension_assignment",
            OperationId::DeleteTeamsExtensionAssignment,
        );
        self.call(call, || {
            raw.delete_teams_extension_assignment(tenant_id, object_id)
        })
        .await
    }
}

/// The assignment path's ids, checked.
fn assignment_path<'a>(
    tenant_id: &'a str,
    object_id: &'a str,
) -> Result<(&'a str, &'a str), Error> {
    Ok((
        check_param("tenant id", tenant_id)?,
        check_param("object id", object_id)?,
    ))
}
