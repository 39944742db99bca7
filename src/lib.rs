#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
// docs.rs (and `.ci/run`) build the docs with `--cfg docsrs` on nightly: each item of an optional
// feature is marked with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The public API: the client, its options, errors, credentials and models, at the root.
mod client;
mod connection_string;
mod credential;
mod endpoint;
mod error;
mod models;
mod operations;
mod options;

// The implementation.
mod pipeline;
mod sync;
mod token_cache;

// Public modules: the generated layer, the spec's facts, request signing, and the
// synchronous client.
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
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
pub use models::access_token::AccessToken;
pub use models::api_version::ApiVersion;
pub use models::created_user::CreatedUser;
pub use models::entra_assignment::{EntraAssignment, EntraAssignmentUpdates};
pub use models::expiry::TokenExpiry;
pub use models::identifier::CommunicationUserIdentifier;
pub use models::principal_type::{EntraPrincipalType, TeamsExtensionPrincipalType};
pub use models::scope::CommunicationTokenScope;
pub use models::teams_extension_assignment::TeamsExtensionAssignment;
pub use models::user_details::UserDetails;
pub use models::user_token::UserToken;
pub use options::{ClientOptions, CreateUserOptions, RetryOptions, TokenOptions};
pub use signing::key::{AccessKey, InvalidAccessKey};

#[cfg(feature = "azure_core")]
#[cfg_attr(docsrs, doc(cfg(feature = "azure_core")))]
pub use azure_core_credential::AzureCoreCredential;
