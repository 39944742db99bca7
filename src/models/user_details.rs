//! What the service knows of a user.

use crate::CommunicationUserIdentifier;
use chrono::{DateTime, Utc};

/// What the service knows of a user ([`get_user`](crate::CommunicationIdentityClient::get_user),
/// `GET /identities/{id}`).
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

impl From<crate::raw::types::CommunicationIdentity> for UserDetails {
    fn from(i: crate::raw::types::CommunicationIdentity) -> Self {
        UserDetails {
            user: CommunicationUserIdentifier::new(i.id),
            custom_id: i.custom_id,
            last_token_issued_at: i.last_token_issued_at,
        }
    }
}
