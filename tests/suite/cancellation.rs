//! Dropping an operation's future (what `tokio::time::timeout` or `select!` in the caller's code
//! does) at each await point that matters leaves nothing behind: no task, no lock held, no
//! refresh in progress; the next call works.
//!
//! The client runs on a runtime of its own (current thread), so that its task count is the
//! client's alone: the emulator and the scripted server run on another runtime. The HTTP client
//! keeps no idle connection, so that a finished call leaves no connection task either.

use crate::common;

use acs_identity::{
    BearerToken, BoxFuture, ClientOptions, CommunicationIdentityClient,
    CommunicationTokenScope as Scope, CommunicationUserIdentifier, CredentialError, RetryOptions,
    TokenCredential,
};
use acs_identity_emulator::{Emulator, EmulatorCredential, Fault, FaultAction};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::{Handle, Runtime};

/// The emulator's runtime and the client's.
struct Runtimes {
    server: Runtime,
    client: Runtime,
}

fn runtimes() -> Runtimes {
    Runtimes {
        server: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap(),
        client: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
    }
}

/// Options with retries (short waits unless the service says otherwise) and an HTTP client that
/// keeps no idle connection.
fn options() -> Option<ClientOptions> {
    Some(ClientOptions {
        retry: RetryOptions {
            max_retries: 2,
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        http_client: Some(
            reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
        ),
        ..ClientOptions::default()
    })
}

/// Waits until no task of the client's runtime is alive; fails after 10 s.
async fn no_task_left() {
    let metrics = Handle::current().metrics();
    for _ in 0..1000 {
        if metrics.num_alive_tasks() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} tasks still alive", metrics.num_alive_tasks());
}

/// Runs `call` until `reached` says it got to the await point under test, then drops it.
async fn cancel_when<T: std::fmt::Debug>(
    call: impl Future<Output = T>,
    mut reached: impl FnMut() -> bool,
) {
    tokio::pin!(call);
    loop {
        tokio::select! {
            result = &mut call => panic!("the call ended before it was cancelled: {result:?}"),
            _ = tokio::time::sleep(Duration::from_millis(5)) => {
                if reached() {
                    return;
                }
            }
        }
    }
}

/// A credential that gives the emulator's tokens once opened, and counts calls whose future was
/// dropped before it answered.
#[derive(Debug)]
struct Gated {
    inner: Arc<EmulatorCredential>,
    open: tokio::sync::watch::Sender<bool>,
    entered: AtomicUsize,
    dropped: Arc<AtomicUsize>,
}

struct CountDrop(Arc<AtomicUsize>, bool);

impl Drop for CountDrop {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl TokenCredential for Gated {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<BearerToken, CredentialError>> {
        Box::pin(async move {
            self.entered.fetch_add(1, Ordering::SeqCst);
            let mut guard = CountDrop(self.dropped.clone(), false);
            let mut open = self.open.subscribe();
            open.wait_for(|open| *open).await.unwrap();
            guard.1 = true;
            self.inner.get_token(scopes).await
        })
    }
}

#[test]
fn while_the_credential_refreshes() {
    let rt = runtimes();
    let emulator = rt.server.block_on(Emulator::start()).unwrap();
    let credential = Arc::new(Gated {
        inner: emulator.token_credential(),
        open: tokio::sync::watch::channel(false).0,
        entered: AtomicUsize::new(0),
        dropped: Arc::new(AtomicUsize::new(0)),
    });
    rt.client.block_on(async {
        let client =
            CommunicationIdentityClient::new(emulator.endpoint(), credential.clone(), options())
                .unwrap();
        cancel_when(client.create_user(), || {
            credential.entered.load(Ordering::SeqCst) == 1
        })
        .await;
        assert_eq!(credential.dropped.load(Ordering::SeqCst), 1);
        assert_eq!(emulator.request_count(), 0);
        no_task_left().await;

        // Cancelled again, by a caller's timeout this time.
        let timed_out = tokio::time::timeout(Duration::from_millis(50), client.create_user()).await;
        assert!(timed_out.is_err());
        assert_eq!(credential.dropped.load(Ordering::SeqCst), 2);

        // The refresh lock was released each time: the next call refreshes and succeeds.
        credential.open.send_replace(true);
        client.create_user().await.unwrap();
        assert_eq!(credential.entered.load(Ordering::SeqCst), 3);
        assert_eq!(emulator.token_credential().tokens_issued(), 1);
        no_task_left().await;
    });
}

/// A client of the emulator with the access key, and a user.
fn key_client(
    rt: &Runtimes,
    emulator: &Emulator,
    options: Option<ClientOptions>,
) -> (CommunicationIdentityClient, CommunicationUserIdentifier) {
    let client =
        CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), options)
            .unwrap();
    let user = rt.client.block_on(client.create_user()).unwrap();
    emulator.clear_requests();
    (client, user)
}

#[test]
fn while_waiting_for_the_answer() {
    let rt = runtimes();
    let emulator = rt.server.block_on(Emulator::start()).unwrap();
    // The client of the crate's own (pooled) HTTP client, and one that keeps no connection.
    for options in [None, options()] {
        let (client, user) = key_client(&rt, &emulator, options.clone());
        emulator
            .faults()
            .inject(Fault::new(FaultAction::Delay(Duration::from_secs(3600))));
        rt.client.block_on(async {
            // The emulator took the fault: the request was sent and the client waits.
            cancel_when(client.get_token(&user, &[Scope::Chat], None), || {
                emulator.faults().remaining() == 0
            })
            .await;
            if options.is_some() {
                no_task_left().await;
            }
            client.get_token(&user, &[Scope::Chat], None).await.unwrap();
            if options.is_some() {
                no_task_left().await;
            }
        });
    }
}

#[test]
fn while_sleeping_before_a_retry() {
    let rt = runtimes();
    let emulator = rt.server.block_on(Emulator::start()).unwrap();
    let (client, user) = key_client(&rt, &emulator, options());
    emulator
        .faults()
        .inject(Fault::new(FaultAction::status_with_retry_after(503, 3600)));
    // The client says when it starts waiting: its `retrying` event.
    let retrying = Arc::new(Mutex::new(false));
    let subscriber = tracing_subscriber::fmt()
        .with_writer({
            let retrying = retrying.clone();
            move || EventSink(retrying.clone())
        })
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    rt.client.block_on(async {
        cancel_when(client.revoke_tokens(&user), || *retrying.lock().unwrap()).await;
        no_task_left().await;
        assert_eq!(emulator.request_count(), 1, "the retry never ran");
        client.revoke_tokens(&user).await.unwrap();
        assert_eq!(emulator.request_count(), 2);
        no_task_left().await;
    });
}

/// Where the test's subscriber writes: notes whether a `retrying` event was written.
struct EventSink(Arc<Mutex<bool>>);

impl std::io::Write for EventSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if String::from_utf8_lossy(buf).contains("retrying") {
            *self.0.lock().unwrap() = true;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A server whose first answer stops in the middle of its body (headers and 10 of the 100 bytes
/// announced, then nothing); it answers every later request `204`. `stalled` is 1 once the
/// first answer stopped, 2 once its client closed the connection.
async fn stalling_server(stalled: Arc<AtomicUsize>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let stall = std::mem::take(&mut first);
            let stalled = stalled.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                if stall {
                    socket
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"token\":")
                        .await
                        .unwrap();
                    stalled.fetch_add(1, Ordering::SeqCst);
                    // Hold the connection open without sending the rest, until the client
                    // goes away.
                    let _ = socket.read(&mut buf).await;
                    stalled.fetch_add(1, Ordering::SeqCst);
                } else {
                    let _ = socket
                        .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                        .await;
                }
            });
        }
    });
    endpoint
}

#[test]
fn while_reading_the_body() {
    let rt = runtimes();
    let stalled = Arc::new(AtomicUsize::new(0));
    let endpoint = rt.server.block_on(stalling_server(stalled.clone()));
    let key = acs_identity::AccessKey::from_base64(common::mock::KEY).unwrap();
    let client = CommunicationIdentityClient::new(&endpoint, key, options()).unwrap();
    let user = CommunicationUserIdentifier::new("8:acs:r_u");
    rt.client.block_on(async {
        let mut polls_after_headers = 0;
        // Cancelled a few polls after the server sent the first bytes of the body: the client
        // is reading it.
        cancel_when(client.get_token(&user, &[Scope::Chat], None), || {
            if stalled.load(Ordering::SeqCst) == 1 {
                polls_after_headers += 1;
            }
            polls_after_headers == 20
        })
        .await;
        no_task_left().await;
        // The cancelled call's connection was closed.
        while stalled.load(Ordering::SeqCst) != 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        client.revoke_tokens(&user).await.unwrap();
        no_task_left().await;
    });
}
