#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// The public API: the client, its options, errors, credentials and models, at the root.
mod client;
mod connection_string;
mod credential;
mod endpoint;
mod error;
mod hmac;
mod models;
mod operations;
mod options;
#[cfg(feature = "preview")]
mod preview;

// The implementation.
mod pipeline;
mod token_cache;

// Public modules: the generated layer, the spec's facts, request signing, and the
// synchronous client.
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod raw;
pub mod signing;
pub mod spec;

#[cfg(feature = "azure_core")]
mod azure_core_credential;

pub use client::CommunicationIdentityClient;
pub use connection_string::{ConnectionString, ConnectionStringError};
pub use credential::{
    BearerToken, BoxFuture, COMMUNICATION_SCOPE, Credential, CredentialError, TokenCredential,
};
pub use endpoint::EndpointError;
pub use error::{Error, ErrorCode, ErrorKind, ServiceError};
pub use hmac::{AccessKey, InvalidAccessKey};
pub use models::access_token::AccessToken;
pub use models::assignment::TeamsExtensionAssignment;
pub use models::created_user::CreatedUser;
pub use models::expiry::TokenExpiry;
pub use models::identifier::CommunicationUserIdentifier;
pub use models::principal_type::TeamsExtensionPrincipalType;
pub use models::scope::CommunicationTokenScope;
pub use options::{ClientOptions, CreateUserOptions, RetryOptions};

#[cfg(feature = "preview")]
pub use models::preview::{EntraAssignment, EntraAssignmentUpdates, UserDetails};
#[cfg(feature = "preview")]
pub use models::principal_type::EntraPrincipalType;

#[cfg(feature = "azure_core")]
pub use azure_core_credential::AzureCoreCredential;
