//! State that survives a restart, in a data directory (`--data-dir PATH`,
//! [`EmulatorOptions::data_dir`](crate::EmulatorOptions::data_dir)); without one, the state is
//! in memory only.
//!
//! The directory holds two files:
//!
//! - `resource.json`: the resource (its id, access key, token-signing key, and the Entra ID
//!   application and tenant of its bearer tokens), written once, atomically (a temporary file,
//!   synced, renamed over, the directory synced), readable by its owner only;
//! - `journal.jsonl`: every change of the identities, tokens and assignments, one JSON line a
//!   change (the store's `Change`), appended and synced to disk before the request
//!   that made it is answered: an answered change is never lost. A kill can only cut the last
//!   line short (a change whose request was never answered): loading drops it, and any other
//!   damage is refused with its line number rather than guessed at.
//!
//! One emulator at a time may use a data directory.

mod disk;
mod journal;
mod resource;

pub(crate) use journal::{Journal, SaveError};
pub(crate) use resource::{Resource, SavedResource};
