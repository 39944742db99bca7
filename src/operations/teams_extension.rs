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
    /// the path's ids in the path's order, then the body's fields.
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
    /// order). Deleting an assignment that does not exist succeeds (idempotent, and retried).
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
