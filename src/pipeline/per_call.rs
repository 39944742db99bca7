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
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tracing::Instrument;

type RawResult<T, B> = Result<ResponseValue<T>, progenitor_client::Error<B>>;

/// What a facade method calls: how errors and traces name it, the operation it calls, whether
/// a retry is safe, and a bearer token that authorizes it instead of the client's credential.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The method the user called, e.g. `get_user`.
    pub(crate) method: &'static str,
    /// The operation it calls, e.g. `get_identity`.
    pub(crate) operation: crate::spec::OperationId,
    pub(crate) idempotency: Idempotency,
    pub(crate) bearer: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// A call of `operation` by the facade method `method`, safe to retry.
    pub(crate) fn new(method: &'static str, operation: crate::spec::OperationId) -> Self {
        Call {
            method,
            operation,
            idempotency: Idempotency::Safe,
            bearer: None,
        }
    }

    /// The same call, retried as creating new state on each request.
    pub(crate) fn creates_state(self) -> Self {
        Call {
            idempotency: Idempotency::CreatesState,
            ..self
        }
    }

    /// The same call, authorized by `bearer` instead of the client's credential.
    pub(crate) fn authorized_by(self, bearer: &'a str) -> Self {
        Call {
            bearer: Some(bearer),
            ..self
        }
    }
}

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
    pub(crate) async fn run<T, B, F, Fut>(&self, call: Call<'_>, attempt: F) -> Result<T, Error>
    where
        B: ServiceErrorBody,
        F: Fn() -> Fut,
        Fut: Future<Output = RawResult<T, B>>,
    {
        let span = tracing::info_span!(
            "acs_identity",
            operation = call.method,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        // Attempts started: the overall timeout's error says how many it cut short.
        let tries = AtomicU32::new(0);
        let all = self
            .attempts(call, attempt, &tries)
            .instrument(span.clone());
        let result = match self.timeout {
            None => all.await,
            Some(limit) => tokio::time::timeout(limit, all).await.unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the operation did not complete within {limit:?}"),
                )
                .with_attempts(tries.load(Ordering::Relaxed)))
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
        call: Call<'_>,
        attempt: F,
        tries: &AtomicU32,
    ) -> Result<T, Error>
    where
        B: ServiceErrorBody,
        F: Fn() -> Fut,
        Fut: Future<Output = RawResult<T, B>>,
    {
        let mut retry = 0;
        loop {
            let ctx = TryContext::new(call.bearer, Some((call.method, call.operation)));
            tracing::Span::current().record("attempts", retry + 1);
            tries.store(retry + 1, Ordering::Relaxed);
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
            if retry >= self.retry.max_retries || !is_retryable(&error, call.idempotency) {
                return Err(error.with_attempts(retry + 1));
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
