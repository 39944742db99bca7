//! Caches the bearer token of a [`TokenCredential`]; one refresh serves concurrent callers.

use crate::credential::{BearerToken, COMMUNICATION_SCOPE, TokenCredential};
use crate::error::{Error, ErrorKind};
use chrono::Utc;
use std::sync::{Arc, RwLock};

/// A token is refreshed when it has less than this left.
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    current: RwLock<Option<BearerToken>>,
    refresh: tokio::sync::Mutex<()>,
}

impl TokenCache {
    pub(crate) fn new(credential: Arc<dyn TokenCredential>) -> Self {
        TokenCache {
            credential,
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<BearerToken> {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .filter(|t| t.expires_on() - REFRESH_MARGIN > Utc::now())
            .cloned()
    }

    /// A valid token: the cached one, or a new one from the credential.
    pub(crate) async fn token(&self) -> Result<BearerToken, Error> {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let _refreshing = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let token = self
            .credential
            .get_token(&[COMMUNICATION_SCOPE])
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Credential,
                    "the token credential failed to provide a token",
                )
                .with_source(e)
            })?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        Ok(token)
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}
