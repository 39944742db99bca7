//! Hand-written models of the public API: scopes, token expiry, tokens, identifiers.

pub mod access_token;
pub mod expiry;
pub mod identifier;
mod open_enum;
pub mod principal_type;
pub mod scope;

/// A Teams Phone extension assignment, as the service returns it.
pub type TeamsExtensionAssignment = crate::raw::types::TeamsExtensionAssignmentResponse;
