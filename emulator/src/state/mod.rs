//! The emulator's state: the resource and settings, identities (with their custom ids), the
//! tokens it issued, Teams extension and Entra ID assignments ([`store`]), and the requests it
//! received. Behind `std::sync::Mutex`es that are never held across an `.await`.

mod store;

pub(crate) use store::{Store, TokenRecord};

use super::faults::Faults;
use super::jwt::JwtSigner;
use super::persist::Resource;
use super::random::Random;
use super::record::{RecordedRequest, RequestLog};
use acs_identity::AccessKey;
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
    /// How long a client may take to send a request's headers, then its body.
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
    /// Whether API versions the SDK's table does not know are served (every operation) rather
    /// than refused.
    pub(crate) any_api_version: bool,
    /// The Entra ID application and tenant of the bearer tokens the emulator hands out.
    pub(crate) entra_app_id: String,
    pub(crate) entra_tenant_id: String,
    store: Mutex<Store>,
    requests: Mutex<RequestLog>,
}

/// The settings of [`Shared`] that come from [`EmulatorOptions`](super::EmulatorOptions).
pub(crate) struct Settings {
    pub(crate) max_clock_skew: Duration,
    pub(crate) bearer_token_lifetime: Duration,
    pub(crate) page_size: usize,
    pub(crate) https: bool,
    /// The host and port links name when a request has no `Host` header.
    pub(crate) authority: String,
    pub(crate) any_api_version: bool,
    pub(crate) max_recorded_requests: usize,
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
}

impl Shared {
    /// The state of the emulator of `resource` (whose access key is `access_key`), with the
    /// identities, tokens and assignments of `store`.
    pub(crate) fn new(
        resource: Resource,
        access_key: AccessKey,
        store: Store,
        random: Random,
        settings: Settings,
    ) -> Self {
        Shared {
            resource_id: resource.resource_id,
            access_key,
            access_key_base64: resource.access_key_base64,
            signer: JwtSigner::new(&resource.signing_key[..]),
            entra_app_id: resource.entra_app_id,
            entra_tenant_id: resource.entra_tenant_id,
            random,
            max_clock_skew: settings.max_clock_skew,
            bearer_token_lifetime: settings.bearer_token_lifetime,
            page_size: settings.page_size.max(1),
            scheme: if settings.https { "https" } else { "http" },
            authority: settings.authority,
            faults: Faults::default(),
            any_api_version: settings.any_api_version,
            header_timeout: settings.header_timeout,
            body_timeout: settings.body_timeout,
            store: Mutex::new(store),
            requests: Mutex::new(RequestLog::new(settings.max_recorded_requests)),
        }
    }

    /// The state of an emulator of the resource `resource_id` that no server serves: for the
    /// in-memory fuzzing entry point and unit tests. In memory, a random key, pages of 3, short
    /// timeouts.
    pub(crate) fn detached(resource_id: &str) -> Self {
        let random = Random::new();
        let resource = Resource::new(Some(resource_id), None, &random);
        let key = AccessKey::from_base64(&resource.access_key_base64)
            .expect("a key the emulator made is valid base64");
        Shared::new(
            resource,
            key,
            Store::default(),
            random,
            Settings {
                max_clock_skew: Duration::from_secs(300),
                bearer_token_lifetime: Duration::from_secs(3600),
                page_size: 3,
                https: false,
                authority: "127.0.0.1:1".to_owned(),
                any_api_version: false,
                max_recorded_requests: 16,
                header_timeout: Duration::from_secs(1),
                body_timeout: Duration::from_secs(1),
            },
        )
    }

    /// The scheme and authority a request reached the emulator at (its `Host`, else the
    /// emulator's own), e.g. `https://127.0.0.1:8443`: the base of the absolute URLs it answers.
    pub(crate) fn base_url(&self, host: Option<&str>) -> String {
        format!("{}://{}", self.scheme, host.unwrap_or(&self.authority))
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        self.requests().push(request);
    }

    pub(crate) fn requests(&self) -> MutexGuard<'_, RequestLog> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }
}
