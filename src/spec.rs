//! Facts of the vendored specs, read at build time from the table of API versions
//! (`spec/versions.toml`) and the specs it names: the API versions, the token lifetime bounds,
//! the known scopes and principal types, and every operation ([`OperationId`]) with its HTTP
//! method, path and the API versions that have it.
//!
//! A new API version updates these constants when the crate is rebuilt; the hand-written code
//! (expiry validation, scopes, request hooks) and the emulator read them instead of repeating
//! the spec.
//!
//! ```
//! use acs_identity::spec::OperationId;
//! let op = OperationId::GetTeamsExtensionAssignment.operation();
//! assert_eq!(op.path, "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}");
//! assert!(op.exists_at("2025-06-30") && !op.exists_at("2023-10-01"));
//! ```

/// An operation of the service: what the raw clients name their methods by, and where it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation's id: its index in [`OPERATIONS`].
    pub id: OperationId,
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
    /// The request body's properties that only some of the operation's versions have.
    pub body_properties: &'static [BodyProperty],
}

/// A property of an operation's request body that only some of the operation's API versions
/// have (e.g. `customId` of `create_identity`, a preview's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyProperty {
    /// The property's name on the wire.
    pub name: &'static str,
    /// The vendored API versions whose request body has it, oldest first.
    pub versions: &'static [&'static str],
}

impl OperationId {
    /// The operation's row of the table.
    pub fn operation(self) -> &'static Operation {
        &OPERATIONS[self as usize]
    }

    /// The operation's name: the raw client's method, e.g. `issue_access_token`.
    pub fn name(self) -> &'static str {
        self.operation().name
    }
}

impl Operation {
    /// Looks an operation up by its name.
    pub fn by_name(name: &str) -> Option<&'static Operation> {
        OperationId::from_name(name).map(OperationId::operation)
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

    /// Whether the request body may carry `property` at `api_version`: false only for a property
    /// that some versions of the operation lack, at a known version that lacks it.
    pub fn takes_at(&self, property: &str, api_version: &str) -> bool {
        self.body_properties
            .iter()
            .find(|p| p.name == property)
            .is_none_or(|p| {
                p.versions.contains(&api_version) || !API_VERSIONS.contains(&api_version)
            })
    }

    /// The API versions the operation needs, in words: `"2025-06-30 or later"` when every known
    /// version from its first on has it, else the list of versions that have it.
    pub fn needs(&self) -> String {
        in_words(self.versions, API_VERSIONS)
    }
}

impl BodyProperty {
    /// The API versions the property needs, in words, as [`Operation::needs`].
    pub fn needs(&self) -> String {
        in_words(self.versions, API_VERSIONS)
    }
}

/// `versions` in words: `"2025-06-30 or later"` when every stable version of `known` from the
/// first stable one of `versions` on is among them, else the list.
fn in_words(versions: &[&str], known: &[&str]) -> String {
    let stable = |v: &&&str| !v.ends_with("-preview");
    let Some(first) = versions.iter().find(stable) else {
        return versions.join(" or ");
    };
    let from = known.iter().position(|v| v == first).unwrap_or(0);
    if known[from..]
        .iter()
        .filter(stable)
        .all(|v| versions.contains(v))
    {
        format!("{first} or later")
    } else {
        versions.join(" or ")
    }
}

include!(concat!(env!("OUT_DIR"), "/spec_facts.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_index_the_table() {
        assert_eq!(OperationId::ALL.len(), OPERATIONS.len());
        for (index, &id) in OperationId::ALL.iter().enumerate() {
            assert_eq!(id as usize, index);
            assert_eq!(id.operation().id, id);
            assert_eq!(OperationId::from_name(id.name()), Some(id));
            assert_eq!(Operation::by_name(id.name()), Some(id.operation()));
            let op = id.operation();
            assert_eq!(Operation::by_route(op.method, op.path), Some(op));
        }
        assert_eq!(OperationId::from_name("no_such_operation"), None);
    }

    #[test]
    fn the_table_knows_where_each_operation_exists() {
        for op in OPERATIONS {
            assert!(!op.versions.is_empty(), "{}", op.name);
            for version in API_VERSIONS {
                assert_eq!(op.exists_at(version), op.versions.contains(version));
            }
            // A version the crate does not know is left to the service.
            assert!(op.exists_at("2099-01-01"));
            for p in op.body_properties {
                assert!(p.versions.iter().all(|v| op.versions.contains(v)), "{p:?}");
                assert!(p.versions.len() < op.versions.len(), "{p:?}");
                for version in op.versions {
                    assert_eq!(op.takes_at(p.name, version), p.versions.contains(version));
                }
                assert!(op.takes_at(p.name, "2099-01-01"));
            }
            assert!(op.takes_at("a property every version has", API_VERSION));
        }
    }

    /// What an operation or a property needs is said by its own versions: the first stable one
    /// "or later", or the list.
    #[test]
    fn each_operation_and_property_says_what_it_needs() {
        let said_by = |words: &str, versions: &[&str]| {
            words == versions.join(" or ")
                || versions.iter().any(|v| words == format!("{v} or later"))
        };
        for op in OPERATIONS {
            assert!(
                said_by(&op.needs(), op.versions),
                "{}: {}",
                op.name,
                op.needs()
            );
            for p in op.body_properties {
                assert!(said_by(&p.needs(), p.versions), "{p:?}: {}", p.needs());
            }
        }
        assert!(
            OPERATIONS.iter().any(|op| !op.body_properties.is_empty()),
            "a property is checked"
        );
    }

    #[test]
    fn versions_in_words() {
        // Versions of a made-up table: the rule, not the vendored versions.
        let known = [
            "2001-01-01",
            "2002-02-02-preview",
            "2003-03-03",
            "2004-04-04",
        ];
        assert_eq!(in_words(&known, &known), "2001-01-01 or later");
        assert_eq!(
            in_words(&["2002-02-02-preview", "2003-03-03", "2004-04-04"], &known),
            "2003-03-03 or later"
        );
        assert_eq!(
            in_words(&["2002-02-02-preview"], &known),
            "2002-02-02-preview"
        );
        assert_eq!(
            in_words(&["2001-01-01", "2004-04-04"], &known),
            "2001-01-01 or 2004-04-04"
        );
    }
}
