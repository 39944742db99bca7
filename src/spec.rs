//! Facts of the spec the client was generated from, read at build time: the API version, the
//! token lifetime bounds, the known scopes and principal types, and the operations with their
//! HTTP methods and paths.
//!
//! A new API version updates these constants when the crate is rebuilt; the hand-written code
//! (expiry validation, scopes, request hooks) and the emulator read them instead of repeating
//! the spec.

/// An operation of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The spec's `operationId`, e.g. `IdentityOperations_Create`.
    pub id: &'static str,
    /// The generated method's name in [`raw::Client`](crate::raw::Client), which is also the
    /// `operation_id` the request hooks see.
    pub(crate) method_name: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template relative to the endpoint, e.g. `/identities/{id}`.
    pub path: &'static str,
    /// Whether the request body is optional (sent only when it is not empty).
    pub(crate) optional_body: bool,
}

impl Operation {
    /// Looks an operation up by its `operationId`.
    pub fn by_id(id: &str) -> Option<&'static Operation> {
        OPERATIONS.iter().find(|op| op.id == id)
    }

    /// Looks an operation up by the name of its generated method.
    pub(crate) fn by_method_name(name: &str) -> Option<&'static Operation> {
        OPERATIONS.iter().find(|op| op.method_name == name)
    }
}

include!(concat!(env!("OUT_DIR"), "/spec_facts.rs"));
