//! An entry point for fuzzing the emulator's request handling: raw bytes, as a client would send
//! them on a connection, through the same HTTP server, routing, authentication, operations and
//! token endpoints as the network, over an in-memory stream. Not part of the API: its shape may
//! change in any release.

use super::server;
use super::state::Shared;
use acs_identity::signing::{SignableRequest, format_date};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The bytes the in-memory connection buffers each way.
const BUFFER: usize = 65_536;

/// The answer of an emulator (one for the whole process, its state carried from one input to
/// the next) to `input` sent on one connection that the client then closes for writing: every
/// byte the server wrote before closing. Panics only if the emulator does.
pub fn serve_bytes(input: &[u8]) -> Vec<u8> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    });
    runtime.block_on(async {
        let (client, server_side) = tokio::io::duplex(BUFFER);
        let serving = tokio::spawn(server::serve_connection(server_side, shared()));
        let (mut reader, mut writer) = tokio::io::split(client);
        let mut answer = Vec::new();
        // Written and read at once: a server that answers before reading everything never
        // waits on a client that is still writing.
        let exchange = async {
            let write = async {
                let _ = writer.write_all(input).await;
                let _ = writer.shutdown().await;
            };
            let read = reader.read_to_end(&mut answer);
            let ((), _) = tokio::join!(write, read);
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), exchange).await;
        drop((reader, writer));
        if let Err(e) = serving.await
            && e.is_panic()
        {
            std::panic::resume_unwind(e.into_panic());
        }
        answer
    })
}

/// The bytes of an HTTP/1.1 request signed with the access key of [`serve_bytes`]'s emulator
/// (HMAC-SHA256, as the SDK signs), so that it passes authentication and reaches the operation:
/// `method` on `target` (path and query), a JSON `body`.
pub fn signed_request(method: &str, target: &str, body: &[u8]) -> Vec<u8> {
    const HOST: &str = "127.0.0.1:1";
    let headers = shared().access_key.sign(
        &SignableRequest::new(method, target, HOST).with_body(body),
        &format_date(chrono::Utc::now()),
    );
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {HOST}\r\nx-ms-date: {}\r\nx-ms-content-sha256: {}\r\n\
         Authorization: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        headers.date,
        headers.content_hash,
        headers.authorization,
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

fn shared() -> Arc<Shared> {
    static SHARED: OnceLock<Arc<Shared>> = OnceLock::new();
    SHARED
        .get_or_init(|| Arc::new(Shared::detached("fuzz")))
        .clone()
}
