//! The SDK's integration tests, in one binary: against the emulator, scripted local servers and
//! the recorded answers of the live service (no Azure resource is needed). One module per
//! subject; `TESTING.md` says what each checks.

mod common;

mod api_shape;
mod azure_core_credential;
mod blocking;
mod blocking_token_cache;
mod build_script;
mod cancellation;
mod client;
mod codegen;
mod codegen_rules;
mod docs;
mod durable_and_entra;
mod errors;
mod faults;
mod future_size;
mod no_secrets_in_logs;
mod properties;
mod recordings;
mod soak;
mod token_cache;
