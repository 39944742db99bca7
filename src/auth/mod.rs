//! Authentication for the Communication Services Identity API.
//!
//! - [`hmac`]: HMAC-SHA256 request signing with the resource's access key (the scheme used
//!   by every official SDK), plus verification of such signatures.
//! - [`connection_string`]: parsing of `endpoint=https://…;accesskey=…` connection strings.

pub mod connection_string;
pub mod hmac;
