//! Identities: create (durable, with a custom id, where the API version has custom ids), get
//! (user details), delete, and issue and revoke their tokens.

use super::super::errors::ApiError;
use super::super::http::{Reply, Request};
use super::super::state::Shared;
use super::super::tokens::AcsToken;
use super::common::{expiry, from_value, known_scopes, own_identity, parse_optional_object};
use acs_identity::raw::types;
use acs_identity::spec::{
    BodyProperty, CUSTOM_ID_MAX_LENGTH, CUSTOM_ID_MIN_LENGTH, Operation, OperationId,
};
use serde_json::{Map, Value};

/// The property of the create request that carries a custom id.
const CUSTOM_ID: &str = "customId";

fn create_operation() -> &'static Operation {
    OperationId::CreateIdentity.operation()
}

/// Whether creation takes a `customId` at `api_version`, by the SDK's table
/// ([`Operation::takes_at`]): the versions whose create request has it, and versions the SDK
/// does not know. Those versions also answer with the identity's `customId` and
/// `lastTokenIssuedAt`.
fn custom_ids_at(api_version: &str) -> bool {
    create_operation().takes_at(CUSTOM_ID, api_version)
}

/// The API versions that take a `customId`, in words.
fn custom_id_needs() -> String {
    let create = create_operation();
    create
        .body_properties
        .iter()
        .find(|p| p.name == CUSTOM_ID)
        .map_or_else(|| create.needs(), BodyProperty::needs)
}

/// The `customId` of a create request (taken out of `fields`), checked: only where the API
/// version has custom ids, a string of the spec's length (in characters). `null` is none.
fn custom_id(
    fields: &mut Map<String, Value>,
    api_version: &str,
) -> Result<Option<String>, ApiError> {
    let custom_id = match fields.remove(CUSTOM_ID) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s,
        Some(_) => return Err(ApiError::custom_id_invalid()),
    };
    if !custom_ids_at(api_version) {
        return Err(ApiError::custom_id_unsupported(
            api_version,
            &custom_id_needs(),
        ));
    }
    let length = custom_id.chars().count();
    if !(CUSTOM_ID_MIN_LENGTH..=CUSTOM_ID_MAX_LENGTH).contains(&length) {
        return Err(ApiError::custom_id_invalid());
    }
    Ok(Some(custom_id))
}

/// `POST /identities`: the body is optional (absent, `{}`, or with scopes and expiry; with a
/// `customId` where the API version has custom ids). Creating with a custom id that has an
/// identity answers 201 with that identity (and a new token when scopes are asked), as the
/// live service does.
pub(super) fn create(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
) -> Result<Reply, ApiError> {
    let mut fields = parse_optional_object(req.body)?;
    let custom_id = custom_id(&mut fields, api_version)?;
    let request: types::CommunicationIdentityCreateRequest = from_value(Value::Object(fields))?;
    let expires_on = expiry(request.expires_in_minutes)?;
    let scopes = known_scopes(&request.create_token_with_scopes)?;
    let new_id = format!("8:acs:{}_{}", shared.resource_id, shared.random.guid());
    let mut store = shared.store();
    let id = match &custom_id {
        Some(custom_id) => store.durable_user(custom_id, new_id)?,
        None => {
            store.add_user(&new_id)?;
            new_id
        }
    };
    let access_token = (!request.create_token_with_scopes.is_empty())
        .then(|| AcsToken::identity(&id, scopes, expires_on).issue(shared, &mut store))
        .transpose()?;
    let record = store.user(&id);
    drop(store);
    // Versions without custom ids answer the identity's id alone.
    let record = record
        .filter(|_| custom_ids_at(api_version))
        .unwrap_or_default();
    Ok(Reply::json(
        201,
        &types::CommunicationIdentityAccessTokenResult {
            identity: types::CommunicationIdentity {
                id,
                custom_id: record.custom_id,
                last_token_issued_at: record.last_token_issued_at,
            },
            access_token,
        },
    ))
}

/// `GET /identities/{id}`: the identity's custom id and when a token was last issued for it.
pub(super) fn get(shared: &Shared, id: &str) -> Result<Reply, ApiError> {
    let id = own_identity(shared, id)?;
    let record = shared
        .store()
        .user(&id)
        .ok_or_else(ApiError::identity_not_found)?;
    Ok(Reply::json(
        200,
        &types::CommunicationIdentity {
            id,
            custom_id: record.custom_id,
            last_token_issued_at: record.last_token_issued_at,
        },
    ))
}

/// `DELETE /identities/{id}`: 204, also when the identity was already deleted (a retried
/// delete has the same effect as the first).
pub(super) fn delete(shared: &Shared, id: &str) -> Result<Reply, ApiError> {
    let id = own_identity(shared, id)?;
    shared.store().delete_user(&id)?;
    Ok(Reply::no_content())
}

/// `POST /identities/{id}/:issueAccessToken`.
pub(super) fn issue_access_token(
    shared: &Shared,
    req: &Request<'_>,
    id: &str,
) -> Result<Reply, ApiError> {
    let fields = parse_optional_object(req.body)?;
    match fields.get("scopes") {
        None | Some(Value::Null) => return Err(ApiError::scopes_required()),
        Some(Value::Array(a)) if a.is_empty() => return Err(ApiError::scopes_required()),
        _ => {}
    }
    let request: types::CommunicationIdentityAccessTokenRequest =
        from_value(Value::Object(fields))?;
    let expires_on = expiry(request.expires_in_minutes)?;
    let scopes = known_scopes(&request.scopes)?;
    let id = own_identity(shared, id)?;
    let mut store = shared.store();
    if !store.user_exists(&id) {
        return Err(ApiError::identity_not_found());
    }
    let token = AcsToken::identity(&id, scopes, expires_on).issue(shared, &mut store)?;
    drop(store);
    Ok(Reply::json(200, &token))
}

/// `POST /identities/{id}/:revokeAccessTokens`.
pub(super) fn revoke_access_tokens(shared: &Shared, id: &str) -> Result<Reply, ApiError> {
    let id = own_identity(shared, id)?;
    if !shared.store().revoke(&id)? {
        return Err(ApiError::identity_not_found());
    }
    Ok(Reply::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;
    use acs_identity::spec::API_VERSIONS;

    #[test]
    fn custom_ids_where_the_table_has_them() {
        let property = create_operation()
            .body_properties
            .iter()
            .find(|p| p.name == CUSTOM_ID);
        for version in API_VERSIONS {
            assert_eq!(
                custom_ids_at(version),
                property.is_none_or(|p| p.versions.contains(version)),
                "{version}"
            );
        }
        // Versions the SDK does not know are left to the caller.
        assert!(custom_ids_at("2099-01-01"));
        // Pinned on purpose: custom ids came with the preview 2025-03-02-preview; 2023-10-01
        // has none (whatever later versions do).
        assert!(custom_ids_at("2025-03-02-preview"));
        assert!(!custom_ids_at("2023-10-01"));
        assert!(!custom_id_needs().is_empty());
    }
}
