//! A scripted HTTP/1.1 server on 127.0.0.1 that keeps the raw bytes of every request and checks
//! HMAC signatures with its own code (hmac, sha2, base64 directly), independently of the
//! crate's signing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as received.
#[derive(Debug, Clone)]
pub(crate) struct RawRequest {
    /// The request line and headers, as bytes on the wire.
    pub head: Vec<u8>,
    pub method: String,
    /// The request target exactly as sent (path and query).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub(crate) fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// Recomputes the HMAC-SHA256 signature from the raw request with `key_base64` and
    /// compares it with the request's headers; the error says what differs.
    pub(crate) fn check_signature(&self, key_base64: &str) -> Result<(), String> {
        let date = self.header("x-ms-date").ok_or("no x-ms-date")?;
        let host = self.header("host").ok_or("no host")?;
        let hash = self
            .header("x-ms-content-sha256")
            .ok_or("no x-ms-content-sha256")?;
        let expected_hash = STANDARD.encode(Sha256::digest(&self.body));
        if hash != expected_hash {
            return Err(format!("content hash {hash} != {expected_hash}"));
        }
        let to_sign = format!(
            "{}\n{}\n{};{};{}",
            self.method, self.target, date, host, hash
        );
        let key = STANDARD.decode(key_base64).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(to_sign.as_bytes());
        let signature = STANDARD.encode(mac.finalize().into_bytes());
        let expected = format!(
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
        );
        match self.header("authorization") {
            Some(a) if a == expected => Ok(()),
            Some(a) => Err(format!("authorization {a:?} != {expected:?}")),
            None => Err("no authorization".into()),
        }
    }
}

/// A scripted response.
#[derive(Debug, Clone)]
pub(crate) struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl MockResponse {
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Self {
        MockResponse {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    pub(crate) fn empty(status: u16) -> Self {
        MockResponse {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub(crate) fn raw(status: u16, content_type: &str, body: &str) -> Self {
        MockResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub(crate) fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({"error": {"code": code, "message": message}}),
        )
    }

    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The server. Answers from its script in order; once the script is used up, with 599.
pub(crate) struct MockServer {
    pub port: u16,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    script: Arc<Mutex<VecDeque<MockResponse>>>,
    task: tokio::task::JoinHandle<()>,
}

/// The access key of [`MockServer::connection_string`].
pub(crate) const KEY: &str = "cGFzc3dvcmQtZm9yLXRlc3RzLTAxMjM0NTY3ODlhYmNkZWY=";

impl MockServer {
    pub(crate) async fn start(script: Vec<MockResponse>) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let (r, s) = (requests.clone(), script.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, r.clone(), s.clone()));
            }
        });
        MockServer {
            port,
            requests,
            script,
            task,
        }
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn connection_string(&self) -> String {
        format!("endpoint=http://127.0.0.1:{}/;accesskey={KEY}", self.port)
    }

    pub(crate) fn push(&self, response: MockResponse) {
        self.script.lock().unwrap().push_back(response);
    }

    pub(crate) fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub(crate) fn last(&self) -> RawRequest {
        self.requests().pop().expect("a request")
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    script: Arc<Mutex<VecDeque<MockResponse>>>,
) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buf).await else {
            return;
        };
        requests.lock().unwrap().push(request);
        let response =
            script.lock().unwrap().pop_front().unwrap_or_else(|| {
                MockResponse::error(599, "ScriptExhausted", "no scripted response")
            });
        let mut out = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            response.status,
            response.body.len()
        );
        for (n, v) in &response.headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&response.body);
        if stream.write_all(&bytes).await.is_err() {
            return;
        }
    }
}

async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<RawRequest> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head: Vec<u8> = buf.drain(..head_end).collect();
    let text = String::from_utf8(head.clone()).expect("ASCII head");
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':').expect("header line");
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    while buf.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf.drain(..length).collect();
    Some(RawRequest {
        head,
        method,
        target,
        headers,
        body,
    })
}
