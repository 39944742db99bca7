//! The error bodies of the generated clients (one type per generated API version), as the
//! crate's [`ServiceError`].

use crate::ServiceError;

/// An error body a generated client decodes: `{"error": {...}}`.
pub(crate) trait ServiceErrorBody {
    /// The service's error, as the crate's model.
    fn into_service_error(self) -> ServiceError;
}

macro_rules! service_error_body {
    ($types:path) => {
        const _: () = {
            use $types as types;

            fn convert(e: types::CommunicationError) -> ServiceError {
                ServiceError::new(
                    e.code,
                    e.message,
                    e.target,
                    e.details.into_iter().map(convert).collect(),
                    e.innererror.map(|i| convert(*i)),
                )
            }

            impl ServiceErrorBody for types::CommunicationErrorResponse {
                fn into_service_error(self) -> ServiceError {
                    convert(self.error)
                }
            }
        };
    };
}

service_error_body!(crate::raw::types);
#[cfg(feature = "preview")]
service_error_body!(crate::raw::preview::types);
