//! The operations of the Identity API at every vendored API version, the preview's included:
//! routing, validation and answers, built from the spec's models in
//! [`acs_identity::raw::types`] (and [`acs_identity::raw::preview::types`] for the preview's).

use super::auth::{self, TeamsUser};
use super::errors::ApiError;
use super::record::AuthOutcome;
use super::state::Shared;
use super::tokens::AcsToken;
use super::wire::{json_body, percent_decode, percent_encode, query_param, to_ticks};
use acs_identity::raw::preview::types as preview;
use acs_identity::raw::types;
use acs_identity::spec::{
    API_VERSIONS, CUSTOM_ID_MAX_LENGTH, CUSTOM_ID_MIN_LENGTH, CUSTOM_ID_VERSIONS,
    EXPIRES_IN_MINUTES_DEFAULT, EXPIRES_IN_MINUTES_MAX, EXPIRES_IN_MINUTES_MIN, Operation,
};
use acs_identity::{CommunicationTokenScope, EntraPrincipalType, TeamsExtensionPrincipalType};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hyper::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A request as received: the parts the operations look at.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The request target exactly as received.
    pub(crate) path_and_query: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

impl Request<'_> {
    /// The value of header `name`, when present and text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query, |(p, _)| p)
    }

    fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, q)| q)
    }
}

/// An answer: a status and a JSON body (empty for 204).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// Errors are `application/json`, successes `application/json; charset=utf-8`, as the
    /// service sends them.
    pub(crate) error: bool,
}

impl Reply {
    pub(crate) fn json(status: u16, value: &impl serde::Serialize) -> Self {
        Reply {
            status,
            body: json_body(value),
            error: false,
        }
    }

    fn no_content() -> Self {
        Reply {
            status: 204,
            body: Vec::new(),
            error: false,
        }
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        Reply {
            status: e.status,
            body: e.body(),
            error: true,
        }
    }
}

/// The operation a request is for, with its path parameters (percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    CreateIdentity,
    DeleteIdentity(String),
    IssueAccessToken(String),
    RevokeAccessTokens(String),
    ExchangeTeamsUserToken,
    ExchangeTeamsExtensionToken,
    GetAssignment(String, String),
    UpsertAssignment(String, String),
    DeleteAssignment(String, String),
    // The preview's.
    GetIdentity(String),
    ExchangeEntraIdToken,
    ListEntraAssignments,
    UpdateEntraAssignments,
    GetEntraAssignment(String),
    UpsertEntraAssignment(String),
    DeleteEntraAssignment(String),
}

impl Route {
    /// The name of the route's operation, as `acs_identity::spec` and the raw client name it
    /// (the same at every API version, whatever a version's operationId).
    fn operation(&self) -> &'static str {
        match self {
            Route::CreateIdentity => "create_identity",
            Route::DeleteIdentity(_) => "delete_identity",
            Route::IssueAccessToken(_) => "issue_access_token",
            Route::RevokeAccessTokens(_) => "revoke_access_tokens",
            Route::ExchangeTeamsUserToken => "exchange_teams_user_access_token",
            Route::ExchangeTeamsExtensionToken => "exchange_teams_extension_token",
            Route::GetAssignment(..) => "get_teams_extension_assignment",
            Route::UpsertAssignment(..) => "upsert_teams_extension_assignment",
            Route::DeleteAssignment(..) => "delete_teams_extension_assignment",
            Route::GetIdentity(_) => "get_identity",
            Route::ExchangeEntraIdToken => "exchange_entra_id_token",
            Route::ListEntraAssignments => "list_entra_assignments",
            Route::UpdateEntraAssignments => "update_entra_assignments",
            Route::GetEntraAssignment(_) => "get_entra_assignment",
            Route::UpsertEntraAssignment(_) => "upsert_entra_assignment",
            Route::DeleteEntraAssignment(_) => "delete_entra_assignment",
        }
    }

    fn parse(method: &str, path: &str) -> Option<Route> {
        let rest = path.strip_prefix('/')?;
        // A parameter keeps its raw text when it is not valid percent-encoding; identity ids
        // are then refused as malformed.
        let segments: Vec<String> = rest
            .split('/')
            .map(|s| percent_decode(s).unwrap_or_else(|| s.to_owned()))
            .collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let param = |p: &str| (!p.is_empty()).then(|| p.to_owned());
        let route = match (method, s.as_slice()) {
            ("POST", ["identities"]) => Route::CreateIdentity,
            ("GET", ["identities", id]) => Route::GetIdentity(param(id)?),
            ("DELETE", ["identities", id]) => Route::DeleteIdentity(param(id)?),
            ("POST", ["identities", id, ":issueAccessToken"]) => {
                Route::IssueAccessToken(param(id)?)
            }
            ("POST", ["identities", id, ":revokeAccessTokens"]) => {
                Route::RevokeAccessTokens(param(id)?)
            }
            ("POST", ["teamsUser", ":exchangeAccessToken"]) => Route::ExchangeTeamsUserToken,
            ("POST", ["access", "teamsExtension", ":exchangeAccessToken"]) => {
                Route::ExchangeTeamsExtensionToken
            }
            ("POST", ["access", "entra", ":exchangeAccessToken"]) => Route::ExchangeEntraIdToken,
            ("GET", ["access", "entra", "assignments"]) => Route::ListEntraAssignments,
            ("PATCH", ["access", "entra", "assignments"]) => Route::UpdateEntraAssignments,
            (method, ["access", "entra", "assignments", o]) => {
                let o = param(o)?;
                match method {
                    "GET" => Route::GetEntraAssignment(o),
                    "PUT" => Route::UpsertEntraAssignment(o),
                    "DELETE" => Route::DeleteEntraAssignment(o),
                    _ => return None,
                }
            }
            (method, ["access", "teamsExtension", "tenants", t, "assignments", o]) => {
                let (t, o) = (param(t)?, param(o)?);
                match method {
                    "GET" => Route::GetAssignment(t, o),
                    "PUT" => Route::UpsertAssignment(t, o),
                    "DELETE" => Route::DeleteAssignment(t, o),
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(route)
    }
}

/// Whether the operation named `operation` (e.g. `issue_access_token`, a name of
/// [`acs_identity::spec::OPERATIONS`]) exists at API version `api_version`; a request for an
/// operation its version lacks is refused with 404 `UnsupportedApiVersion` (the path does not
/// exist at that version).
///
/// The one place that decides which operation the emulator serves at which API version: the
/// SDK's table of the vendored versions ([`acs_identity::spec::Operation::exists_at`]). A
/// version the SDK does not know is served, as the table leaves those to the service.
pub(crate) fn operation_allowed(api_version: &str, operation: &str) -> bool {
    Operation::by_name(operation).is_none_or(|op| op.exists_at(api_version))
}

/// Whether creation takes a `customId` at `api_version` (the preview; and, like
/// [`operation_allowed`], versions the SDK does not know). Those versions also answer with the
/// preview's identity model (`customId`, `lastTokenIssuedAt`).
fn custom_ids_at(api_version: &str) -> bool {
    CUSTOM_ID_VERSIONS.contains(&api_version) || !API_VERSIONS.contains(&api_version)
}

/// Whether a request target is one of the emulator's own endpoints (not an operation of the
/// service): answered by [`handle`] like the others, but never subject to fault injection.
pub(crate) fn is_emulator_endpoint(path_and_query: &str) -> bool {
    path_and_query.starts_with(super::entra::PATH_PREFIX)
}

/// Answers a request: route, `api-version`, authentication, then the operation.
pub(crate) fn handle(shared: &Shared, req: &Request<'_>) -> (Reply, AuthOutcome) {
    if is_emulator_endpoint(req.path_and_query) {
        return (super::entra::handle(shared, req), AuthOutcome::NotChecked);
    }
    let Some(route) = Route::parse(req.method, req.path()) else {
        let error = ApiError::route_not_found(req.method, req.path());
        return (error.into(), AuthOutcome::NotChecked);
    };
    let api_version = match query_param(req.query(), "api-version") {
        Some(v) if !v.is_empty() => v,
        _ => {
            return (
                ApiError::missing_api_version().into(),
                AuthOutcome::NotChecked,
            );
        }
    };
    if !operation_allowed(&api_version, route.operation()) {
        return (
            ApiError::unsupported_api_version(&api_version, route.operation()).into(),
            AuthOutcome::NotChecked,
        );
    }
    if let Route::ExchangeTeamsExtensionToken | Route::ExchangeEntraIdToken = route {
        // Authorized by the user's own Entra ID token, not by the resource's credentials.
        return match auth::teams_extension_exchange(shared, req) {
            Ok(user) => (
                match route {
                    Route::ExchangeEntraIdToken => exchange_entra_id_token(shared, req, &user),
                    _ => exchange_teams_extension_token(shared, req, &user),
                }
                .unwrap_or_else(Reply::from),
                AuthOutcome::TeamsUserToken,
            ),
            Err(rejection) => (
                rejection.error.into(),
                AuthOutcome::Rejected(rejection.failure),
            ),
        };
    }
    let outcome = match auth::resource_operation(shared, req) {
        Ok(outcome) => outcome,
        Err(rejection) => {
            return (
                rejection.error.into(),
                AuthOutcome::Rejected(rejection.failure),
            );
        }
    };
    let result = match route {
        Route::CreateIdentity => create_identity(shared, req, &api_version),
        Route::DeleteIdentity(id) => delete_identity(shared, &id),
        Route::IssueAccessToken(id) => issue_access_token(shared, req, &id),
        Route::RevokeAccessTokens(id) => revoke_access_tokens(shared, &id),
        Route::ExchangeTeamsUserToken => exchange_teams_user_token(shared, req),
        Route::ExchangeTeamsExtensionToken | Route::ExchangeEntraIdToken => {
            unreachable!("answered above")
        }
        Route::GetAssignment(t, o) => get_assignment(shared, &t, &o),
        Route::UpsertAssignment(t, o) => upsert_assignment(shared, req, t, o),
        Route::DeleteAssignment(t, o) => delete_assignment(shared, &t, &o),
        Route::GetIdentity(id) => get_identity(shared, &id),
        Route::ListEntraAssignments => list_entra_assignments(shared, req, &api_version),
        Route::UpdateEntraAssignments => update_entra_assignments(shared, req, &api_version),
        Route::GetEntraAssignment(o) => get_entra_assignment(shared, &o),
        Route::UpsertEntraAssignment(o) => upsert_entra_assignment(shared, req, o),
        Route::DeleteEntraAssignment(o) => {
            shared.store().delete_entra_assignment(&o);
            Ok(Reply::no_content())
        }
    };
    (result.unwrap_or_else(Reply::from), outcome)
}

// --- validation ---

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::invalid_body("a JSON body is required."));
    }
    serde_json::from_slice(body).map_err(ApiError::invalid_body)
}

fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(ApiError::invalid_body)
}

/// `expiresInMinutes` within the spec's bounds; the expiry it gives (default when absent).
fn expiry(expires_in_minutes: Option<i32>) -> Result<DateTime<Utc>, ApiError> {
    let minutes = match expires_in_minutes {
        None => i64::from(EXPIRES_IN_MINUTES_DEFAULT),
        Some(m) => {
            let m = i64::from(m);
            let bounds = i64::from(EXPIRES_IN_MINUTES_MIN)..=i64::from(EXPIRES_IN_MINUTES_MAX);
            if !bounds.contains(&m) {
                return Err(ApiError::expires_in_minutes(m));
            }
            m
        }
    };
    Ok(to_ticks(Utc::now()) + chrono::Duration::minutes(minutes))
}

/// The scopes, comma-joined; every one must be a scope the spec knows.
fn known_scopes(scopes: &[CommunicationTokenScope]) -> Result<String, ApiError> {
    if let Some(unknown) = scopes
        .iter()
        .find(|s| matches!(s, CommunicationTokenScope::Other(_)))
    {
        return Err(ApiError::unsupported_scope(unknown.as_str()));
    }
    Ok(scopes
        .iter()
        .map(CommunicationTokenScope::as_str)
        .collect::<Vec<_>>()
        .join(","))
}

/// An id of an identity of this resource: `8:acs:<resource id>_<user>`.
fn own_identity(shared: &Shared, id: &str) -> Result<String, ApiError> {
    let rest = id
        .strip_prefix("8:acs:")
        .ok_or_else(ApiError::invalid_identity)?;
    let (resource, user) = rest
        .split_once('_')
        .ok_or_else(ApiError::invalid_identity)?;
    if resource.is_empty() || user.is_empty() {
        return Err(ApiError::invalid_identity());
    }
    if resource != shared.resource_id {
        return Err(ApiError::identity_not_owned());
    }
    Ok(id.to_owned())
}

// --- identities ---

/// The `customId` of a create request (taken out of `fields`), checked: only where the API
/// version has custom ids, a string of the spec's length (in characters). `null` is none.
fn custom_id(
    fields: &mut serde_json::Map<String, Value>,
    api_version: &str,
) -> Result<Option<String>, ApiError> {
    let custom_id = match fields.remove("customId") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s,
        Some(_) => return Err(ApiError::custom_id_invalid()),
    };
    if !custom_ids_at(api_version) {
        return Err(ApiError::custom_id_unsupported(api_version));
    }
    let length = custom_id.chars().count();
    if !(CUSTOM_ID_MIN_LENGTH..=CUSTOM_ID_MAX_LENGTH).contains(&length) {
        return Err(ApiError::custom_id_invalid());
    }
    Ok(Some(custom_id))
}

/// `POST /identities`: the body is optional (absent, `{}`, or with scopes and expiry; with a
/// `customId` at the preview). Creating with a custom id that has an identity answers 201 with
/// that identity (and a new token when scopes are asked), as the live service does.
fn create_identity(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
) -> Result<Reply, ApiError> {
    let mut body: Value = if req.body.is_empty() {
        Value::Object(Default::default())
    } else {
        parse_json(req.body)?
    };
    let Some(fields) = body.as_object_mut() else {
        return Err(ApiError::invalid_body("expected a JSON object."));
    };
    let custom_id = custom_id(fields, api_version)?;
    let request: types::CommunicationIdentityCreateRequest = from_value(body)?;
    let expires_on = expiry(request.expires_in_minutes)?;
    let scopes = known_scopes(&request.create_token_with_scopes)?;
    let new_id = format!("8:acs:{}_{}", shared.resource_id, shared.random.guid());
    let mut store = shared.store();
    let id = match &custom_id {
        Some(custom_id) => store.durable_user(custom_id, new_id),
        None => {
            store.add_user(&new_id);
            new_id
        }
    };
    let access_token = (!request.create_token_with_scopes.is_empty())
        .then(|| AcsToken::identity(&id, scopes, expires_on).issue(shared, &mut store));
    let record = store.user(&id);
    drop(store);
    if !custom_ids_at(api_version) {
        return Ok(Reply::json(
            201,
            &types::CommunicationIdentityAccessTokenResult {
                identity: types::CommunicationIdentity { id },
                access_token,
            },
        ));
    }
    let record = record.unwrap_or_default();
    Ok(Reply::json(
        201,
        &preview::CommunicationIdentityAccessTokenResult {
            identity: preview::CommunicationIdentity {
                id,
                custom_id: record.custom_id,
                last_token_issued_at: record.last_token_issued_at,
            },
            access_token: access_token.map(|t| preview::CommunicationIdentityAccessToken {
                token: t.token,
                expires_on: t.expires_on,
            }),
        },
    ))
}

/// `GET /identities/{id}` (preview): the identity's custom id and when a token was last issued
/// for it.
fn get_identity(shared: &Shared, id: &str) -> Result<Reply, ApiError> {
    let id = own_identity(shared, id)?;
    let record = shared
        .store()
        .user(&id)
        .ok_or_else(ApiError::identity_not_found)?;
    Ok(Reply::json(
        200,
        &preview::CommunicationIdentity {
            id,
            custom_id: record.custom_id,
            last_token_issued_at: record.last_token_issued_at,
        },
    ))
}

/// `DELETE /identities/{id}`: 204, also when the identity was already deleted (a retried
/// delete has the same effect as the first).
fn delete_identity(shared: &Shared, id: &str) -> Result<Reply, ApiError> {
    let id = own_identity(shared, id)?;
    shared.store().delete_user(&id);
    Ok(Reply::no_content())
}

/// `POST /identities/{id}/:issueAccessToken`.
fn issue_access_token(shared: &Shared, req: &Request<'_>, id: &str) -> Result<Reply, ApiError> {
    let body: Value = if req.body.is_empty() {
        Value::Object(Default::default())
    } else {
        parse_json(req.body)?
    };
    if !body.is_object() {
        return Err(ApiError::invalid_body("expected a JSON object."));
    }
    match body.get("scopes") {
        None | Some(Value::Null) => return Err(ApiError::scopes_required()),
        Some(Value::Array(a)) if a.is_empty() => return Err(ApiError::scopes_required()),
        _ => {}
    }
    let request: types::CommunicationIdentityAccessTokenRequest = from_value(body)?;
    let expires_on = expiry(request.expires_in_minutes)?;
    let scopes = known_scopes(&request.scopes)?;
    let id = own_identity(shared, id)?;
    let mut store = shared.store();
    if !store.user_exists(&id) {
        return Err(ApiError::identity_not_found());
    }
    let token = AcsToken::identity(&id, scopes, expires_on).issue(shared, &mut store);
    drop(store);
    Ok(Reply::json(200, &token))
}

/// `POST /identities/{id}/:revokeAccessTokens`.
fn revoke_access_tokens(shared: &Shared, id: &str) -> Result<Reply, ApiError> {
    let id = own_identity(shared, id)?;
    if !shared.store().revoke(&id) {
        return Err(ApiError::identity_not_found());
    }
    Ok(Reply::no_content())
}

// --- Teams ---

/// `POST /teamsUser/:exchangeAccessToken`: checks in the service's order: required fields,
/// the token, then `appId` and `userId` against its `appid` and `oid` claims.
fn exchange_teams_user_token(shared: &Shared, req: &Request<'_>) -> Result<Reply, ApiError> {
    let mut body: Value = parse_json(req.body)?;
    let Some(fields) = body.as_object_mut() else {
        return Err(ApiError::invalid_body("expected a JSON object."));
    };
    let present = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !present("appId") {
        return Err(ApiError::field_required("AppId"));
    }
    if !present("userId") {
        return Err(ApiError::field_required("UserId"));
    }
    // An empty or missing token is an invalid token (401), not a validation error.
    if fields.get("token").is_none_or(Value::is_null) {
        fields.insert("token".into(), Value::String(String::new()));
    }
    let request: types::TeamsUserExchangeTokenRequest = from_value(body)?;
    let user =
        auth::teams_user(shared, &request.token).map_err(|_| ApiError::invalid_access_token())?;
    if !request.app_id.eq_ignore_ascii_case(&user.app_id) {
        return Err(ApiError::app_id_invalid());
    }
    if !request.user_id.eq_ignore_ascii_case(&user.object_id) {
        return Err(ApiError::user_id_invalid());
    }
    let skype_id = format!("orgid:{}", user.object_id);
    let token = AcsToken::teams_user(&skype_id, &user.tenant_id, user.expires_on)
        .issue(shared, &mut shared.store());
    Ok(Reply::json(200, &token))
}

/// `POST /access/teamsExtension/:exchangeAccessToken` (already authorized by the user's
/// token): the identity `8:acs:<resource>_<tenant>_<object id>` and a `voip` token that
/// expires with the user's token.
fn exchange_teams_extension_token(
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
    store.add_user(&id);
    let token =
        AcsToken::identity(&id, "voip".to_owned(), user.expires_on).issue(shared, &mut store);
    drop(store);
    Ok(Reply::json(
        200,
        &types::CommunicationIdentityAccessTokenResult {
            identity: types::CommunicationIdentity { id },
            access_token: Some(token),
        },
    ))
}

/// `GET …/tenants/{tenantId}/assignments/{objectId}`: 404 when there is none.
fn get_assignment(shared: &Shared, tenant_id: &str, object_id: &str) -> Result<Reply, ApiError> {
    let store = shared.store();
    let assignment = store
        .assignment(tenant_id, object_id)
        .ok_or_else(ApiError::assignment_not_found)?;
    Ok(Reply::json(200, assignment))
}

/// `PUT …/tenants/{tenantId}/assignments/{objectId}`: 201 when created, 200 when replaced.
fn upsert_assignment(
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
    let created = shared.store().put_assignment(assignment.clone());
    Ok(Reply::json(if created { 201 } else { 200 }, &assignment))
}

/// `DELETE …/tenants/{tenantId}/assignments/{objectId}`: 204, also when there was none (a
/// retried delete has the same effect as the first).
fn delete_assignment(shared: &Shared, tenant_id: &str, object_id: &str) -> Result<Reply, ApiError> {
    shared.store().delete_assignment(tenant_id, object_id);
    Ok(Reply::no_content())
}

// --- Entra ID (preview) ---

/// `POST /access/entra/:exchangeAccessToken` (already authorized by the user's Entra ID
/// token): needs an assignment of the user (or of their tenant) listing the token's
/// application; answers the identity `8:acs:<resource>_wf_<tenant>_<object id>` (the form of
/// the spec's example) and a `chat,voip` token that expires with the user's token.
fn exchange_entra_id_token(
    shared: &Shared,
    req: &Request<'_>,
    user: &TeamsUser,
) -> Result<Reply, ApiError> {
    let _: preview::EntraExchangeTokenRequest = parse_json(req.body)?;
    let mut store = shared.store();
    if !store.entra_user_assigned(&user.tenant_id, &user.object_id, &user.app_id) {
        return Err(ApiError::entra_not_assigned());
    }
    let id = format!(
        "8:acs:{}_wf_{}_{}",
        shared.resource_id, user.tenant_id, user.object_id
    );
    store.add_user(&id);
    let token =
        AcsToken::identity(&id, "chat,voip".to_owned(), user.expires_on).issue(shared, &mut store);
    drop(store);
    Ok(Reply::json(
        200,
        &preview::CommunicationIdentityAccessTokenResult {
            identity: preview::CommunicationIdentity {
                id,
                custom_id: None,
                last_token_issued_at: None,
            },
            access_token: Some(preview::CommunicationIdentityAccessToken {
                token: token.token,
                expires_on: token.expires_on,
            }),
        },
    ))
}

/// The assignment of `object_id` that a request body (`{tenantId, principalType, clientIds}`)
/// describes, checked like the service's models: every field required, `tenantId` not empty,
/// a principal type the spec knows.
fn entra_assignment(object_id: &str, body: Value) -> Result<preview::EntraAssignment, ApiError> {
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
    let request: preview::EntraAssignmentCreateOrUpdateRequest = from_value(body)?;
    if let EntraPrincipalType::Other(value) = &request.principal_type {
        return Err(ApiError::unsupported_entra_principal_type(value));
    }
    Ok(preview::EntraAssignment {
        client_ids: request.client_ids,
        object_id: object_id.to_owned(),
        principal_type: request.principal_type,
        tenant_id: request.tenant_id,
    })
}

/// `GET /access/entra/assignments/{objectId}`: 404 when there is none.
fn get_entra_assignment(shared: &Shared, object_id: &str) -> Result<Reply, ApiError> {
    let store = shared.store();
    let assignment = store
        .entra_assignment(object_id)
        .ok_or_else(ApiError::entra_assignment_not_found)?;
    Ok(Reply::json(200, assignment))
}

/// `PUT /access/entra/assignments/{objectId}`: 201 when created, 200 when replaced.
fn upsert_entra_assignment(
    shared: &Shared,
    req: &Request<'_>,
    object_id: String,
) -> Result<Reply, ApiError> {
    let assignment = entra_assignment(&object_id, parse_json(req.body)?)?;
    let created = shared.store().put_entra_assignment(assignment.clone());
    Ok(Reply::json(if created { 201 } else { 200 }, &assignment))
}

/// Where a page of Entra ID assignments starts: `$skipToken` (or `skipToken`) of a next link.
/// Opaque to clients: `a.<object id, base64url>` continues the list after that object id;
/// `u.<id>.<offset>` continues the answer of a bulk update.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SkipToken {
    After(String),
    UpdateResult { id: String, offset: usize },
}

impl SkipToken {
    fn encode(&self) -> String {
        match self {
            SkipToken::After(object_id) => format!(
                "a.{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(object_id)
            ),
            SkipToken::UpdateResult { id, offset } => format!("u.{id}.{offset}"),
        }
    }

    fn parse(token: &str) -> Option<SkipToken> {
        match token.split_once('.')? {
            ("a", encoded) => {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(encoded)
                    .ok()?;
                Some(SkipToken::After(String::from_utf8(bytes).ok()?))
            }
            ("u", rest) => {
                let (id, offset) = rest.rsplit_once('.')?;
                Some(SkipToken::UpdateResult {
                    id: id.to_owned(),
                    offset: offset.parse().ok()?,
                })
            }
            _ => None,
        }
    }
}

/// A page of Entra ID assignments, with a `nextLink` when `next` is given: an absolute URL to
/// `GET /access/entra/assignments` on the host the request was sent to, with the request's
/// `api-version` and a `$skipToken`.
fn assignments_page(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
    value: Vec<preview::EntraAssignment>,
    next: Option<SkipToken>,
) -> Reply {
    let next_link = next.map(|token| {
        let host = req
            .header("host")
            .map_or_else(|| shared.authority.clone(), str::to_owned);
        format!(
            "{}://{host}/access/entra/assignments?api-version={}&$skipToken={}",
            shared.scheme,
            percent_encode(api_version),
            token.encode()
        )
    });
    Reply::json(200, &preview::EntraAssignmentsResponse { next_link, value })
}

/// `GET /access/entra/assignments`: at most [`EmulatorOptions::page_size`](super::EmulatorOptions::page_size)
/// assignments by object id, and a `nextLink` while more follow.
fn list_entra_assignments(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
) -> Result<Reply, ApiError> {
    let token = query_param(req.query(), "$skipToken")
        .or_else(|| query_param(req.query(), "skipToken"))
        .filter(|t| !t.is_empty());
    let token = match token {
        None => None,
        Some(t) => Some(SkipToken::parse(&t).ok_or_else(ApiError::invalid_skip_token)?),
    };
    let size = shared.page_size;
    let store = shared.store();
    let (value, next) = match token {
        None | Some(SkipToken::After(_)) => {
            let after = match &token {
                Some(SkipToken::After(a)) => Some(a.as_str()),
                _ => None,
            };
            let (page, more) = store.entra_page(after, size);
            let next = page
                .last()
                .filter(|_| more)
                .map(|last| SkipToken::After(last.object_id.clone()));
            (page, next)
        }
        Some(SkipToken::UpdateResult { id, offset }) => {
            let (page, more) = store
                .update_result_page(&id, offset, size)
                .ok_or_else(ApiError::invalid_skip_token)?;
            let next = more.then(|| SkipToken::UpdateResult {
                id,
                offset: offset + size,
            });
            (page, next)
        }
    };
    drop(store);
    Ok(assignments_page(shared, req, api_version, value, next))
}

/// `PATCH /access/entra/assignments` (`application/merge-patch+json`, else 415): a JSON object
/// of object id to assignment (created or replaced) or `null` (removed, also when there was
/// none). Every change is checked before any is applied. Answers 200 with the created and
/// replaced assignments by object id, paged like the list (`nextLink`), or 204 when there are
/// none to report (only removals, or no change).
fn update_entra_assignments(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
) -> Result<Reply, ApiError> {
    const MERGE_PATCH: &str = "application/merge-patch+json";
    let media_type = req
        .header("content-type")
        .map(|v| v.split(';').next().unwrap_or_default().trim());
    if !media_type.is_some_and(|m| m.eq_ignore_ascii_case(MERGE_PATCH)) {
        return Err(ApiError::unsupported_media_type(MERGE_PATCH));
    }
    let Value::Object(changes) = parse_json(req.body)? else {
        return Err(ApiError::invalid_body(
            "expected a JSON object of object ids to assignments or null.",
        ));
    };
    let mut upserts = Vec::new();
    let mut removals = Vec::new();
    for (object_id, change) in changes {
        if object_id.is_empty() {
            return Err(ApiError::invalid_body("an object id is empty."));
        }
        match change {
            Value::Null => removals.push(object_id),
            change => upserts.push(entra_assignment(&object_id, change)?),
        }
    }
    let size = shared.page_size;
    let mut store = shared.store();
    for object_id in &removals {
        store.delete_entra_assignment(object_id);
    }
    for assignment in &upserts {
        store.put_entra_assignment(assignment.clone());
    }
    if upserts.is_empty() {
        return Ok(Reply::no_content());
    }
    upserts.sort_by(|a, b| a.object_id.cmp(&b.object_id));
    let next = (upserts.len() > size).then(|| {
        let id = shared.random.guid();
        store.keep_update_result(id.clone(), upserts.clone());
        SkipToken::UpdateResult { id, offset: size }
    });
    drop(store);
    upserts.truncate(size);
    Ok(assignments_page(shared, req, api_version, upserts, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let id = || "8:acs:r_u".to_owned();
        assert_eq!(
            Route::parse("POST", "/identities"),
            Some(Route::CreateIdentity)
        );
        assert_eq!(
            Route::parse("DELETE", "/identities/8%3Aacs%3Ar_u"),
            Some(Route::DeleteIdentity(id()))
        );
        assert_eq!(
            Route::parse("POST", "/identities/8%3Aacs%3Ar_u/:issueAccessToken"),
            Some(Route::IssueAccessToken(id()))
        );
        assert_eq!(
            Route::parse("POST", "/identities/8:acs:r_u/:revokeAccessTokens"),
            Some(Route::RevokeAccessTokens(id()))
        );
        assert_eq!(
            Route::parse(
                "PUT",
                "/access/teamsExtension/tenants/t%2F1/assignments/o%3A1"
            ),
            Some(Route::UpsertAssignment("t/1".into(), "o:1".into()))
        );
        assert_eq!(
            Route::parse("GET", "/identities/8%3Aacs%3Ar_u"),
            Some(Route::GetIdentity(id()))
        );
        assert_eq!(
            Route::parse("PATCH", "/access/entra/assignments"),
            Some(Route::UpdateEntraAssignments)
        );
        assert_eq!(
            Route::parse("PUT", "/access/entra/assignments/o%3A1"),
            Some(Route::UpsertEntraAssignment("o:1".into()))
        );
        for (method, path) in [
            ("GET", "/identities"),
            ("POST", "/identities/"),
            ("POST", "//identities"),
            ("POST", "/identities/x/:issueToken"),
            ("PATCH", "/access/teamsExtension/tenants/t/assignments/o"),
            ("GET", "/access/teamsExtension/tenants//assignments/o"),
            ("POST", "/teamsUser/exchangeAccessToken"),
            ("POST", "/access/entra/assignments"),
            ("PATCH", "/access/entra/assignments/o"),
            ("GET", "/access/entra/assignments/"),
            ("GET", "/identities/"),
            ("GET", ""),
        ] {
            assert_eq!(Route::parse(method, path), None, "{method} {path}");
        }
    }

    #[test]
    fn the_official_sdks_default_version_serves_the_core_operations() {
        let core = [
            Route::CreateIdentity,
            Route::DeleteIdentity("x".into()),
            Route::IssueAccessToken("x".into()),
            Route::RevokeAccessTokens("x".into()),
            Route::ExchangeTeamsUserToken,
        ];
        for version in acs_identity::spec::API_VERSIONS {
            for operation in core.iter().map(Route::operation) {
                assert!(
                    operation_allowed(version, operation),
                    "{version} {operation}"
                );
            }
        }
        assert!(operation_allowed("2023-10-01", "create_identity"));
    }

    #[test]
    fn every_route_is_an_operation_of_the_table() {
        let id = || "x".to_owned();
        for route in [
            Route::CreateIdentity,
            Route::DeleteIdentity(id()),
            Route::IssueAccessToken(id()),
            Route::RevokeAccessTokens(id()),
            Route::ExchangeTeamsUserToken,
            Route::ExchangeTeamsExtensionToken,
            Route::GetAssignment(id(), id()),
            Route::UpsertAssignment(id(), id()),
            Route::DeleteAssignment(id(), id()),
            Route::GetIdentity(id()),
            Route::ExchangeEntraIdToken,
            Route::ListEntraAssignments,
            Route::UpdateEntraAssignments,
            Route::GetEntraAssignment(id()),
            Route::UpsertEntraAssignment(id()),
            Route::DeleteEntraAssignment(id()),
        ] {
            let operation = acs_identity::spec::Operation::by_name(route.operation());
            assert!(operation.is_some(), "{route:?}");
        }
        // The Teams extension came with 2025-06-30.
        assert!(!operation_allowed(
            "2023-10-01",
            "upsert_teams_extension_assignment"
        ));
        assert!(operation_allowed(
            "2025-06-30",
            "upsert_teams_extension_assignment"
        ));
        // Versions the SDK does not know are left to the caller.
        assert!(operation_allowed(
            "2099-01-01",
            "upsert_teams_extension_assignment"
        ));
        // The preview's own operations exist only there.
        let preview = acs_identity::spec::PREVIEW_API_VERSION;
        assert!(operation_allowed(preview, "get_identity"));
        assert!(!operation_allowed(
            acs_identity::spec::API_VERSION,
            "get_identity"
        ));
        assert!(!operation_allowed("2025-06-30", "list_entra_assignments"));
    }

    /// The emulator serves every operation of the SDK's table, at its method and path.
    #[test]
    fn every_operation_of_the_table_has_a_route() {
        for op in acs_identity::spec::OPERATIONS {
            let path: String = op
                .path
                .split('/')
                .map(|s| if s.starts_with('{') { "x" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let route = Route::parse(op.method, &path);
            assert_eq!(
                route.as_ref().map(Route::operation),
                Some(op.name),
                "{} {}",
                op.method,
                op.path
            );
        }
    }

    #[test]
    fn custom_ids_only_at_the_preview() {
        assert!(custom_ids_at(acs_identity::spec::PREVIEW_API_VERSION));
        assert!(!custom_ids_at(acs_identity::spec::API_VERSION));
        assert!(!custom_ids_at("2023-10-01"));
        assert!(custom_ids_at("2099-01-01"));
    }

    #[test]
    fn skip_tokens_round_trip() {
        for token in [
            SkipToken::After("o:1/é".into()),
            SkipToken::After(String::new()),
            SkipToken::UpdateResult {
                id: "a-b".into(),
                offset: 7,
            },
        ] {
            let encoded = token.encode();
            assert!(
                encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)),
                "{encoded}"
            );
            assert_eq!(SkipToken::parse(&encoded), Some(token));
        }
        for bad in ["", "a", "x.y", "a.!!", "u.id", "u.id.-1"] {
            assert_eq!(SkipToken::parse(bad), None, "{bad}");
        }
    }
}
