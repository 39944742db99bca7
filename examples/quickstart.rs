//! Quickstart: every snippet of the Python SDK's README, in Rust.
//!
//! With `COMMUNICATION_SERVICES_CONNECTION_STRING` set, it runs against that resource; without,
//! it starts the emulator in this process (the workspace's `acs-identity-emulator` crate, a
//! dev-dependency of the SDK: there is no feature to enable) and says so. The Teams user
//! exchange against a real resource needs `TEAMS_AAD_TOKEN`, `TEAMS_CLIENT_ID` and
//! `TEAMS_USER_OBJECT_ID`.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use acs_identity::{
    AccessToken, CommunicationIdentityClient, CommunicationTokenScope, TokenExpiry,
};
use acs_identity_emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (connection_string, emulator) = match std::env::var(
        "COMMUNICATION_SERVICES_CONNECTION_STRING",
    ) {
        Ok(cs) if !cs.is_empty() => {
            println!("Using the resource of COMMUNICATION_SERVICES_CONNECTION_STRING.");
            (cs, None)
        }
        _ => {
            let emulator = Emulator::start().await?;
            println!(
                "COMMUNICATION_SERVICES_CONNECTION_STRING is not set: using the embedded emulator at {}.",
                emulator.endpoint()
            );
            (emulator.connection_string(), Some(emulator))
        }
    };

    // Initialize the client from a connection string (HMAC-SHA256 request signing).
    let client = CommunicationIdentityClient::from_connection_string(&connection_string, None)?;

    // Create a new user.
    let user = client.create_user().await?;
    println!("User created with id: {}", user.id());

    // Issue an access token for the user.
    let scopes = [CommunicationTokenScope::Chat];
    let token = client.get_token(&user, &scopes, None).await?;
    describe("Token issued", &scopes, &token);

    // Issue an access token with a custom expiry (1 to 24 hours; the default is 24 hours).
    let one_hour = TokenExpiry::from_hours(1)?;
    let token = client.get_token(&user, &scopes, Some(one_hour)).await?;
    describe("Token issued (1 hour)", &scopes, &token);

    // Create a user and a token in one request.
    let (user2, token) = client.create_user_and_token(&scopes, None).await?;
    println!("User created with id: {}", user2.id());
    describe("Token issued", &scopes, &token);

    // The same with a custom expiry.
    let (user3, token) = client
        .create_user_and_token(&scopes, Some(one_hour))
        .await?;
    println!("User created with id: {}", user3.id());
    describe("Token issued (1 hour)", &scopes, &token);

    // Revoke every token of a user.
    client.revoke_tokens(&user).await?;
    println!("Tokens of {} revoked", user.id());

    // Delete the users.
    for u in [&user, &user2, &user3] {
        client.delete_user(u).await?;
        println!("User {} deleted", u.id());
    }

    // Exchange a Teams user's Entra ID token for a Communication Services token.
    let teams = match &emulator {
        Some(emulator) => {
            let (client_id, object_id) = (
                "00000000-0000-0000-0000-00000000c11d",
                "00000000-0000-0000-0000-0000000000b1",
            );
            let aad_token = emulator.issue_teams_user_token(
                client_id,
                object_id,
                "00000000-0000-0000-0000-00000000711a",
                chrono::Duration::hours(1),
            );
            Some((aad_token, client_id.to_owned(), object_id.to_owned()))
        }
        None => match (
            std::env::var("TEAMS_AAD_TOKEN"),
            std::env::var("TEAMS_CLIENT_ID"),
            std::env::var("TEAMS_USER_OBJECT_ID"),
        ) {
            (Ok(t), Ok(c), Ok(o)) => Some((t, c, o)),
            _ => None,
        },
    };
    match teams {
        Some((aad_token, client_id, object_id)) => {
            let token = client
                .get_token_for_teams_user(&aad_token, &client_id, &object_id)
                .await?;
            describe("Token for the Teams user issued", &[], &token);
        }
        None => println!(
            "Teams user exchange skipped: set TEAMS_AAD_TOKEN, TEAMS_CLIENT_ID and TEAMS_USER_OBJECT_ID."
        ),
    }
    Ok(())
}

/// Prints what a token is for and when it expires; never the token itself.
fn describe(what: &str, scopes: &[CommunicationTokenScope], token: &AccessToken) {
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let scopes = match scopes.is_empty() {
        true => String::new(),
        false => format!("scopes [{}], ", scopes.join(", ")),
    };
    let left = token.expires_on() - chrono::Utc::now();
    println!(
        "{what}: {scopes}expires on {} (in {} min), {} characters",
        token.expires_on().to_rfc3339(),
        left.num_minutes() + 1,
        token.token().len()
    );
}
