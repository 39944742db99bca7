//! The generated client's hooks: the work of each try, step by step (see the
//! [pipeline](super) for the order).

use super::body_limit::{self, BodyError};
use super::context::{fail, record_failure, record_response};
use super::{RequestPolicy, api_version, authorize, encoding};
use crate::error::{Error, ErrorKind, ResponseMeta};
use crate::spec::Operation;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

impl ClientHooks<RequestPolicy> for crate::raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let policy = &self.inner().shared;
        let Some(op) = Operation::by_method_name(info.operation_id) else {
            return Err(fail(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown operation `{}`", info.operation_id),
            )));
        };
        // Colons first: while the URL has no query yet, rewriting its path copies less.
        encoding::encode_colons(request.url_mut(), op.path).map_err(fail)?;
        api_version::apply(request, &policy.api_version_query);
        encoding::optional_body(request, op);
        authorize::apply(request, policy).await.map_err(fail)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
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
                *empty.status_mut() = reqwest::StatusCode::from_u16(status)
                    .unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
                Ok(reqwest::Response::from(empty))
            }
        };
        record_response(meta);
        outcome
    }
}
