//! The name of each operation: the one line a maintainer adds for a new operation.
//!
//! The raw client's methods (and `acs_identity::spec::OperationId`) are named by this table,
//! not by the spec's operationIds (adjustment `operation-names`).

/// The name of every operation of every vendored version, by HTTP method and path (adjustment
/// `operation-names`). An operation missing here is a build error naming it: give it a name
/// (the raw client's method name) in one more line.
pub(crate) const OPERATION_NAMES: &[(&str, &str, &str)] = &[
    ("POST", "/identities", "create_identity"),
    ("GET", "/identities/{id}", "get_identity"),
    ("DELETE", "/identities/{id}", "delete_identity"),
    (
        "POST",
        "/identities/{id}/:issueAccessToken",
        "issue_access_token",
    ),
    (
        "POST",
        "/identities/{id}/:revokeAccessTokens",
        "revoke_access_tokens",
    ),
    (
        "POST",
        "/teamsUser/:exchangeAccessToken",
        "exchange_teams_user_access_token",
    ),
    (
        "POST",
        "/access/teamsExtension/:exchangeAccessToken",
        "exchange_teams_extension_token",
    ),
    (
        "GET",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "get_teams_extension_assignment",
    ),
    (
        "PUT",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "upsert_teams_extension_assignment",
    ),
    (
        "DELETE",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "delete_teams_extension_assignment",
    ),
    (
        "POST",
        "/access/entra/:exchangeAccessToken",
        "exchange_entra_id_token",
    ),
    ("GET", "/access/entra/assignments", "list_entra_assignments"),
    (
        "PATCH",
        "/access/entra/assignments",
        "update_entra_assignments",
    ),
    (
        "GET",
        "/access/entra/assignments/{objectId}",
        "get_entra_assignment",
    ),
    (
        "PUT",
        "/access/entra/assignments/{objectId}",
        "upsert_entra_assignment",
    ),
    (
        "DELETE",
        "/access/entra/assignments/{objectId}",
        "delete_entra_assignment",
    ),
];
