//! The operations of [`CommunicationIdentityClient`](crate::CommunicationIdentityClient), as in
//! the Python SDK's client, by resource: [`identities`] (users and their tokens),
//! [`teams_users`] (Custom Teams Endpoint), [`teams_extension`] (Teams Phone extension) and
//! [`entra_id`] (the Entra ID exchange and assignments).
//!
//! Each method is declared once, with [`operations!`]: it becomes the async method and, with the
//! feature `blocking`, the blocking twin of the same name and arguments. Every method calls the
//! service through [`CommunicationIdentityClient::call`], naming itself and the operation of
//! [`spec::OperationId`](crate::spec::OperationId) it calls: the operation is refused before
//! sending at an API version that lacks it, and errors and traces name the method.
//!
//! # The shape of a call
//! Arguments come in one order: the path parameters of the operation in the order of its path,
//! then the body's fields (identifiers, then kinds, then lists); every optional parameter goes
//! into an options type that can grow ([`TokenOptions`](crate::TokenOptions),
//! [`CreateUserOptions`](crate::CreateUserOptions)). A call returns a pair `(user, token)` where
//! the Python SDK returns a tuple (`create_user_and_token`, the Teams extension exchange), and a
//! named type elsewhere.

mod entra_id;
mod identities;
mod teams_extension;
mod teams_users;

use crate::client::CommunicationIdentityClient;
use crate::error::Error;
use crate::pipeline::per_call::Call;
use crate::raw::types::CommunicationErrorResponse;
use progenitor_client::ResponseValue;
use std::future::Future;

/// Declares operations of the client: each `pub async fn` becomes a method of
/// [`CommunicationIdentityClient`](crate::CommunicationIdentityClient) and, with the feature
/// `blocking`, the method of the same name, arguments and result of
/// [`blocking::CommunicationIdentityClient`](crate::blocking::CommunicationIdentityClient), which
/// blocks until it is done. A method cannot lack its twin, nor differ from it.
///
/// The twin carries the method's documentation, then a line on the error the blocking client
/// adds: so each method's doc ends with its `# Errors` section (what it can fail with, by cause;
/// `tests/suite/docs.rs` checks that every method has one, last).
macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        pub async fn $name:ident $(<$gen:ident: $bound:path>)? (&$self:ident $(, $arg:ident: $ty:ty)* $(,)?) -> Result<$ok:ty, Error>
        $body:block
    )*) => {
        impl crate::CommunicationIdentityClient {
            $(
                $(#[$doc])*
                pub async fn $name $(<$gen: $bound>)? (&$self $(, $arg: $ty)*) -> Result<$ok, Error> $body
            )*
        }

        #[cfg(feature = "blocking")]
        #[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
        impl crate::blocking::CommunicationIdentityClient {
            $(
                #[doc = concat!(
                    "Runs [`", stringify!($name), "`](crate::CommunicationIdentityClient::",
                    stringify!($name), "), blocking the calling thread until it is done, with \
                    the same arguments, result, errors and retries:"
                )]
                #[doc = ""]
                $(#[$doc])*
                #[doc = ""]
                #[doc = "The blocking client adds one error: where a Tokio runtime is current, an \
                    error of kind [`Configuration`](crate::ErrorKind::Configuration), with nothing \
                    sent (see [`blocking`](crate::blocking))."]
                pub fn $name $(<$gen: $bound>)? (&$self $(, $arg: $ty)*) -> Result<$ok, Error> {
                    $self.block_on($self.client().$name($($arg),*))?
                }
            )*
        }
    };
}
pub(crate) use operations;

type RawResult<T> = Result<ResponseValue<T>, progenitor_client::Error<CommunicationErrorResponse>>;

impl CommunicationIdentityClient {
    /// Calls the service for a facade method: `attempt` (a call of the generated client) is run
    /// with the client's retries and timeouts, in a span named after `call.method`. A plain
    /// function, not an `async fn`, so that the caller's future holds the call's once.
    pub(crate) fn call<'a, T, F, Fut>(
        &'a self,
        call: Call<'a>,
        attempt: F,
    ) -> impl Future<Output = Result<T, Error>> + 'a
    where
        T: 'a,
        F: Fn() -> Fut + 'a,
        Fut: Future<Output = RawResult<T>> + 'a,
    {
        self.shared.calls.run(call, attempt)
    }
}

/// Checks a required text argument: not blank.
pub(crate) fn required<'a>(name: &str, value: &'a str) -> Result<&'a str, Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "`{name}` must not be empty"
        )));
    }
    Ok(value)
}
