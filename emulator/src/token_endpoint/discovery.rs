//! The OpenID Connect documents the credential libraries read before asking for a token.
//!
//! MSAL (under `azure-identity` and `@azure/identity`) reads the configuration of the authority
//! `{AZURE_AUTHORITY_HOST}/{tenant}` and checks that its `issuer` is on the authority's scheme,
//! host and port; it then posts to `token_endpoint`. Its username and password flow asks the
//! user realm first, to tell federated from managed users.

use super::super::http::Reply;
use super::common::{ADFS, issuer};
use serde_json::json;

/// `GET /adfs/.well-known/openid-configuration` (ADFS), `GET /{tenant}/.well-known/openid-configuration`
/// (v1) or `GET /{tenant}/v2.0/.well-known/openid-configuration` (v2), at `base`.
pub(super) fn configuration(base: &str, tenant: &str, v2: bool) -> Reply {
    let issuer = issuer(base, tenant, v2);
    let (oauth, keys) = if tenant.eq_ignore_ascii_case(ADFS) {
        (
            format!("{base}/{ADFS}/oauth2"),
            format!("{base}/{ADFS}/discovery/keys"),
        )
    } else if v2 {
        (
            format!("{base}/{tenant}/oauth2/v2.0"),
            format!("{base}/{tenant}/discovery/v2.0/keys"),
        )
    } else {
        (
            format!("{base}/{tenant}/oauth2"),
            format!("{base}/{tenant}/discovery/keys"),
        )
    };
    Reply::json(
        200,
        &json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{oauth}/authorize"),
            "token_endpoint": format!("{oauth}/token"),
            "device_authorization_endpoint": format!("{oauth}/devicecode"),
            "end_session_endpoint": format!("{oauth}/logout"),
            "jwks_uri": keys,
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": ["client_credentials", "password", "refresh_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "oid", "tid", "name", "preferred_username"],
            "tenant_region_scope": "NA",
        }),
    )
}

/// `GET .../discovery/keys`: none. The emulator signs with a symmetric key it does not
/// publish; the clients of the official SDKs treat access tokens as opaque and do not verify
/// `id_token` signatures from the token endpoint (a direct TLS answer).
pub(super) fn keys() -> Reply {
    Reply::json(200, &json!({"keys": []}))
}

/// `GET /common/userrealm/{user name}`: every user is managed (signs in with a password at
/// the token endpoint), none federated.
pub(super) fn user_realm(path: &str) -> Reply {
    let user = path.rsplit('/').next().unwrap_or_default();
    let user = super::super::wire::percent_decode(user).unwrap_or_else(|| user.to_owned());
    let domain = user.split_once('@').map_or("", |(_, d)| d);
    Reply::json(
        200,
        &json!({
            "ver": "1.0",
            "account_type": "Managed",
            "domain_name": domain,
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn body(reply: Reply) -> Value {
        assert_eq!(reply.status, 200);
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn issuers_and_endpoints_are_on_the_authority() {
        let base = "https://127.0.0.1:8443";
        let adfs = body(configuration(base, "adfs", false));
        assert_eq!(adfs["issuer"], "https://127.0.0.1:8443/adfs");
        assert_eq!(
            adfs["token_endpoint"],
            "https://127.0.0.1:8443/adfs/oauth2/token"
        );
        let v2 = body(configuration(base, "t1", true));
        assert_eq!(v2["issuer"], "https://127.0.0.1:8443/t1/v2.0");
        assert_eq!(
            v2["token_endpoint"],
            "https://127.0.0.1:8443/t1/oauth2/v2.0/token"
        );
        assert_eq!(
            v2["jwks_uri"],
            "https://127.0.0.1:8443/t1/discovery/v2.0/keys"
        );
        assert!(
            v2["authorization_endpoint"]
                .as_str()
                .unwrap()
                .starts_with(base)
        );
        let v1 = body(configuration(base, "t1", false));
        assert_eq!(
            v1["token_endpoint"],
            "https://127.0.0.1:8443/t1/oauth2/token"
        );
    }

    #[test]
    fn every_user_is_managed() {
        let realm = body(user_realm("/common/userrealm/alice%40contoso.com"));
        assert_eq!(realm["account_type"], "Managed");
        assert_eq!(realm["domain_name"], "contoso.com");
    }
}
