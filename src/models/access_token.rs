//! An access token issued by the service.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A Communication Services access token and its expiry.
///
/// `Debug` never shows the token. `Serialize` does (as `{"token", "expiresOn"}`, the service's
/// shape), since handing the token to a front end is what it is for.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AccessToken {
    /// The token (a JWT), to be used by chat, calling or SMS clients.
    token: String,
    /// When the token expires.
    #[serde(rename = "expiresOn")]
    expires_on: DateTime<Utc>,
}

impl AccessToken {
    /// Creates an access token from its parts.
    pub fn new(token: impl Into<String>, expires_on: DateTime<Utc>) -> Self {
        AccessToken {
            token: token.into(),
            expires_on,
        }
    }

    /// The token itself. Treat it as a secret.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// When the token expires.
    pub fn expires_on(&self) -> DateTime<Utc> {
        self.expires_on
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

impl From<crate::raw::types::CommunicationIdentityAccessToken> for AccessToken {
    fn from(t: crate::raw::types::CommunicationIdentityAccessToken) -> Self {
        AccessToken::new(t.token, t.expires_on)
    }
}
