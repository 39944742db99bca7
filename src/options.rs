//! Options: of the client, and of the operations that take optional parameters.
//!
//! Options structs grow with the service: a new optional parameter is a new field (for
//! [`ClientOptions`], whose fields are public: build it with `..ClientOptions::default()`) or a
//! new setter (for the `#[non_exhaustive]` per-operation options), never a new argument of an
//! existing method.

use std::time::Duration;

/// Options of a [`CommunicationIdentityClient`](crate::CommunicationIdentityClient).
///
/// Build it with `..ClientOptions::default()` so that fields added later keep your code
/// compiling.
///
/// ```
/// use acs_identity::{ClientOptions, RetryOptions};
/// use std::time::Duration;
/// let options = ClientOptions {
///     retry: RetryOptions { max_retries: 5, ..RetryOptions::default() },
///     timeout: Some(Duration::from_secs(60)),
///     ..ClientOptions::default()
/// };
/// ```
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The `api-version` to send; by default [`ApiVersion::DEFAULT`](crate::ApiVersion::DEFAULT),
    /// the newest stable version. Set it with [`with_api_version`](Self::with_api_version) and an
    /// [`ApiVersion`](crate::ApiVersion) constant, so that a misspelt version does not compile. An
    /// operation or parameter the version lacks is refused before sending; a version the crate
    /// does not know is sent as given.
    pub api_version: Option<String>,
    /// When and how often to retry.
    pub retry: RetryOptions,
    /// Time limit of one attempt (connect, send, receive). Default: 30 s.
    pub attempt_timeout: Option<Duration>,
    /// Time limit of a whole operation, retries and waits included. Default: none.
    pub timeout: Option<Duration>,
    /// The HTTP client to use, e.g. one configured with a proxy or custom root certificates.
    /// Clones of a `reqwest::Client` share one connection pool. Default: a client of the crate's.
    pub http_client: Option<reqwest::Client>,
    /// Appended to the `User-Agent` (`acs-identity/<version> (<os>; <arch>) <suffix>`) of the
    /// crate's own HTTP client, e.g. your application's name and version.
    pub user_agent_suffix: Option<String>,
}

impl ClientOptions {
    /// These options with `api_version` set to `version`, e.g.
    /// `ClientOptions::default().with_api_version(ApiVersion::V2023_10_01)`.
    pub fn with_api_version(mut self, version: crate::ApiVersion) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The default options at the newest vendored preview version
    /// ([`ApiVersion::LATEST_PREVIEW`](crate::ApiVersion::LATEST_PREVIEW)): every operation of
    /// the preview, such as user details and the Entra ID operations.
    pub fn latest_preview() -> Self {
        ClientOptions::default().with_api_version(crate::ApiVersion::LATEST_PREVIEW)
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            api_version: None,
            retry: RetryOptions::default(),
            attempt_timeout: Some(Duration::from_secs(30)),
            timeout: None,
            http_client: None,
            user_agent_suffix: None,
        }
    }
}

/// Retry settings: exponential backoff with jitter, honouring the service's `Retry-After`.
///
/// Retried: status 408, 429, 500, 502, 503, 504, connection failures and attempt timeouts; never
/// 400, 401, 403, 404, 409. Creating a user is not idempotent (a retry after a lost answer would
/// create a second user), so it is retried only when the request provably did not reach the
/// service (the connection could not be established) or the service answered 429 or 503 with a
/// `Retry-After` (it declined before doing anything).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryOptions {
    /// Retries after the first attempt; `0` turns retries off. Default: 3.
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each further one, with jitter. Default: 800 ms.
    pub initial_delay: Duration,
    /// Upper bound of a computed delay (a `Retry-After` from the service is honoured as given,
    /// within the operation's `timeout`). Default: 60 s.
    pub max_delay: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_retries: 3,
            initial_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// Optional parameters of
/// [`create_user_with`](crate::CommunicationIdentityClient::create_user_with): the place for
/// every parameter of "create a user" beyond the shortcuts `create_user()` and
/// `create_user_and_token(scopes, expiry)`. Parameters the service adds (such as the preview's
/// `customId`) arrive here as new setters.
///
/// ```
/// use acs_identity::{CommunicationTokenScope, CreateUserOptions, TokenExpiry};
/// let options = CreateUserOptions::new()
///     .with_token(&[CommunicationTokenScope::Chat], Some(TokenExpiry::from_hours(2)?));
/// # Ok::<(), acs_identity::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateUserOptions {
    pub(crate) token_scopes: Vec<crate::CommunicationTokenScope>,
    pub(crate) token_expiry: Option<crate::TokenExpiry>,
    pub(crate) custom_id: Option<String>,
}

impl CreateUserOptions {
    /// No options: a user without a token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also issue a token for the new user with `scopes` (at least one), valid for `expiry`
    /// (default 24 hours), in the same request.
    pub fn with_token(
        mut self,
        scopes: &[crate::CommunicationTokenScope],
        expiry: Option<crate::TokenExpiry>,
    ) -> Self {
        self.token_scopes = scopes.to_vec();
        self.token_expiry = expiry;
        self
    }

    /// Tags the user with your own id: a durable identity (API versions whose create request
    /// takes a `customId`; at others the call is refused before sending). Creating again with the same custom id returns the same user, so a backend can
    /// map its own user ids without storing ours; such a creation is retried like any idempotent
    /// operation. The id is 1 to 256 characters
    /// ([`CUSTOM_ID_MIN_LENGTH`](crate::spec::CUSTOM_ID_MIN_LENGTH),
    /// [`CUSTOM_ID_MAX_LENGTH`](crate::spec::CUSTOM_ID_MAX_LENGTH)), checked before sending.
    pub fn custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }
}

/// Optional parameters of a token:
/// [`get_token`](crate::CommunicationIdentityClient::get_token) and
/// [`create_user_and_token`](crate::CommunicationIdentityClient::create_user_and_token). Those
/// take anything that converts into it: `None`, `Some(expiry)`, an expiry, or the options.
///
/// ```
/// use acs_identity::{TokenExpiry, TokenOptions};
/// let options = TokenOptions::new().expiry(TokenExpiry::from_hours(2)?);
/// assert_eq!(options, TokenOptions::from(Some(TokenExpiry::from_hours(2)?)));
/// assert_eq!(TokenOptions::from(None), TokenOptions::default());
/// # Ok::<(), acs_identity::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenOptions {
    /// How long the token is valid; by default 24 hours
    /// ([`EXPIRES_IN_MINUTES_DEFAULT`](crate::spec::EXPIRES_IN_MINUTES_DEFAULT)), and then
    /// `expiresInMinutes` is not sent.
    pub expiry: Option<crate::TokenExpiry>,
}

impl TokenOptions {
    /// No options: a 24-hour token.
    pub fn new() -> Self {
        Self::default()
    }

    /// The token is valid for `expiry`.
    pub fn expiry(mut self, expiry: crate::TokenExpiry) -> Self {
        self.expiry = Some(expiry);
        self
    }
}

impl From<Option<crate::TokenExpiry>> for TokenOptions {
    fn from(expiry: Option<crate::TokenExpiry>) -> Self {
        TokenOptions { expiry }
    }
}

impl From<crate::TokenExpiry> for TokenOptions {
    fn from(expiry: crate::TokenExpiry) -> Self {
        TokenOptions {
            expiry: Some(expiry),
        }
    }
}
