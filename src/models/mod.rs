//! Hand-written models of the public API (re-exported at the crate root): scopes, token
//! expiry, tokens, identifiers, assignments. None of them is a generated type, so each can
//! follow the service without following progenitor's choices.

pub(crate) mod access_token;
pub(crate) mod assignment;
pub(crate) mod created_user;
pub(crate) mod expiry;
pub(crate) mod identifier;
mod open_enum;
#[cfg(feature = "preview")]
pub(crate) mod preview;
pub(crate) mod principal_type;
pub(crate) mod scope;
