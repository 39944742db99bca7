//! The generation of the raw layer, run by `build.rs` (and by the conversion tests, through
//! `#[path]`); not a module of the library.
//!
//! 1. [`versions`]: the table of vendored API versions, `spec/versions.toml`;
//! 2. [`convert`]: each version's Swagger 2.0 to OpenAPI 3.0, with the adjustments it names;
//! 3. [`union`]: every version in one document, one generated client;
//! 4. [`facts`]: what the table and the specs say, as Rust constants (`acs_identity::spec`).

pub(crate) mod convert;
pub(crate) mod facts;
pub(crate) mod union;
pub(crate) mod versions;
