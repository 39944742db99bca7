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
/// The client asks for [`COMMUNICATION_SCOPE`], caches the token, and asks again when it has
/// less than 5 minutes left; concurrent requests share one refresh. When that refresh fails
/// while the cached token is still valid, the client keeps using the cached token and asks
/// again 30 seconds later at the earliest; calls fail only once no valid token is left.
///
/// # Errors
///
/// When the credential fails and no valid token is cached, the operation fails with an
/// [`Error`](crate::Error) of kind [`Credential`](crate::ErrorKind::Credential) whose `Display`
/// names the credential's error: its message and those of its
/// [`source`](std::error::Error::source)s, e.g. `credential error: the token credential failed
/// to provide a token: az not found` (the error itself stays the error's `source`). So that
/// this never shows a secret, the message is cut at 300 characters, and words shaped like a
/// token (`eyJ…` with two dots) and the word after `Bearer ` are shown as `<redacted>`. The
/// Azure SDK's credentials put no secret in their errors; a credential of your own must not
/// either (no client secret, certificate or password in its `Display`).
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
