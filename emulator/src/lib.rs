//! A local emulator of the Azure Communication Services Identity service, for tests (in Rust
//! or, through the `acs-identity-emulator` binary, in any language) and local development.
//!
//! [`Emulator::start`] serves the operations of the Identity API at every API version the SDK
//! vendors (every operation of [`acs_identity::spec::OperationId`]) over plain http on
//! `127.0.0.1` (the client accepts http for loopback hosts only), in memory, with the service's
//! authentication rules, status codes and error messages; with [`EmulatorOptions::tls`] it
//! serves https (see [`Tls`]), which the official SDKs of other languages need. The
//! `acs-identity-emulator` binary serves one on a port of your choice (`--https` for https).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use acs_identity_emulator::{Emulator, TokenStatus};
//! use acs_identity::{CommunicationIdentityClient, CommunicationTokenScope};
//!
//! let emulator = Emulator::start().await?;
//! let client = CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), None)?;
//! let (user, token) = client.create_user_and_token(&[CommunicationTokenScope::Chat], None).await?;
//! assert!(emulator.user_exists(user.id()));
//! assert_eq!(emulator.token_status(token.token()), TokenStatus::Valid);
//! client.revoke_tokens(&user).await?;
//! assert_eq!(emulator.token_status(token.token()), TokenStatus::Revoked);
//! # Ok(()) }
//! ```
//!
//! # What is emulated
//!
//! - **Operations**: the paths, methods, bodies and statuses of the spec: requests are routed by
//!   the SDK's table of operations ([`acs_identity::spec::OPERATIONS`]) and each
//!   [`OperationId`](acs_identity::spec::OperationId) is answered; bodies are read and written
//!   with the spec's models ([`acs_identity::raw::types`], the union of every version's). Every
//!   request needs an `api-version` query parameter; every version the SDK knows
//!   ([`acs_identity::spec::API_VERSIONS`], e.g. `2023-10-01`, which the official SDKs send)
//!   serves the operations it has; an operation it lacks, and a version it does not know, are
//!   refused as the service refuses a version (400 `UnsupportedApiVersion`), unless
//!   [`EmulatorOptions::any_api_version`] serves unknown versions. Path parameters are percent-decoded (`8%3Aacs%3A…`) or taken as
//!   sent (`8:acs:…`, as Python's async client sends them); signatures are checked over the
//!   request target as received.
//! - **Authentication**: HMAC-SHA256 with the access key, checked with
//!   [`AccessKey::verify`](acs_identity::AccessKey::verify) (the code the client signs
//!   with) over the `Host` header and request target as received, with `x-ms-date` at most
//!   [`EmulatorOptions::max_clock_skew`] away from the emulator's clock; or
//!   `Authorization: Bearer` with a token of [`Emulator::token_credential`]. The Teams
//!   extension and Entra ID token exchanges are authorized only by the user's own Entra ID
//!   token ([`Emulator::issue_teams_user_token`]) as bearer.
//! - **Tokens**: JWTs with the service's claims (`skypeid`, `scp`, `csi`, `iat`, `exp`, `rgn`,
//!   `acsScope`, `resourceId`, `resourceLocation`), signed with HS256 and a random key of the
//!   emulator (the service uses RS256 and its own keys; clients treat tokens as opaque).
//!   `expiresOn` is written like the service does (`2026-11-28T18:00:00.1234567+00:00`).
//!   Revoking invalidates the tokens issued before; deleting an identity invalidates its
//!   tokens ([`Emulator::token_status`]).
//! - **Errors**: the service's codes and messages where recordings of the live service show them:
//!
//! | case | answer |
//! |---|---|
//! | `expiresInMinutes` out of range | 400 `ValidationError` "ExpiresInMinutes value 59 is invalid. Value must be within the \[60, 1440\] interval." (target `ExpiresInMinutes`) |
//! | missing or empty `scopes` | 400 `ValidationError` "Invalid scopes - Scopes field is required." (target `scopes`) |
//! | identity of another resource | 401 `IdentityNotOwned` "Provided identity doesn't belong to the resource." |
//! | Teams token bad, empty or expired (checked before `appId` and `userId`) | 401 `InvalidAccessToken` "Provided access token is not valid." |
//! | `appId` / `userId` missing (with a valid token) | 400 `ValidationError` "AppId: The AppId field is required." (target `AppId`; same for `UserId`) |
//! | `appId` / `userId` not the token's `appid` / `oid` | 400 `ValidationError` "Provided AppId has invalid format." (target `appId`; same for `userId`) |
//! | content hash differs from the body | 401 `Denied` "Request 'x-ms-content-sha256' differs from generated content hash." |
//! | an `api-version` the service does not serve | 400 `UnsupportedApiVersion` "The HTTP resource that matches the request URI '…' does not support the API version '…'." (then the versions the emulator serves) |
//! | any other authentication failure | 401 `Denied` "Denied by the resource provider." |
//!
//! Where the service's answer is not known, the emulator chooses:
//!
//! | case | answer |
//! |---|---|
//! | `x-ms-date` too far off, malformed or missing | 401 `Denied` "Denied by the resource provider." |
//! | missing `api-version` | 400 `MissingApiVersionParameter` |
//! | an operation the `api-version` does not have (e.g. the Teams extension or `GET /identities/{id}` at `2023-10-01`) | 400 `UnsupportedApiVersion` as for an unknown version, then the operation and the versions that have it ([`Operation::needs`](acs_identity::spec::Operation::needs)); before authentication |
//! | unknown path or method | 404 `NotFound` |
//! | malformed identity id (not `8:acs:<resource>_<user>`) | 400 `ValidationError` "Provided identity has invalid format." |
//! | issue, revoke or get (preview) for an identity of this resource that does not exist (or was deleted) | 404 `IdentityNotFound` |
//! | delete of such an identity | 204 (a retried delete has the same effect as the first) |
//! | scope or principal type the spec does not know | 400 `ValidationError` |
//! | get a missing Teams extension or Entra ID assignment | 404 `AssignmentNotFound` |
//! | delete a missing Teams extension or Entra ID assignment | 204 (as for identities) |
//! | `customId` at a version without custom ids ([`Operation::takes_at`](acs_identity::spec::Operation::takes_at)) | 400 `ValidationError` (target `customId`) naming the versions that have them: refused, not ignored |
//! | `customId` not a string of 1 to 256 characters ([`CUSTOM_ID_MIN_LENGTH`](acs_identity::spec::CUSTOM_ID_MIN_LENGTH)..=[`CUSTOM_ID_MAX_LENGTH`](acs_identity::spec::CUSTOM_ID_MAX_LENGTH)) | 400 `ValidationError` (target `customId`) |
//! | Entra ID assignment without `tenantId`, `principalType` or `clientIds` | 400 `ValidationError` "TenantId: The TenantId field is required." (target `TenantId`; same for the others) |
//! | Entra ID exchange by a user without an assignment for the token's application | 403 `Forbidden` (the token itself is valid) |
//! | bulk update of Entra ID assignments not sent as `application/merge-patch+json` | 415 `UnsupportedMediaType` |
//! | a `$skipToken` the emulator did not make (or of a forgotten bulk update answer) | 400 `ValidationError` (target `$skipToken`) |
//! | body larger than 1 MiB | 413 |
//!
//! The Teams extension exchange does not require an assignment for the user; it returns the
//! identity `8:acs:<resource>_<tenant id>_<object id>` and a `voip` token that expires with
//! the user's token.
//!
//! # The preview (`2025-03-02-preview`)
//!
//! A client of the SDK reaches these at the preview's API version, chosen at run time:
//! [`ClientOptions::latest_preview`](acs_identity::ClientOptions::latest_preview), or
//! `with_api_version(ApiVersion::LATEST_PREVIEW)` on other options (e.g. those of
//! [`Emulator::client_options`]).
//!
//! - **Durable identities**: `POST /identities` with `customId` creates the identity of that
//!   custom id once; creating again with it answers 201 with the same identity (and a new
//!   token when scopes are asked), as the live service does. Deleting the identity frees its
//!   custom id. At the preview the answer's identity has `customId` and `lastTokenIssuedAt`.
//! - **User details**: `GET /identities/{id}` answers `{id, customId?, lastTokenIssuedAt?}`;
//!   `lastTokenIssuedAt` is when a token was last issued for the identity (on issue, on create
//!   with scopes, on an exchange), in whole seconds as the service writes it
//!   (`2025-04-14T15:32:27+00:00`).
//! - **Entra ID assignments**: `GET`, `PUT` (201 created, 200 replaced), `DELETE`
//!   `/access/entra/assignments/{objectId}` with `{tenantId, principalType, clientIds}`;
//!   principal types are those of the spec
//!   ([`ENTRA_PRINCIPAL_TYPES`](acs_identity::spec::ENTRA_PRINCIPAL_TYPES)). `GET
//!   /access/entra/assignments` lists them by object id, at most
//!   [`EmulatorOptions::page_size`] a page; a page with more to follow has a `nextLink`: an
//!   absolute URL on the host the request was sent to, with `api-version` and an opaque
//!   `$skipToken` (`skipToken` is accepted too). `PATCH /access/entra/assignments` takes a
//!   merge patch of object id to assignment or `null` (removed, also when missing); every
//!   change is checked before any is applied. It answers 200 with the created and replaced
//!   assignments by object id, paged the same way (the emulator keeps the latest 64 such
//!   answers for their next pages), or **204** when there is nothing to report (only
//!   removals).
//! - **Entra ID token exchange**: `POST /access/entra/:exchangeAccessToken` with body `{}` and
//!   the user's Entra ID token as bearer. The user needs an assignment in the token's tenant
//!   (`tid`) that lists the token's application (`appid`) in `clientIds`: of principal type
//!   `user` with the user's `oid` as object id, or of type `tenant` (every user of the
//!   tenant). Group memberships are not known to the emulator: `group` assignments authorize
//!   no one. It answers the identity `8:acs:<resource>_wf_<tenant id>_<object id>` (the form of
//!   the spec's example) and a `chat,voip` token that expires with the user's token.
//!
//! # Bearer tokens for tests in other languages
//!
//! The emulator answers the OpenID Connect discovery and OAuth 2.0 token endpoints of the
//! official credential libraries at the authority `{endpoint}/adfs` (and `{endpoint}/{tenant
//! id}`, v2.0): with `AZURE_AUTHORITY_HOST={endpoint}`, `AZURE_TENANT_ID=adfs` and any
//! `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`, `DefaultAzureCredential` of Python and
//! JavaScript gets tokens it accepts as bearer; MSAL's username and password flow signs a Teams
//! user in (any user name and password) for `get_token_for_teams_user`. The emulator's README
//! has the details for each language.
//!
//! `POST {endpoint}/emulator/entra/token` (no authentication) with the JSON body
//! `{"scopes": ["https://communication.azure.com//.default"]}` (or no body) answers
//! `{"token_type": "Bearer", "access_token": "…", "expires_on": <Unix seconds>,
//! "expires_in": <seconds>}`: a token the emulator accepts as `Authorization: Bearer` on every
//! operation, like those of [`Emulator::token_credential`]. Other scopes are refused with 400
//! `{"error": "invalid_scope", "error_description": "…"}`. Wrap it in the SDK's token
//! credential type of your language (the emulator's README has a Python one). The official
//! SDKs send bearer tokens over https only: start the emulator with https.
//!
//! # State that survives a restart
//!
//! With [`EmulatorOptions::data_dir`] (`--data-dir`), the resource (id, access key, signing
//! key) and every change of identities, revocations, issued tokens and assignments are kept in
//! that directory, each change synced to disk before its request is answered, and loaded at
//! start: ids an app stored, its connection string and its tokens stay valid after a restart,
//! even after a kill.
//!
//! # Testing failures
//!
//! [`Emulator::faults`] injects faults (error statuses, delays, connection resets, damaged
//! answers) into the next matching requests; [`Emulator::requests`] lists every request
//! received, with how it was authenticated. Faults never apply to the token endpoint.
//!
//! # Randomness
//!
//! Ids, the access key and the token-signing key come from SipHash keyed by std's
//! [`RandomState`](std::collections::hash_map::RandomState) (seeded from the operating system)
//! over a counter: unpredictable enough for a local emulator, but not a cryptographic
//! generator. Do not use the emulator's keys or tokens for anything else.

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod auth;
mod credential;
mod errors;
mod faults;
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod jwt;
mod persist;
mod random;
mod record;
mod routes;
mod server;
mod state;
mod tls;
mod token_endpoint;
mod tokens;
mod wire;

pub use credential::EmulatorCredential;
pub use faults::{Fault, FaultAction, Faults, RandomFaults};
pub use record::{AuthFailure, AuthOutcome, RecordedRequest};
pub use tls::Tls;
pub use tokens::TokenStatus;

use acs_identity::{AccessKey, ClientOptions};
use acs_identity::{EntraAssignment, TeamsExtensionAssignment};
use persist::{Journal, Resource, SavedResource};
use random::Random;
use state::{Shared, Store};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Settings of an [`Emulator`].
///
/// ```
/// use acs_identity_emulator::EmulatorOptions;
/// use std::time::Duration;
///
/// let options = EmulatorOptions {
///     port: 8080,
///     max_clock_skew: Duration::from_secs(60),
///     ..EmulatorOptions::default()
/// };
/// ```
#[derive(Clone)]
pub struct EmulatorOptions {
    /// The address to listen on: `127.0.0.1` by default. Another address (e.g. `0.0.0.0` in a
    /// container, so that other containers reach it) exposes the emulator, which accepts any
    /// client id and password at its token endpoint, to that network: for tests only.
    pub host: IpAddr,
    /// The port to listen on; `0` (the default) for any free port.
    pub port: u16,
    /// Plain http (the default) or https, with a certificate made at start or your own.
    pub tls: Tls,
    /// How far `x-ms-date` may be from the emulator's clock, either way. Default: 5 minutes.
    pub max_clock_skew: Duration,
    /// How long the bearer tokens of [`Emulator::token_credential`] live. Default: 1 hour.
    pub bearer_token_lifetime: Duration,
    /// The access key (base64), e.g. to keep a connection string across restarts; by default
    /// a random 64-byte key.
    pub access_key: Option<String>,
    /// The resource id (the `<resource>` of `8:acs:<resource>_<user>`); by default a random
    /// GUID. It must not be empty nor contain `_`, `:` or `/`.
    pub resource_id: Option<String>,
    /// The most Entra ID assignments a page holds (the list, and the answer of a bulk update);
    /// more are reached by the page's `nextLink`. Default: 100; at least 1 (0 is taken as 1).
    pub page_size: usize,
    /// Serve API versions the SDK does not know (with every operation) instead of refusing
    /// them with 400 `UnsupportedApiVersion` as the service does. Default: `false`.
    pub any_api_version: bool,
    /// A directory that keeps the resource (id, access key, signing key) and every change of
    /// identities, revocations, tokens and assignments, so that a restarted emulator has them
    /// (see the crate documentation, "State that survives a restart"). Created if missing.
    /// Default: `None`, in memory only.
    pub data_dir: Option<PathBuf>,
    /// How many of the latest requests [`Emulator::requests`] keeps (the oldest are forgotten,
    /// so that a long run does not grow with every request); [`Emulator::request_count`]
    /// counts them all. Default: 10,000.
    pub max_recorded_requests: usize,
    /// How long a client may take to send a request's line and headers once it started; the
    /// connection is closed beyond (a slow or stalled sender holds nothing longer). Default: 10
    /// seconds.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body: 408 `RequestTimeout` beyond.
    /// Default: 30 seconds.
    pub body_timeout: Duration,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: Tls::Off,
            max_clock_skew: Duration::from_secs(5 * 60),
            bearer_token_lifetime: Duration::from_secs(60 * 60),
            access_key: None,
            resource_id: None,
            page_size: 100,
            any_api_version: false,
            data_dir: None,
            max_recorded_requests: 10_000,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

impl fmt::Debug for EmulatorOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("max_clock_skew", &self.max_clock_skew)
            .field("bearer_token_lifetime", &self.bearer_token_lifetime)
            .field(
                "access_key",
                &self.access_key.as_ref().map(|_| "<redacted>"),
            )
            .field("resource_id", &self.resource_id)
            .field("page_size", &self.page_size)
            .field("any_api_version", &self.any_api_version)
            .field("data_dir", &self.data_dir)
            .field("max_recorded_requests", &self.max_recorded_requests)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .finish()
    }
}

/// A running emulator of the Identity service on `127.0.0.1`.
///
/// Dropping it stops the server: the listening socket is closed at once and open connections
/// shortly after. It must be started within a tokio runtime, which runs the server.
///
/// `Debug` shows the endpoint and resource id, never the access key.
pub struct Emulator {
    shared: Arc<Shared>,
    endpoint: String,
    port: u16,
    /// The certificate chain served over https (PEM); `None` for plain http.
    certificate_pem: Option<String>,
    /// A client that trusts the certificate, for https.
    http_client: Option<reqwest::Client>,
    listener: Option<Arc<TcpListener>>,
    server: tokio::task::JoinHandle<()>,
    credential: Arc<EmulatorCredential>,
}

impl Emulator {
    /// Starts an emulator on `127.0.0.1` on a free port, with a random resource id and
    /// access key.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (the server runs as tasks of the current runtime).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = acs_identity_emulator::Emulator::start().await?;
    /// assert!(emulator.endpoint().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<Emulator, std::io::Error> {
        Self::start_with(EmulatorOptions::default()).await
    }

    /// Starts an emulator with `options`.
    ///
    /// Fails when the port cannot be bound, the access key, resource id or TLS certificate
    /// and key of `options` are invalid ([`std::io::ErrorKind::InvalidInput`]), or the data
    /// directory cannot be read or written, holds another resource than the one asked for
    /// (`InvalidInput`), or holds damaged files ([`std::io::ErrorKind::InvalidData`]). Every
    /// message says what and where.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub async fn start_with(options: EmulatorOptions) -> Result<Emulator, std::io::Error> {
        let invalid =
            |message: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, message);
        let random = Random::new();
        if let Some(id) = &options.resource_id
            && (id.is_empty() || id.contains(['_', ':', '/']))
        {
            return Err(invalid(format!(
                "resource id {id:?} must not be empty nor contain `_`, `:` or `/`"
            )));
        }
        let given_key = options.access_key.as_deref().map(str::trim);
        if let Some(key) = given_key {
            AccessKey::from_base64(key).map_err(|e| invalid(e.to_string()))?;
        }
        let (resource, store) = match &options.data_dir {
            None => (
                Resource::new(options.resource_id.as_deref(), given_key, &random),
                Store::default(),
            ),
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("cannot create the data directory {}: {e}", dir.display()),
                    )
                })?;
                let resource = SavedResource::load_or_create(
                    dir,
                    options.resource_id.as_deref(),
                    given_key,
                    &random,
                )?;
                let (journal, saved) = Journal::open(dir)?;
                (resource, Store::saved_to(journal, saved))
            }
        };
        let access_key = AccessKey::from_base64(&resource.access_key_base64)
            .map_err(|e| invalid(e.to_string()))?;
        let tls = tls::serve(&options.tls, &certificate_names(options.host))?;
        let http_client = tls
            .as_ref()
            .map(|tls| trusting_client(&tls.certificate_pem))
            .transpose()?;

        let address = SocketAddr::new(options.host, options.port);
        let listener = TcpListener::bind(address).await.map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot listen on {address}: {e}"))
        })?;
        let port = listener.local_addr()?.port();
        let listener = Arc::new(listener);
        let authority = authority(options.host, port);
        let shared = Arc::new(Shared::new(
            resource,
            access_key,
            store,
            random,
            state::Settings {
                max_clock_skew: options.max_clock_skew,
                bearer_token_lifetime: options.bearer_token_lifetime,
                page_size: options.page_size,
                https: tls.is_some(),
                authority: authority.clone(),
                any_api_version: options.any_api_version,
                max_recorded_requests: options.max_recorded_requests,
                header_timeout: options.header_timeout,
                body_timeout: options.body_timeout,
            },
        ));
        let scheme = shared.scheme;
        let (acceptor, certificate_pem) = match tls {
            Some(tls) => (Some(tls.acceptor), Some(tls.certificate_pem)),
            None => (None, None),
        };
        let server = tokio::spawn(server::accept_loop(
            Arc::downgrade(&listener),
            acceptor,
            shared.clone(),
        ));
        Ok(Emulator {
            credential: Arc::new(EmulatorCredential::new(shared.clone())),
            shared,
            endpoint: format!("{scheme}://{authority}"),
            port,
            certificate_pem,
            http_client,
            listener: Some(listener),
            server,
        })
    }

    /// The endpoint, `http://127.0.0.1:<port>` or, with [`Tls`], `https://127.0.0.1:<port>`
    /// (no trailing slash).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The certificate chain served over https, PEM (the certificate made at start, or the
    /// one of [`Tls::Pem`]); `None` for plain http. Clients must trust it: write it to a file
    /// for Python's `connection_verify=` or Node's `NODE_EXTRA_CA_CERTS`, or give it to
    /// `reqwest` (what [`client_options`](Self::client_options) does):
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use acs_identity::{ClientOptions, CommunicationIdentityClient};
    /// use acs_identity_emulator::{Emulator, EmulatorOptions, Tls};
    ///
    /// let emulator = Emulator::start_with(EmulatorOptions { tls: Tls::Generated, ..EmulatorOptions::default() }).await?;
    /// let pem = emulator.certificate_pem().expect("serving https");
    /// let http = reqwest::Client::builder()
    ///     // Only this certificate: the system's roots are not needed for the emulator.
    ///     .tls_certs_only(reqwest::Certificate::from_pem_bundle(pem.as_bytes())?)
    ///     .build()?;
    /// let options = ClientOptions { http_client: Some(http), ..ClientOptions::default() };
    /// let client = CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), Some(options))?;
    /// client.create_user().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// (`reqwest::Certificate` needs one of reqwest's TLS features, e.g. `rustls`, which
    /// `acs-identity`'s default feature enables.)
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// Options for a client of this emulator: the defaults for plain http; for https, an HTTP
    /// client that trusts the emulator's certificate chain (and nothing else). Set other
    /// fields on top, e.g. `ClientOptions { retry, ..emulator.client_options() }`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use acs_identity::CommunicationIdentityClient;
    /// use acs_identity_emulator::{Emulator, EmulatorOptions, Tls};
    ///
    /// let emulator = Emulator::start_with(EmulatorOptions { tls: Tls::Generated, ..EmulatorOptions::default() }).await?;
    /// assert!(emulator.connection_string().starts_with("endpoint=https://127.0.0.1:"));
    /// let client = CommunicationIdentityClient::from_connection_string(
    ///     &emulator.connection_string(),
    ///     Some(emulator.client_options()),
    /// )?;
    /// client.create_user().await?;
    /// # Ok(()) }
    /// ```
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            http_client: self.http_client.clone(),
            ..ClientOptions::default()
        }
    }

    /// The port the emulator listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `endpoint=http://127.0.0.1:<port>/;accesskey=<base64 key>` (`https://` with [`Tls`]),
    /// for
    /// [`CommunicationIdentityClient::from_connection_string`](acs_identity::CommunicationIdentityClient::from_connection_string).
    pub fn connection_string(&self) -> String {
        format!(
            "endpoint={}/;accesskey={}",
            self.endpoint,
            self.shared.access_key_base64.as_str()
        )
    }

    /// The access key, e.g. to sign requests by hand with
    /// [`AccessKey::sign`](acs_identity::AccessKey::sign).
    pub fn access_key(&self) -> &AccessKey {
        &self.shared.access_key
    }

    /// The resource id: identities of this emulator are `8:acs:<resource id>_<user>`.
    pub fn resource_id(&self) -> &str {
        &self.shared.resource_id
    }

    /// A token credential whose bearer tokens the emulator accepts on every operation of the
    /// resource, for [`CommunicationIdentityClient::new`](acs_identity::CommunicationIdentityClient::new).
    /// Every call returns the same credential.
    pub fn token_credential(&self) -> Arc<EmulatorCredential> {
        self.credential.clone()
    }

    /// An Entra ID-like token of a Teams user for Communication Services (claims `appid`,
    /// `oid`, `tid`, `aud` `https://auth.msft.communication.azure.com`), valid for `lifetime`
    /// (negative for a token that has already expired). Exchange it with
    /// [`get_token_for_teams_user`](acs_identity::CommunicationIdentityClient::get_token_for_teams_user)
    /// or [`exchange_teams_extension_token`](acs_identity::CommunicationIdentityClient::exchange_teams_extension_token).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use acs_identity::CommunicationIdentityClient;
    /// use acs_identity_emulator::Emulator;
    ///
    /// let emulator = Emulator::start().await?;
    /// let client = CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), None)?;
    /// let (app, user, tenant) = ("app-guid", "user-guid", "tenant-guid");
    /// let aad = emulator.issue_teams_user_token(app, user, tenant, chrono::Duration::hours(1));
    /// let token = client.get_token_for_teams_user(&aad, app, user).await?;
    /// assert!(token.expires_on() > chrono::Utc::now());
    /// # Ok(()) }
    /// ```
    pub fn issue_teams_user_token(
        &self,
        app_id: &str,
        user_object_id: &str,
        tenant_id: &str,
        lifetime: chrono::Duration,
    ) -> String {
        tokens::teams_user_token(&self.shared, app_id, user_object_id, tenant_id, lifetime)
    }

    /// The state of a Communication Services access token. When several apply, the first of
    /// `Invalid`, `UserDeleted`, `Revoked`, `Expired` is returned.
    pub fn token_status(&self, acs_token: &str) -> TokenStatus {
        tokens::status(&self.shared, acs_token)
    }

    /// The requests received so far (the latest
    /// [`EmulatorOptions::max_recorded_requests`] of them), in the order they were answered (a request closed by
    /// [`FaultAction::Reset`] when it was received).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests().kept()
    }

    /// How many requests have been received (since the last
    /// [`clear_requests`](Self::clear_requests)), kept or not.
    pub fn request_count(&self) -> usize {
        self.shared.requests().total()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.requests().clear();
    }

    /// Fault injection.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use acs_identity_emulator::{Emulator, Fault, FaultAction};
    /// use acs_identity::{ClientOptions, CommunicationIdentityClient, RetryOptions};
    ///
    /// let emulator = Emulator::start().await?;
    /// emulator.faults().inject(Fault::new(FaultAction::status(500)).on_path("/identities"));
    /// let options = ClientOptions {
    ///     retry: RetryOptions { max_retries: 0, ..RetryOptions::default() },
    ///     ..ClientOptions::default()
    /// };
    /// let client = CommunicationIdentityClient::from_connection_string(&emulator.connection_string(), Some(options))?;
    /// assert_eq!(client.create_user().await.unwrap_err().status(), Some(500));
    /// assert!(client.create_user().await.is_ok());
    /// # Ok(()) }
    /// ```
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Whether the identity `id` (`8:acs:…`) exists (was created and not deleted).
    pub fn user_exists(&self, id: &str) -> bool {
        self.shared.store().user_exists(id)
    }

    /// How many identities exist.
    pub fn user_count(&self) -> usize {
        self.shared.store().user_count()
    }

    /// The Teams extension assignment of `object_id` in `tenant_id`, if any.
    pub fn assignment(&self, tenant_id: &str, object_id: &str) -> Option<TeamsExtensionAssignment> {
        self.shared
            .store()
            .assignment(tenant_id, object_id)
            .cloned()
            .map(Into::into)
    }

    /// The Entra ID assignment of `object_id` (preview), if any.
    pub fn entra_assignment(&self, object_id: &str) -> Option<EntraAssignment> {
        self.shared
            .store()
            .entra_assignment(object_id)
            .cloned()
            .map(Into::into)
    }

    /// The custom id an identity was created with (preview), if it exists and has one.
    pub fn custom_id(&self, id: &str) -> Option<String> {
        self.shared.store().user(id).and_then(|u| u.custom_id)
    }
}

/// The names a certificate made at start has beyond the loopback ones: the address the emulator
/// binds, when it is a specific other one (clients of another machine or container reach it so).
fn certificate_names(host: IpAddr) -> Vec<String> {
    if host.is_loopback() || host.is_unspecified() {
        Vec::new()
    } else {
        vec![host.to_string()]
    }
}

/// `host:port` as clients on this machine reach an emulator bound to `host`: the loopback
/// address when it binds every address, IPv6 addresses in brackets.
fn authority(host: IpAddr, port: u16) -> String {
    match host {
        IpAddr::V4(v4) if v4.is_unspecified() => format!("{}:{port}", Ipv4Addr::LOCALHOST),
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) if v6.is_unspecified() => {
            format!("[{}]:{port}", std::net::Ipv6Addr::LOCALHOST)
        }
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

/// An HTTP client that trusts only the certificates of `pem`, configured like the SDK's own
/// (no retries of its own: the SDK retries, signing each attempt afresh).
fn trusting_client(pem: &str) -> Result<reqwest::Client, std::io::Error> {
    let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the certificate cannot be trusted by reqwest: {e}"),
        )
    })?;
    reqwest::Client::builder()
        .tls_certs_only(certificates)
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .user_agent(concat!("acs-identity-emulator/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| std::io::Error::other(format!("cannot build an HTTP client: {e}")))
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // The accept loop holds the listener only while polling it: this closes the
        // listening socket now, so new connections are refused at once.
        self.listener.take();
        // Ends the accept loop, which aborts the connection tasks.
        self.server.abort();
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("resource_id", &self.shared.resource_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoints_authority_and_the_certificates_names_follow_the_host() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(authority(ip("127.0.0.1"), 8), "127.0.0.1:8");
        assert_eq!(authority(ip("0.0.0.0"), 8), "127.0.0.1:8");
        assert_eq!(authority(ip("10.1.2.3"), 8), "10.1.2.3:8");
        assert_eq!(authority(ip("::"), 8), "[::1]:8");
        assert_eq!(authority(ip("::1"), 8), "[::1]:8");
        assert_eq!(authority(ip("fd00::7"), 8), "[fd00::7]:8");
        for local in ["127.0.0.1", "0.0.0.0", "::1", "::"] {
            assert!(certificate_names(ip(local)).is_empty(), "{local}");
        }
        assert_eq!(certificate_names(ip("10.1.2.3")), ["10.1.2.3"]);
        assert_eq!(certificate_names(ip("fd00::7")), ["fd00::7"]);
    }

    #[test]
    fn options_debug_shows_the_settings_but_not_the_key() {
        let options = EmulatorOptions {
            access_key: Some("c2VjcmV0LWtleQ==".to_owned()),
            data_dir: Some(PathBuf::from("/tmp/d")),
            ..EmulatorOptions::default()
        };
        let shown = format!("{options:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        for part in [
            "host: 127.0.0.1",
            "port: 0",
            "access_key: Some(\"<redacted>\")",
            "data_dir: Some(\"/tmp/d\")",
            "any_api_version: false",
            "max_recorded_requests: 10000",
            "header_timeout: 10s",
            "body_timeout: 30s",
            "tls: Off",
        ] {
            assert!(shown.contains(part), "{part} not in {shown}");
        }
        let https = EmulatorOptions {
            tls: Tls::Generated,
            ..EmulatorOptions::default()
        };
        assert!(format!("{https:?}").contains("tls: Generated"), "{https:?}");
    }
}
