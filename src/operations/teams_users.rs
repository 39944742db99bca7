//! Teams users (Custom Teams Endpoint): a Teams user's Entra ID token for a Communication
//! Services token (`/teamsUser`).

use super::{operations, required};
use crate::AccessToken;
use crate::error::Error;
use crate::pipeline::per_call::Call;
use crate::raw::types;
use crate::spec::OperationId;

operations! {
    /// Exchanges the Entra ID access token of a Teams user for a Communication Services token
    /// with the same expiry. `client_id` is the Entra ID application's client id (checked against
    /// the token's `appid` claim), `user_object_id` the user's object id (its `oid` claim): the
    /// body's fields in the spec's order (`token`, `appId`, `userId`).
    ///
    /// # Errors
    ///
    /// Besides the [errors of every operation](crate#errors-and-retries):
    /// - refused before sending ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)): an
    ///   empty or blank argument;
    /// - 401 [`InvalidAccessToken`](crate::ErrorCode::InvalidAccessToken): `aad_token` is not a
    ///   valid Entra ID token for Communication Services (malformed, expired, for another
    ///   audience; recorded from the live service). The client's own credential is fine: it is
    ///   the Teams user's token that was refused.
    /// - 400 [`ValidationError`](crate::ErrorCode::ValidationError) with target `appId` or
    ///   `userId`: `client_id` is not the token's application (`appid` claim), or
    ///   `user_object_id` not its user (`oid` claim); the service says "has invalid format" for
    ///   both (recorded from the live service).
    ///
    /// Retried on every transient failure: a repeat issues another, equally valid token.
    pub async fn get_token_for_teams_user(
        &self,
        aad_token: &str,
        client_id: &str,
        user_object_id: &str,
    ) -> Result<AccessToken, Error> {
        let body = types::TeamsUserExchangeTokenRequest {
            token: required("aad_token", aad_token)?.to_owned(),
            app_id: required("client_id", client_id)?.to_owned(),
            user_id: required("user_object_id", user_object_id)?.to_owned(),
        };
        let raw = self.raw();
        let call = Call::new(
            "get_token_for_teams_user",
            OperationId::ExchangeTeamsUserAccessToken,
        );
        let token = self
            .call(call, || raw.exchange_teams_user_access_token(&body))
            .await?;
        Ok(token.into())
    }
}
