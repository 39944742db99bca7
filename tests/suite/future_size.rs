//! The memory a call in flight holds: the facade's future holds the generated call's future once
//! (with its retry loop, timeouts and span), not a copy of it beside the one it awaits.

use acs_identity::{
    AccessKey, CommunicationIdentityClient, CommunicationTokenScope, CommunicationUserIdentifier,
    raw,
};
use std::mem::size_of_val;

const KEY: &str = "cHJpdmF0ZS1rZXk=";
const USER: &str = "8:acs:r_u";

fn client() -> CommunicationIdentityClient {
    let key = AccessKey::from_base64(KEY).unwrap();
    CommunicationIdentityClient::new("https://example.communication.azure.com", key, None).unwrap()
}

#[test]
fn a_call_holds_the_generated_call_once() {
    let client = client();
    let user = CommunicationUserIdentifier::new(USER);
    let facade = client.get_token(&user, &[CommunicationTokenScope::Chat], None);
    let body = raw::types::CommunicationIdentityAccessTokenRequest {
        scopes: vec![CommunicationTokenScope::Chat],
        expires_in_minutes: None,
    };
    let generated = client.raw().issue_access_token(USER, &body);
    let (facade, generated) = (size_of_val(&facade), size_of_val(&generated));
    println!("get_token: {facade} bytes, the generated call: {generated} bytes");
    assert!(
        facade < generated * 3 / 2 + 1024,
        "get_token's future ({facade} bytes) holds more than one generated call ({generated} bytes)"
    );
}

#[test]
fn with_bearer_adds_no_copy_of_the_call() {
    let client = client();
    let generated = size_of_val(&client.raw().revoke_access_tokens(USER));
    let scoped = size_of_val(&raw::with_bearer(
        "token",
        client.raw().revoke_access_tokens(USER),
    ));
    assert!(
        scoped < generated + 256,
        "with_bearer's future ({scoped} bytes) copies the call ({generated} bytes)"
    );
}
