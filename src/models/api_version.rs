//! API versions: one constant per vendored version, generated from `spec/versions.toml`.

use std::borrow::Cow;
use std::fmt;

/// An API version of the service: what the client sends as `api-version`, and so which
/// operations and parameters it may use.
///
/// Every vendored version is a constant (`ApiVersion::V2023_10_01`, ...; [`ApiVersion::ALL`]), so
/// a misspelt known version does not compile; [`ApiVersion::DEFAULT`] is the one sent when none is
/// chosen and [`ApiVersion::LATEST_PREVIEW`] the newest preview. A version this crate does not know
/// is [`ApiVersion::other`]: sent as given, and every operation is left to the service to refuse.
///
/// ```
/// use acs_identity::{ApiVersion, ClientOptions};
/// let options = ClientOptions::default().with_api_version(ApiVersion::V2023_10_01);
/// assert_eq!(options.api_version.as_deref(), Some("2023-10-01"));
/// let preview = ClientOptions::latest_preview();
/// assert_eq!(preview.api_version.as_deref(), Some(ApiVersion::LATEST_PREVIEW.as_str()));
/// assert!(ApiVersion::LATEST_PREVIEW.is_preview() || ApiVersion::LATEST_PREVIEW == ApiVersion::DEFAULT);
/// assert_eq!("2023-10-01".parse::<ApiVersion>(), Ok(ApiVersion::V2023_10_01));
/// assert!(!ApiVersion::other("2099-01-01").is_known());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiVersion(Cow<'static, str>);

impl ApiVersion {
    /// A vendored version (the generated constants).
    pub(crate) const fn known(name: &'static str) -> Self {
        ApiVersion(Cow::Borrowed(name))
    }

    /// A version by its name; a known one is equal to its constant. Use it for versions this
    /// crate does not know yet: nothing is checked before sending.
    pub fn other(name: impl Into<String>) -> Self {
        let name = name.into();
        match ApiVersion::ALL.iter().find(|v| v.as_str() == name) {
            Some(known) => known.clone(),
            None => ApiVersion(Cow::Owned(name)),
        }
    }

    /// The version as sent, e.g. `2026-09-23`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the crate vendors this version (and so knows its operations).
    pub fn is_known(&self) -> bool {
        ApiVersion::ALL.contains(self)
    }

    /// Whether it is a preview version (its name ends with `-preview`).
    pub fn is_preview(&self) -> bool {
        self.0.ends_with("-preview")
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        ApiVersion::DEFAULT
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiVersion({:?})", self.as_str())
    }
}

impl std::str::FromStr for ApiVersion {
    type Err = std::convert::Infallible;

    /// Any name: a known version becomes its constant, another one [`ApiVersion::other`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ApiVersion::other(s))
    }
}

impl From<ApiVersion> for String {
    fn from(v: ApiVersion) -> Self {
        v.0.into_owned()
    }
}

impl AsRef<str> for ApiVersion {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_version_has_its_constant() {
        let names: Vec<&str> = ApiVersion::ALL.iter().map(ApiVersion::as_str).collect();
        assert_eq!(names, crate::spec::API_VERSIONS);
        assert_eq!(ApiVersion::DEFAULT.as_str(), crate::spec::API_VERSION);
        assert_eq!(
            ApiVersion::LATEST_PREVIEW.as_str(),
            crate::spec::PREVIEW_API_VERSION
        );
        for v in ApiVersion::ALL {
            assert!(v.is_known());
            assert_eq!(&ApiVersion::other(v.as_str()), v);
            assert_eq!(v.as_str().parse::<ApiVersion>().as_ref(), Ok(v));
            assert_eq!(v.is_preview(), v.as_str().ends_with("-preview"));
        }
        let unknown = ApiVersion::other("2023-10-1");
        assert!(!unknown.is_known());
        assert_eq!(String::from(unknown.clone()), "2023-10-1");
        assert_eq!(
            format!("{unknown} {unknown:?}"),
            "2023-10-1 ApiVersion(\"2023-10-1\")"
        );
        assert_eq!(ApiVersion::default(), ApiVersion::DEFAULT);
        // Where a `&str` is taken (`impl AsRef<str>`), the version's text.
        fn text(v: impl AsRef<str>) -> String {
            v.as_ref().to_owned()
        }
        assert_eq!(text(unknown), "2023-10-1");
        assert_eq!(text(ApiVersion::DEFAULT), crate::spec::API_VERSION);
    }
}
