//! The client: construction from a connection string or an endpoint and a credential.

use crate::connection_string::ConnectionString;
use crate::credential::Credential;
use crate::error::Error;
use crate::options::ClientOptions;
use crate::pipeline::per_call::CallPolicy;
use crate::pipeline::{Auth, RequestPolicy};
use crate::signing::host_header;
use crate::token_cache::TokenCache;
use std::sync::Arc;

/// The client of the Communication Services Identity API.
///
/// Cheap to clone: clones share one connection pool, one credential and one token cache.
///
/// ```no_run
/// # async fn run() -> Result<(), acs_identity::Error> {
/// use acs_identity::{CommunicationIdentityClient, CommunicationTokenScope};
/// let cs = std::env::var("COMMUNICATION_SERVICES_CONNECTION_STRING").unwrap();
/// let client = CommunicationIdentityClient::from_connection_string(&cs, None)?;
/// let user = client.create_user().await?;
/// let token = client.get_token(&user, &[CommunicationTokenScope::Chat], None).await?;
/// println!("{} expires on {}", user.id(), token.expires_on());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CommunicationIdentityClient {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) raw: crate::raw::Client,
    pub(crate) endpoint: String,
    pub(crate) calls: CallPolicy,
}

impl CommunicationIdentityClient {
    /// A client for the resource of a connection string
    /// `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`, which
    /// signs requests with the access key (HMAC-SHA256).
    pub fn from_connection_string(
        connection_string: &str,
        options: Option<ClientOptions>,
    ) -> Result<Self, Error> {
        let (endpoint, key) = ConnectionString::parse(connection_string)?.into_parts();
        Self::with_url(endpoint, key.into(), options)
    }

    /// A client for `endpoint` (`https://<resource>.communication.azure.com`) authenticated by
    /// `credential`: an [`AccessKey`](crate::AccessKey) or an Entra ID
    /// [`TokenCredential`](crate::TokenCredential) (as `Arc<impl TokenCredential>`).
    ///
    /// The endpoint is the resource's origin, with https; plain http is accepted only for
    /// loopback hosts (local emulators). A refused endpoint is an error of kind
    /// [`Configuration`](crate::ErrorKind::Configuration) whose source is the
    /// [`EndpointError`](crate::EndpointError).
    pub fn new(
        endpoint: &str,
        credential: impl Into<Credential>,
        options: Option<ClientOptions>,
    ) -> Result<Self, Error> {
        Self::with_url(
            crate::endpoint::parse(endpoint)?,
            credential.into(),
            options,
        )
    }

    fn with_url(
        url: reqwest::Url,
        credential: Credential,
        options: Option<ClientOptions>,
    ) -> Result<Self, Error> {
        let options = options.unwrap_or_default();
        let host = host_header(url.scheme(), url.host_str().unwrap_or_default(), url.port());
        let auth = match credential {
            Credential::AccessKey(key) => Auth::Key(key),
            Credential::TokenCredential(c) => Auth::Token(TokenCache::new(c)),
        };
        let api_version = match options.api_version.as_deref() {
            None => crate::ApiVersion::DEFAULT.into(),
            Some(v)
                if !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) =>
            {
                v.to_owned()
            }
            Some(v) => {
                return Err(Error::configuration(format!(
                    "api_version {v:?} is not a valid API version; expected e.g. \"{}\"",
                    crate::spec::API_VERSION
                )));
            }
        };
        let http = match &options.http_client {
            Some(client) => client.clone(),
            None => http_client(options.user_agent_suffix.as_deref())?,
        };
        let endpoint = url.as_str().trim_end_matches('/').to_owned();
        let policy = RequestPolicy::new(api_version, host, auth);
        let raw = crate::raw::Client::new_with_client(&endpoint, http, policy);
        Ok(CommunicationIdentityClient {
            shared: Arc::new(Shared {
                raw,
                endpoint,
                calls: CallPolicy::from_options(&options),
            }),
        })
    }

    /// The generated client, with this client's authentication, `api-version` and encoding
    /// applied by its hooks: one method per operation of every vendored API version, for
    /// spec-exact access. An operation, or a request-body property, that the client's API
    /// version lacks is refused before sending. It does not retry.
    pub fn raw(&self) -> &crate::raw::Client {
        &self.shared.raw
    }

    /// The endpoint requests go to, without a trailing `/`.
    pub fn endpoint(&self) -> &str {
        &self.shared.endpoint
    }

    /// The `api-version` sent with every request.
    pub fn api_version(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.shared.raw.inner().api_version()
    }
}

impl std::fmt::Debug for CommunicationIdentityClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use progenitor_client::ClientInfo;
        f.debug_struct("CommunicationIdentityClient")
            .field("endpoint", &self.shared.endpoint)
            .field("policy", self.shared.raw.inner())
            .field("calls", &self.shared.calls)
            .finish()
    }
}

/// The crate's HTTP client: no global timeout (attempts are timed by the call policy), the
/// crate's user agent.
fn http_client(suffix: Option<&str>) -> Result<reqwest::Client, Error> {
    let mut agent = format!(
        "acs-identity/{} ({}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    if let Some(s) = suffix.filter(|s| !s.is_empty()) {
        agent.push(' ');
        agent.push_str(s);
    }
    reqwest::Client::builder()
        .user_agent(agent)
        // The client retries by itself, re-signing each attempt. reqwest's retry layer is
        // always there; with no retry allowed per request it does not clone every request
        // (`never()` alone still does).
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .build()
        .map_err(|e| Error::configuration("could not build the HTTP client").with_source(e))
}
