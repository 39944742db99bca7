//! The emulator's integration tests, in one binary: the library driven by the SDK's client and
//! by raw HTTP, the binary's flags and banner, https, and the operations of every API version.

mod common;

mod binary;
mod check_order;
mod emulator;
mod hostile;
mod https;
mod limits;
mod persistence;
mod preview;
mod sign_in;
