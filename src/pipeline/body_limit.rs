//! Step 4 of each try: caps what is read of a response body: a misbehaving server or proxy cannot make the client
//! buffer an unbounded answer. The Identity service's answers are well under 10 KiB.

/// The most a response body may hold.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Why a body could not be buffered.
pub(crate) enum BodyError {
    /// Reading failed (connection reset, body cut short).
    Read(reqwest::Error),
    /// The body is larger than [`MAX_BODY_BYTES`]; the number is what was announced or read.
    TooLarge(u64),
}

/// Returns `response` when its `Content-Length` is within `limit`; otherwise, for a body of
/// unknown length, reads it (at most `limit` bytes) and returns an equivalent response holding it.
pub(crate) async fn buffer(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<reqwest::Response, BodyError> {
    match response.content_length() {
        Some(announced) if announced > limit as u64 => return Err(BodyError::TooLarge(announced)),
        // hyper refuses a body longer than its Content-Length: nothing to cap.
        Some(_) => return Ok(response),
        None => {}
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = response.status();
    *rebuilt.version_mut() = response.version();
    *rebuilt.headers_mut() = std::mem::take(response.headers_mut());
    Ok(reqwest::Response::from(rebuilt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A response read from a local server that answers `raw` (status line, headers, body) to
    /// one request.
    async fn response(raw: &'static str) -> reqwest::Response {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            stream.write_all(raw.as_bytes()).unwrap();
        });
        reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap()
    }

    async fn buffered(raw: &'static str, limit: usize) -> Result<Vec<u8>, u64> {
        match buffer(response(raw).await, limit).await {
            Ok(r) => Ok(r.bytes().await.unwrap().to_vec()),
            Err(BodyError::TooLarge(n)) => Err(n),
            Err(BodyError::Read(e)) => panic!("read error: {e}"),
        }
    }

    #[tokio::test]
    async fn an_announced_length_up_to_the_limit_passes() {
        let exact = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
        assert_eq!(buffered(exact, 10).await, Ok(b"0123456789".to_vec()));
        let over = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n0123456789a";
        assert_eq!(buffered(over, 10).await, Err(11));
    }

    /// A chunked body (no length announced) is read up to the limit and counted exactly.
    #[tokio::test]
    async fn a_chunked_body_is_capped_at_the_limit() {
        let exact = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                     6\r\n012345\r\n4\r\n6789\r\n0\r\n\r\n";
        assert_eq!(buffered(exact, 10).await, Ok(b"0123456789".to_vec()));
        let over = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                    6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n";
        assert_eq!(buffered(over, 10).await, Err(11));
        let first_chunk_over = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                                c\r\n0123456789ab\r\n0\r\n\r\n";
        assert_eq!(buffered(first_chunk_over, 10).await, Err(12));
    }
}
