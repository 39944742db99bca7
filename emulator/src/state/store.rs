//! The identities, tokens and assignments of the emulator, and every change to them.
//!
//! Each change that must outlive the process is a [`Change`]: [`Store::commit`] writes it to
//! the journal of the data directory, when there is one, before applying it, so that an
//! answered request's change is on disk ([`persist`](super::super::persist)); loading replays
//! the journal through the same [`Store::apply`].

use super::super::persist::{Journal, SaveError};
use acs_identity::raw::types::{EntraAssignment, TeamsExtensionAssignmentResponse};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// How many answers of bulk updates of Entra ID assignments are kept for their next pages
/// (the oldest are forgotten first).
const KEPT_UPDATE_RESULTS: usize = 64;

/// Identities, issued tokens and assignments.
///
/// Ordering uses a sequence number instead of clock time: a token issued in the same
/// millisecond as a revocation, but after it, stays valid.
#[derive(Default)]
pub(crate) struct Store {
    /// Where changes are saved: `None` in memory only.
    journal: Option<Journal>,
    seq: u64,
    /// Live identities by id, with the sequence number of their last revocation.
    users: HashMap<String, User>,
    /// Ids of deleted identities.
    deleted: HashSet<String>,
    /// The identity of each custom id (live identities only).
    custom_ids: HashMap<String, String>,
    /// Tokens issued, by their signature.
    tokens: HashMap<String, IssuedToken>,
    /// Teams extension assignments by (tenant id, object id).
    assignments: HashMap<(String, String), TeamsExtensionAssignmentResponse>,
    /// Entra ID assignments by object id, in the order pages list them.
    entra_assignments: BTreeMap<String, EntraAssignment>,
    /// The assignments reported by recent bulk updates whose answer has more than one page,
    /// by a random id: the next pages are read from here.
    update_results: VecDeque<(String, Vec<EntraAssignment>)>,
}

struct User {
    revoked_at: u64,
    custom_id: Option<String>,
    last_token_issued_at: Option<DateTime<Utc>>,
}

/// What the store knows of an identity (`GET /identities/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UserRecord {
    pub(crate) custom_id: Option<String>,
    pub(crate) last_token_issued_at: Option<DateTime<Utc>>,
}

struct IssuedToken {
    /// The identity it was issued for (`None` for Teams user tokens).
    user: Option<String>,
    seq: u64,
}

/// What the store knows of a token it issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRecord {
    Unknown,
    Live,
    Revoked,
    UserDeleted,
}

/// A change of the store that is saved (the answers of bulk updates kept for their next pages
/// are not: they are forgotten on restart, as links of a restarted service may be).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub(crate) enum Change {
    /// An identity is created (with its custom id, if any).
    AddUser {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom_id: Option<String>,
    },
    /// An identity is deleted; its custom id is freed.
    DeleteUser { id: String },
    /// Every token issued so far for an identity is revoked.
    Revoke { id: String },
    /// A token is issued (for an identity, or for a Teams user when `user` is `None`).
    IssueToken {
        signature: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        at: DateTime<Utc>,
    },
    /// A Teams extension assignment is created or replaced.
    PutAssignment {
        assignment: TeamsExtensionAssignmentResponse,
    },
    /// A Teams extension assignment is removed.
    DeleteAssignment {
        tenant_id: String,
        object_id: String,
    },
    /// Entra ID assignments are removed, then created or replaced, as one change (a bulk
    /// update is applied whole or not at all).
    UpdateEntraAssignments {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        put: Vec<EntraAssignment>,
    },
}

impl Store {
    /// A store that saves its changes to `journal`, with the changes already saved applied.
    pub(crate) fn saved_to(journal: Journal, saved: Vec<Change>) -> Self {
        let mut store = Store::default();
        for change in saved {
            store.apply(change);
        }
        store.journal = Some(journal);
        store
    }

    /// Saves `change` (when the store has a journal), then applies it. A change that cannot be
    /// saved is not applied.
    pub(crate) fn commit(&mut self, change: Change) -> Result<(), SaveError> {
        if let Some(journal) = &mut self.journal {
            journal.append(&change)?;
        }
        self.apply(change);
        Ok(())
    }

    /// Applies a change, saved or being saved.
    fn apply(&mut self, change: Change) {
        match change {
            Change::AddUser { id, custom_id } => {
                // Tokens of an earlier identity with this id (deleted since) stay invalid.
                let revoked_at = self.next_seq();
                self.deleted.remove(&id);
                if let Some(custom_id) = &custom_id {
                    self.custom_ids.insert(custom_id.clone(), id.clone());
                }
                self.users.insert(
                    id,
                    User {
                        revoked_at,
                        custom_id,
                        last_token_issued_at: None,
                    },
                );
            }
            Change::DeleteUser { id } => {
                if let Some(user) = self.users.remove(&id) {
                    if let Some(custom_id) = user.custom_id {
                        self.custom_ids.remove(&custom_id);
                    }
                    self.deleted.insert(id);
                }
            }
            Change::Revoke { id } => {
                let seq = self.next_seq();
                if let Some(user) = self.users.get_mut(&id) {
                    user.revoked_at = seq;
                }
            }
            Change::IssueToken {
                signature,
                user,
                at,
            } => {
                if let Some(u) = user.as_deref().and_then(|id| self.users.get_mut(id)) {
                    u.last_token_issued_at = Some(at);
                }
                let seq = self.next_seq();
                self.tokens.insert(signature, IssuedToken { user, seq });
            }
            Change::PutAssignment { assignment } => {
                let key = (assignment.tenant_id.clone(), assignment.object_id.clone());
                self.assignments.insert(key, assignment);
            }
            Change::DeleteAssignment {
                tenant_id,
                object_id,
            } => {
                self.assignments.remove(&(tenant_id, object_id));
            }
            Change::UpdateEntraAssignments { remove, put } => {
                for object_id in remove {
                    self.entra_assignments.remove(&object_id);
                }
                for assignment in put {
                    self.entra_assignments
                        .insert(assignment.object_id.clone(), assignment);
                }
            }
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Adds an identity; an existing one is kept (its tokens stay valid).
    pub(crate) fn add_user(&mut self, id: &str) -> Result<(), SaveError> {
        if self.users.contains_key(id) {
            return Ok(());
        }
        self.commit(Change::AddUser {
            id: id.to_owned(),
            custom_id: None,
        })
    }

    /// The identity of `custom_id`: the existing one, or `new_id` added with that custom id.
    pub(crate) fn durable_user(
        &mut self,
        custom_id: &str,
        new_id: String,
    ) -> Result<String, SaveError> {
        if let Some(id) = self.custom_ids.get(custom_id) {
            return Ok(id.clone());
        }
        self.commit(Change::AddUser {
            id: new_id.clone(),
            custom_id: Some(custom_id.to_owned()),
        })?;
        Ok(new_id)
    }

    pub(crate) fn user_exists(&self, id: &str) -> bool {
        self.users.contains_key(id)
    }

    /// The custom id of a live identity and when a token was last issued for it.
    pub(crate) fn user(&self, id: &str) -> Option<UserRecord> {
        self.users.get(id).map(|u| UserRecord {
            custom_id: u.custom_id.clone(),
            last_token_issued_at: u.last_token_issued_at,
        })
    }

    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Deletes an identity, and frees its custom id (creating with it again makes a new
    /// identity); `false` when there was none.
    pub(crate) fn delete_user(&mut self, id: &str) -> Result<bool, SaveError> {
        if !self.users.contains_key(id) {
            return Ok(false);
        }
        self.commit(Change::DeleteUser { id: id.to_owned() })?;
        Ok(true)
    }

    /// Revokes every token issued so far for `id`; `false` when there is no such identity.
    pub(crate) fn revoke(&mut self, id: &str) -> Result<bool, SaveError> {
        if !self.users.contains_key(id) {
            return Ok(false);
        }
        self.commit(Change::Revoke { id: id.to_owned() })?;
        Ok(true)
    }

    /// Remembers a token just issued (by its signature), and when it was issued for its
    /// identity (in whole seconds, as the service reports `lastTokenIssuedAt`).
    pub(crate) fn add_token(
        &mut self,
        signature: &str,
        user: Option<&str>,
    ) -> Result<(), SaveError> {
        self.commit(Change::IssueToken {
            signature: signature.to_owned(),
            user: user.map(str::to_owned),
            at: Utc::now().trunc_subsecs(0),
        })
    }
    pub(crate) fn token(&self, signature: &str) -> TokenRecord {
        let Some(token) = self.tokens.get(signature) else {
            return TokenRecord::Unknown;
        };
        let Some(user) = &token.user else {
            return TokenRecord::Live;
        };
        match self.users.get(user) {
            Some(u) if token.seq > u.revoked_at => TokenRecord::Live,
            Some(_) => TokenRecord::Revoked,
            None if self.deleted.contains(user) => TokenRecord::UserDeleted,
            None => TokenRecord::Unknown,
        }
    }

    pub(crate) fn assignment(
        &self,
        tenant_id: &str,
        object_id: &str,
    ) -> Option<&TeamsExtensionAssignmentResponse> {
        self.assignments
            .get(&(tenant_id.to_owned(), object_id.to_owned()))
    }

    /// Creates or replaces an assignment; `true` when it was created.
    pub(crate) fn put_assignment(
        &mut self,
        assignment: TeamsExtensionAssignmentResponse,
    ) -> Result<bool, SaveError> {
        let created = self
            .assignment(&assignment.tenant_id, &assignment.object_id)
            .is_none();
        self.commit(Change::PutAssignment { assignment })?;
        Ok(created)
    }

    /// Removes an assignment; `false` when there was none.
    pub(crate) fn delete_assignment(
        &mut self,
        tenant_id: &str,
        object_id: &str,
    ) -> Result<bool, SaveError> {
        if self.assignment(tenant_id, object_id).is_none() {
            return Ok(false);
        }
        self.commit(Change::DeleteAssignment {
            tenant_id: tenant_id.to_owned(),
            object_id: object_id.to_owned(),
        })?;
        Ok(true)
    }

    // --- Entra ID assignments ---

    pub(crate) fn entra_assignment(&self, object_id: &str) -> Option<&EntraAssignment> {
        self.entra_assignments.get(object_id)
    }

    /// Creates or replaces an Entra ID assignment; `true` when it was created.
    pub(crate) fn put_entra_assignment(
        &mut self,
        assignment: EntraAssignment,
    ) -> Result<bool, SaveError> {
        let created = self.entra_assignment(&assignment.object_id).is_none();
        self.update_entra_assignments(Vec::new(), vec![assignment])?;
        Ok(created)
    }

    /// Removes an Entra ID assignment; `false` when there was none.
    pub(crate) fn delete_entra_assignment(&mut self, object_id: &str) -> Result<bool, SaveError> {
        if self.entra_assignment(object_id).is_none() {
            return Ok(false);
        }
        self.update_entra_assignments(vec![object_id.to_owned()], Vec::new())?;
        Ok(true)
    }

    /// Removes the Entra ID assignments of `remove` (missing ones too), then creates or
    /// replaces those of `put`, as one change.
    pub(crate) fn update_entra_assignments(
        &mut self,
        remove: Vec<String>,
        put: Vec<EntraAssignment>,
    ) -> Result<(), SaveError> {
        self.commit(Change::UpdateEntraAssignments { remove, put })
    }

    /// Up to `size` Entra ID assignments after object id `after` (from the first without one),
    /// and whether more follow.
    pub(crate) fn entra_page(
        &self,
        after: Option<&str>,
        size: usize,
    ) -> (Vec<EntraAssignment>, bool) {
        use std::ops::Bound;
        let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.to_owned()));
        let mut rest = self
            .entra_assignments
            .range((start, Bound::Unbounded))
            .map(|(_, a)| a.clone());
        let page: Vec<EntraAssignment> = rest.by_ref().take(size).collect();
        (page, rest.next().is_some())
    }

    /// Whether an Entra ID user (`object_id` in `tenant_id`) may exchange a token of the
    /// application `app_id`: an assignment of principal type `user` for the user, or of type
    /// `tenant` for the tenant, in that tenant, lists the application. (Group memberships are
    /// not known to the emulator: `group` assignments authorize no one.)
    pub(crate) fn entra_user_assigned(
        &self,
        tenant_id: &str,
        object_id: &str,
        app_id: &str,
    ) -> bool {
        self.entra_assignments.values().any(|a| {
            let principal = match a.principal_type.as_str() {
                "user" => a.object_id.eq_ignore_ascii_case(object_id),
                "tenant" => true,
                _ => false,
            };
            principal
                && a.tenant_id.eq_ignore_ascii_case(tenant_id)
                && a.client_ids.iter().any(|c| c.eq_ignore_ascii_case(app_id))
        })
    }

    /// Keeps the assignments a bulk update reports, for their next pages, under `id`.
    pub(crate) fn keep_update_result(&mut self, id: String, assignments: Vec<EntraAssignment>) {
        if self.update_results.len() == KEPT_UPDATE_RESULTS {
            self.update_results.pop_front();
        }
        self.update_results.push_back((id, assignments));
    }

    /// Up to `size` assignments of the kept bulk update answer `id` from `offset`, and whether
    /// more follow; `None` when it is not kept (or never was).
    pub(crate) fn update_result_page(
        &self,
        id: &str,
        offset: usize,
        size: usize,
    ) -> Option<(Vec<EntraAssignment>, bool)> {
        let (_, all) = self.update_results.iter().find(|(i, _)| i == id)?;
        let page = all.iter().skip(offset).take(size).cloned().collect();
        Some((page, all.len() > offset.saturating_add(size)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocation_and_deletion_use_issue_order() {
        let mut store = Store::default();
        store.add_user("u").unwrap();
        store.add_token("before", Some("u")).unwrap();
        assert_eq!(store.token("before"), TokenRecord::Live);
        assert!(store.revoke("u").unwrap());
        store.add_token("after", Some("u")).unwrap();
        assert_eq!(store.token("before"), TokenRecord::Revoked);
        assert_eq!(store.token("after"), TokenRecord::Live);
        assert!(store.delete_user("u").unwrap());
        assert!(!store.delete_user("u").unwrap());
        assert!(!store.revoke("u").unwrap());
        assert_eq!(store.token("after"), TokenRecord::UserDeleted);
        store.add_user("u").unwrap();
        assert_eq!(store.token("after"), TokenRecord::Revoked);
        assert_eq!(store.token("never"), TokenRecord::Unknown);
        // A token of an identity the store never had (neither live nor deleted).
        store.add_token("ghost's", Some("ghost")).unwrap();
        assert_eq!(store.token("ghost's"), TokenRecord::Unknown);
        store.add_token("teams", None).unwrap();
        assert_eq!(store.token("teams"), TokenRecord::Live);
    }

    #[test]
    fn custom_ids_name_one_identity_until_it_is_deleted() {
        let mut store = Store::default();
        assert_eq!(store.durable_user("alice", "1".into()).unwrap(), "1");
        assert_eq!(store.durable_user("alice", "2".into()).unwrap(), "1");
        assert_eq!(store.user_count(), 1);
        assert_eq!(store.user("1").unwrap().custom_id.as_deref(), Some("alice"));
        assert_eq!(store.user("1").unwrap().last_token_issued_at, None);
        store.add_token("t", Some("1")).unwrap();
        let issued = store.user("1").unwrap().last_token_issued_at.unwrap();
        assert_eq!(issued.timestamp_subsec_nanos(), 0);
        assert!(store.delete_user("1").unwrap());
        assert_eq!(store.durable_user("alice", "3".into()).unwrap(), "3");
    }

    fn entra(object_id: &str, tenant: &str, kind: &str, client: &str) -> EntraAssignment {
        EntraAssignment {
            client_ids: vec![client.to_owned()],
            object_id: object_id.to_owned(),
            principal_type: kind.parse().unwrap(),
            tenant_id: tenant.to_owned(),
        }
    }

    #[test]
    fn entra_pages_and_assignments() {
        let mut store = Store::default();
        for o in ["c", "a", "e", "b", "d"] {
            assert!(
                store
                    .put_entra_assignment(entra(o, "t", "user", "app"))
                    .unwrap()
            );
        }
        assert!(
            !store
                .put_entra_assignment(entra("a", "t", "user", "app"))
                .unwrap()
        );
        let ids =
            |page: &[EntraAssignment]| page.iter().map(|a| a.object_id.clone()).collect::<Vec<_>>();
        let (page, more) = store.entra_page(None, 2);
        assert_eq!(
            (ids(&page), more),
            (vec!["a".to_owned(), "b".to_owned()], true)
        );
        let (page, more) = store.entra_page(Some("d"), 2);
        assert_eq!((ids(&page), more), (vec!["e".to_owned()], false));
        assert!(store.entra_user_assigned("T", "a", "APP"));
        assert!(!store.entra_user_assigned("t", "a", "other-app"));
        assert!(!store.entra_user_assigned("other-tenant", "a", "app"));
        assert!(!store.entra_user_assigned("t", "z", "app"));
        store
            .put_entra_assignment(entra("g", "t", "group", "app"))
            .unwrap();
        assert!(
            !store.entra_user_assigned("t", "g", "app"),
            "groups are not known"
        );
        store
            .put_entra_assignment(entra("t", "t", "tenant", "app"))
            .unwrap();
        assert!(
            store.entra_user_assigned("t", "z", "app"),
            "the whole tenant"
        );
        assert!(store.delete_entra_assignment("a").unwrap());
        assert!(!store.delete_entra_assignment("a").unwrap());
        assert!(store.entra_assignment("a").is_none());
    }

    #[test]
    fn update_results_are_kept_for_their_next_pages() {
        let mut store = Store::default();
        let all: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|o| entra(o, "t", "user", "c"))
            .collect();
        store.keep_update_result("r".into(), all);
        let (page, more) = store.update_result_page("r", 2, 2).unwrap();
        assert_eq!((page.len(), more), (1, false));
        // A page that ends exactly at the last assignment has none after it.
        let (page, more) = store.update_result_page("r", 1, 2).unwrap();
        assert_eq!((page.len(), more), (2, false));
        // Several answers are kept at once.
        store.keep_update_result("s".into(), Vec::new());
        assert!(store.update_result_page("r", 0, 2).is_some());
        assert!(store.update_result_page("s", 0, 2).is_some());
        assert!(store.update_result_page("r", 0, 2).unwrap().1);
        assert!(store.update_result_page("other", 0, 2).is_none());
        for i in 0..KEPT_UPDATE_RESULTS {
            store.keep_update_result(i.to_string(), Vec::new());
        }
        assert!(
            store.update_result_page("r", 0, 2).is_none(),
            "the oldest is forgotten"
        );
    }
}
