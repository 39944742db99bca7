//! The HTTP/1.1 server: accept loop, one task per connection (keep-alive on), request
//! recording and fault injection, on hyper directly.

use super::faults::FaultAction;
use super::http::{Reply, Request, path_of};
use super::record::{AuthOutcome, RecordedRequest, redact_authorization};
use super::routes;
use super::state::Shared;
use super::token_endpoint;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// Requests with a larger body are answered 413.
pub(crate) const MAX_REQUEST_BODY: usize = 1024 * 1024;

const JSON: &str = "application/json";
const JSON_UTF8: &str = "application/json; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The read buffer for a request's line and headers: 64 KiB, far above what any SDK sends (a
/// bearer token and the signature headers are a few KiB). hyper checks it before each read, so
/// headers that arrive in one read may take up to twice that; beyond, it answers 431.
pub(crate) const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Serves connections accepted on `listener` (over TLS when there is an `acceptor`) until the
/// listener is dropped or the task is aborted; aborting the task also closes every open
/// connection.
pub(crate) async fn accept_loop(
    listener: Weak<TcpListener>,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = accept(&listener) => match accepted {
                None => break,
                Some(Ok((stream, _))) => {
                    let _ = stream.set_nodelay(true);
                    let shared = shared.clone();
                    match &acceptor {
                        None => connections.spawn(serve_connection(stream, shared)),
                        // The handshake runs in the connection's task, not in this loop.
                        Some(acceptor) => connections.spawn(serve_tls(acceptor.clone(), stream, shared)),
                    };
                }
                // E.g. too many open files: wait for connections to close.
                Some(Err(_)) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Accepts one connection; `None` once the listener is gone. The loop only holds the listener
/// while polling, so the [`Emulator`](super::Emulator) handle closes it when dropped.
async fn accept(
    listener: &Weak<TcpListener>,
) -> Option<std::io::Result<(TcpStream, std::net::SocketAddr)>> {
    std::future::poll_fn(|cx| match listener.upgrade() {
        None => Poll::Ready(None),
        Some(l) => l.poll_accept(cx).map(Some),
    })
    .await
}

/// A connection's byte stream: plain TCP or TLS over TCP.
pub(crate) trait Socket: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// The TCP connection underneath (none for an in-memory stream).
    fn tcp(&self) -> Option<&TcpStream>;
}

impl Socket for TcpStream {
    fn tcp(&self) -> Option<&TcpStream> {
        Some(self)
    }
}

impl Socket for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> Option<&TcpStream> {
        Some(self.get_ref().0)
    }
}

impl Socket for tokio::io::DuplexStream {
    fn tcp(&self) -> Option<&TcpStream> {
        None
    }
}

/// Completes the TLS handshake, then serves the connection; a failed or slow handshake (e.g.
/// a client that does not trust the certificate) closes it.
async fn serve_tls(acceptor: TlsAcceptor, stream: TcpStream, shared: Arc<Shared>) {
    if let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        serve_connection(stream, shared).await;
    }
}

pub(crate) async fn serve_connection(stream: impl Socket, shared: Arc<Shared>) {
    // Notified by a `Reset` fault: the connection is then closed without an answer.
    let kill = Arc::new(Notify::new());
    let header_timeout = shared.header_timeout;
    let service = {
        let kill = kill.clone();
        hyper::service::service_fn(move |req| {
            let shared = shared.clone();
            let kill = kill.clone();
            async move { Ok::<_, Infallible>(respond(&shared, &kill, req).await) }
        })
    };
    let mut connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        // A client that sends its request and closes its half of the connection (`nc -N`,
        // `curl --data @- ... < file` on some systems) still gets its answer.
        .half_close(true)
        .max_buf_size(MAX_HEADER_BYTES)
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = &mut connection => {}
        () = kill.notified() => {
            let parts = connection.into_parts();
            // A zero linger makes the close abortive (RST), as when a server process dies,
            // and does not block.
            #[allow(deprecated, reason = "`set_zero_linger` is not in every tokio 1.x")]
            if let Some(tcp) = parts.io.inner().tcp() {
                let _ = tcp.set_linger(Some(Duration::ZERO));
            }
        }
    }
}

/// Records the request, applies a fault if one matches, and answers.
async fn respond(
    shared: &Shared,
    kill: &Notify,
    req: hyper::Request<Incoming>,
) -> Response<ReplyBody> {
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, MAX_REQUEST_BODY).collect();
    let body = tokio::time::timeout(shared.body_timeout, body)
        .await
        .map(|collected| collected.map(http_body_util::Collected::to_bytes));
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    // Faults are for the service's operations, not for the emulator's token endpoints.
    let own_endpoint = token_endpoint::serves(path_of(&path_and_query));
    let fault = if own_endpoint {
        None
    } else {
        shared.faults.take(&path_and_query)
    };
    let mut record = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path_and_query,
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes());
                let value = if name == hyper::header::AUTHORIZATION {
                    redact_authorization(&value)
                } else {
                    value.into_owned()
                };
                (name.as_str().to_owned(), value)
            })
            .collect(),
        // The token endpoints' forms carry client secrets and passwords.
        body: match &body {
            Ok(Ok(b)) if own_endpoint => token_endpoint::redacted_body(b),
            Ok(Ok(b)) => b.to_vec(),
            _ => Vec::new(),
        },
        auth: AuthOutcome::NotChecked,
        status: None,
        fault: fault.clone(),
    };

    match &fault {
        Some(FaultAction::Reset) => {
            shared.record(record);
            kill.notify_one();
            return std::future::pending().await;
        }
        Some(FaultAction::Status {
            status,
            retry_after,
            body,
        }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            record.status = Some(status.as_u16());
            shared.record(record);
            let mut response = answer(
                shared,
                status,
                body.clone().unwrap_or_default().into(),
                JSON,
                &parts.headers,
            );
            if let Some(value) = retry_after
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            return response;
        }
        Some(FaultAction::Delay(delay)) => tokio::time::sleep(*delay).await,
        _ => {}
    }

    let (reply, auth) = match body {
        Err(_elapsed) => (
            super::errors::ApiError::request_timeout(shared.body_timeout).into(),
            AuthOutcome::NotChecked,
        ),
        Ok(Ok(bytes)) => {
            let request = Request {
                method: parts.method.as_str(),
                path_and_query: &record.path_and_query,
                headers: &parts.headers,
                body: &bytes,
            };
            match token_endpoint::handle(shared, &request) {
                Some(reply) => (reply, AuthOutcome::NotChecked),
                None => routes::handle(shared, &request),
            }
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => (
            super::errors::ApiError::body_too_large(MAX_REQUEST_BODY).into(),
            AuthOutcome::NotChecked,
        ),
        Ok(Err(_)) => (
            super::errors::ApiError::invalid_body("the body could not be read.").into(),
            AuthOutcome::NotChecked,
        ),
    };
    record.auth = auth;

    let response = match fault.filter(FaultAction::damages_answer) {
        Some(action) => damaged(shared, action, reply, &parts.headers),
        None => {
            let status =
                StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let content_type = if reply.error { JSON } else { JSON_UTF8 };
            answer(
                shared,
                status,
                reply.body.into(),
                content_type,
                &parts.headers,
            )
        }
    };
    record.status = Some(response.status().as_u16());
    shared.record(record);
    response
}

/// The answer of a fault that damages the usual answer (see [`FaultAction`]).
fn damaged(
    shared: &Shared,
    action: FaultAction,
    reply: Reply,
    request_headers: &hyper::HeaderMap,
) -> Response<ReplyBody> {
    let status = if reply.status == 201 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut body = if reply.body.is_empty() {
        b"{}".to_vec()
    } else {
        reply.body
    };
    match action {
        FaultAction::MalformedBody => {
            body.truncate(body.len() / 2);
            answer(shared, status, body.into(), JSON_UTF8, request_headers)
        }
        FaultAction::WrongContentType => answer(shared, status, body.into(), HTML, request_headers),
        FaultAction::Oversized(size) => {
            body.resize(body.len().max(size), b' ');
            answer(shared, status, body.into(), JSON_UTF8, request_headers)
        }
        FaultAction::ResetMidResponse => {
            let full = body.len();
            body.truncate(full / 2);
            let mut response = answer(
                shared,
                status,
                ReplyBody::cut(body.into()),
                JSON_UTF8,
                request_headers,
            );
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(full));
            response
        }
        FaultAction::Status { .. } | FaultAction::Delay(_) | FaultAction::Reset => {
            unreachable!("these faults do not damage an answer")
        }
    }
}

/// A response with the headers the service sends: `Content-Type` (when there is a body),
/// `MS-CV` (a correlation id), `api-supported-versions` (the versions the SDK knows, as
/// `2023-10-01, 2025-06-30`), and `x-ms-client-request-id` echoed.
fn answer(
    shared: &Shared,
    status: StatusCode,
    body: ReplyBody,
    content_type: &'static str,
    request_headers: &hyper::HeaderMap,
) -> Response<ReplyBody> {
    let has_body = body.size_hint().exact() != Some(0);
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if has_body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    let correlation = format!(
        "{:016x}{:016x}.0",
        shared.random.next_u64(),
        shared.random.next_u64()
    );
    if let Ok(value) = HeaderValue::from_str(&correlation) {
        headers.insert("ms-cv", value);
    }
    if let Some(id) = request_headers.get("x-ms-client-request-id") {
        headers.insert("x-ms-client-request-id", id.clone());
    }
    if let Ok(versions) = HeaderValue::from_str(&acs_identity::spec::API_VERSIONS.join(", ")) {
        headers.insert("api-supported-versions", versions);
    }
    response
}

/// A response body: all at once, or cut short by a fault.
pub(crate) enum ReplyBody {
    Full(Option<Bytes>),
    /// Sends `part`, waits a moment (so it is flushed), then fails, which makes hyper close
    /// the connection.
    Cut {
        part: Option<Bytes>,
        pause: Pin<Box<tokio::time::Sleep>>,
    },
}

impl ReplyBody {
    fn cut(part: Bytes) -> Self {
        ReplyBody::Cut {
            part: Some(part),
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        }
    }
}

impl From<Vec<u8>> for ReplyBody {
    fn from(body: Vec<u8>) -> Self {
        ReplyBody::Full(Some(Bytes::from(body)))
    }
}

impl From<String> for ReplyBody {
    fn from(body: String) -> Self {
        ReplyBody::from(body.into_bytes())
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            ReplyBody::Full(body) => Poll::Ready(
                body.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            ReplyBody::Cut { part, pause } => {
                if let Some(part) = part.take() {
                    return Poll::Ready(Some(Ok(Frame::data(part))));
                }
                match pause.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "the response was cut short by an injected fault",
                    )))),
                }
            }
        }
    }

    // `is_end_stream` is left at its default (false): hyper then polls an empty body once and
    // frames it by `size_hint` alone, with the same bytes on the wire.

    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyBody::Full(body) => {
                SizeHint::with_exact(body.as_ref().map_or(0, |b| b.len() as u64))
            }
            ReplyBody::Cut { .. } => SizeHint::default(),
        }
    }
}
