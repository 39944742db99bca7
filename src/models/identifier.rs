//! The identifier of a Communication Services user.

use serde::{Deserialize, Serialize};

/// A Communication Services user, as created by
/// [`create_user`](crate::CommunicationIdentityClient::create_user).
///
/// ```
/// use acs_identity::CommunicationUserIdentifier;
/// let user = CommunicationUserIdentifier::new("8:acs:resource_user");
/// assert_eq!(user.id(), "8:acs:resource_user");
/// ```
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct CommunicationUserIdentifier {
    /// The user's id, e.g. `8:acs:<resource id>_<user id>`.
    id: String,
}

impl CommunicationUserIdentifier {
    /// The longest id, in bytes (UTF-8), that an operation sends; the same bound holds for the
    /// tenant and object ids of the Teams extension assignments. A longer id is refused before
    /// anything is sent (an error of kind
    /// [`InvalidArgument`](crate::ErrorKind::InvalidArgument)), as is an id that is blank or
    /// starts or ends with whitespace. The service's ids (`8:acs:<resource id>_<user id>`) have
    /// about 90 bytes.
    pub const MAX_ID_LEN: usize = 1024;

    /// Wraps an id returned by the service earlier (e.g. stored in your database).
    pub fn new(id: impl Into<String>) -> Self {
        CommunicationUserIdentifier { id: id.into() }
    }

    /// The user's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Consumes the identifier, returning the id.
    pub fn into_id(self) -> String {
        self.id
    }
}

impl std::fmt::Display for CommunicationUserIdentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

impl From<String> for CommunicationUserIdentifier {
    fn from(id: String) -> Self {
        Self::new(id)
    }
}

impl From<&str> for CommunicationUserIdentifier {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}
