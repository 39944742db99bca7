//! Test support shared by the integration tests.

#![allow(dead_code)]

pub(crate) mod mock;

use acs_identity::{ClientOptions, RetryOptions};

/// Client options with retries off, so that each call makes exactly one request.
pub(crate) fn no_retries() -> Option<ClientOptions> {
    Some(ClientOptions {
        retry: RetryOptions {
            max_retries: 0,
            ..RetryOptions::default()
        },
        ..ClientOptions::default()
    })
}

/// Every request the emulator processed (authenticated) was signed with its access key.
pub(crate) fn assert_processed_requests_signed(
    requests: &[acs_identity_emulator::RecordedRequest],
) {
    use acs_identity_emulator::AuthOutcome;
    for r in requests {
        if r.auth != AuthOutcome::NotChecked {
            assert_eq!(
                r.auth,
                AuthOutcome::AccessKey,
                "{} {}",
                r.method,
                r.path_and_query
            );
        }
    }
}
