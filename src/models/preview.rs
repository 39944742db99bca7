//! Models of the preview API version (feature `preview`): user details and Entra ID assignments.

use crate::{CommunicationUserIdentifier, EntraPrincipalType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the service knows of a user (`GET /identities/{id}`, preview).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDetails {
    user: CommunicationUserIdentifier,
    custom_id: Option<String>,
    last_token_issued_at: Option<DateTime<Utc>>,
}

impl UserDetails {
    /// The user.
    pub fn user(&self) -> &CommunicationUserIdentifier {
        &self.user
    }

    /// The custom id the user was created with, if any.
    pub fn custom_id(&self) -> Option<&str> {
        self.custom_id.as_deref()
    }

    /// When a token was last issued for the user, if ever.
    pub fn last_token_issued_at(&self) -> Option<DateTime<Utc>> {
        self.last_token_issued_at
    }
}

impl From<crate::raw::preview::types::CommunicationIdentity> for UserDetails {
    fn from(i: crate::raw::preview::types::CommunicationIdentity) -> Self {
        UserDetails {
            user: CommunicationUserIdentifier::new(i.id),
            custom_id: i.custom_id,
            last_token_issued_at: i.last_token_issued_at,
        }
    }
}

/// An Entra ID assignment (preview): which Entra ID applications (client ids) of a tenant may
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

impl From<crate::raw::preview::types::EntraAssignment> for EntraAssignment {
    fn from(a: crate::raw::preview::types::EntraAssignment) -> Self {
        EntraAssignment {
            object_id: a.object_id,
            tenant_id: a.tenant_id,
            principal_type: a.principal_type,
            client_ids: a.client_ids,
        }
    }
}

/// Changes of Entra ID assignments sent in one request (preview,
/// [`update_entra_assignments`](crate::CommunicationIdentityClient::update_entra_assignments)):
/// each object id is created or replaced, or removed.
///
/// ```
/// # #[cfg(feature = "preview")] {
/// use acs_identity::{EntraAssignmentUpdates, EntraPrincipalType};
/// let updates = EntraAssignmentUpdates::new()
///     .upsert("<object id>", "<tenant id>", EntraPrincipalType::User, ["<client id>"])
///     .remove("<other object id>");
/// assert_eq!(updates.len(), 2);
/// # }
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
