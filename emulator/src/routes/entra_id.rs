//! Entra ID: the exchange of a user's Entra ID token, and the assignments that allow it, one
//! at a time (their lists and bulk updates are in [`super::entra_pages`]).

use super::super::auth::TeamsUser;
use super::super::errors::ApiError;
use super::super::http::{Reply, Request};
use super::super::state::Shared;
use super::super::tokens::AcsToken;
use super::common::{from_value, identity_with_token, parse_json};
use acs_identity::EntraPrincipalType;
use acs_identity::raw::types;
use serde_json::Value;

/// `POST /access/entra/:exchangeAccessToken` (already authorized by the user's Entra ID
/// token): needs an assignment of the user (or of their tenant) listing the token's
/// application; answers the identity `8:acs:<resource>_wf_<tenant>_<object id>` (the form of
/// the spec's example) and a `chat,voip` token that expires with the user's token.
pub(super) fn exchange(
    shared: &Shared,
    req: &Request<'_>,
    user: &TeamsUser,
) -> Result<Reply, ApiError> {
    let _: types::EntraExchangeTokenRequest = parse_json(req.body)?;
    let mut store = shared.store();
    if !store.entra_user_assigned(&user.tenant_id, &user.object_id, &user.app_id) {
        return Err(ApiError::entra_not_assigned());
    }
    let id = format!(
        "8:acs:{}_wf_{}_{}",
        shared.resource_id, user.tenant_id, user.object_id
    );
    store.add_user(&id)?;
    let token = AcsToken::identity(&id, "chat,voip".to_owned(), user.expires_on)
        .issue(shared, &mut store)?;
    drop(store);
    Ok(Reply::json(200, &identity_with_token(id, token)))
}

/// The assignment of `object_id` that a request body (`{tenantId, principalType, clientIds}`)
/// describes, checked like the service's models: every field required, `tenantId` not empty,
/// a principal type the spec knows.
pub(super) fn assignment(object_id: &str, body: Value) -> Result<types::EntraAssignment, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::invalid_body(format!(
            "the assignment of {object_id:?} is not a JSON object."
        )));
    };
    let missing = |name: &str| match fields.get(name) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    };
    for (name, field) in [
        ("tenantId", "TenantId"),
        ("principalType", "PrincipalType"),
        ("clientIds", "ClientIds"),
    ] {
        if missing(name) {
            return Err(ApiError::field_required(field));
        }
    }
    let request: types::EntraAssignmentCreateOrUpdateRequest = from_value(body)?;
    if let EntraPrincipalType::Other(value) = &request.principal_type {
        return Err(ApiError::unsupported_entra_principal_type(value));
    }
    Ok(types::EntraAssignment {
        client_ids: request.client_ids,
        object_id: object_id.to_owned(),
        principal_type: request.principal_type,
        tenant_id: request.tenant_id,
    })
}

/// `GET /access/entra/assignments/{objectId}`: 404 when there is none.
pub(super) fn get_assignment(shared: &Shared, object_id: &str) -> Result<Reply, ApiError> {
    let store = shared.store();
    let assignment = store
        .entra_assignment(object_id)
        .ok_or_else(ApiError::entra_assignment_not_found)?;
    Ok(Reply::json(200, assignment))
}

/// `PUT /access/entra/assignments/{objectId}`: 201 when created, 200 when replaced.
pub(super) fn upsert_assignment(
    shared: &Shared,
    req: &Request<'_>,
    object_id: String,
) -> Result<Reply, ApiError> {
    let assignment = assignment(&object_id, parse_json(req.body)?)?;
    let created = shared.store().put_entra_assignment(assignment.clone())?;
    Ok(Reply::json(if created { 201 } else { 200 }, &assignment))
}

/// `DELETE /access/entra/assignments/{objectId}`: 204, also when there was none (a retried
/// delete has the same effect as the first).
pub(super) fn delete_assignment(shared: &Shared, object_id: &str) -> Result<Reply, ApiError> {
    shared.store().delete_entra_assignment(object_id)?;
    Ok(Reply::no_content())
}
