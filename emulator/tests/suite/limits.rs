//! The emulator under hostile input: oversized headers and bodies, slow and stalled senders,
//! many connections at once. Each limit answers or closes, and holds nothing beyond it.

use acs_identity::CommunicationIdentityClient;
use acs_identity::spec::API_VERSION;
use acs_identity_emulator::{Emulator, EmulatorOptions};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn emulator_with_timeouts(header: Duration, body: Duration) -> Emulator {
    Emulator::start_with(EmulatorOptions {
        header_timeout: header,
        body_timeout: body,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

/// Sends `request` on a new connection and reads until the server closes it or `limit` passes:
/// what it answered.
async fn exchange(emulator: &Emulator, request: &[u8], limit: Duration) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", emulator.port()))
        .await
        .unwrap();
    // The server may answer (431, 413) before reading all of a large request and close.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or_default()
}

/// The limit is hyper's read buffer of 64 KiB, checked before each read: a request line and
/// headers that arrive in one read may take up to twice that; beyond, 431 always.
#[tokio::test]
async fn headers_beyond_the_limit_are_refused_with_431() {
    let emulator = Emulator::start().await.unwrap();
    let big = "x".repeat(2 * 64 * 1024 + 1);
    let request = format!(
        "GET /identities/x?api-version={API_VERSION} HTTP/1.1\r\nHost: h\r\nx-big: {big}\r\n\r\n"
    );
    let answer = exchange(&emulator, request.as_bytes(), Duration::from_secs(5)).await;
    assert_eq!(
        status_line(&answer),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    // Headers of a usual size (a long bearer token) are read.
    let token = "t".repeat(8 * 1024);
    let request = format!(
        "POST /identities?api-version={API_VERSION} HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let answer = exchange(&emulator, request.as_bytes(), Duration::from_secs(5)).await;
    assert_eq!(status_line(&answer), "HTTP/1.1 401 Unauthorized");
}

#[tokio::test]
async fn bodies_beyond_1_mib_are_refused_with_413() {
    let emulator = Emulator::start().await.unwrap();
    let length = 2 * 1024 * 1024;
    let mut request = format!(
        "POST /identities?api-version={API_VERSION} HTTP/1.1\r\nHost: h\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    request.resize(request.len() + length, b' ');
    let answer = exchange(&emulator, &request, Duration::from_secs(10)).await;
    assert_eq!(status_line(&answer), "HTTP/1.1 413 Payload Too Large");
}

/// A client that sends its headers a byte a second is closed at the header timeout; a body that
/// stalls is answered 408 at the body timeout. Other clients are served meanwhile.
#[tokio::test]
async fn slow_senders_are_cut_off_and_do_not_hold_the_server() {
    let emulator = emulator_with_timeouts(Duration::from_secs(1), Duration::from_secs(1)).await;
    let port = emulator.port();
    let dribble = tokio::spawn(async move {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let started = Instant::now();
        for byte in b"POST /identities HTTP/1.1\r\nHost: h\r\n".iter().cycle() {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            let mut probe = [0u8; 64];
            match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut probe)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break, // closed by the server
                _ => {}
            }
            if started.elapsed() > Duration::from_secs(10) {
                panic!("a slow sender was never cut off");
            }
        }
        started.elapsed()
    });
    // Served while the slow client dribbles.
    let client =
        CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), None)
            .unwrap();
    let served = Instant::now();
    client.create_user().await.unwrap();
    assert!(served.elapsed() < Duration::from_millis(900));
    let cut_after = dribble.await.unwrap();
    assert!(
        cut_after >= Duration::from_millis(900) && cut_after < Duration::from_secs(4),
        "{cut_after:?}"
    );

    // A body that stops halfway: 408 at the body timeout.
    let request = format!(
        "POST /identities?api-version={API_VERSION} HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"a\":"
    );
    let started = Instant::now();
    let answer = exchange(&emulator, request.as_bytes(), Duration::from_secs(5)).await;
    assert_eq!(
        status_line(&answer),
        "HTTP/1.1 408 Request Timeout",
        "{answer}"
    );
    assert!(answer.contains("RequestTimeout"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// A connection kept alive between requests is not cut by the header timeout while idle
/// (clients pool connections).
#[tokio::test]
async fn idle_kept_alive_connections_serve_the_next_request() {
    let emulator = emulator_with_timeouts(Duration::from_millis(500), Duration::from_secs(1)).await;
    let client =
        CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), None)
            .unwrap();
    client.create_user().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.create_user().await.unwrap();
    assert_eq!(emulator.user_count(), 2);
}

/// Injects `action` for the next request, then sends an (unsigned) create on a new connection.
async fn create_with_fault(
    emulator: &Emulator,
    action: acs_identity_emulator::FaultAction,
) -> TcpStream {
    emulator
        .faults()
        .inject(acs_identity_emulator::Fault::new(action));
    let mut stream = TcpStream::connect(("127.0.0.1", emulator.port()))
        .await
        .unwrap();
    let request = format!(
        "POST /identities?api-version={API_VERSION} HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

/// A `Reset` fault closes the connection abortively: the client reads a reset, not an end.
#[tokio::test]
async fn a_reset_fault_is_a_reset() {
    let emulator = Emulator::start().await.unwrap();
    let mut stream = create_with_fault(&emulator, acs_identity_emulator::FaultAction::Reset).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .unwrap();
    assert_eq!(
        read.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::ConnectionReset),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

/// A `ResetMidResponse` fault announces the whole body, sends its first half, then resets.
#[tokio::test]
async fn a_reset_mid_response_sends_half_the_announced_body() {
    let emulator = Emulator::start().await.unwrap();
    let mut stream = create_with_fault(
        &emulator,
        acs_identity_emulator::FaultAction::ResetMidResponse,
    )
    .await;
    let mut answer = Vec::new();
    let mut buffer = [0; 4096];
    // Read until the reset (or the end): the bytes that came before it.
    while let Ok(Ok(n @ 1..)) =
        tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer)).await
    {
        answer.extend_from_slice(&buffer[..n]);
    }
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
    let announced: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .expect("a content-length")
        .parse()
        .unwrap();
    // The unsigned request's 401 body, sent as a success's.
    assert!(announced > 20, "{answer}");
    assert_eq!(body.len(), announced / 2, "{answer}");
}

/// 1,000 connections open at once, each with a request in flight: every one is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_connections_are_served() {
    let emulator = Emulator::start().await.unwrap();
    let port = emulator.port();
    let request = format!(
        "POST /identities?api-version={API_VERSION} HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    // Open them all first, then send on each: they are all open at once.
    let mut streams = Vec::new();
    for _ in 0..1000 {
        streams.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    }
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|mut stream| {
            let request = request.clone();
            tokio::spawn(async move {
                stream.write_all(request.as_bytes()).await.unwrap();
                let mut answer = Vec::new();
                stream.read_to_end(&mut answer).await.unwrap();
                String::from_utf8_lossy(&answer)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .collect();
    for task in tasks {
        // Unauthenticated: 401, an answer all the same.
        assert_eq!(task.await.unwrap(), "HTTP/1.1 401 Unauthorized");
    }
    assert_eq!(emulator.request_count(), 1000);
}
