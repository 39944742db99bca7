//! Facts of the vendored specs, read at build time: the API versions, the token lifetime bounds,
//! the known scopes and principal types, and every operation with its HTTP method, path and the
//! API versions that have it.
//!
//! A new API version updates these constants when the crate is rebuilt; the hand-written code
//! (expiry validation, scopes, request hooks) and the emulator read them instead of repeating
//! the spec.
//!
//! ```
//! use acs_identity::spec::Operation;
//! let op = Operation::by_name("get_teams_extension_assignment").unwrap();
//! assert_eq!(op.path, "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}");
//! assert!(op.exists_at("2025-06-30") && !op.exists_at("2023-10-01"));
//! ```

/// An operation of the service: what the raw clients name their methods by, and where it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name, which is also the method's name in the raw clients, e.g.
    /// `issue_access_token`. Names do not depend on a version's operationIds.
    pub name: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template relative to the endpoint, e.g. `/identities/{id}`.
    pub path: &'static str,
    /// The vendored API versions that have the operation, oldest first.
    pub versions: &'static [&'static str],
    /// Whether the request body is optional (sent only when it is not empty).
    pub(crate) optional_body: bool,
    /// Whether the body is sent as `application/merge-patch+json`.
    pub(crate) merge_patch: bool,
    /// Whether a 204 without a body is a success beside the success with a body.
    pub(crate) no_content_success: bool,
    /// The answer's property holding the next page's link, for a pageable operation.
    pub(crate) next_link: Option<&'static str>,
}

impl Operation {
    /// Looks an operation up by its name.
    pub fn by_name(name: &str) -> Option<&'static Operation> {
        OPERATIONS.iter().find(|op| op.name == name)
    }

    /// Looks an operation up by its HTTP method and path template.
    pub fn by_route(method: &str, path: &str) -> Option<&'static Operation> {
        OPERATIONS
            .iter()
            .find(|op| op.method.eq_ignore_ascii_case(method) && op.path == path)
    }

    /// Whether the operation exists at `api_version`. A version the crate does not know (not in
    /// [`API_VERSIONS`]) is assumed to have it: only the service can tell.
    pub fn exists_at(&self, api_version: &str) -> bool {
        self.versions.contains(&api_version) || !API_VERSIONS.contains(&api_version)
    }

    /// The API versions the operation needs, in words: `"2025-06-30 or later"` when every known
    /// version from its first on has it, else the list of versions that have it.
    pub fn needs(&self) -> String {
        let stable = |v: &&&str| !v.contains("preview");
        let Some(first) = self.versions.iter().find(stable) else {
            return self.versions.join(" or ");
        };
        let from = API_VERSIONS.iter().position(|v| v == first).unwrap_or(0);
        if API_VERSIONS[from..]
            .iter()
            .filter(stable)
            .all(|v| self.versions.contains(v))
        {
            format!("{first} or later")
        } else {
            self.versions.join(" or ")
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/spec_facts.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_knows_where_each_operation_exists() {
        let create = Operation::by_route("post", "/identities").unwrap();
        assert_eq!(create.name, "create_identity");
        assert_eq!(create.versions, API_VERSIONS);
        assert_eq!(create.needs(), format!("{} or later", API_VERSIONS[0]));
        let teams = Operation::by_name("upsert_teams_extension_assignment").unwrap();
        assert!(!teams.exists_at("2023-10-01"));
        assert!(teams.exists_at("2025-06-30") && teams.exists_at(API_VERSION));
        assert_eq!(teams.needs(), "2025-06-30 or later");
        let get = Operation::by_name("get_identity").unwrap();
        assert_eq!(get.versions, ["2025-03-02-preview"]);
        assert_eq!(get.needs(), "2025-03-02-preview");
        assert!(!get.exists_at(API_VERSION));
        // A version the crate does not know is left to the service.
        assert!(get.exists_at("2099-01-01"));
        assert_eq!(OPERATIONS.len(), 16);
    }
}
