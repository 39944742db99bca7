//! The generated layer: progenitor's client for the Identity REST API, one method per operation
//! of every vendored API version, named by what it does ([`spec::OperationId`](crate::spec::OperationId)),
//! with the spec's request and response types in [`types`].
//!
//! Generated at build time from the vendored specs, merged into one document (see `build.rs`,
//! adjustment `union-of-versions`); never edited by hand. Each method's and each field's
//! documentation names the API versions that have it, when not all do; the request hook refuses
//! an operation, or a request-body property, at a version that lacks it, before sending.
//! Obtain a client with authentication applied from
//! [`CommunicationIdentityClient::raw`](crate::CommunicationIdentityClient::raw).
//!
//! Path parameters are encoded by the generated code and the request hook (`:` as `%3A`). An id
//! that URL parsing would rewrite (`.`, `..`, or one containing `\`) is refused by the
//! hook when it changes the path's shape; the client's own methods refuse all of them up front.

#![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]

pub use crate::pipeline::context::with_bearer;

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
