//! A Teams Phone extension assignment.

use crate::TeamsExtensionPrincipalType;
use serde::{Deserialize, Serialize};

/// A Teams Phone extension assignment, as the service returns it: which principal of which
/// tenant may use which Entra ID applications (client ids) with the Teams Phone extension.
///
/// Serializes as the service's JSON (`{"tenantId", "objectId", "principalType", "clientIds"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamsExtensionAssignment {
    tenant_id: String,
    object_id: String,
    principal_type: TeamsExtensionPrincipalType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    client_ids: Vec<String>,
}

impl TeamsExtensionAssignment {
    /// An assignment from its parts, e.g. for a test double.
    pub fn new(
        tenant_id: impl Into<String>,
        object_id: impl Into<String>,
        principal_type: TeamsExtensionPrincipalType,
        client_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        TeamsExtensionAssignment {
            tenant_id: tenant_id.into(),
            object_id: object_id.into(),
            principal_type,
            client_ids: client_ids.into_iter().map(Into::into).collect(),
        }
    }

    /// The Entra ID tenant of the principal.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The object id of the principal (a user or a resource account).
    pub fn object_id(&self) -> &str {
        &self.object_id
    }

    /// What kind of principal the assignment is for.
    pub fn principal_type(&self) -> &TeamsExtensionPrincipalType {
        &self.principal_type
    }

    /// The client ids of the Entra ID applications the principal may use.
    pub fn client_ids(&self) -> &[String] {
        &self.client_ids
    }
}

impl From<crate::raw::types::TeamsExtensionAssignmentResponse> for TeamsExtensionAssignment {
    fn from(a: crate::raw::types::TeamsExtensionAssignmentResponse) -> Self {
        TeamsExtensionAssignment {
            tenant_id: a.tenant_id,
            object_id: a.object_id,
            principal_type: a.principal_type,
            client_ids: a.client_ids,
        }
    }
}
