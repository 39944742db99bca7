//! Entra ID authentication by the Azure SDK's credentials (feature `azure_core`).

use crate::credential::{BearerToken, BoxFuture, Credential, CredentialError, TokenCredential};
use azure_core::credentials::TokenCredential as AzureTokenCredential;
use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::Arc;

/// An [`azure_core::credentials::TokenCredential`] as this crate's
/// [`TokenCredential`](crate::TokenCredential) (feature `azure_core`).
///
/// Any credential of the Azure SDK, e.g. `azure_identity`'s `ManagedIdentityCredential`,
/// `DeveloperToolsCredential`, `ClientSecretCredential` or `WorkloadIdentityCredential`,
/// authenticates a [`CommunicationIdentityClient`](crate::CommunicationIdentityClient): the client
/// asks it for [`COMMUNICATION_SCOPE`](crate::COMMUNICATION_SCOPE), caches the token
/// and asks again shortly before it expires. The tokens are never logged, and `Debug` shows only
/// the wrapped credential's `Debug` (the Azure SDK's credentials show no secret there).
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use acs_identity::{AzureCoreCredential, CommunicationIdentityClient};
/// use azure_core::credentials::TokenCredential;
/// use azure_identity::DeveloperToolsCredential;
/// use std::sync::Arc;
///
/// let endpoint = "https://my-resource.communication.azure.com";
///
/// // A credential of a concrete type (`Arc<DeveloperToolsCredential>`):
/// let credential = DeveloperToolsCredential::new(None)?;
/// let client = CommunicationIdentityClient::new(endpoint, AzureCoreCredential::new(credential), None)?;
///
/// // An `Arc<dyn TokenCredential>`, as the Azure SDK's own clients take, converts directly:
/// let credential: Arc<dyn TokenCredential> = DeveloperToolsCredential::new(None)?;
/// let client = CommunicationIdentityClient::new(endpoint, credential, None)?;
/// # Ok(()) }
/// ```
///
/// # Why a wrapper
///
/// `CommunicationIdentityClient::new` takes `impl Into<Credential>`, and [`Credential`] already
/// converts from every `Arc<T>` whose `T` implements this crate's
/// [`TokenCredential`](crate::TokenCredential). A second blanket conversion from every
/// `Arc<T>` whose `T` implements `azure_core`'s trait would overlap with it (the compiler rejects
/// it), and implementing this crate's trait for every `azure_core` credential would make turning
/// the feature on a breaking change for code that implements both traits for one type, or calls
/// `get_token` with both traits in scope. So an `Arc<dyn azure_core::credentials::TokenCredential>`
/// converts directly, and a credential of a concrete type goes through
/// [`AzureCoreCredential::new`] (or [`Credential::from_azure_core`]), which takes it as
/// `Arc<dyn …>`: the coercion happens at the call.
#[cfg_attr(docsrs, doc(cfg(feature = "azure_core")))]
#[derive(Clone)]
pub struct AzureCoreCredential {
    credential: Arc<dyn AzureTokenCredential>,
}

impl AzureCoreCredential {
    /// Wraps `credential`, e.g. `azure_identity::ManagedIdentityCredential::new(None)?`.
    pub fn new(credential: Arc<dyn AzureTokenCredential>) -> Self {
        AzureCoreCredential { credential }
    }

    /// The wrapped credential.
    pub fn inner(&self) -> &Arc<dyn AzureTokenCredential> {
        &self.credential
    }
}

impl fmt::Debug for AzureCoreCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AzureCoreCredential")
            .field(&self.credential)
            .finish()
    }
}

impl TokenCredential for AzureCoreCredential {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        Box::pin(async move {
            let token = self.credential.get_token(scopes, None).await?;
            let expires_on = token.expires_on;
            let expires_on = DateTime::<Utc>::from_timestamp(
                expires_on.unix_timestamp(),
                expires_on.nanosecond(),
            )
            .ok_or_else(|| -> CredentialError {
                format!("the token credential returned an out-of-range expiry ({expires_on})")
                    .into()
            })?;
            Ok(BearerToken::new(token.token.secret(), expires_on))
        })
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "azure_core")))]
impl From<AzureCoreCredential> for Credential {
    fn from(credential: AzureCoreCredential) -> Self {
        Credential::TokenCredential(Arc::new(credential))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "azure_core")))]
impl From<Arc<dyn AzureTokenCredential>> for Credential {
    fn from(credential: Arc<dyn AzureTokenCredential>) -> Self {
        AzureCoreCredential::new(credential).into()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "azure_core")))]
impl Credential {
    /// An Entra ID credential of the Azure SDK, e.g.
    /// `Credential::from_azure_core(azure_identity::DeveloperToolsCredential::new(None)?)`; the
    /// same as `AzureCoreCredential::new(credential).into()`.
    pub fn from_azure_core(credential: Arc<dyn AzureTokenCredential>) -> Self {
        AzureCoreCredential::new(credential).into()
    }
}
