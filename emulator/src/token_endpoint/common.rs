//! What the token endpoints share: the tenants, the scope of the resource, OAuth 2.0 errors.

use super::super::http::Reply;
use super::super::state::Shared;
use acs_identity::COMMUNICATION_SCOPE;
use serde_json::json;

/// The tenant segment of the authority that Active Directory Federation Services use; the
/// credential libraries skip instance discovery (a request to the public cloud) for it.
pub(super) const ADFS: &str = "adfs";

/// The issuer of `tenant`'s documents (v2.0 or v1), the `iss` of the ID tokens issued there:
/// `{base}/adfs` for ADFS whatever the version.
pub(super) fn issuer(base: &str, tenant: &str, v2: bool) -> String {
    if tenant.eq_ignore_ascii_case(ADFS) {
        format!("{base}/{ADFS}")
    } else if v2 {
        format!("{base}/{tenant}/v2.0")
    } else {
        format!("{base}/{tenant}/")
    }
}

/// The tenant id (`tid`) of tokens issued at `tenant`'s endpoints: the path's tenant when it
/// is a GUID; the emulator's own tenant for `adfs`, `common`, `organizations` or a domain name.
pub(super) fn tenant_id(shared: &Shared, tenant: &str) -> String {
    let is_guid = tenant.len() == 36
        && tenant.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if is_guid {
        tenant.to_ascii_lowercase()
    } else {
        shared.entra_tenant_id.clone()
    }
}

/// The only scope tokens for the resource are issued for, as Entra ID knows no other resource
/// here.
pub(crate) fn check_scopes<S: AsRef<str>>(scopes: &[S]) -> Result<(), String> {
    if scopes.len() == 1 && scopes[0].as_ref() == COMMUNICATION_SCOPE {
        return Ok(());
    }
    let scopes: Vec<&str> = scopes.iter().map(AsRef::as_ref).collect();
    Err(format!(
        "the emulator issues tokens only for the scope {COMMUNICATION_SCOPE:?}, not {scopes:?}"
    ))
}

/// An OAuth 2.0 error answer, as Entra ID words them (`error`, `error_description`).
pub(super) fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply {
        status,
        body: json!({"error": error, "error_description": description})
            .to_string()
            .into_bytes(),
        error: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_by_tenant_and_version() {
        assert_eq!(issuer("https://h:1", "adfs", true), "https://h:1/adfs");
        assert_eq!(issuer("https://h:1", "ADFS", false), "https://h:1/adfs");
        assert_eq!(issuer("https://h:1", "t", true), "https://h:1/t/v2.0");
        assert_eq!(issuer("https://h:1", "t", false), "https://h:1/t/");
    }

    #[test]
    fn a_tenant_id_is_the_paths_guid_or_the_emulators_own() {
        let shared = Shared::detached("r");
        let own = shared.entra_tenant_id.clone();
        assert_eq!(
            tenant_id(&shared, "8F2C7D4E-1A2B-4C3D-9E8F-0A1B2C3D4E5F"),
            "8f2c7d4e-1a2b-4c3d-9e8f-0a1b2c3d4e5f"
        );
        for other in [
            "adfs",
            "common",
            "contoso.onmicrosoft.com",
            // 36 characters, but not a GUID.
            "contoso-tenant-name-of-36-characters",
            "8f2c7d4e-1a2b-4c3d-9e8f-0a1b2c3d4e5g",
            "8f2c7d4e01a2b-4c3d-9e8f-0a1b2c3d4e5f",
        ] {
            assert_eq!(tenant_id(&shared, other), own, "{other}");
        }
    }
}
