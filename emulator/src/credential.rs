//! The emulator's token credential: Entra ID-like bearer tokens for the resource.

use super::state::Shared;
use super::token_endpoint;
use super::tokens;
use acs_identity::{BearerToken, BoxFuture, CredentialError, TokenCredential};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A [`TokenCredential`] whose tokens the emulator accepts as `Authorization: Bearer` on every
/// operation of the resource, as the service accepts Entra ID tokens of an application that
/// has access to it.
///
/// Obtained from [`Emulator::token_credential`](super::Emulator::token_credential). It only
/// issues tokens for [`COMMUNICATION_SCOPE`](acs_identity::COMMUNICATION_SCOPE) (`https://communication.azure.com//.default`,
/// with its double slash) and fails for any other scope, as Entra ID does for an unknown
/// resource. Tokens live [`EmulatorOptions::bearer_token_lifetime`](super::EmulatorOptions::bearer_token_lifetime).
/// Tests in other languages get the same tokens from the emulator's token endpoint,
/// `POST {endpoint}/emulator/entra/token` (see the crate documentation).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use acs_identity::CommunicationIdentityClient;
/// use acs_identity_emulator::Emulator;
///
/// let emulator = Emulator::start().await?;
/// let credential = emulator.token_credential();
/// let client = CommunicationIdentityClient::new(emulator.endpoint(), credential.clone(), None)?;
/// client.create_user().await?;
/// assert_eq!(credential.tokens_issued(), 1);
/// # Ok(()) }
/// ```
pub struct EmulatorCredential {
    shared: Arc<Shared>,
    issued: AtomicUsize,
}

impl EmulatorCredential {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        EmulatorCredential {
            shared,
            issued: AtomicUsize::new(0),
        }
    }

    /// How many tokens this credential has issued (e.g. to check that a client caches them).
    pub fn tokens_issued(&self) -> usize {
        self.issued.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for EmulatorCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorCredential")
            .field("tokens_issued", &self.tokens_issued())
            .finish_non_exhaustive()
    }
}

impl TokenCredential for EmulatorCredential {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        Box::pin(async move {
            token_endpoint::check_scopes(scopes)?;
            let (token, expires) = tokens::entra_resource_token(&self.shared);
            self.issued.fetch_add(1, Ordering::Relaxed);
            Ok(BearerToken::new(token, expires))
        })
    }
}
