//! The emulator's state: identities, the tokens it issued, Teams extension assignments, and
//! the requests it received. In memory, behind `std::sync::Mutex`es that are never held across
//! an `.await`.

use super::faults::Faults;
use super::jwt::JwtSigner;
use super::random::Random;
use super::record::RecordedRequest;
use acs_identity::AccessKey;
use acs_identity::raw::types::TeamsExtensionAssignmentResponse;
use std::collections::{HashMap, HashSet};
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
    pub(crate) faults: Faults,
    /// The Entra ID application and tenant of the bearer tokens the emulator hands out.
    pub(crate) entra_app_id: String,
    pub(crate) entra_tenant_id: String,
    store: Mutex<Store>,
    requests: Mutex<Vec<RecordedRequest>>,
}

impl Shared {
    pub(crate) fn new(
        resource_id: String,
        access_key_base64: Zeroizing<String>,
        access_key: AccessKey,
        random: Random,
        max_clock_skew: Duration,
        bearer_token_lifetime: Duration,
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
            max_clock_skew,
            bearer_token_lifetime,
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
    /// Tokens issued, by their signature.
    tokens: HashMap<String, IssuedToken>,
    /// Teams extension assignments by (tenant id, object id).
    assignments: HashMap<(String, String), TeamsExtensionAssignmentResponse>,
}

struct User {
    revoked_at: u64,
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
            self.users.insert(id.to_owned(), User { revoked_at });
        }
    }

    pub(crate) fn user_exists(&self, id: &str) -> bool {
        self.users.contains_key(id)
    }

    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Deletes an identity; `false` when there was none.
    pub(crate) fn delete_user(&mut self, id: &str) -> bool {
        let existed = self.users.remove(id).is_some();
        if existed {
            self.deleted.insert(id.to_owned());
        }
        existed
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

    /// Remembers a token just issued (by its signature).
    pub(crate) fn add_token(&mut self, signature: &str, user: Option<&str>) {
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
}
