//! The service's error answers: `{"error":{"code","message","target"?}}` with its real messages
//! where recordings of the live service show them.

use super::http::Reply;
use super::persist::SaveError;
use acs_identity::raw::types::{CommunicationError, CommunicationErrorResponse};
use acs_identity::spec::{
    API_VERSIONS, CUSTOM_ID_MAX_LENGTH, CUSTOM_ID_MIN_LENGTH, ENTRA_PRINCIPAL_TYPES,
    EXPIRES_IN_MINUTES_MAX, EXPIRES_IN_MINUTES_MIN, OperationId,
};

/// An error answer of the emulated service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) target: Option<&'static str>,
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            target: None,
        }
    }

    fn target(mut self, target: &'static str) -> Self {
        self.target = Some(target);
        self
    }

    /// The JSON body, built from the spec's error model.
    pub(crate) fn body(&self) -> Vec<u8> {
        let response = CommunicationErrorResponse {
            error: CommunicationError {
                code: self.code.to_owned(),
                message: self.message.clone(),
                target: self.target.map(str::to_owned),
                details: Vec::new(),
                innererror: None,
            },
        };
        serde_json::to_vec(&response).expect("error models serialize")
    }

    // --- request shape ---

    pub(crate) fn route_not_found(method: &str, path: &str) -> Self {
        ApiError::new(
            404,
            "NotFound",
            format!("No operation of the Identity API matches {method} {path}."),
        )
    }

    /// An operation of the table that the emulator does not answer yet (a new API version's):
    /// 501, so that a test meets a clear answer rather than a wrong one.
    #[allow(dead_code, reason = "for operations not answered yet; none today")]
    pub(crate) fn not_implemented(operation: &str) -> Self {
        ApiError::new(
            501,
            "NotImplemented",
            format!("The emulator does not answer the operation {operation} yet."),
        )
    }

    pub(crate) fn missing_api_version() -> Self {
        ApiError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    }

    pub(crate) fn invalid_body(detail: impl std::fmt::Display) -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!("The request body is invalid: {detail}"),
        )
    }

    /// An API version the service does not serve, or one that lacks the operation: 400
    /// `UnsupportedApiVersion`, in the service's words (the request URI without its query),
    /// followed by what the emulator knows: the versions that have `operation`, or those it
    /// serves.
    pub(crate) fn unsupported_api_version(
        uri: &str,
        api_version: &str,
        operation: OperationId,
    ) -> Self {
        let op = operation.operation();
        let hint = if API_VERSIONS.contains(&api_version) {
            format!(
                "{} ({} {}) needs API version {}.",
                op.name,
                op.method,
                op.path,
                op.needs()
            )
        } else {
            format!(
                "The emulator serves API versions {} (start it with --any-api-version to serve \
                 any).",
                API_VERSIONS.join(", ")
            )
        };
        ApiError::new(
            400,
            "UnsupportedApiVersion",
            format!(
                "The HTTP resource that matches the request URI '{uri}' does not support the \
                 API version '{api_version}'. {hint}"
            ),
        )
    }

    /// A body of a media type the operation does not take.
    pub(crate) fn unsupported_media_type(expected: &str) -> Self {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!("The request body must be sent as {expected}."),
        )
    }

    /// A body not received within `limit` (a slow or stalled sender).
    pub(crate) fn request_timeout(limit: std::time::Duration) -> Self {
        ApiError::new(
            408,
            "RequestTimeout",
            format!(
                "The request body was not received within {} seconds.",
                limit.as_secs()
            ),
        )
    }

    pub(crate) fn body_too_large(limit: usize) -> Self {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!("The request body is larger than {limit} bytes."),
        )
    }

    // --- authentication ---

    pub(crate) fn denied() -> Self {
        ApiError::new(401, "Denied", "Denied by the resource provider.")
    }

    pub(crate) fn content_hash_mismatch() -> Self {
        ApiError::new(
            401,
            "Denied",
            "Request 'x-ms-content-sha256' differs from generated content hash.",
        )
    }

    pub(crate) fn invalid_access_token() -> Self {
        ApiError::new(
            401,
            "InvalidAccessToken",
            "Provided access token is not valid.",
        )
    }

    // --- identities and tokens ---

    pub(crate) fn expires_in_minutes(value: i64) -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!(
                "ExpiresInMinutes value {value} is invalid. Value must be within the \
                 [{EXPIRES_IN_MINUTES_MIN}, {EXPIRES_IN_MINUTES_MAX}] interval."
            ),
        )
        .target("ExpiresInMinutes")
    }

    pub(crate) fn scopes_required() -> Self {
        ApiError::new(
            400,
            "ValidationError",
            "Invalid scopes - Scopes field is required.",
        )
        .target("scopes")
    }

    pub(crate) fn unsupported_scope(scope: &str) -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!(
                "Invalid scopes - Scope '{scope}' is not supported. Supported scopes: {}.",
                acs_identity::spec::TOKEN_SCOPES.join(", ")
            ),
        )
        .target("scopes")
    }

    pub(crate) fn identity_not_owned() -> Self {
        ApiError::new(
            401,
            "IdentityNotOwned",
            "Provided identity doesn't belong to the resource.",
        )
    }

    pub(crate) fn identity_not_found() -> Self {
        ApiError::new(404, "IdentityNotFound", "Provided identity doesn't exist.")
    }

    pub(crate) fn invalid_identity() -> Self {
        ApiError::new(
            400,
            "ValidationError",
            "Provided identity has invalid format.",
        )
        .target("id")
    }

    /// `customId` sent at an API version without custom ids (refused rather than ignored: an
    /// identity created without its custom id would not be the one asked for); `needs`: the
    /// versions that have them, in words.
    pub(crate) fn custom_id_unsupported(api_version: &str, needs: &str) -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!(
                "CustomId: The customId property is not supported at API version \
                 '{api_version}'; it needs API version {needs}."
            ),
        )
        .target("customId")
    }

    /// `customId` of the wrong type or length (in characters).
    pub(crate) fn custom_id_invalid() -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!(
                "CustomId: The field CustomId must be a string with a minimum length of \
                 {CUSTOM_ID_MIN_LENGTH} and a maximum length of {CUSTOM_ID_MAX_LENGTH}."
            ),
        )
        .target("customId")
    }

    // --- Teams ---

    /// A required field of the Teams user exchange is missing or empty (`AppId`, `UserId`).
    pub(crate) fn field_required(field: &'static str) -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!("{field}: The {field} field is required."),
        )
        .target(field)
    }

    /// The service answers this both for a malformed app id and for one that is not the
    /// token's `appid` claim.
    pub(crate) fn app_id_invalid() -> Self {
        ApiError::new(400, "ValidationError", "Provided AppId has invalid format.").target("appId")
    }

    /// The service answers this both for a malformed user id and for one that is not the
    /// token's `oid` claim.
    pub(crate) fn user_id_invalid() -> Self {
        ApiError::new(
            400,
            "ValidationError",
            "Provided UserId has invalid format.",
        )
        .target("userId")
    }

    pub(crate) fn assignment_not_found() -> Self {
        ApiError::new(
            404,
            "AssignmentNotFound",
            "The Teams extension assignment doesn't exist.",
        )
    }

    // --- Entra ID ---

    pub(crate) fn entra_assignment_not_found() -> Self {
        ApiError::new(
            404,
            "AssignmentNotFound",
            "The Entra ID assignment doesn't exist.",
        )
    }

    pub(crate) fn unsupported_entra_principal_type(value: &str) -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!(
                "Invalid principalType - '{value}' is not supported. Supported values: {}.",
                ENTRA_PRINCIPAL_TYPES.join(", ")
            ),
        )
        .target("principalType")
    }

    /// A valid Entra ID token of a principal with no assignment that lets the token's
    /// application exchange it. (Not in the recordings: 403, as the token itself is valid.)
    pub(crate) fn entra_not_assigned() -> Self {
        ApiError::new(
            403,
            "Forbidden",
            "The Entra ID principal has no assignment to this resource for the token's \
             application.",
        )
    }

    pub(crate) fn invalid_skip_token() -> Self {
        ApiError::new(
            400,
            "ValidationError",
            "The skip token is invalid or has expired; list again from the first page.",
        )
        .target("$skipToken")
    }

    pub(crate) fn unsupported_principal_type(value: &str) -> Self {
        ApiError::new(
            400,
            "ValidationError",
            format!(
                "Invalid principalType - '{value}' is not supported. Supported values: {}.",
                acs_identity::spec::PRINCIPAL_TYPES.join(", ")
            ),
        )
        .target("principalType")
    }
}

impl From<SaveError> for ApiError {
    /// A change the data directory could not keep (e.g. a full disk): 500, as the service
    /// answers a failure of its own storage; the change was not made.
    fn from(e: SaveError) -> Self {
        ApiError::new(500, "InternalServerError", e.to_string())
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        Reply {
            status: e.status,
            body: e.body(),
            error: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_match_the_service() {
        assert_eq!(
            String::from_utf8(ApiError::expires_in_minutes(59).body()).unwrap(),
            r#"{"error":{"code":"ValidationError","message":"ExpiresInMinutes value 59 is invalid. Value must be within the [60, 1440] interval.","target":"ExpiresInMinutes"}}"#
        );
        assert_eq!(
            String::from_utf8(ApiError::identity_not_owned().body()).unwrap(),
            r#"{"error":{"code":"IdentityNotOwned","message":"Provided identity doesn't belong to the resource."}}"#
        );
    }

    #[test]
    fn an_unsupported_api_version_is_refused_in_the_services_words() {
        // The service's answer to an unknown version (POST /identities at
        // 2020-07-20-preview2, Azure-Samples/communication-services-web-calling-tutorial#8).
        let e = ApiError::unsupported_api_version(
            "https://h/identities",
            "2020-07-20-preview2",
            OperationId::CreateIdentity,
        );
        assert_eq!((e.status, e.code), (400, "UnsupportedApiVersion"));
        let services_words = "The HTTP resource that matches the request URI \
                              'https://h/identities' does not support the API version \
                              '2020-07-20-preview2'. ";
        assert_eq!(
            e.message,
            format!(
                "{services_words}The emulator serves API versions {} (start it with \
                 --any-api-version to serve any).",
                API_VERSIONS.join(", ")
            )
        );
        // A version that lacks the operation names the versions that have it.
        let op = OperationId::GetIdentity.operation();
        let e = ApiError::unsupported_api_version("https://h/identities/x", "2023-10-01", op.id);
        assert_eq!(e.status, 400);
        assert!(
            e.message.ends_with(&format!(
                "'2023-10-01'. get_identity (GET /identities/{{id}}) needs API version {}.",
                op.needs()
            )),
            "{}",
            e.message
        );
        assert!(!op.versions.contains(&"2023-10-01"));
        let e = ApiError::custom_id_unsupported("2023-10-01", "2025-03-02-preview");
        assert_eq!(
            (e.status, e.code, e.target),
            (400, "ValidationError", Some("customId"))
        );
        assert_eq!(
            e.message,
            "CustomId: The customId property is not supported at API version '2023-10-01'; it \
             needs API version 2025-03-02-preview."
        );
        let e = ApiError::custom_id_invalid();
        assert!(
            e.message
                .contains("minimum length of 1 and a maximum length of 256"),
            "{e:?}"
        );
    }
}
