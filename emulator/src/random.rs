//! Random values for the emulator: ids, its token-signing key and its access key.
//!
//! SipHash-1-3 keyed by [`RandomState`] (whose 128-bit key std draws from the operating
//! system's random source) over a counter. This is not a cryptographic generator, but the
//! outputs cannot be guessed without the key, which never leaves the process: good enough for
//! a local emulator, and it needs no extra crate.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// A source of unpredictable 64-bit values, safe to share between threads.
pub(crate) struct Random {
    state: RandomState,
    counter: AtomicU64,
}

impl Random {
    pub(crate) fn new() -> Self {
        Random {
            state: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    pub(crate) fn next_u64(&self) -> u64 {
        self.state
            .hash_one(self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// Fills `out` with random bytes.
    pub(crate) fn fill(&self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let value = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&value[..chunk.len()]);
        }
    }

    /// A random GUID in its usual text form (lower-case hex, `8-4-4-4-12`, version 4).
    pub(crate) fn guid(&self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_well_formed_and_distinct() {
        let random = Random::new();
        let a = random.guid();
        let b = random.guid();
        assert_ne!(a, b);
        let lengths: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12], "{a}");
        assert!(a.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn fill_covers_partial_chunks() {
        let random = Random::new();
        let mut bytes = [0u8; 13];
        random.fill(&mut bytes);
        assert!(bytes.iter().any(|b| *b != 0));
    }
}
