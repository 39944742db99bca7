//! Entra ID: the token exchange and the assignments that allow it (`/access/entra`).
//!
//! The assignment methods take the path's id, `object_id`, first, then the body's fields
//! (`tenant_id`, `principal_type`, `client_ids`).

use super::{RawResult, operations, required};
use crate::error::{Error, ErrorKind};
use crate::pipeline::encoding::check_param;
use crate::pipeline::per_call::Call;
use crate::raw::types;
use crate::spec::OperationId;
use crate::{EntraAssignment, EntraAssignmentUpdates, EntraPrincipalType, UserToken};
use progenitor_client::ResponseValue;

operations! {
    /// Exchanges a user's Entra ID token for a Communication Services user and token. The
    /// request is authorized by `entra_token` itself (as `Authorization: Bearer`), not by the
    /// client's credential; the user's principal needs an Entra ID assignment.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   or an empty `entra_token`;
    /// - 401 [`InvalidAccessToken`](crate::ErrorCode::InvalidAccessToken): `entra_token` is not
    ///   a valid Entra ID token (malformed, expired, for another audience). Since the request
    ///   is authorized by that token, a 401 here is about the user's token, never the client's
    ///   credential.
    /// - 403 `Forbidden` ([`Error::is_forbidden`](crate::Error::is_forbidden)): the token is
    ///   valid, but no Entra ID assignment lets its application (`appid`) exchange the tokens of
    ///   its user (`oid`) or tenant (`tid`): see
    ///   [`upsert_entra_assignment`](Self::upsert_entra_assignment);
    /// - [`InvalidResponse`](crate::ErrorKind::InvalidResponse): the answer has no token.
    ///
    /// Retried on every transient failure: a repeat yields another, equally valid token.
    pub async fn exchange_entra_id_token(&self, entra_token: &str) -> Result<UserToken, Error> {
        let entra_token = required("entra_token", entra_token)?;
        let body = types::EntraExchangeTokenRequest(serde_json::Map::new());
        let raw = self.raw();
        let call = Call::new("exchange_entra_id_token", OperationId::ExchangeEntraIdToken)
            .authorized_by(entra_token);
        let result = self.call(call, || raw.exchange_entra_id_token(&body)).await?;
        let Some(token) = result.access_token else {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "the service answered the exchange without an access token",
            ));
        };
        Ok(UserToken::new(
            crate::CommunicationUserIdentifier::new(result.identity.id),
            token.into(),
        ))
    }

    /// The Entra ID assignment of `object_id`.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   or an id that cannot be one (see [identifiers](crate#refused-before-sending));
    /// - 404 [`AssignmentNotFound`](crate::ErrorCode::AssignmentNotFound): `object_id` has no
    ///   assignment ([`Error::is_not_found`](crate::Error::is_not_found)).
    ///
    /// Retried on every transient failure (it changes nothing).
    pub async fn get_entra_assignment(&self, object_id: &str) -> Result<EntraAssignment, Error> {
        let object_id = check_param("object id", object_id)?;
        let raw = self.raw();
        let call = Call::new("get_entra_assignment", OperationId::GetEntraAssignment);
        self.call(call, || raw.get_entra_assignment(object_id))
            .await
            .map(Into::into)
    }

    /// Creates or replaces the Entra ID assignment of `object_id`: the path's id, then the
    /// body's fields. The service answers 201 when it creates the assignment and 200 when it
    /// replaces one: both succeed alike.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   an object id that cannot be one (see [identifiers](crate#refused-before-sending)), or an
    ///   empty `tenant_id`;
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError) with target
    ///   `principalType`: a principal type the service does not know
    ///   ([`Other`](EntraPrincipalType::Other)).
    ///
    /// Retried on every transient failure: putting the same assignment twice leaves the same
    /// assignment.
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
        let raw = self.raw();
        let call = Call::new("upsert_entra_assignment", OperationId::UpsertEntraAssignment);
        self.call(call, || raw.upsert_entra_assignment(object_id, &body))
            .await
            .map(Into::into)
    }

    /// Deletes the Entra ID assignment of `object_id`. Deleting one that does not exist succeeds:
    /// the service answers 204 as for the first delete.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   or an id that cannot be one (see [identifiers](crate#refused-before-sending)).
    ///
    /// Retried on every transient failure: the operation is idempotent.
    pub async fn delete_entra_assignment(&self, object_id: &str) -> Result<(), Error> {
        let object_id = check_param("object id", object_id)?;
        let raw = self.raw();
        let call = Call::new("delete_entra_assignment", OperationId::DeleteEntraAssignment);
        self.call(call, || raw.delete_entra_assignment(object_id)).await
    }

    /// Every Entra ID assignment of the resource, following every page.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries), for any page:
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions));
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError) with target `$skipToken`:
    ///   the service no longer has the next page (its skip token expired); list again from the
    ///   first page;
    /// - [`InvalidResponse`](crate::ErrorKind::InvalidResponse): a next link that is not a URL,
    ///   or that points to another origin than the endpoint (not followed: it would receive the
    ///   client's credentials).
    ///
    /// Each page is retried on every transient failure; a failure after the retries loses the
    /// pages already read.
    pub async fn list_entra_assignments(&self) -> Result<Vec<EntraAssignment>, Error> {
        let raw = self.raw();
        let call = Call::new("list_entra_assignments", OperationId::ListEntraAssignments);
        let first = self.call(call, || raw.list_entra_assignments()).await?;
        self.all_pages("list_entra_assignments", first).await
    }

    /// Creates, replaces and removes Entra ID assignments in one request, and returns the
    /// assignments the service reports back, following every page (none when it answers 204).
    /// Removing an assignment that does not exist succeeds.
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries), and those of
    /// [`list_entra_assignments`](Self::list_entra_assignments) for the pages after the first:
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an API
    ///   version without this operation (see [API versions](crate#api-versions)),
    ///   no change, an empty object id or tenant id, or one object id changed twice;
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError) with the property as
    ///   target: a change the service refuses, such as a principal type it does not know
    ///   ([`Other`](EntraPrincipalType::Other)) (the emulator then applies none of the
    ///   changes).
    ///
    /// Retried on every transient failure: applying the same changes twice leaves the same
    /// assignments.
    pub async fn update_entra_assignments(
        &self,
        updates: &EntraAssignmentUpdates,
    ) -> Result<Vec<EntraAssignment>, Error> {
        let body = update_body(updates)?;
        let raw = self.raw();
        let call = Call::new("update_entra_assignments", OperationId::UpdateEntraAssignments);
        let first = self
            .call(call, || async {
                no_content_is_empty(raw.update_entra_assignments(&body).await)
            })
            .await?;
        self.all_pages("update_entra_assignments", first).await
    }
}

/// The body of a bulk update: one change per object id, `null` to remove.
fn update_body(
    updates: &EntraAssignmentUpdates,
) -> Result<types::EntraAssignmentUpdateBulkRequest, Error> {
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
    Ok(types::EntraAssignmentUpdateBulkRequest(changes))
}

impl crate::CommunicationIdentityClient {
    /// The items of `page` and of every page after it (`nextLink`), fetched with the client's
    /// authentication, as part of the facade method `method`. A next link to another origin than
    /// the endpoint is not followed.
    async fn all_pages(
        &self,
        method: &'static str,
        mut page: types::EntraAssignmentsResponse,
    ) -> Result<Vec<EntraAssignment>, Error> {
        let mut all: Vec<EntraAssignment> = Vec::new();
        loop {
            all.extend(page.value.into_iter().map(Into::into));
            let Some(next) = page.next_link.filter(|l| !l.is_empty()) else {
                return Ok(all);
            };
            let url = self.next_page_url(&next)?;
            let call = Call::new(method, OperationId::ListEntraAssignments);
            page = self
                .call(call, || fetch_page(self.raw(), url.clone()))
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
    result: RawResult<types::EntraAssignmentsResponse>,
) -> RawResult<types::EntraAssignmentsResponse> {
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
    raw: &crate::raw::Client,
    mut url: reqwest::Url,
) -> RawResult<types::EntraAssignmentsResponse> {
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
    crate::pipeline::per_try::prepare(
        raw.inner(),
        &mut request,
        OperationId::ListEntraAssignments.name(),
    )
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
