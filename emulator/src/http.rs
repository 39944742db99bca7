//! A request as the emulator's handlers see it, and their answer: the HTTP types every other
//! module shares. It depends on no module of the emulator but [`wire`](super::wire) (the
//! service's formats).

use super::wire::json_body;
use hyper::HeaderMap;

/// A request as received: the parts the operations look at.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The request target exactly as received.
    pub(crate) path_and_query: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

impl Request<'_> {
    /// The value of header `name`, when present and text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn path(&self) -> &str {
        path_of(self.path_and_query)
    }

    pub(crate) fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, q)| q)
    }
}

/// The path of a request target (without its query).
pub(crate) fn path_of(path_and_query: &str) -> &str {
    path_and_query
        .split_once('?')
        .map_or(path_and_query, |(p, _)| p)
}

/// An answer: a status and a JSON body (empty for 204).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// Errors are `application/json`, successes `application/json; charset=utf-8`, as the
    /// service sends them.
    pub(crate) error: bool,
}

impl Reply {
    pub(crate) fn json(status: u16, value: &impl serde::Serialize) -> Self {
        Reply {
            status,
            body: json_body(value),
            error: false,
        }
    }

    pub(crate) fn no_content() -> Self {
        Reply {
            status: 204,
            body: Vec::new(),
            error: false,
        }
    }
}
