//! The emulator's Entra ID token endpoints, for tests in any language (none of them is an
//! operation of the Identity API, and faults never apply to them):
//!
//! - [`emulator_json`]: `POST /emulator/entra/token` with a JSON body, the emulator's own form;
//! - [`discovery`]: the OpenID Connect documents the official credential libraries (MSAL,
//!   `azure-identity`, `@azure/identity`) read first: `/adfs/.well-known/openid-configuration`,
//!   `/{tenant}/v2.0/.well-known/openid-configuration` (and the v1 form), the signing keys and
//!   the user realm;
//! - [`grants`]: the OAuth 2.0 token endpoints those documents name,
//!   `POST /adfs/oauth2/token` and `POST /{tenant}/oauth2/v2.0/token` (and `/{tenant}/oauth2/token`):
//!   client credentials (a bearer token for the resource) and the resource owner's password (a
//!   Teams user's token, with the `id_token` and `client_info` MSAL reads).

mod common;
mod discovery;
mod emulator_json;
mod grants;

pub(crate) use common::check_scopes;

use super::http::{Reply, Request};
use super::state::Shared;
use common::oauth_error;

/// The path of the emulator's own JSON token endpoint.
pub(crate) const TOKEN_PATH: &str = "/emulator/entra/token";

/// What a request to one of these endpoints asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint<'a> {
    /// `POST /emulator/entra/token`.
    EmulatorJson,
    /// An OpenID Connect configuration document of `tenant` (`adfs` for the ADFS form).
    Configuration { tenant: &'a str, v2: bool },
    /// The signing keys of `tenant`.
    Keys,
    /// The user realm of a user name (`/common/userrealm/{name}`).
    UserRealm,
    /// The OAuth 2.0 token endpoint of `tenant`.
    Token { tenant: &'a str },
}

/// The endpoint a path names, if it is one of these.
fn endpoint(path: &str) -> Option<Endpoint<'_>> {
    if path == TOKEN_PATH {
        return Some(Endpoint::EmulatorJson);
    }
    let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    let tenant_segment =
        |t: &str| !t.is_empty() && !matches!(t, "identities" | "teamsUser" | "access" | "emulator");
    match segments.as_slice() {
        [tenant, ".well-known", "openid-configuration"] if tenant_segment(tenant) => {
            Some(Endpoint::Configuration { tenant, v2: false })
        }
        [tenant, "v2.0", ".well-known", "openid-configuration"] if tenant_segment(tenant) => {
            Some(Endpoint::Configuration { tenant, v2: true })
        }
        [tenant, "discovery", "keys"] | [tenant, "discovery", "v2.0", "keys"]
            if tenant_segment(tenant) =>
        {
            Some(Endpoint::Keys)
        }
        ["common", realm, user] if realm.eq_ignore_ascii_case("userrealm") && !user.is_empty() => {
            Some(Endpoint::UserRealm)
        }
        [tenant, "oauth2", "token"] | [tenant, "oauth2", "v2.0", "token"]
            if tenant_segment(tenant) =>
        {
            Some(Endpoint::Token { tenant })
        }
        _ => None,
    }
}

/// Whether a request path is one of the emulator's token endpoints (answered by [`handle`],
/// never subject to fault injection).
pub(crate) fn serves(path: &str) -> bool {
    endpoint(path).is_some()
}

/// The body of a request to a token endpoint as it is recorded
/// ([`Emulator::requests`](crate::Emulator::requests)): the values of the form fields that are
/// secrets (`client_secret`, `client_assertion`, `password`, `refresh_token`) replaced by
/// `<redacted>`; a body that is not such a form is recorded as its length only.
pub(crate) fn redacted_body(body: &[u8]) -> Vec<u8> {
    const SECRETS: [&str; 4] = [
        "client_secret",
        "client_assertion",
        "password",
        "refresh_token",
    ];
    let Ok(text) = std::str::from_utf8(body) else {
        return format!("<{} bytes>", body.len()).into_bytes();
    };
    if text.trim_start().starts_with('{') {
        // The JSON form of `/emulator/entra/token` carries scopes only.
        return body.to_vec();
    }
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SECRETS.contains(&key) => format!("{key}=<redacted>"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// Where the request reached the emulator: issuers and endpoints of the documents are on it, as
/// the libraries check.
fn base_url(shared: &Shared, req: &Request<'_>) -> String {
    shared.base_url(req.header("host"))
}

/// Answers a request to one of the token endpoints; `None` when the path is none of them.
pub(crate) fn handle(shared: &Shared, req: &Request<'_>) -> Option<Reply> {
    let endpoint = endpoint(req.path())?;
    let allowed = match endpoint {
        Endpoint::EmulatorJson | Endpoint::Token { .. } => "POST",
        _ => "GET",
    };
    if req.method != allowed {
        return Some(oauth_error(
            405,
            "invalid_request",
            &format!("{} takes {allowed}, not {}.", req.path(), req.method),
        ));
    }
    Some(match endpoint {
        Endpoint::EmulatorJson => emulator_json::issue(shared, req),
        Endpoint::Configuration { tenant, v2 } => {
            discovery::configuration(&base_url(shared, req), tenant, v2)
        }
        Endpoint::Keys => discovery::keys(),
        Endpoint::UserRealm => discovery::user_realm(req.path()),
        Endpoint::Token { tenant } => grants::token(shared, req, &base_url(shared, req), tenant),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_of_forms_are_not_recorded() {
        let form =
            b"client_id=c&client_secret=s3cret&grant_type=password&username=u&password=p%40ss";
        let recorded = String::from_utf8(redacted_body(form)).unwrap();
        assert_eq!(
            recorded,
            "client_id=c&client_secret=<redacted>&grant_type=password&username=u&password=<redacted>"
        );
        assert_eq!(redacted_body(br#"{"scopes":[]}"#), br#"{"scopes":[]}"#);
        assert_eq!(redacted_body(&[0xff, 0xfe]), b"<2 bytes>");
    }

    #[test]
    fn endpoints_by_path() {
        assert_eq!(endpoint(TOKEN_PATH), Some(Endpoint::EmulatorJson));
        assert_eq!(
            endpoint("/adfs/.well-known/openid-configuration"),
            Some(Endpoint::Configuration {
                tenant: "adfs",
                v2: false
            })
        );
        assert_eq!(
            endpoint("/t1/v2.0/.well-known/openid-configuration"),
            Some(Endpoint::Configuration {
                tenant: "t1",
                v2: true
            })
        );
        assert_eq!(
            endpoint("/adfs/oauth2/token"),
            Some(Endpoint::Token { tenant: "adfs" })
        );
        assert_eq!(
            endpoint("/t1/oauth2/v2.0/token"),
            Some(Endpoint::Token { tenant: "t1" })
        );
        assert_eq!(endpoint("/t1/discovery/v2.0/keys"), Some(Endpoint::Keys));
        assert_eq!(
            endpoint("/common/UserRealm/a%40b.c"),
            Some(Endpoint::UserRealm)
        );
        for other in [
            "/identities",
            "/identities/x",
            "/access/oauth2/token",
            "/emulator/oauth2/token",
            "//oauth2/token",
            "/t1/oauth2/v3.0/token",
            "/emulator/entra",
            "/",
            // Operations' first segments are not tenants.
            "/identities/.well-known/openid-configuration",
            "/access/v2.0/.well-known/openid-configuration",
            "/emulator/discovery/keys",
            "//.well-known/openid-configuration",
            // A user realm needs its segment and a user name.
            "/common/userrealm/",
            "/common/realm/a%40b.c",
        ] {
            assert_eq!(endpoint(other), None, "{other}");
            assert!(!serves(other), "{other}");
        }
    }
}
