//! A user and its token, as an exchange of an Entra ID token returns them.

use crate::{AccessToken, CommunicationUserIdentifier};

/// A Communication Services user and a token for it, as
/// [`exchange_entra_id_token`](crate::CommunicationIdentityClient::exchange_entra_id_token)
/// returns them. Later API versions may return more; they become new accessors here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserToken {
    user: CommunicationUserIdentifier,
    token: AccessToken,
}

impl UserToken {
    /// A user and its token, e.g. for a test double.
    pub fn new(user: CommunicationUserIdentifier, token: AccessToken) -> Self {
        UserToken { user, token }
    }

    /// The user.
    pub fn user(&self) -> &CommunicationUserIdentifier {
        &self.user
    }

    /// Its token.
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// The user and its token.
    pub fn into_parts(self) -> (CommunicationUserIdentifier, AccessToken) {
        (self.user, self.token)
    }
}
