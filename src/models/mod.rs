//! Hand-written models of the public API (re-exported at the crate root): API versions, scopes,
//! token expiry, tokens, identifiers, users, assignments. None of them is a generated type, so
//! each can follow the service without following progenitor's choices.

pub(crate) mod access_token;
pub(crate) mod api_version;
pub(crate) mod created_user;
pub(crate) mod entra_assignment;
pub(crate) mod expiry;
pub(crate) mod identifier;
mod open_enum;
pub(crate) mod principal_type;
pub(crate) mod scope;
pub(crate) mod teams_extension_assignment;
pub(crate) mod user_details;
pub(crate) mod user_token;
