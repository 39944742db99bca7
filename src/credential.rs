//! Credentials: the resource's access key, or an Entra ID token credential.

use crate::AccessKey;
use chrono::{DateTime, Utc};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The Entra ID scope of Communication Services (the double slash is correct).
pub const COMMUNICATION_SCOPE: &str = "https://communication.azure.com//.default";

/// The error a [`TokenCredential`] returns.
pub type CredentialError = Box<dyn std::error::Error + Send + Sync>;

/// A boxed future, as returned by [`TokenCredential::get_token`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An Entra ID bearer token and its expiry. `Debug` never shows the token.
#[derive(Clone)]
pub struct BearerToken {
    token: Zeroizing<String>,
    expires_on: DateTime<Utc>,
}

impl BearerToken {
    /// Creates a bearer token.
    pub fn new(token: impl Into<String>, expires_on: DateTime<Utc>) -> Self {
        BearerToken {
            token: Zeroizing::new(token.into()),
            expires_on,
        }
    }

    /// The token. Treat it as a secret.
    pub fn secret(&self) -> &str {
        &self.token
    }

    /// When the token expires.
    pub fn expires_on(&self) -> DateTime<Utc> {
        self.expires_on
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// A source of Entra ID tokens, e.g. a managed identity or a service principal.
///
/// The client asks for [`COMMUNICATION_SCOPE`], caches the token, and asks again shortly before
/// it expires; concurrent requests share one refresh.
///
/// ```
/// use acs_identity::{BearerToken, BoxFuture, CredentialError, TokenCredential};
///
/// #[derive(Debug)]
/// struct Static(String);
///
/// impl TokenCredential for Static {
///     fn get_token<'a>(&'a self, _scopes: &'a [&'a str])
///         -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
///         let expires = chrono::Utc::now() + chrono::Duration::hours(1);
///         Box::pin(async move { Ok(BearerToken::new(self.0.clone(), expires)) })
///     }
/// }
/// ```
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// Gets a token for `scopes`.
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>>;
}

/// How a client authenticates: the resource's access key (HMAC-SHA256 signing) or an Entra ID
/// token credential (`Authorization: Bearer`).
#[derive(Clone)]
pub enum Credential {
    /// The resource's access key.
    AccessKey(AccessKey),
    /// An Entra ID token credential.
    TokenCredential(Arc<dyn TokenCredential>),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::AccessKey(_) => f.write_str("Credential::AccessKey(<redacted>)"),
            Credential::TokenCredential(c) => f
                .debug_tuple("Credential::TokenCredential")
                .field(c)
                .finish(),
        }
    }
}

impl From<AccessKey> for Credential {
    fn from(key: AccessKey) -> Self {
        Credential::AccessKey(key)
    }
}

impl From<Arc<dyn TokenCredential>> for Credential {
    fn from(c: Arc<dyn TokenCredential>) -> Self {
        Credential::TokenCredential(c)
    }
}

impl<T: TokenCredential + 'static> From<Arc<T>> for Credential {
    fn from(c: Arc<T>) -> Self {
        Credential::TokenCredential(c)
    }
}
