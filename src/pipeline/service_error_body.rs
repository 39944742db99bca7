//! The error body of the generated client, as the crate's [`ServiceError`].

use crate::ServiceError;
use crate::raw::types;

/// An error body the generated client decodes: `{"error": {...}}`.
pub(crate) trait ServiceErrorBody {
    /// The service's error, as the crate's model.
    fn into_service_error(self) -> ServiceError;
}

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
