//! Decoding any response or error body never panics, and what decodes re-encodes to JSON that
//! decodes to the same value.
#![no_main]

use acs_identity::raw::types;
use libfuzzer_sys::fuzz_target;
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let again: T = serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap();
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<types::CommunicationErrorResponse>(data);
    round_trip::<types::CommunicationIdentityAccessTokenResult>(data);
    round_trip::<types::CommunicationIdentityAccessToken>(data);
    round_trip::<types::TeamsExtensionAssignmentResponse>(data);
    round_trip::<acs_identity::AccessToken>(data);
    round_trip::<Vec<acs_identity::CommunicationTokenScope>>(data);
});
