//! What creating a user returns.

use crate::{AccessToken, CommunicationUserIdentifier};

/// A user created by
/// [`create_user_with`](crate::CommunicationIdentityClient::create_user_with), and its token when
/// one was asked for. Later API versions may return more about the user; they become new
/// accessors here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedUser {
    user: CommunicationUserIdentifier,
    token: Option<AccessToken>,
}

impl CreatedUser {
    pub(crate) fn new(user: CommunicationUserIdentifier, token: Option<AccessToken>) -> Self {
        CreatedUser { user, token }
    }

    /// The new user.
    pub fn user(&self) -> &CommunicationUserIdentifier {
        &self.user
    }

    /// The token issued with the user, when scopes were given.
    pub fn token(&self) -> Option<&AccessToken> {
        self.token.as_ref()
    }

    /// The user and its token.
    pub fn into_parts(self) -> (CommunicationUserIdentifier, Option<AccessToken>) {
        (self.user, self.token)
    }
}
