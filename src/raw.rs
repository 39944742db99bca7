//! The generated layer: progenitor's client for the Identity REST API, one method per
//! operation of the spec, with the spec's request and response types in [`types`].
//!
//! Generated at build time from the vendored spec (see `build.rs`); never edited by hand.
//! Obtain a client with authentication applied from
//! [`CommunicationIdentityClient::raw`](crate::CommunicationIdentityClient::raw).

#![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
