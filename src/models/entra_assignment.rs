//! Entra ID assignments and their bulk changes.

use crate::EntraPrincipalType;
use serde::{Deserialize, Serialize};

/// An Entra ID assignment: which Entra ID applications (client ids) of a tenant may
/// exchange the tokens of a principal (user, group or tenant) for Communication Services tokens.
///
/// Serializes as the service's JSON (`{"objectId", "tenantId", "principalType", "clientIds"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntraAssignment {
    object_id: String,
    tenant_id: String,
    principal_type: EntraPrincipalType,
    client_ids: Vec<String>,
}

impl EntraAssignment {
    /// An assignment from its parts, e.g. for a test double.
    pub fn new(
        object_id: impl Into<String>,
        tenant_id: impl Into<String>,
        principal_type: EntraPrincipalType,
        client_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        EntraAssignment {
            object_id: object_id.into(),
            tenant_id: tenant_id.into(),
            principal_type,
            client_ids: client_ids.into_iter().map(Into::into).collect(),
        }
    }

    /// The object id of the principal.
    pub fn object_id(&self) -> &str {
        &self.object_id
    }

    /// The principal's Entra ID tenant.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// What kind of principal the assignment is for.
    pub fn principal_type(&self) -> &EntraPrincipalType {
        &self.principal_type
    }

    /// The client ids of the Entra ID applications allowed.
    pub fn client_ids(&self) -> &[String] {
        &self.client_ids
    }
}

impl From<crate::raw::types::EntraAssignment> for EntraAssignment {
    fn from(a: crate::raw::types::EntraAssignment) -> Self {
        EntraAssignment {
            object_id: a.object_id,
            tenant_id: a.tenant_id,
            principal_type: a.principal_type,
            client_ids: a.client_ids,
        }
    }
}

/// Changes of Entra ID assignments sent in one request (
/// [`update_entra_assignments`](crate::CommunicationIdentityClient::update_entra_assignments)):
/// each object id is created or replaced, or removed.
///
/// ```
/// use acs_identity::{EntraAssignmentUpdates, EntraPrincipalType};
/// let updates = EntraAssignmentUpdates::new()
///     .upsert("<object id>", "<tenant id>", EntraPrincipalType::User, ["<client id>"])
///     .remove("<other object id>");
/// assert_eq!(updates.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntraAssignmentUpdates {
    /// Object id, and the new assignment or `None` to remove it.
    pub(crate) changes: Vec<(String, Option<AssignmentChange>)>,
}

/// The new assignment of an object id: tenant id, principal type, client ids.
pub(crate) type AssignmentChange = (String, EntraPrincipalType, Vec<String>);

impl EntraAssignmentUpdates {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates or replaces the assignment of `object_id`.
    pub fn upsert(
        mut self,
        object_id: impl Into<String>,
        tenant_id: impl Into<String>,
        principal_type: EntraPrincipalType,
        client_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let change = (
            tenant_id.into(),
            principal_type,
            client_ids.into_iter().map(Into::into).collect(),
        );
        self.changes.push((object_id.into(), Some(change)));
        self
    }

    /// Removes the assignment of `object_id` (sent as `null`).
    pub fn remove(mut self, object_id: impl Into<String>) -> Self {
        self.changes.push((object_id.into(), None));
        self
    }

    /// How many changes there are.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether there is no change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
