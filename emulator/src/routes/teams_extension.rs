//! The Teams Phone extension: the exchange of a user's Entra ID token, and the assignments of
//! tenants' users and resource accounts.

use super::super::auth::TeamsUser;
use super::super::errors::ApiError;
use super::super::http::{Reply, Request};
use super::super::state::Shared;
use super::super::tokens::AcsToken;
use super::common::{identity_with_token, parse_json};
use acs_identity::TeamsExtensionPrincipalType;
use acs_identity::raw::types;

/// `POST /access/teamsExtension/:exchangeAccessToken` (already authorized by the user's
/// token): the identity `8:acs:<resource>_<tenant>_<object id>` and a `voip` token that
/// expires with the user's token.
pub(super) fn exchange(
    shared: &Shared,
    req: &Request<'_>,
    user: &TeamsUser,
) -> Result<Reply, ApiError> {
    let _: types::TeamsExtensionExchangeTokenRequest = parse_json(req.body)?;
    let id = format!(
        "8:acs:{}_{}_{}",
        shared.resource_id, user.tenant_id, user.object_id
    );
    let mut store = shared.store();
    store.add_user(&id)?;
    let token =
        AcsToken::identity(&id, "voip".to_owned(), user.expires_on).issue(shared, &mut store)?;
    drop(store);
    Ok(Reply::json(200, &identity_with_token(id, token)))
}

/// `GET …/tenants/{tenantId}/assignments/{objectId}`: 404 when there is none.
pub(super) fn get_assignment(
    shared: &Shared,
    tenant_id: &str,
    object_id: &str,
) -> Result<Reply, ApiError> {
    let store = shared.store();
    let assignment = store
        .assignment(tenant_id, object_id)
        .ok_or_else(ApiError::assignment_not_found)?;
    Ok(Reply::json(200, assignment))
}

/// `PUT …/tenants/{tenantId}/assignments/{objectId}`: 201 when created, 200 when replaced.
pub(super) fn upsert_assignment(
    shared: &Shared,
    req: &Request<'_>,
    tenant_id: String,
    object_id: String,
) -> Result<Reply, ApiError> {
    let request: types::TeamsExtensionAssignmentCreateOrUpdateRequest = parse_json(req.body)?;
    if let TeamsExtensionPrincipalType::Other(value) = &request.principal_type {
        return Err(ApiError::unsupported_principal_type(value));
    }
    let assignment = types::TeamsExtensionAssignmentResponse {
        client_ids: request.client_ids,
        object_id,
        principal_type: request.principal_type,
        tenant_id,
    };
    let created = shared.store().put_assignment(assignment.clone())?;
    Ok(Reply::json(if created { 201 } else { 200 }, &assignment))
}

/// `DELETE …/tenants/{tenantId}/assignments/{objectId}`: 204, also when there was none (a
/// retried delete has the same effect as the first).
pub(super) fn delete_assignment(
    shared: &Shared,
    tenant_id: &str,
    object_id: &str,
) -> Result<Reply, ApiError> {
    shared.store().delete_assignment(tenant_id, object_id)?;
    Ok(Reply::no_content())
}
