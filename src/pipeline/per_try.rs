//! The generated client's hooks: the work of each try, step by step (see the
//! [pipeline](super) for the order).

use super::body_limit::{self, BodyError};
use super::context::{fail, record_failure, record_response};
use super::{RequestPolicy, api_version, authorize, encoding};
use crate::error::{Error, ErrorKind, ResponseMeta};
use crate::spec::OPERATIONS;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

/// The hooks of every generated client (one per generated API version).
macro_rules! hooks {
    ($client:ty) => {
        impl ClientHooks<RequestPolicy> for $client {
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
    };
}

hooks!(crate::raw::Client);
#[cfg(feature = "preview")]
hooks!(crate::raw::preview::Client);

/// Steps 1 to 3: what every request gets before it is sent.
pub(crate) async fn prepare(
    policy: &RequestPolicy,
    request: &mut reqwest::Request,
    operation: &str,
) -> Result<(), Error> {
    let policy = &policy.shared;
    let Some((index, op)) = OPERATIONS
        .iter()
        .enumerate()
        .find(|(_, op)| op.name == operation)
    else {
        return Err(Error::invalid_argument(format!(
            "unknown operation `{operation}`"
        )));
    };
    if policy.missing_operations & (1 << index) != 0 {
        return Err(Error::invalid_argument(format!(
            "`{}` needs API version {}; this client uses {} (set `ClientOptions::api_version`)",
            op.name,
            op.needs(),
            policy.api_version
        )));
    }
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
