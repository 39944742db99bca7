//! Lists of Entra ID assignments: `GET /access/entra/assignments`, paged by `nextLink`, and the
//! bulk update `PATCH /access/entra/assignments`, whose answer is paged the same way.

use super::super::errors::ApiError;
use super::super::http::{Reply, Request};
use super::super::state::Shared;
use super::super::wire::{percent_encode, query_param};
use super::common::parse_json;
use super::entra_id::assignment;
use acs_identity::raw::types;
use base64::Engine as _;
use serde_json::Value;

/// Where a page of Entra ID assignments starts: `$skipToken` (or `skipToken`) of a next link.
/// Opaque to clients: `a.<object id, base64url>` continues the list after that object id;
/// `u.<id>.<offset>` continues the answer of a bulk update.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SkipToken {
    After(String),
    UpdateResult { id: String, offset: usize },
}

impl SkipToken {
    fn encode(&self) -> String {
        match self {
            SkipToken::After(object_id) => format!(
                "a.{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(object_id)
            ),
            SkipToken::UpdateResult { id, offset } => format!("u.{id}.{offset}"),
        }
    }

    fn parse(token: &str) -> Option<SkipToken> {
        match token.split_once('.')? {
            ("a", encoded) => {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(encoded)
                    .ok()?;
                Some(SkipToken::After(String::from_utf8(bytes).ok()?))
            }
            ("u", rest) => {
                let (id, offset) = rest.rsplit_once('.')?;
                Some(SkipToken::UpdateResult {
                    id: id.to_owned(),
                    offset: offset.parse().ok()?,
                })
            }
            _ => None,
        }
    }
}

/// A page of Entra ID assignments, with a `nextLink` when `next` is given: an absolute URL to
/// `GET /access/entra/assignments` on the host the request was sent to, with the request's
/// `api-version` and a `$skipToken`.
fn assignments_page(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
    value: Vec<types::EntraAssignment>,
    next: Option<SkipToken>,
) -> Reply {
    let next_link = next.map(|token| {
        format!(
            "{}/access/entra/assignments?api-version={}&$skipToken={}",
            shared.base_url(req.header("host")),
            percent_encode(api_version),
            token.encode()
        )
    });
    Reply::json(200, &types::EntraAssignmentsResponse { next_link, value })
}

/// `GET /access/entra/assignments`: at most [`EmulatorOptions::page_size`](crate::EmulatorOptions::page_size)
/// assignments by object id, and a `nextLink` while more follow.
pub(super) fn list(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
) -> Result<Reply, ApiError> {
    let token = query_param(req.query(), "$skipToken")
        .or_else(|| query_param(req.query(), "skipToken"))
        .filter(|t| !t.is_empty());
    let token = match token {
        None => None,
        Some(t) => Some(SkipToken::parse(&t).ok_or_else(ApiError::invalid_skip_token)?),
    };
    let size = shared.page_size;
    let store = shared.store();
    let (value, next) = match token {
        None | Some(SkipToken::After(_)) => {
            let after = match &token {
                Some(SkipToken::After(a)) => Some(a.as_str()),
                _ => None,
            };
            let (page, more) = store.entra_page(after, size);
            let next = page
                .last()
                .filter(|_| more)
                .map(|last| SkipToken::After(last.object_id.clone()));
            (page, next)
        }
        Some(SkipToken::UpdateResult { id, offset }) => {
            let (page, more) = store
                .update_result_page(&id, offset, size)
                .ok_or_else(ApiError::invalid_skip_token)?;
            let next = more.then(|| SkipToken::UpdateResult {
                id,
                offset: offset + size,
            });
            (page, next)
        }
    };
    drop(store);
    Ok(assignments_page(shared, req, api_version, value, next))
}

/// `PATCH /access/entra/assignments` (`application/merge-patch+json`, else 415): a JSON object
/// of object id to assignment (created or replaced) or `null` (removed, also when there was
/// none). Every change is checked before any is applied. Answers 200 with the created and
/// replaced assignments by object id, paged like the list (`nextLink`), or 204 when there are
/// none to report (only removals, or no change).
pub(super) fn update(
    shared: &Shared,
    req: &Request<'_>,
    api_version: &str,
) -> Result<Reply, ApiError> {
    const MERGE_PATCH: &str = "application/merge-patch+json";
    let media_type = req
        .header("content-type")
        .map(|v| v.split(';').next().unwrap_or_default().trim());
    if !media_type.is_some_and(|m| m.eq_ignore_ascii_case(MERGE_PATCH)) {
        return Err(ApiError::unsupported_media_type(MERGE_PATCH));
    }
    let Value::Object(changes) = parse_json(req.body)? else {
        return Err(ApiError::invalid_body(
            "expected a JSON object of object ids to assignments or null.",
        ));
    };
    let mut upserts = Vec::new();
    let mut removals = Vec::new();
    for (object_id, change) in changes {
        if object_id.is_empty() {
            return Err(ApiError::invalid_body("an object id is empty."));
        }
        match change {
            Value::Null => removals.push(object_id),
            change => upserts.push(assignment(&object_id, change)?),
        }
    }
    let size = shared.page_size;
    let mut store = shared.store();
    // One change: every removal and upsert is kept, or none.
    store.update_entra_assignments(removals, upserts.clone())?;
    if upserts.is_empty() {
        return Ok(Reply::no_content());
    }
    upserts.sort_by(|a, b| a.object_id.cmp(&b.object_id));
    let next = (upserts.len() > size).then(|| {
        let id = shared.random.guid();
        store.keep_update_result(id.clone(), upserts.clone());
        SkipToken::UpdateResult { id, offset: size }
    });
    drop(store);
    upserts.truncate(size);
    Ok(assignments_page(shared, req, api_version, upserts, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_tokens_round_trip() {
        for token in [
            SkipToken::After("o:1/é".into()),
            SkipToken::After(String::new()),
            SkipToken::UpdateResult {
                id: "a-b".into(),
                offset: 7,
            },
        ] {
            let encoded = token.encode();
            assert!(
                encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)),
                "{encoded}"
            );
            assert_eq!(SkipToken::parse(&encoded), Some(token));
        }
        for bad in ["", "a", "x.y", "a.!!", "u.id", "u.id.-1"] {
            assert_eq!(SkipToken::parse(bad), None, "{bad}");
        }
    }
}
