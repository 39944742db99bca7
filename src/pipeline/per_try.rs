//! The generated client's hooks: the work of each try, step by step (see the
//! [pipeline](super) for the order).

use super::body_limit::{self, BodyError};
use super::context::{current_call, fail, record_failure, record_response};
use super::response_meta::ResponseMeta;
use super::{RequestPolicy, api_version, authorize, encoding};
use crate::error::{Error, ErrorKind};
use crate::spec::OperationId;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

/// The hooks of the generated client.
impl ClientHooks<RequestPolicy> for crate::raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        prepare(self.inner(), request, info.operation_id)
            .await
            .map_err(fail)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        send(self.client(), request).await
    }
}

/// Steps 0 to 3: what every request gets before it is sent. `operation` is the generated
/// method's name; a facade call gives its operation and method through the try's context instead.
pub(crate) async fn prepare(
    policy: &RequestPolicy,
    request: &mut reqwest::Request,
    operation: &str,
) -> Result<(), Error> {
    let (method, id) = match current_call() {
        Some((method, id)) => {
            debug_assert_eq!(
                id.name(),
                operation,
                "the facade calls the operation it names"
            );
            (method, id)
        }
        None => {
            let Some(id) = OperationId::from_name(operation) else {
                return Err(Error::invalid_argument(format!(
                    "unknown operation `{operation}`"
                )));
            };
            (id.name(), id)
        }
    };
    let op = id.operation();
    let policy = &policy.shared;
    policy
        .availability
        .check_operation(id, method, &policy.api_version)?;
    policy.availability.check_body(
        id,
        method,
        &policy.api_version,
        request.body().and_then(|b| b.as_bytes()),
    )?;
    // Colons first: while the URL has no query yet, rewriting its path copies less.
    encoding::encode_colons(request.url_mut(), op.path)?;
    api_version::apply(request, &policy.api_version_query);
    encoding::body(request, op);
    authorize::apply(request, policy).await
}

/// Step 4: sends the request and reads the answer's body, at most 1 MiB.
pub(crate) async fn send(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let response = client.execute(request).await?;
    let status = response.status().as_u16();
    // Successes only need their status (for an undecodable body); errors also their
    // request id and retry delay.
    let meta = if status >= 400 {
        ResponseMeta::from_headers(status, response.headers())
    } else {
        ResponseMeta {
            status,
            ..ResponseMeta::default()
        }
    };
    let outcome = match body_limit::buffer(response, body_limit::MAX_BODY_BYTES).await {
        Ok(buffered) => Ok(buffered),
        Err(BodyError::Read(e)) => Err(e),
        Err(BodyError::TooLarge(size)) => {
            record_failure(
                Error::new(
                    ErrorKind::InvalidResponse,
                    format!(
                        "the {status} response body ({size} bytes or more) exceeds the limit of {} bytes",
                        body_limit::MAX_BODY_BYTES
                    ),
                )
                .with_response(status, &meta),
            );
            // The caller sees the recorded failure; the generated code gets an empty answer.
            let mut empty = http::Response::new(Vec::new());
            *empty.status_mut() =
                reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
            Ok(reqwest::Response::from(empty))
        }
    };
    record_response(meta);
    outcome
}
