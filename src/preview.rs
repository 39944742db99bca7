//! The operations of the preview API version (feature `preview`): durable identities (custom
//! ids), user details, the Entra ID token exchange and Entra ID assignments. They need a client
//! whose API version has them (`ClientOptions::api_version` set to
//! [`PREVIEW_API_VERSION`](crate::spec::PREVIEW_API_VERSION)); otherwise they are refused before
//! anything is sent.

use crate::client::CommunicationIdentityClient;
use crate::error::{Error, ErrorKind};
use crate::operations::{created_user, required};
use crate::pipeline::encoding::check_param;
use crate::pipeline::retry::Idempotency::Safe;
use crate::raw::preview::types;
use crate::spec::{CUSTOM_ID_MAX_LENGTH, CUSTOM_ID_MIN_LENGTH};
use crate::{
    AccessToken, CommunicationUserIdentifier, CreatedUser, EntraAssignment, EntraAssignmentUpdates,
    EntraPrincipalType, UserDetails,
};
use progenitor_client::ResponseValue;

type RawError = progenitor_client::Error<types::CommunicationErrorResponse>;

impl CommunicationIdentityClient {
    /// Creates the user of `custom_id`, or returns it when it exists: creating again with the same
    /// custom id answers with the same user, so this is retried like an idempotent operation.
    pub(crate) async fn create_durable_user(
        &self,
        custom_id: &str,
        create_token_with_scopes: Vec<crate::CommunicationTokenScope>,
        expires_in_minutes: Option<i32>,
    ) -> Result<CreatedUser, Error> {
        let version = self.api_version();
        if !crate::spec::CUSTOM_ID_VERSIONS.contains(&version)
            && crate::spec::API_VERSIONS.contains(&version)
        {
            return Err(Error::invalid_argument(format!(
                "a custom id needs API version {}; this client uses {version} (set \
                 `ClientOptions::api_version`)",
                crate::spec::CUSTOM_ID_VERSIONS.join(" or ")
            )));
        }
        let length = custom_id.chars().count();
        if !(CUSTOM_ID_MIN_LENGTH..=CUSTOM_ID_MAX_LENGTH).contains(&length) {
            return Err(Error::invalid_argument(format!(
                "custom id of {length} characters; it must have {CUSTOM_ID_MIN_LENGTH} to \
                 {CUSTOM_ID_MAX_LENGTH} characters"
            )));
        }
        let with_token = !create_token_with_scopes.is_empty();
        let body = types::CommunicationIdentityCreateRequest {
            custom_id: Some(custom_id.to_owned().try_into().map_err(|e| {
                Error::invalid_argument(format!("custom id refused by the spec's rules: {e}"))
            })?),
            create_token_with_scopes,
            expires_in_minutes,
        };
        let raw = self.raw_preview();
        let result = self
            .shared
            .calls
            .run("create_user_with", Safe, None, || {
                raw.create_identity(&body)
            })
            .await?;
        let token = result
            .access_token
            .map(|t| AccessToken::new(t.token, t.expires_on));
        created_user(result.identity.id, token, with_token)
    }

    /// The details of `user` (preview): its custom id and when a token was last issued for it.
    pub async fn get_user(&self, user: &CommunicationUserIdentifier) -> Result<UserDetails, Error> {
        let id = check_param("user id", user.id())?;
        let raw = self.raw_preview();
        self.shared
            .calls
            .run("get_user", Safe, None, || raw.get_identity(id))
            .await
            .map(Into::into)
    }

    /// Exchanges a user's Entra ID token for a Communication Services user and token (preview).
    /// The request is authorized by `entra_token` itself (as `Authorization: Bearer`), not by the
    /// client's credential; the user's principal needs an Entra ID assignment.
    pub async fn exchange_entra_id_token(
        &self,
        entra_token: &str,
    ) -> Result<(CommunicationUserIdentifier, AccessToken), Error> {
        let entra_token = required("entra_token", entra_token)?;
        let body = types::EntraExchangeTokenRequest(serde_json::Map::new());
        let raw = self.raw_preview();
        let result = self
            .shared
            .calls
            .run("exchange_entra_id_token", Safe, Some(entra_token), || {
                raw.exchange_entra_id_token(&body)
            })
            .await?;
        let Some(token) = result.access_token else {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "the service answered the exchange without an access token",
            ));
        };
        Ok((
            CommunicationUserIdentifier::new(result.identity.id),
            AccessToken::new(token.token, token.expires_on),
        ))
    }

    /// The Entra ID assignment of `object_id` (preview).
    pub async fn get_entra_assignment(&self, object_id: &str) -> Result<EntraAssignment, Error> {
        let object_id = check_param("object id", object_id)?;
        let raw = self.raw_preview();
        self.shared
            .calls
            .run("get_entra_assignment", Safe, None, || {
                raw.get_entra_assignment(object_id)
            })
            .await
            .map(Into::into)
    }

    /// Creates or replaces the Entra ID assignment of `object_id` (preview).
    pub async fn upsert_entra_assignment<S: AsRef<str>>(
        &self,
        object_id: &str,
        tenant_id: &str,
        principal_type: EntraPrincipalType,
        client_ids: &[S],
    ) -> Result<EntraAssignment, Error> {
        let object_id = check_param("object id", object_id)?;
        let body = types::EntraAssignmentCreateOrUpdateRequest {
            tenant_id: required("tenant_id", tenant_id)?.to_owned(),
            principal_type,
            client_ids: client_ids.iter().map(|c| c.as_ref().to_owned()).collect(),
        };
        let raw = self.raw_preview();
        self.shared
            .calls
            .run("upsert_entra_assignment", Safe, None, || {
                raw.upsert_entra_assignment(object_id, &body)
            })
            .await
            .map(Into::into)
    }

    /// Deletes the Entra ID assignment of `object_id` (preview).
    pub async fn delete_entra_assignment(&self, object_id: &str) -> Result<(), Error> {
        let object_id = check_param("object id", object_id)?;
        let raw = self.raw_preview();
        self.shared
            .calls
            .run("delete_entra_assignment", Safe, None, || {
                raw.delete_entra_assignment(object_id)
            })
            .await
    }

    /// Every Entra ID assignment of the resource (preview), following every page.
    pub async fn list_entra_assignments(&self) -> Result<Vec<EntraAssignment>, Error> {
        let raw = self.raw_preview();
        let first = self
            .shared
            .calls
            .run("list_entra_assignments", Safe, None, || {
                raw.list_entra_assignments()
            })
            .await?;
        self.all_pages(first).await
    }

    /// Creates, replaces and removes Entra ID assignments in one request (preview), and returns
    /// the assignments the service reports back, following every page (none when it answers
    /// 204).
    pub async fn update_entra_assignments(
        &self,
        updates: &EntraAssignmentUpdates,
    ) -> Result<Vec<EntraAssignment>, Error> {
        if updates.is_empty() {
            return Err(Error::invalid_argument(
                "no assignment to update; add changes with `upsert` or `remove`",
            ));
        }
        let mut changes = std::collections::HashMap::new();
        for (object_id, change) in &updates.changes {
            let object_id = required("object id", object_id)?.to_owned();
            let change = match change {
                None => None,
                Some((tenant_id, principal_type, client_ids)) => {
                    Some(types::EntraAssignmentCreateOrUpdateRequest {
                        tenant_id: required("tenant_id", tenant_id)?.to_owned(),
                        principal_type: principal_type.clone(),
                        client_ids: client_ids.clone(),
                    })
                }
            };
            if changes.insert(object_id.clone(), change).is_some() {
                return Err(Error::invalid_argument(format!(
                    "object id {object_id:?} is changed twice; give one change per object id"
                )));
            }
        }
        let body = types::EntraAssignmentUpdateBulkRequest(changes);
        let raw = self.raw_preview();
        let first = self
            .shared
            .calls
            .run("update_entra_assignments", Safe, None, || async {
                no_content_is_empty(raw.update_entra_assignments(&body).await)
            })
            .await?;
        self.all_pages(first).await
    }

    /// The items of `page` and of every page after it (`nextLink`), fetched with the client's
    /// authentication. A next link to another origin than the endpoint is not followed.
    async fn all_pages(
        &self,
        mut page: types::EntraAssignmentsResponse,
    ) -> Result<Vec<EntraAssignment>, Error> {
        let mut all: Vec<EntraAssignment> = Vec::new();
        loop {
            all.extend(page.value.into_iter().map(Into::into));
            let Some(next) = page.next_link.filter(|l| !l.is_empty()) else {
                return Ok(all);
            };
            let url = self.next_page_url(&next)?;
            page = self
                .shared
                .calls
                .run("list_entra_assignments", Safe, None, || {
                    fetch_page(self.raw_preview(), url.clone())
                })
                .await?;
        }
    }

    /// The URL of a next link: absolute, or relative to the endpoint; on the endpoint's origin.
    fn next_page_url(&self, next: &str) -> Result<reqwest::Url, Error> {
        let base = reqwest::Url::parse(&format!("{}/", self.endpoint()))
            .map_err(|e| Error::configuration(format!("the endpoint is not a URL: {e}")))?;
        let url = base.join(next).map_err(|e| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!("the service's next link is not a URL ({e})"),
            )
        })?;
        if url.origin() != base.origin() {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "the service's next link points to another origin than the endpoint; not followed \
                 (it would receive the client's credentials)",
            ));
        }
        Ok(url)
    }
}

/// A 204 of the bulk update (adjustment `no-content-beside-content`) is an empty page.
#[allow(
    clippy::result_large_err,
    reason = "the generated client's own result type"
)]
fn no_content_is_empty(
    result: Result<ResponseValue<types::EntraAssignmentsResponse>, RawError>,
) -> Result<ResponseValue<types::EntraAssignmentsResponse>, RawError> {
    match result {
        Err(progenitor_client::Error::UnexpectedResponse(r)) if r.status().as_u16() == 204 => {
            Ok(ResponseValue::new(
                types::EntraAssignmentsResponse {
                    value: Vec::new(),
                    next_link: None,
                },
                r.status(),
                r.headers().clone(),
            ))
        }
        other => other,
    }
}

/// GETs a page of Entra ID assignments at `url` through the same steps as the generated
/// client's `list_entra_assignments` (whose path it has): api-version, authorization, limits.
#[allow(
    clippy::result_large_err,
    reason = "the generated client's own result type"
)]
async fn fetch_page(
    raw: &crate::raw::preview::Client,
    mut url: reqwest::Url,
) -> Result<ResponseValue<types::EntraAssignmentsResponse>, RawError> {
    use progenitor_client::ClientInfo;
    // The client's api-version replaces one the link may carry.
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "api-version")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    let mut request = raw
        .client()
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .build()?;
    crate::pipeline::per_try::prepare(raw.inner(), &mut request, "list_entra_assignments")
        .await
        .map_err(crate::pipeline::context::fail)?;
    let response = crate::pipeline::per_try::send(raw.client(), request)
        .await
        .map_err(progenitor_client::Error::CommunicationError)?;
    match response.status().as_u16() {
        200 => ResponseValue::from_response(response).await,
        400..=599 => Err(progenitor_client::Error::ErrorResponse(
            ResponseValue::from_response(response).await?,
        )),
        _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
    }
}
