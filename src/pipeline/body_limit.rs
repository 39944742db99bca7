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
