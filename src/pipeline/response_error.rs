//! Turns what went wrong in a try into the crate's [`Error`].

use super::context::TryContext;
use super::response_meta::ResponseMeta;
use super::service_error_body::ServiceErrorBody;
use crate::error::{Error, ErrorKind};

/// Turns an error of the generated client into the crate's, with the status and headers the
/// `exec` hook recorded (progenitor drops them for undecodable bodies).
pub(super) async fn map_error<B: ServiceErrorBody>(
    e: progenitor_client::Error<B>,
    ctx: &TryContext,
) -> Error {
    use progenitor_client::Error as E;
    if let Some(failure) = ctx.take_failure() {
        return failure;
    }
    let meta = ctx.response();
    match e {
        E::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let meta = ResponseMeta::from_headers(status, rv.headers());
            Error::new(ErrorKind::Service, "")
                .with_response(status, &meta)
                .with_service_error(rv.into_inner().into_service_error())
        }
        E::InvalidResponsePayload(body, source) if meta.status >= 400 => {
            let what = if body.is_empty() {
                "the service sent no error details (empty body)".to_owned()
            } else {
                format!(
                    "the service's error body is not a Communication Services error ({} bytes)",
                    body.len()
                )
            };
            Error::new(ErrorKind::Service, what)
                .with_response(meta.status, &meta)
                .with_source(source)
        }
        E::InvalidResponsePayload(_, source) => Error::new(
            ErrorKind::InvalidResponse,
            format!("could not decode the service's {} response", meta.status),
        )
        .with_response(meta.status, &meta)
        .with_source(source),
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let meta = ResponseMeta::from_headers(status, response.headers());
            // A connection cut in the middle of this answer is a transport failure (retried),
            // not a strange answer.
            if let Err(source) = response.bytes().await {
                return transport_error(source, &meta);
            }
            Error::new(
                ErrorKind::InvalidResponse,
                format!("unexpected status {status} for this operation"),
            )
            .with_response(status, &meta)
        }
        E::CommunicationError(source)
        | E::ResponseBodyError(source)
        | E::InvalidUpgrade(source) => transport_error(source, &meta),
        E::InvalidRequest(message) => Error::invalid_argument(message),
        E::Custom(message) => Error::new(ErrorKind::InvalidArgument, message),
    }
}

/// A failure of reqwest (or below) as the crate's error. Its `Display` holds the request's URL,
/// so the message names what is below it instead: the HTTP stack's own words for the cause
/// ("connection closed before message completed", "Connection refused", "invalid peer
/// certificate: UnknownIssuer"), which hold no secret.
pub(crate) fn transport_error(source: reqwest::Error, meta: &ResponseMeta) -> Error {
    let (kind, what) = if source.is_builder() {
        // Nothing was sent, and nothing sent the same way would go.
        (ErrorKind::InvalidArgument, "the request could not be built")
    } else if source.is_timeout() {
        (ErrorKind::Timeout, "the request timed out")
    } else if source.is_connect() {
        (ErrorKind::Transport, "could not connect to the service")
    } else if source.is_decode() || source.is_body() {
        (ErrorKind::Transport, "the response body could not be read")
    } else {
        (ErrorKind::Transport, "the request failed")
    };
    let message = match std::error::Error::source(&source) {
        Some(cause) => format!("{what}: {}", crate::error::redact::causes(cause)),
        None => what.to_owned(),
    };
    let mut error = Error::new(kind, message);
    if source.is_connect() {
        error = error.connect_failure();
    }
    if meta.status != 0 {
        error = error.with_response(meta.status, meta);
    }
    error.with_source(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn meta(status: u16) -> ResponseMeta {
        ResponseMeta {
            status,
            ..ResponseMeta::default()
        }
    }

    /// A server on 127.0.0.1 that reads a request, writes `answer`, and keeps the connection
    /// open (when `answer` is `None`, it does not answer at all).
    async fn server(answer: Option<&'static [u8]>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            if let Some(answer) = answer {
                socket.write_all(answer).await.unwrap();
                // Close: the body is cut short.
                drop(socket);
            } else {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        });
        url
    }

    #[test]
    fn a_request_that_cannot_be_built_is_an_invalid_argument() {
        let source = reqwest::Client::new()
            .get("http://exa mple/")
            .build()
            .unwrap_err();
        assert!(source.is_builder());
        let e = transport_error(source, &meta(0));
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(!e.is_transient() && !e.is_connect());
        assert_eq!(e.status(), None);
        assert!(
            e.message().starts_with("the request could not be built: "),
            "{e}"
        );
        assert!(!e.message().contains("exa mple"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[tokio::test]
    async fn connection_refused() {
        // Bind and drop: nothing listens on the port.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let source = reqwest::get(format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_err();
        let e = transport_error(source, &meta(0));
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(e.is_connect() && e.is_transient());
        assert_eq!(e.status(), None);
        assert!(
            e.message()
                .starts_with("could not connect to the service: "),
            "{e}"
        );
        assert!(e.message().to_lowercase().contains("refused"), "{e}");
    }

    #[tokio::test]
    async fn a_timeout() {
        let url = server(None).await;
        let source = reqwest::Client::new()
            .get(url)
            .timeout(Duration::from_millis(50))
            .send()
            .await
            .unwrap_err();
        let e = transport_error(source, &meta(0));
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert!(!e.is_connect() && e.is_transient());
        assert!(e.message().starts_with("the request timed out"), "{e}");
    }

    #[tokio::test]
    async fn a_body_cut_short_keeps_the_status() {
        let url = server(Some(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12345")).await;
        let response = reqwest::get(url).await.unwrap();
        let source = response.bytes().await.unwrap_err();
        let e = transport_error(source, &meta(200));
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(!e.is_connect());
        assert_eq!(e.status(), Some(200));
        assert!(
            e.message()
                .starts_with("the response body could not be read: "),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_connection_closed_without_an_answer() {
        let url = server(Some(b"")).await;
        let source = reqwest::get(url).await.unwrap_err();
        let e = transport_error(source, &meta(0));
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(!e.is_connect());
        assert!(e.message().starts_with("the request failed: "), "{e}");
        assert!(!e.message().contains("http://"), "{e}");
        assert_eq!(e.status(), None);
    }
}
