//! The emulator's state: identities (with their custom ids), the tokens it issued, Teams
//! extension and Entra ID assignments, and the requests it received. In memory, behind `std::sync::Mutex`es that are never held across
//! an `.await`.

use super::faults::Faults;
use super::jwt::JwtSigner;
use super::random::Random;
use super::record::RecordedRequest;
use acs_identity::AccessKey;
use acs_identity::raw::types::{EntraAssignment, TeamsExtensionAssignmentResponse};
use chrono::{DateTime, SubsecRound, Utc};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use zeroize::Zeroizing;

/// Everything the server tasks and the [`Emulator`](super::Emulator) handle share.
pub(crate) struct Shared {
    /// The resource's id: ids of its identities are `8:acs:<resource_id>_<user>`.
    pub(crate) resource_id: String,
    pub(crate) access_key: AccessKey,
    /// The access key as text, for the connection string.
    pub(crate) access_key_base64: Zeroizing<String>,
    /// Signs and checks every token the emulator issues.
    pub(crate) signer: JwtSigner,
    pub(crate) random: Random,
    pub(crate) max_clock_skew: Duration,
    pub(crate) bearer_token_lifetime: Duration,
    /// The most items a page of Entra ID assignments holds (at least 1).
    pub(crate) page_size: usize,
    /// `http` or `https`, for the absolute links of pages.
    pub(crate) scheme: &'static str,
    /// `127.0.0.1:<port>`: the host of links when a request has no `Host` header.
    pub(crate) authority: String,
    pub(crate) faults: Faults,
    /// The Entra ID application and tenant of the bearer tokens the emulator hands out.
    pub(crate) entra_app_id: String,
    pub(crate) entra_tenant_id: String,
    store: Mutex<Store>,
    requests: Mutex<Vec<RecordedRequest>>,
}

/// The settings of [`Shared`] that come from [`EmulatorOptions`](super::EmulatorOptions).
pub(crate) struct Settings {
    pub(crate) max_clock_skew: Duration,
    pub(crate) bearer_token_lifetime: Duration,
    pub(crate) page_size: usize,
    pub(crate) https: bool,
    pub(crate) port: u16,
}

impl Shared {
    pub(crate) fn new(
        resource_id: String,
        access_key_base64: Zeroizing<String>,
        access_key: AccessKey,
        random: Random,
        settings: Settings,
    ) -> Self {
        let mut signing_key = Zeroizing::new([0u8; 32]);
        random.fill(&mut signing_key[..]);
        Shared {
            resource_id,
            access_key,
            access_key_base64,
            signer: JwtSigner::new(&signing_key[..]),
            entra_app_id: random.guid(),
            entra_tenant_id: random.guid(),
            random,
            max_clock_skew: settings.max_clock_skew,
            bearer_token_lifetime: settings.bearer_token_lifetime,
            page_size: settings.page_size.max(1),
            scheme: if settings.https { "https" } else { "http" },
            authority: format!("127.0.0.1:{}", settings.port),
            faults: Faults::default(),
            store: Mutex::new(Store::default()),
            requests: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        self.requests().push(request);
    }

    pub(crate) fn requests(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How many answers of bulk updates of Entra ID assignments are kept for their next pages
/// (the oldest are forgotten first).
const KEPT_UPDATE_RESULTS: usize = 64;

/// Identities, issued tokens and assignments.
///
/// Ordering uses a sequence number instead of clock time: a token issued in the same
/// millisecond as a revocation, but after it, stays valid.
#[derive(Default)]
pub(crate) struct Store {
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

impl Store {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Adds an identity; an existing one is kept (its tokens stay valid).
    pub(crate) fn add_user(&mut self, id: &str) {
        if !self.users.contains_key(id) {
            // Tokens of an earlier identity with this id (deleted since) stay invalid.
            let revoked_at = self.next_seq();
            self.deleted.remove(id);
            self.users.insert(
                id.to_owned(),
                User {
                    revoked_at,
                    custom_id: None,
                    last_token_issued_at: None,
                },
            );
        }
    }

    /// The identity of `custom_id`: the existing one, or `new_id` added with that custom id.
    pub(crate) fn durable_user(&mut self, custom_id: &str, new_id: String) -> String {
        if let Some(id) = self.custom_ids.get(custom_id) {
            return id.clone();
        }
        self.add_user(&new_id);
        if let Some(user) = self.users.get_mut(&new_id) {
            user.custom_id = Some(custom_id.to_owned());
        }
        self.custom_ids.insert(custom_id.to_owned(), new_id.clone());
        new_id
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
    pub(crate) fn delete_user(&mut self, id: &str) -> bool {
        let Some(user) = self.users.remove(id) else {
            return false;
        };
        if let Some(custom_id) = user.custom_id {
            self.custom_ids.remove(&custom_id);
        }
        self.deleted.insert(id.to_owned());
        true
    }

    /// Revokes every token issued so far for `id`; `false` when there is no such identity.
    pub(crate) fn revoke(&mut self, id: &str) -> bool {
        let seq = self.next_seq();
        match self.users.get_mut(id) {
            Some(user) => {
                user.revoked_at = seq;
                true
            }
            None => false,
        }
    }

    /// Remembers a token just issued (by its signature), and when it was issued for its
    /// identity (in whole seconds, as the service reports `lastTokenIssuedAt`).
    pub(crate) fn add_token(&mut self, signature: &str, user: Option<&str>) {
        if let Some(u) = user.and_then(|id| self.users.get_mut(id)) {
            u.last_token_issued_at = Some(Utc::now().trunc_subsecs(0));
        }
        let seq = self.next_seq();
        self.tokens.insert(
            signature.to_owned(),
            IssuedToken {
                user: user.map(str::to_owned),
                seq,
            },
        );
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
    pub(crate) fn put_assignment(&mut self, assignment: TeamsExtensionAssignmentResponse) -> bool {
        let key = (assignment.tenant_id.clone(), assignment.object_id.clone());
        self.assignments.insert(key, assignment).is_none()
    }

    /// Removes an assignment; `false` when there was none.
    pub(crate) fn delete_assignment(&mut self, tenant_id: &str, object_id: &str) -> bool {
        self.assignments
            .remove(&(tenant_id.to_owned(), object_id.to_owned()))
            .is_some()
    }

    // --- Entra ID assignments ---

    pub(crate) fn entra_assignment(&self, object_id: &str) -> Option<&EntraAssignment> {
        self.entra_assignments.get(object_id)
    }

    /// Creates or replaces an Entra ID assignment; `true` when it was created.
    pub(crate) fn put_entra_assignment(&mut self, assignment: EntraAssignment) -> bool {
        self.entra_assignments
            .insert(assignment.object_id.clone(), assignment)
            .is_none()
    }

    /// Removes an Entra ID assignment; `false` when there was none.
    pub(crate) fn delete_entra_assignment(&mut self, object_id: &str) -> bool {
        self.entra_assignments.remove(object_id).is_some()
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
        store.add_user("u");
        store.add_token("before", Some("u"));
        assert_eq!(store.token("before"), TokenRecord::Live);
        assert!(store.revoke("u"));
        store.add_token("after", Some("u"));
        assert_eq!(store.token("before"), TokenRecord::Revoked);
        assert_eq!(store.token("after"), TokenRecord::Live);
        assert!(store.delete_user("u"));
        assert!(!store.delete_user("u"));
        assert!(!store.revoke("u"));
        assert_eq!(store.token("after"), TokenRecord::UserDeleted);
        store.add_user("u");
        assert_eq!(store.token("after"), TokenRecord::Revoked);
        assert_eq!(store.token("never"), TokenRecord::Unknown);
        store.add_token("teams", None);
        assert_eq!(store.token("teams"), TokenRecord::Live);
    }

    #[test]
    fn custom_ids_name_one_identity_until_it_is_deleted() {
        let mut store = Store::default();
        assert_eq!(store.durable_user("alice", "1".into()), "1");
        assert_eq!(store.durable_user("alice", "2".into()), "1");
        assert_eq!(store.user_count(), 1);
        assert_eq!(store.user("1").unwrap().custom_id.as_deref(), Some("alice"));
        assert_eq!(store.user("1").unwrap().last_token_issued_at, None);
        store.add_token("t", Some("1"));
        let issued = store.user("1").unwrap().last_token_issued_at.unwrap();
        assert_eq!(issued.timestamp_subsec_nanos(), 0);
        assert!(store.delete_user("1"));
        assert_eq!(store.durable_user("alice", "3".into()), "3");
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
            assert!(store.put_entra_assignment(entra(o, "t", "user", "app")));
        }
        assert!(!store.put_entra_assignment(entra("a", "t", "user", "app")));
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
        store.put_entra_assignment(entra("g", "t", "group", "app"));
        assert!(
            !store.entra_user_assigned("t", "g", "app"),
            "groups are not known"
        );
        store.put_entra_assignment(entra("t", "t", "tenant", "app"));
        assert!(
            store.entra_user_assigned("t", "z", "app"),
            "the whole tenant"
        );
        assert!(store.delete_entra_assignment("a"));
        assert!(!store.delete_entra_assignment("a"));
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
