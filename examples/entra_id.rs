//! Authenticates with Entra ID instead of an access key, through `azure_identity`.
//!
//! ```sh
//! az login        # or: azd auth login
//! COMMUNICATION_SERVICES_ENDPOINT=https://<resource>.communication.azure.com \
//!     cargo run --example entra_id --features azure_core
//! ```
//!
//! The signed-in identity needs a role on the Communication Services resource that allows managing
//! identities, e.g. "Communication and Email Service Owner" or "Contributor".
//!
//! `DeveloperToolsCredential` gets its tokens from the Azure CLI or the Azure Developer CLI. In
//! production, use `azure_identity::ManagedIdentityCredential` or `WorkloadIdentityCredential`
//! (with `azure_identity`'s default features, which bring its HTTP client) the same way: any
//! `azure_core::credentials::TokenCredential` works.

use acs_identity::{AzureCoreCredential, CommunicationIdentityClient, CommunicationTokenScope};
use azure_identity::DeveloperToolsCredential;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(endpoint) = std::env::var("COMMUNICATION_SERVICES_ENDPOINT") else {
        println!(
            "Set COMMUNICATION_SERVICES_ENDPOINT to your resource's endpoint \
             (https://<resource>.communication.azure.com), sign in with `az login` (or \
             `azd auth login`), then run:\n\n    \
             cargo run --example entra_id --features azure_core\n\n\
             The signed-in identity needs a role on the resource that allows managing identities."
        );
        return Ok(());
    };

    // Asked for https://communication.azure.com//.default; the client caches the token and
    // refreshes it before it expires.
    let credential = DeveloperToolsCredential::new(None)?;
    let client =
        CommunicationIdentityClient::new(&endpoint, AzureCoreCredential::new(credential), None)?;

    let (user, token) = client
        .create_user_and_token(&[CommunicationTokenScope::Chat], None)
        .await?;
    println!("created {}", user.id());
    println!("its chat token expires on {}", token.expires_on());

    client.revoke_tokens(&user).await?;
    client.delete_user(&user).await?;
    println!("deleted {}", user.id());
    Ok(())
}
