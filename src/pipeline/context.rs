//! The context of one try of a call, shared between the facade and the generated client's
//! hooks through a task-local: what the facade gives the hooks (a bearer token that authorizes
//! this call), and what the hooks record for the facade (the response's status and headers, a
//! typed failure; progenitor only carries strings and drops the status of undecodable bodies).

use super::response_meta::ResponseMeta;
use crate::error::Error;
use crate::spec::OperationId;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// State of one try: created before it, read after it.
#[derive(Default)]
pub(crate) struct TryContext {
    /// A bearer token that authorizes this call instead of the client's credential (the Teams
    /// extension exchange is authorized by the user's own Entra ID token).
    pub(crate) bearer: Option<Zeroizing<String>>,
    /// The facade method the user called and the operation it calls, when the try is one of a
    /// facade call: errors name the method, and the hooks need not look the operation up.
    pub(crate) call: Option<(&'static str, OperationId)>,
    /// Status and headers of the response, recorded by `exec`.
    pub(crate) response: Mutex<Option<ResponseMeta>>,
    /// A typed error raised by a hook.
    pub(crate) failure: Mutex<Option<Error>>,
    /// How the request was authorized, recorded by the request hook (for the hint of a 401).
    pub(crate) authorized_by: Mutex<Option<AuthorizedBy>>,
}

/// How a try's request was authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthorizedBy {
    /// Signed with the client's access key (HMAC-SHA256).
    AccessKey,
    /// A bearer token of the client's token credential.
    Credential,
    /// The call's own bearer token (e.g. a Teams user's Entra ID token).
    CallToken,
}

tokio::task_local! {
    static TRY: Arc<TryContext>;
}

impl TryContext {
    /// A context whose try is authorized by `bearer`, when given, for the facade method and
    /// operation of `call`, when given.
    pub(crate) fn new(
        bearer: Option<&str>,
        call: Option<(&'static str, OperationId)>,
    ) -> Arc<Self> {
        Arc::new(TryContext {
            bearer: bearer.map(|b| Zeroizing::new(b.to_owned())),
            call,
            ..TryContext::default()
        })
    }

    /// Runs `fut` (one call of the generated client) with this context. A plain function, not
    /// an `async fn`: an `async fn` would keep `fut` beside the future it awaits, doubling the
    /// size of every call's future.
    pub(crate) fn scope<F: std::future::Future>(
        self: Arc<Self>,
        fut: F,
    ) -> impl std::future::Future<Output = F::Output> + use<F> {
        TRY.scope(self, fut)
    }

    /// The typed failure a hook recorded, if any.
    pub(crate) fn take_failure(&self) -> Option<Error> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// How the request hook authorized the request, when it got that far.
    pub(crate) fn authorized_by(&self) -> Option<AuthorizedBy> {
        *self.authorized_by.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What `exec` recorded of the response (default when nothing was received).
    pub(crate) fn response(&self) -> ResponseMeta {
        self.response
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_default()
    }
}

/// The bearer token of the current try, when the facade set one.
pub(crate) fn call_bearer() -> Option<Zeroizing<String>> {
    TRY.try_with(|ctx| ctx.bearer.clone()).ok().flatten()
}

/// The facade method and operation of the current try, when it is one of a facade call.
pub(crate) fn current_call() -> Option<(&'static str, OperationId)> {
    TRY.try_with(|ctx| ctx.call).ok().flatten()
}

/// Records the response's status and headers, when the request runs inside a try.
pub(crate) fn record_response(meta: ResponseMeta) {
    let _ =
        TRY.try_with(|ctx| *ctx.response.lock().unwrap_or_else(|p| p.into_inner()) = Some(meta));
}

/// Records how the request was authorized, when it runs inside a try.
pub(crate) fn record_authorized_by(how: AuthorizedBy) {
    let _ = TRY.try_with(|ctx| {
        *ctx.authorized_by.lock().unwrap_or_else(|p| p.into_inner()) = Some(how);
    });
}

/// Records `error` for the facade and returns progenitor's form of it.
pub(crate) fn fail<E>(error: Error) -> progenitor_client::Error<E> {
    let message = error.to_string();
    record_failure(error);
    progenitor_client::Error::Custom(message)
}

/// Records `error` for the facade, when the request runs inside a try.
pub(crate) fn record_failure(error: Error) {
    let _ =
        TRY.try_with(|ctx| *ctx.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error));
}

/// Runs `fut` (a call of the generated client) authorized by `bearer` instead of the client's
/// credential: how the Teams extension token exchange is authorized in the raw layer.
///
/// ```no_run
/// # async fn run(client: acs_identity::CommunicationIdentityClient) {
/// use acs_identity::raw;
/// let body = raw::types::TeamsExtensionExchangeTokenRequest(Default::default());
/// let answer = raw::with_bearer("<user's entra token>",
///     client.raw().exchange_teams_extension_token(&body)).await;
/// # }
/// ```
pub fn with_bearer<F: std::future::Future>(
    bearer: &str,
    fut: F,
) -> impl std::future::Future<Output = F::Output> + use<F> {
    TryContext::new(Some(bearer), None).scope(fut)
}
