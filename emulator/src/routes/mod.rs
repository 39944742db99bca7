//! The operations of the Identity API at every vendored API version: a request is routed by the
//! SDK's table of operations ([`acs_identity::spec::OPERATIONS`]) to an
//! [`OperationId`], then answered by one exhaustive `match` on it, so that an operation a new
//! API version adds to the table does not compile until the emulator answers it. Bodies are
//! read and written with the spec's models in [`acs_identity::raw::types`] (the union of every
//! version's).
//!
//! The answers, by resource: [`identities`], [`teams_user`], [`teams_extension`], [`entra_id`]
//! (and [`entra_pages`], its lists and bulk updates); [`common`] holds the checks they share.

mod common;
mod entra_id;
mod entra_pages;
mod identities;
mod teams_extension;
mod teams_user;

use super::http::{Reply, Request};

use super::auth::{self, Rejection, TeamsUser};
use super::errors::ApiError;
use super::record::AuthOutcome;
use super::state::Shared;
use super::wire::{percent_decode, query_param};
use acs_identity::spec::{API_VERSIONS, OPERATIONS, OperationId};

/// The path parameters of a request, percent-decoded, in the order of its operation's path
/// template.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Params(Vec<String>);

impl Params {
    /// The parameters of an operation whose path template has `N` of them.
    ///
    /// # Panics
    ///
    /// When the template has another number (a mistake of [`answer`], which the unit test
    /// `every_operation_is_answered` catches).
    fn take<const N: usize>(self) -> [String; N] {
        self.0.try_into().unwrap_or_else(|params: Vec<String>| {
            panic!("the path has {} parameters, not {N}", params.len())
        })
    }
}

/// The operation a request is for, and its path parameters: the first operation of
/// [`OPERATIONS`] with the request's method whose path template matches the path segment by
/// segment. A `{param}` segment matches one non-empty segment, percent-decoded (a parameter
/// keeps its raw text when it is not valid percent-encoding; identity ids are then refused as
/// malformed); every other segment (`identities`, `:issueAccessToken`, ...) must equal the
/// percent-decoded segment. `None` when no operation matches.
fn route(method: &str, path: &str) -> Option<(OperationId, Params)> {
    let segments: Vec<String> = path
        .strip_prefix('/')?
        .split('/')
        .map(|s| percent_decode(s).unwrap_or_else(|| s.to_owned()))
        .collect();
    OPERATIONS
        .iter()
        .filter(|op| op.method == method)
        .find_map(|op| {
            let template: Vec<&str> = op.path.strip_prefix('/')?.split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut params = Vec::new();
            for (pattern, segment) in template.iter().zip(&segments) {
                if is_parameter(pattern) {
                    if segment.is_empty() {
                        return None;
                    }
                    params.push(segment.clone());
                } else if pattern != segment {
                    return None;
                }
            }
            Some((op.id, Params(params)))
        })
}

/// Whether a path template's segment is a parameter: `{name}`, whole.
fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Whether the emulator serves `operation` at API version `api_version`: when the SDK's table
/// of the vendored versions has it there ([`acs_identity::spec::Operation::exists_at`]), the
/// one place that decides which operation exists at which version. A version the table does
/// not know is refused as the service refuses it, unless the emulator serves any version
/// (`--any-api-version`, [`EmulatorOptions::any_api_version`](crate::EmulatorOptions::any_api_version)),
/// where it serves every operation.
fn operation_allowed(api_version: &str, operation: OperationId, any_version: bool) -> bool {
    let op = operation.operation();
    if API_VERSIONS.contains(&api_version) {
        op.exists_at(api_version)
    } else {
        any_version
    }
}

/// Whether `operation` is authorized by the user's own Entra ID token as bearer (the token
/// exchanges of the Teams extension and Entra ID), rather than by the resource's credentials
/// (the access key, or a bearer token of the emulator's credential).
fn by_users_own_token(operation: OperationId) -> bool {
    match operation {
        OperationId::ExchangeTeamsExtensionToken | OperationId::ExchangeEntraIdToken => true,
        OperationId::CreateIdentity
        | OperationId::GetIdentity
        | OperationId::DeleteIdentity
        | OperationId::IssueAccessToken
        | OperationId::RevokeAccessTokens
        | OperationId::ExchangeTeamsUserAccessToken
        | OperationId::GetTeamsExtensionAssignment
        | OperationId::UpsertTeamsExtensionAssignment
        | OperationId::DeleteTeamsExtensionAssignment
        | OperationId::ListEntraAssignments
        | OperationId::UpdateEntraAssignments
        | OperationId::GetEntraAssignment
        | OperationId::UpsertEntraAssignment
        | OperationId::DeleteEntraAssignment => false,
    }
}

/// Who a request was authenticated as.
enum Caller {
    /// The resource: its access key, or a bearer token of the emulator's credential.
    Resource(AuthOutcome),
    /// A user, by their own Entra ID token ([`by_users_own_token`]).
    User(TeamsUser),
}

impl Caller {
    fn outcome(&self) -> AuthOutcome {
        match self {
            Caller::Resource(outcome) => *outcome,
            Caller::User(_) => AuthOutcome::TeamsUserToken,
        }
    }

    /// The user of an operation authorized by the user's own token. [`authenticate`] gives a
    /// user for exactly those operations; the resource's credentials are denied there.
    fn user(&self) -> Result<&TeamsUser, ApiError> {
        match self {
            Caller::User(user) => Ok(user),
            Caller::Resource(_) => Err(ApiError::denied()),
        }
    }
}

/// Authenticates a request for `operation` by the credentials that operation takes.
fn authenticate(
    shared: &Shared,
    req: &Request<'_>,
    operation: OperationId,
) -> Result<Caller, Rejection> {
    if by_users_own_token(operation) {
        auth::users_own_token(shared, req).map(Caller::User)
    } else {
        auth::resource_operation(shared, req).map(Caller::Resource)
    }
}

/// Answers a request: route, `api-version`, whether the operation exists at that version,
/// authentication, then the operation.
pub(crate) fn handle(shared: &Shared, req: &Request<'_>) -> (Reply, AuthOutcome) {
    let Some((operation, params)) = route(req.method, req.path()) else {
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
    if !operation_allowed(&api_version, operation, shared.any_api_version) {
        let uri = format!("{}{}", shared.base_url(req.header("host")), req.path());
        return (
            ApiError::unsupported_api_version(&uri, &api_version, operation).into(),
            AuthOutcome::NotChecked,
        );
    }
    let caller = match authenticate(shared, req, operation) {
        Ok(caller) => caller,
        Err(rejection) => {
            return (
                rejection.error.into(),
                AuthOutcome::Rejected(rejection.failure),
            );
        }
    };
    let reply = answer(shared, req, &api_version, operation, params, &caller);
    (reply.unwrap_or_else(Reply::from), caller.outcome())
}

/// Answers an authenticated request for `operation` at `api_version` (one it has): every
/// operation of the table, and nothing else (no `_` arm: a new operation does not compile until
/// it is answered here, if only with 501 `NotImplemented`).
fn answer(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
    operation: OperationId,
    params: Params,
    caller: &Caller,
) -> Result<Reply, ApiError> {
    match operation {
        // Identities.
        OperationId::CreateIdentity => identities::create(shared, req, api_version),
        OperationId::GetIdentity => {
            let [id] = params.take();
            identities::get(shared, &id)
        }
        OperationId::DeleteIdentity => {
            let [id] = params.take();
            identities::delete(shared, &id)
        }
        OperationId::IssueAccessToken => {
            let [id] = params.take();
            identities::issue_access_token(shared, req, &id)
        }
        OperationId::RevokeAccessTokens => {
            let [id] = params.take();
            identities::revoke_access_tokens(shared, &id)
        }
        // Teams users.
        OperationId::ExchangeTeamsUserAccessToken => teams_user::exchange(shared, req),
        // The Teams extension.
        OperationId::ExchangeTeamsExtensionToken => {
            teams_extension::exchange(shared, req, caller.user()?)
        }
        OperationId::GetTeamsExtensionAssignment => {
            let [tenant_id, object_id] = params.take();
            teams_extension::get_assignment(shared, &tenant_id, &object_id)
        }
        OperationId::UpsertTeamsExtensionAssignment => {
            let [tenant_id, object_id] = params.take();
            teams_extension::upsert_assignment(shared, req, tenant_id, object_id)
        }
        OperationId::DeleteTeamsExtensionAssignment => {
            let [tenant_id, object_id] = params.take();
            teams_extension::delete_assignment(shared, &tenant_id, &object_id)
        }
        // Entra ID.
        OperationId::ExchangeEntraIdToken => entra_id::exchange(shared, req, caller.user()?),
        OperationId::GetEntraAssignment => {
            let [object_id] = params.take();
            entra_id::get_assignment(shared, &object_id)
        }
        OperationId::UpsertEntraAssignment => {
            let [object_id] = params.take();
            entra_id::upsert_assignment(shared, req, object_id)
        }
        OperationId::DeleteEntraAssignment => {
            let [object_id] = params.take();
            entra_id::delete_assignment(shared, &object_id)
        }
        OperationId::ListEntraAssignments => entra_pages::list(shared, req, api_version),
        OperationId::UpdateEntraAssignments => entra_pages::update(shared, req, api_version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acs_identity::spec::API_VERSION;
    use hyper::HeaderMap;

    /// The path of `op` with every parameter `x`.
    fn instantiated(op: &acs_identity::spec::Operation) -> String {
        op.path
            .split('/')
            .map(|s| if is_parameter(s) { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn a_parameter_is_a_whole_braced_segment() {
        assert!(is_parameter("{id}"));
        assert!(is_parameter("{}"));
        for literal in ["identities", ":issueAccessToken", "{id", "id}", "x{id}"] {
            assert!(!is_parameter(literal), "{literal}");
        }
    }

    #[test]
    fn routes() {
        let id = || Params(vec!["8:acs:r_u".to_owned()]);
        let ids = |ids: &[&str]| Params(ids.iter().map(|s| (*s).to_owned()).collect());
        assert_eq!(
            route("POST", "/identities"),
            Some((OperationId::CreateIdentity, ids(&[])))
        );
        assert_eq!(
            route("DELETE", "/identities/8%3Aacs%3Ar_u"),
            Some((OperationId::DeleteIdentity, id()))
        );
        assert_eq!(
            route("POST", "/identities/8%3Aacs%3Ar_u/:issueAccessToken"),
            Some((OperationId::IssueAccessToken, id()))
        );
        assert_eq!(
            route("POST", "/identities/8:acs:r_u/:revokeAccessTokens"),
            Some((OperationId::RevokeAccessTokens, id()))
        );
        assert_eq!(
            route(
                "PUT",
                "/access/teamsExtension/tenants/t%2F1/assignments/o%3A1"
            ),
            Some((
                OperationId::UpsertTeamsExtensionAssignment,
                ids(&["t/1", "o:1"])
            ))
        );
        assert_eq!(
            route("GET", "/identities/8%3Aacs%3Ar_u"),
            Some((OperationId::GetIdentity, id()))
        );
        assert_eq!(
            route("PATCH", "/access/entra/assignments"),
            Some((OperationId::UpdateEntraAssignments, ids(&[])))
        );
        assert_eq!(
            route("PUT", "/access/entra/assignments/o%3A1"),
            Some((OperationId::UpsertEntraAssignment, ids(&["o:1"])))
        );
        // Not valid percent-encoding: the raw text.
        assert_eq!(
            route("DELETE", "/identities/8%3"),
            Some((OperationId::DeleteIdentity, ids(&["8%3"])))
        );
        for (method, path) in [
            ("GET", "/identities"),
            ("post", "/identities"),
            ("POST", "/identities/"),
            ("POST", "//identities"),
            ("POST", "/identities/x/:issueToken"),
            ("POST", "/identities/x/:IssueAccessToken"),
            ("POST", "/identities/x/:issueAccessToken/"),
            ("PATCH", "/access/teamsExtension/tenants/t/assignments/o"),
            ("GET", "/access/teamsExtension/tenants//assignments/o"),
            ("POST", "/teamsUser/exchangeAccessToken"),
            ("POST", "/access/entra/assignments"),
            ("PATCH", "/access/entra/assignments/o"),
            ("GET", "/access/entra/assignments/"),
            ("GET", "/identities/"),
            ("GET", "identities/x"),
            ("GET", ""),
        ] {
            assert_eq!(route(method, path), None, "{method} {path}");
        }
    }

    /// The emulator serves every operation of the SDK's table, at its method and path, and no
    /// path of the table is taken by another operation.
    #[test]
    fn every_operation_of_the_table_has_a_route() {
        for op in OPERATIONS {
            let params = op.path.matches('{').count();
            assert_eq!(
                route(op.method, &instantiated(op)),
                Some((op.id, Params(vec!["x".to_owned(); params]))),
                "{} {}",
                op.method,
                op.path
            );
        }
    }

    /// [`answer`] takes as many parameters of every operation as its path template has.
    #[test]
    fn every_operation_is_answered() {
        let shared = Shared::detached("r");
        let headers = HeaderMap::new();
        for &operation in OperationId::ALL {
            let op = operation.operation();
            let path = instantiated(op);
            let (routed, params) = route(op.method, &path).unwrap();
            assert_eq!(routed, operation);
            let req = Request {
                method: op.method,
                path_and_query: &path,
                headers: &headers,
                body: b"",
            };
            // Whatever the answer (mostly a refusal of the empty body or the id `x`), it is one.
            let caller = Caller::Resource(AuthOutcome::AccessKey);
            let _ = answer(&shared, &req, API_VERSION, operation, params, &caller);
        }
    }

    #[test]
    fn the_users_own_token_authorizes_only_the_exchanges_of_a_user() {
        for &operation in OperationId::ALL {
            let name = operation.name();
            let exchange = matches!(
                name,
                "exchange_teams_extension_token" | "exchange_entra_id_token"
            );
            assert_eq!(by_users_own_token(operation), exchange, "{name}");
        }
    }

    #[test]
    fn the_official_sdks_default_version_serves_the_core_operations() {
        let core = [
            OperationId::CreateIdentity,
            OperationId::DeleteIdentity,
            OperationId::IssueAccessToken,
            OperationId::RevokeAccessTokens,
            OperationId::ExchangeTeamsUserAccessToken,
        ];
        for version in API_VERSIONS {
            for operation in core {
                assert!(
                    operation_allowed(version, operation, false),
                    "{version} {operation:?}"
                );
            }
        }
        // The version the official SDKs send.
        assert!(operation_allowed(
            "2023-10-01",
            OperationId::CreateIdentity,
            false
        ));
    }

    #[test]
    fn operations_are_allowed_where_the_table_has_them() {
        for &operation in OperationId::ALL {
            let op = operation.operation();
            for version in API_VERSIONS {
                assert_eq!(
                    operation_allowed(version, operation, false),
                    op.versions.contains(version),
                    "{version} {operation:?}"
                );
            }
            // Versions the SDK does not know are refused, as the service refuses them, unless
            // the emulator serves any version; a near miss of a real one is unknown too.
            for unknown in ["2099-01-01", "2023-10-1", "2023-10-01 ", ""] {
                assert!(!operation_allowed(unknown, operation, false), "{unknown}");
                assert!(operation_allowed(unknown, operation, true), "{unknown}");
            }
        }
        // Pinned on purpose: the Teams extension came with 2025-06-30, and the preview
        // 2025-03-02-preview has operations (user details, Entra ID) no stable version has.
        let upsert = OperationId::UpsertTeamsExtensionAssignment;
        assert!(!operation_allowed("2023-10-01", upsert, false));
        assert!(operation_allowed("2025-06-30", upsert, true));
        assert!(operation_allowed(
            "2025-03-02-preview",
            OperationId::GetIdentity,
            false
        ));
        assert!(!operation_allowed(
            "2025-06-30",
            OperationId::ListEntraAssignments,
            true
        ));
    }
}
