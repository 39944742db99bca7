//! The generated layer: progenitor's client for the Identity REST API at the default (newest
//! stable) API version, one method per operation of the spec, named by what it does
//! ([`spec::OPERATIONS`](crate::spec::OPERATIONS)), with the spec's request and response types in
//! [`types`]; with the feature `preview`, the preview's in [`preview`].
//!
//! Generated at build time from the vendored spec (see `build.rs`); never edited by hand.
//! Obtain a client with authentication applied from
//! [`CommunicationIdentityClient::raw`](crate::CommunicationIdentityClient::raw).
//!
//! Path parameters are encoded by the generated code and the request hook (`:` as `%3A`). An id
//! that URL parsing would rewrite (`.`, `..`, or one containing `\`) is refused by the
//! hook when it changes the path's shape; the client's own methods refuse all of them up front.

#![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]

pub use crate::pipeline::context::with_bearer;

include!(concat!(env!("OUT_DIR"), "/generated_stable.rs"));

/// The generated layer of the preview API version
/// ([`PREVIEW_API_VERSION`](crate::spec::PREVIEW_API_VERSION), feature `preview`): every
/// operation of the preview, with its own request and response types in [`types`](preview::types).
/// Reached through [`CommunicationIdentityClient::raw_preview`](crate::CommunicationIdentityClient::raw_preview),
/// with the same authentication and the client's `api-version`.
#[cfg(feature = "preview")]
pub mod preview {
    #![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]
    include!(concat!(env!("OUT_DIR"), "/generated_preview.rs"));
}
