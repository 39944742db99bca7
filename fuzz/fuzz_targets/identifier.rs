//! An identifier either goes into exactly one path segment, decoding back to itself, or is
//! refused before anything is sent; it never changes the path around it. Checked on the request
//! line the client really sends, received by a local server.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

struct Harness {
    runtime: tokio::runtime::Runtime,
    client: acs_identity::CommunicationIdentityClient,
    targets: Mutex<mpsc::Receiver<String>>,
}

/// A client and a local server that answers 204 to every request and passes on its target.
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        if header.trim().is_empty() {
                            break;
                        }
                        if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                    }
                    reader.by_ref().take(length).read_to_end(&mut Vec::new()).unwrap();
                    tx.send(target).unwrap();
                    stream.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").unwrap();
                }
            }
        });
        let options = acs_identity::ClientOptions {
            retry: acs_identity::RetryOptions { max_retries: 0, ..Default::default() },
            ..Default::default()
        };
        let cs = format!("endpoint=http://127.0.0.1:{port}/;accesskey=cHc=");
        Harness {
            runtime: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
            client: acs_identity::CommunicationIdentityClient::from_connection_string(&cs, Some(options))
                .unwrap(),
            targets: Mutex::new(rx),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(id) = std::str::from_utf8(data) else {
        return;
    };
    let h = harness();
    let user = acs_identity::CommunicationUserIdentifier::new(id);
    match h.runtime.block_on(h.client.revoke_tokens(&user)) {
        Ok(()) => {}
        Err(e) => {
            assert_eq!(e.kind(), acs_identity::ErrorKind::InvalidArgument, "{id:?}: {e}");
            return;
        }
    }
    let target = h.targets.lock().unwrap().recv().unwrap();
    let path = target.split('?').next().unwrap();
    let segments: Vec<&str> = path.split('/').collect();
    assert_eq!(segments.len(), 4, "{id:?} -> {path}");
    assert_eq!((segments[1], segments[3]), ("identities", ":revokeAccessTokens"));
    assert!(!segments[2].contains([':', '/', '?', '#']));
    assert_eq!(percent_decode(segments[2]), id.as_bytes());
});

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}
