//! Runs one operation of the generated client: attempts, timeouts, retries, error mapping.

use crate::error::{Error, ErrorKind, ResponseMeta};
use crate::hooks::{CALL, CallContext};
use crate::options::{ClientOptions, RetryOptions};
use crate::raw::types::CommunicationErrorResponse;
use crate::retry::{Idempotency, delay, is_retryable};
use progenitor_client::ResponseValue;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;
use zeroize::Zeroizing;

type RawResult<T> = Result<ResponseValue<T>, progenitor_client::Error<CommunicationErrorResponse>>;

/// Timeouts and retry settings of a client.
#[derive(Debug, Clone)]
pub(crate) struct CallPolicy {
    pub(crate) retry: RetryOptions,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
}

impl CallPolicy {
    pub(crate) fn from_options(o: &ClientOptions) -> Self {
        CallPolicy {
            retry: o.retry.clone(),
            attempt_timeout: o.attempt_timeout,
            timeout: o.timeout,
        }
    }

    /// Runs `attempt` (a call of the generated client) until it succeeds, fails for good, or
    /// runs out of retries or time. Each attempt re-enters the generated code, so the request
    /// hook signs or authorizes it afresh.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        operation: &'static str,
        idempotency: Idempotency,
        bearer: Option<&str>,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        let span = tracing::info_span!(
            "acs_identity",
            operation,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let all = self
            .attempts(idempotency, bearer, attempt)
            .instrument(span.clone());
        let result = match self.timeout {
            None => all.await,
            Some(limit) => tokio::time::timeout(limit, all).await.unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the operation did not complete within {limit:?}"),
                ))
            }),
        };
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Err(e) = &result {
            span.in_scope(|| tracing::debug!(error = %e, kind = ?e.kind(), "operation failed"));
        }
        result
    }

    async fn attempts<T, F, Fut>(
        &self,
        idempotency: Idempotency,
        bearer: Option<&str>,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        let mut retry = 0;
        loop {
            let ctx = Arc::new(CallContext {
                bearer: bearer.map(|b| Zeroizing::new(b.to_owned())),
                ..CallContext::default()
            });
            tracing::Span::current().record("attempts", retry + 1);
            let fut = CALL.scope(ctx.clone(), attempt());
            let result = match self.attempt_timeout {
                None => Ok(fut.await),
                Some(limit) => tokio::time::timeout(limit, fut).await.map_err(|_| {
                    Error::new(
                        ErrorKind::Timeout,
                        format!("no response within the attempt timeout of {limit:?}"),
                    )
                }),
            };
            let error = match result {
                Ok(Ok(value)) => {
                    tracing::Span::current().record("status", value.status().as_u16());
                    return Ok(value.into_inner());
                }
                Ok(Err(e)) => map_error(e, &ctx).await,
                Err(timeout) => timeout,
            };
            if let Some(status) = error.status() {
                tracing::Span::current().record("status", status);
            }
            if retry >= self.retry.max_retries || !is_retryable(&error, idempotency) {
                return Err(error);
            }
            let wait = delay(&self.retry, retry, error.retry_after());
            tracing::info!(
                attempt = retry + 1,
                status = error.status(),
                kind = ?error.kind(),
                delay_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }
}

/// Turns an error of the generated client into the crate's, with the status and headers the
/// `exec` hook recorded (progenitor drops them for undecodable bodies).
async fn map_error(
    e: progenitor_client::Error<CommunicationErrorResponse>,
    ctx: &CallContext,
) -> Error {
    use progenitor_client::Error as E;
    if let Some(failure) = ctx.failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return failure;
    }
    let meta = ctx
        .response
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .unwrap_or_default();
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
