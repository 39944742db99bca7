//! Turns what went wrong in a try into the crate's [`Error`].

use super::context::{AuthorizedBy, TryContext};
use super::response_meta::ResponseMeta;
use super::service_error_body::ServiceErrorBody;
use crate::error::{Error, ErrorCode, ErrorKind};

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
            let error = Error::new(ErrorKind::Service, "")
                .with_response(status, &meta)
                .with_service_error(rv.into_inner().into_service_error());
            match denied_hint(&error, ctx.authorized_by()) {
                Some(hint) => error.with_hint(hint),
                None => error,
            }
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

/// What to check after a 401 [`Denied`](ErrorCode::Denied), by how the request was
/// authorized: nothing the hint says comes from the request (no key, no token).
fn denied_hint(error: &Error, authorized_by: Option<AuthorizedBy>) -> Option<String> {
    if error.error_code() != Some(&ErrorCode::Denied) {
        return None;
    }
    match authorized_by? {
        AuthorizedBy::AccessKey => Some(
            "the request was signed with the access key: check that it is a current key of this \
             resource, from the same connection string as the endpoint, and that this machine's \
             clock is right: the signature covers the request's time, `x-ms-date`, and the \
             service allows only a few minutes of difference"
                .to_owned(),
        ),
        AuthorizedBy::Credential => Some(format!(
            "the request was authorized by a token of the client's credential: check that the \
             token is for Communication Services, scope `{}`, and that its identity has a role \
             on this resource, e.g. Contributor; a new role assignment can take a few minutes \
             to apply",
            crate::credential::COMMUNICATION_SCOPE
        )),
        AuthorizedBy::CallToken => None,
    }
}

/// Where a request went, as errors show it: the host, and the port when it is not the scheme's
/// default. Never the path or query (they hold ids) nor user information.
fn destination(url: Option<&reqwest::Url>) -> String {
    match url.and_then(|u| u.host_str().map(|h| (h, u.port()))) {
        Some((host, Some(port))) => format!("{host}:{port}"),
        Some((host, None)) => host.to_owned(),
        None => "the service".to_owned(),
    }
}

/// A failure of reqwest (or below) as the crate's error. Its `Display` holds the request's URL,
/// so the message names the host it went to ([`destination`]) and what is below it: the HTTP
/// stack's own words for the cause ("connection closed before message completed",
/// "Connection refused", "invalid peer certificate: UnknownIssuer"), which hold no secret.
pub(crate) fn transport_error(source: reqwest::Error, meta: &ResponseMeta) -> Error {
    let to = destination(source.url());
    let (kind, what) = if source.is_builder() {
        // Nothing was sent, and nothing sent the same way would go.
        (
            ErrorKind::InvalidArgument,
            "the request could not be built".to_owned(),
        )
    } else if source.is_timeout() {
        (ErrorKind::Timeout, format!("the request to {to} timed out"))
    } else if source.is_connect() {
        (ErrorKind::Transport, format!("could not connect to {to}"))
    } else if source.is_decode() || source.is_body() {
        (
            ErrorKind::Transport,
            format!("the response body from {to} could not be read"),
        )
    } else {
        (ErrorKind::Transport, format!("the request to {to} failed"))
    };
    let message = match std::error::Error::source(&source) {
        Some(cause) => format!("{what}: {}", crate::error::redact::causes(cause)),
        None => what,
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
    fn the_destination_is_the_host_and_a_port_that_is_not_the_default() {
        for (url, shown) in [
            (
                "https://contoso.communication.azure.com/identities/8:acs:x?api-version=1",
                "contoso.communication.azure.com",
            ),
            (
                "https://contoso.communication.azure.com:443/identities",
                "contoso.communication.azure.com",
            ),
            (
                "https://contoso.communication.azure.com:8443/identities",
                "contoso.communication.azure.com:8443",
            ),
            ("http://127.0.0.1:8080/identities?a=b", "127.0.0.1:8080"),
            ("http://[::1]:8080/", "[::1]:8080"),
            ("http://localhost/", "localhost"),
            ("http://user:secret@example.com:80/p", "example.com"),
        ] {
            let url = reqwest::Url::parse(url).unwrap();
            assert_eq!(destination(Some(&url)), shown);
        }
        assert_eq!(destination(None), "the service");
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
                .starts_with(&format!("could not connect to 127.0.0.1:{port}: ")),
            "{e}"
        );
        assert!(e.message().to_lowercase().contains("refused"), "{e}");
    }

    #[tokio::test]
    async fn a_timeout() {
        let url = server(None).await;
        let host = reqwest::Url::parse(&url).unwrap();
        let host = format!("127.0.0.1:{}", host.port().unwrap());
        let source = reqwest::Client::new()
            .get(url)
            .timeout(Duration::from_millis(50))
            .send()
            .await
            .unwrap_err();
        let e = transport_error(source, &meta(0));
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert!(!e.is_connect() && e.is_transient());
        assert!(
            e.message()
                .starts_with(&format!("the request to {host} timed out")),
            "{e}"
        );
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
            e.message().starts_with("the response body from ")
                && e.message().contains(" could not be read: "),
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
        assert!(e.message().starts_with("the request to 127.0.0.1:"), "{e}");
        assert!(e.message().contains(" failed: "), "{e}");
        assert!(!e.message().contains("http://"), "{e}");
        assert!(!e.message().contains("/x"), "the path is left out: {e}");
        assert_eq!(e.status(), None);
    }
}
