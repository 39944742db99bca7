//! Turns what went wrong in a try into the crate's [`Error`].

use super::context::TryContext;
use crate::error::{Error, ErrorKind, ResponseMeta};
use crate::raw::types::CommunicationErrorResponse;

/// Turns an error of the generated client into the crate's, with the status and headers the
/// `exec` hook recorded (progenitor drops them for undecodable bodies).
pub(super) async fn map_error(
    e: progenitor_client::Error<CommunicationErrorResponse>,
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
                .with_service_error(rv.into_inner().error)
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

fn transport_error(source: reqwest::Error, meta: &ResponseMeta) -> Error {
    let (kind, message) = if source.is_timeout() {
        (ErrorKind::Timeout, "the request timed out")
    } else if source.is_connect() {
        (ErrorKind::Transport, "could not connect to the service")
    } else if source.is_decode() || source.is_body() {
        (ErrorKind::Transport, "the response body could not be read")
    } else {
        (ErrorKind::Transport, "the request failed")
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
