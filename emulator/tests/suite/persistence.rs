//! State that survives a restart (`--data-dir`, `EmulatorOptions::data_dir`): the resource,
//! identities with their custom ids, revocations, tokens and assignments; an answered change is
//! never lost, even when the process is killed.

use crate::binary::{Running, TempDir, refused};
use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope,
    CommunicationUserIdentifier, CreateUserOptions, EntraPrincipalType, RetryOptions,
    TeamsExtensionPrincipalType,
};
use acs_identity_emulator::{Emulator, EmulatorOptions, TokenStatus};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn start_in(dir: &TempDir) -> std::io::Result<Emulator> {
    Emulator::start_with(EmulatorOptions {
        data_dir: Some(dir.path("data")),
        ..EmulatorOptions::default()
    })
    .await
}

fn preview_client(emulator: &Emulator) -> CommunicationIdentityClient {
    let options = ClientOptions::latest_preview();
    CommunicationIdentityClient::from_connection_string(
        &emulator.connection_string(),
        Some(options),
    )
    .unwrap()
}

#[tokio::test]
async fn a_restarted_emulator_has_everything_it_answered() {
    let dir = TempDir::new("restart");
    let first = start_in(&dir).await.unwrap();
    let client = preview_client(&first);
    let chat = [CommunicationTokenScope::Chat];
    let (plain, before_revoke) = client.create_user_and_token(&chat, None).await.unwrap();
    client.revoke_tokens(&plain).await.unwrap();
    let after_revoke = client.get_token(&plain, &chat, None).await.unwrap();
    let durable = client
        .create_user_with(CreateUserOptions::new().custom_id("bob"))
        .await
        .unwrap();
    let (deleted, deleted_token) = client.create_user_and_token(&chat, None).await.unwrap();
    client.delete_user(&deleted).await.unwrap();
    client
        .upsert_entra_assignment("oid-1", "tenant-1", EntraPrincipalType::User, &["app-1"])
        .await
        .unwrap();
    let stable =
        CommunicationIdentityClient::from_connection_string(&first.connection_string(), None)
            .unwrap();
    stable
        .upsert_teams_extension_assignment(
            "tenant-1",
            "oid-2",
            TeamsExtensionPrincipalType::User,
            &["app-2"],
        )
        .await
        .unwrap();
    let (resource_id, connection_string) =
        (first.resource_id().to_owned(), first.connection_string());
    drop(first);

    let second = start_in(&dir).await.unwrap();
    assert_eq!(second.resource_id(), resource_id);
    // The same connection string but for the port.
    let key_of = |cs: &str| cs.split_once(";accesskey=").unwrap().1.to_owned();
    assert_eq!(
        key_of(&second.connection_string()),
        key_of(&connection_string)
    );
    assert!(second.user_exists(plain.id()));
    assert!(!second.user_exists(deleted.id()));
    assert_eq!(second.user_count(), 2);
    assert_eq!(
        second.custom_id(durable.user().id()).as_deref(),
        Some("bob")
    );
    assert_eq!(
        second.token_status(before_revoke.token()),
        TokenStatus::Revoked
    );
    assert_eq!(
        second.token_status(after_revoke.token()),
        TokenStatus::Valid
    );
    assert_eq!(
        second.token_status(deleted_token.token()),
        TokenStatus::UserDeleted
    );
    assert!(second.entra_assignment("oid-1").is_some());
    assert!(second.assignment("tenant-1", "oid-2").is_some());
    // The custom id still names the same identity, and ids stored by an app still work.
    let client = preview_client(&second);
    let again = client
        .create_user_with(CreateUserOptions::new().custom_id("bob"))
        .await
        .unwrap();
    assert_eq!(again.user().id(), durable.user().id());
    let stored = CommunicationUserIdentifier::new(plain.id());
    client.get_token(&stored, &chat, None).await.unwrap();
    // A revocation after the restart applies to tokens issued before it.
    client.revoke_tokens(&stored).await.unwrap();
    assert_eq!(
        second.token_status(after_revoke.token()),
        TokenStatus::Revoked
    );
}

#[tokio::test]
async fn a_data_dir_keeps_its_resource_and_refuses_another() {
    let dir = TempDir::new("resource");
    let options = |resource_id: Option<&str>| EmulatorOptions {
        data_dir: Some(dir.path("data")),
        resource_id: resource_id.map(str::to_owned),
        ..EmulatorOptions::default()
    };
    let first = Emulator::start_with(options(Some("res1"))).await.unwrap();
    drop(first);
    let error = Emulator::start_with(options(Some("res2")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        error.to_string().contains("keeps the resource \"res1\""),
        "{error}"
    );
    assert_eq!(
        Emulator::start_with(options(None))
            .await
            .unwrap()
            .resource_id(),
        "res1"
    );
    // A damaged journal is refused, naming the line, rather than guessed at.
    let journal = dir.path("data").join("journal.jsonl");
    std::fs::write(&journal, "{\"change\":\"revoke\",\"id\":\"a\"}\nnot json\n").unwrap();
    let error = Emulator::start_with(options(None)).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    assert!(error.to_string().contains("line 2"), "{error}");
    // So does the binary, with the message and exit code 1.
    let data = dir.path("data");
    let (code, stderr) = refused(&["--data-dir", data.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("journal.jsonl is damaged at line 2"),
        "{stderr}"
    );
}

/// `kill -9` during a load of creates and revokes: every create and revoke the emulator
/// answered is there after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_change_survives_a_kill() {
    let dir = TempDir::new("kill");
    let data = dir.path("data");
    let mut running = Running::start(&["--data-dir", data.to_str().unwrap(), "--json"]);
    let banner: serde_json::Value = serde_json::from_str(&running.lines[0]).unwrap();
    let connection_string = banner["connection_string"].as_str().unwrap().to_owned();
    let options = ClientOptions {
        retry: RetryOptions {
            max_retries: 0,
            ..RetryOptions::default()
        },
        ..ClientOptions::default()
    };
    let client = Arc::new(
        CommunicationIdentityClient::from_connection_string(&connection_string, Some(options))
            .unwrap(),
    );
    let created = Arc::new(Mutex::new(Vec::new()));
    let revoked = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for task in 0..8 {
        let (client, created, revoked) = (client.clone(), created.clone(), revoked.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let Ok((user, token)) = client
                    .create_user_and_token(&[CommunicationTokenScope::Chat], None)
                    .await
                else {
                    return;
                };
                created.lock().unwrap().push(user.id().to_owned());
                if (task + i) % 2 == 0 {
                    if client.revoke_tokens(&user).await.is_err() {
                        return;
                    }
                    revoked.lock().unwrap().push(token.token().to_owned());
                }
            }
        }));
    }
    // Kill once a load is under way: at least 200 answered creates.
    while created.lock().unwrap().len() < 200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    running.child.kill().unwrap(); // SIGKILL on Unix
    running.child.wait().unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let (created, revoked) = (
        created.lock().unwrap().clone(),
        revoked.lock().unwrap().clone(),
    );

    let restarted = Emulator::start_with(EmulatorOptions {
        data_dir: Some(data),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let missing: Vec<&String> = created
        .iter()
        .filter(|id| !restarted.user_exists(id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} answered creates lost: {missing:?}",
        missing.len(),
        created.len()
    );
    for token in &revoked {
        assert_eq!(restarted.token_status(token), TokenStatus::Revoked);
    }
    // Creates that were under way when it died may be there too, never fewer than answered.
    assert!(restarted.user_count() >= created.len());
    assert!(!revoked.is_empty());
}
