//! A synchronous client, for code without an async runtime (feature `blocking`).
//!
//! [`CommunicationIdentityClient`] has the methods of the async
//! [`crate::CommunicationIdentityClient`], with the same arguments and results, that block the
//! calling thread until the operation is done:
//!
//! ```no_run
//! # fn run() -> Result<(), acs_identity::Error> {
//! use acs_identity::CommunicationTokenScope;
//! use acs_identity::blocking::CommunicationIdentityClient;
//!
//! let cs = std::env::var("COMMUNICATION_SERVICES_CONNECTION_STRING").unwrap();
//! let client = CommunicationIdentityClient::from_connection_string(&cs, None)?;
//! let user = client.create_user()?;
//! let token = client.get_token(&user, &[CommunicationTokenScope::Chat], None)?;
//! println!("{} expires on {}", user.id(), token.expires_on());
//! # Ok(()) }
//! ```
//!
//! # Inside an async runtime
//!
//! The client runs the async client on a Tokio runtime of its own, on the calling thread. A thread
//! that drives an async runtime must not block, so where a Tokio runtime is current (in an async
//! task, in `Runtime::block_on`, under `Runtime::enter`, and also in `tokio::task::spawn_blocking`,
//! where Tokio sets the current runtime too) every operation returns an [`Error`] of kind
//! [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) and sends nothing, instead of
//! panicking. There, use the async client: `.await` it, or in `spawn_blocking`,
//! `tokio::runtime::Handle::current().block_on(async_client.create_user())`.
//! Other async runtimes cannot be detected: do not call this client from their tasks either.
//!
//! Creating, cloning and dropping the client is allowed anywhere.

use crate::error::Error;
use crate::{ClientOptions, Credential};
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// The synchronous client of the Communication Services Identity API.
///
/// Each method blocks the calling thread until the operation is done (retries and timeouts
/// included, as configured by [`ClientOptions`]). Cheap to clone: clones share one runtime, one
/// connection pool, one credential and one token cache; they may be used from several threads
/// at once. Must not be called where a Tokio runtime is current: see the
/// [module documentation](self).
#[derive(Clone)]
pub struct CommunicationIdentityClient {
    client: crate::CommunicationIdentityClient,
    runtime: Arc<Runtime>,
}

/// The runtime that drives the async client's futures.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                // Dropping a runtime waits for its blocking threads, which panics in an async
                // context: where a runtime is current, let them finish in the background.
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
        }
    }
}

impl CommunicationIdentityClient {
    /// A client for the resource of a connection string
    /// `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`: see
    /// [`crate::CommunicationIdentityClient::from_connection_string`].
    pub fn from_connection_string(
        connection_string: &str,
        options: Option<ClientOptions>,
    ) -> Result<Self, Error> {
        let client =
            crate::CommunicationIdentityClient::from_connection_string(connection_string, options)?;
        Self::with_runtime(client)
    }

    /// A client for `endpoint` authenticated by `credential`: see
    /// [`crate::CommunicationIdentityClient::new`].
    ///
    /// A [`TokenCredential`](crate::TokenCredential) is async: the client drives it on its own
    /// runtime, so it may use Tokio (timers, sockets) but no other runtime. Do not set
    /// [`ClientOptions::http_client`] to a `reqwest::Client` that is also used on another runtime:
    /// a pooled connection belongs to the runtime that opened it, and is driven only while that
    /// runtime runs.
    pub fn new(
        endpoint: &str,
        credential: impl Into<Credential>,
        options: Option<ClientOptions>,
    ) -> Result<Self, Error> {
        let client = crate::CommunicationIdentityClient::new(endpoint, credential, options)?;
        Self::with_runtime(client)
    }

    fn with_runtime(client: crate::CommunicationIdentityClient) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("acs-identity-blocking")
            .build()
            .map_err(|e| {
                Error::configuration("could not build the runtime of the blocking client")
                    .with_source(e)
            })?;
        Ok(CommunicationIdentityClient {
            client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    /// The generated client, as [`crate::CommunicationIdentityClient::raw`]. Its methods are
    /// async: run them with [`block_on`](Self::block_on) (not on another runtime: its connections
    /// belong to this client's runtime), e.g.
    /// `client.block_on(client.raw().revoke_access_tokens("<id>"))?`.
    pub fn raw(&self) -> &crate::raw::Client {
        self.client.raw()
    }

    /// Runs `future` to completion on this client's runtime, blocking the calling thread, e.g. a
    /// call of [`raw`](Self::raw). Returns an error, without polling `future`, where a Tokio
    /// runtime is current.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::configuration(
                "acs_identity::blocking::CommunicationIdentityClient was called where a Tokio \
                 runtime is current, where it must not block; use the async \
                 acs_identity::CommunicationIdentityClient there, and `.await` it",
            ));
        }
        let runtime = self
            .runtime
            .0
            .as_ref()
            .expect("the runtime is only taken on drop");
        Ok(runtime.block_on(future))
    }

    /// The endpoint requests go to, without a trailing `/`.
    pub fn endpoint(&self) -> &str {
        self.client.endpoint()
    }

    /// The `api-version` sent with every request.
    pub fn api_version(&self) -> &str {
        self.client.api_version()
    }

    /// The async client this client drives.
    pub(crate) fn client(&self) -> &crate::CommunicationIdentityClient {
        &self.client
    }
}

// The operations are declared once, for both clients, in `src/operations`.

impl fmt::Debug for CommunicationIdentityClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::CommunicationIdentityClient")
            .field(&self.client)
            .finish()
    }
}
