//! The work of each call, once per operation: its span, its overall timeout, and its tries
//! with the retry decisions between them. What each try does is in [`per_try`](super::per_try).

use super::context::TryContext;
use super::response_error::map_error;
use super::retry::{Idempotency, delay, is_retryable};
use super::service_error_body::ServiceErrorBody;
use crate::error::{Error, ErrorKind};
use crate::options::{ClientOptions, RetryOptions};
use progenitor_client::ResponseValue;
use std::future::Future;
use std::time::Duration;
use tracing::Instrument;

type RawResult<T, B> = Result<ResponseValue<T>, progenitor_client::Error<B>>;

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
    pub(crate) async fn run<T, B, F, Fut>(
        &self,
        operation: &'static str,
        idempotency: Idempotency,
        bearer: Option<&str>,
        attempt: F,
    ) -> Result<T, Error>
    where
        B: ServiceErrorBody,
        F: Fn() -> Fut,
        Fut: Future<Output = RawResult<T, B>>,
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

    async fn attempts<T, B, F, Fut>(
        &self,
        idempotency: Idempotency,
        bearer: Option<&str>,
        attempt: F,
    ) -> Result<T, Error>
    where
        B: ServiceErrorBody,
        F: Fn() -> Fut,
        Fut: Future<Output = RawResult<T, B>>,
    {
        let mut retry = 0;
        loop {
            let ctx = TryContext::new(bearer);
            tracing::Span::current().record("attempts", retry + 1);
            let fut = ctx.clone().scope(attempt());
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
