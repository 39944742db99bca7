#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod auth;
mod body_limit;
mod call;
mod client;
pub mod credential;
pub mod error;
pub mod hooks;
pub mod models;
mod operations;
pub mod options;
mod path;
pub mod raw;
mod retry;
pub mod spec;
mod token_cache;
mod transport;

#[cfg(feature = "emulator")]
pub mod emulator;

#[cfg(feature = "azure_core")]
mod azure_core_credential;
#[cfg(feature = "blocking")]
pub mod blocking;

pub use auth::hmac::AccessKey;
pub use client::CommunicationIdentityClient;
pub use credential::{Credential, TokenCredential};
pub use error::{Error, ErrorKind};
pub use models::TeamsExtensionAssignment;
pub use models::access_token::AccessToken;
pub use models::expiry::TokenExpiry;
pub use models::identifier::CommunicationUserIdentifier;
pub use models::principal_type::TeamsExtensionPrincipalType;
pub use models::scope::CommunicationTokenScope;
pub use options::{ClientOptions, RetryOptions};
#[doc(hidden)]
pub use path::identity_request_path;

#[cfg(feature = "azure_core")]
pub use azure_core_credential::AzureCoreCredential;
