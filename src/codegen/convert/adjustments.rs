//! The adjustments: every change the conversion makes beyond the mechanical Swagger 2.0 ->
//! OpenAPI 3.0 translation.
//!
//! [`Adjustment`] is the one place where every change to the spec's meaning is named
//! ([`Adjustment::name`]) and justified ([`Adjustment::reason`]). Code that applies one records
//! it with [`Converter::note`], so a misspelt adjustment is a compile error; the converted
//! document lists the names of those it applied under `x-acs-adjustments`, in the order of
//! [`Adjustment::ALL`], so that the snapshot of the document shows them. A new adjustment is a
//! variant, its place in `ALL`, its name and its reason.

use super::Converter;
use serde_json::{Value, json};

/// An adjustment of the spec's meaning; [`Adjustment::reason`] says why it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Adjustment {
    /// `bundle-external-refs`: external definitions are copied into the document.
    BundleExternalRefs,
    /// `default-response-as-4XX-5XX`: a `default` response becomes `4XX` and `5XX`.
    DefaultResponseAs4xx5xx,
    /// `api-version-in-hook`: the `api-version` query parameter is left to the request hook.
    ApiVersionInHook,
    /// `drop-property-defaults`: property defaults are dropped (and exported).
    DropPropertyDefaults,
    /// `open-enums`: extensible enums are replaced by hand-written open types.
    OpenEnums,
    /// `optional-body`: a body that is not required becomes an optional requestBody.
    OptionalBody,
    /// `escape-doc-brackets`: `[` and `]` are escaped in descriptions and summaries.
    EscapeDocBrackets,
    /// `host-and-auth-by-client`: the host and the security schemes are the client's.
    HostAndAuthByClient,
    /// `examples-as-test-data`: examples are dropped from the document.
    ExamplesAsTestData,
    /// `ref-siblings`: keywords beside a `$ref` (but `description`) are dropped.
    RefSiblings,
    /// `operation-names`: operations are named by [`OPERATION_NAMES`](super::OPERATION_NAMES).
    OperationNames,
    /// `merge-patch-as-json`: a merge-patch body is declared as `application/json`.
    MergePatchAsJson,
    /// `merge-patch-nulls`: the map values of a merge-patch body are made nullable.
    MergePatchNulls,
    /// `no-content-beside-content`: a `204` beside a success with a body is left to the client.
    NoContentBesideContent,
    /// `pageable-by-client`: `x-ms-pageable` is dropped, the client follows the next link.
    PageableByClient,
    /// `max-length-from-description`: a `maxLength` stated in prose becomes a `maxLength`.
    MaxLengthFromDescription,
    /// `union-of-versions`: every version in one document (applied by `src/codegen/union.rs`).
    UnionOfVersions,
    /// `autorest-naming-hints`: hints for other generators are dropped.
    AutorestNamingHints,
}

impl Adjustment {
    /// Every adjustment, in the order their names are listed under `x-acs-adjustments` (a new
    /// one must be added here too, or the conversion panics when it applies it).
    pub(crate) const ALL: &[Adjustment] = &[
        Self::BundleExternalRefs,
        Self::DefaultResponseAs4xx5xx,
        Self::ApiVersionInHook,
        Self::DropPropertyDefaults,
        Self::OpenEnums,
        Self::OptionalBody,
        Self::EscapeDocBrackets,
        Self::HostAndAuthByClient,
        Self::ExamplesAsTestData,
        Self::RefSiblings,
        Self::OperationNames,
        Self::MergePatchAsJson,
        Self::MergePatchNulls,
        Self::NoContentBesideContent,
        Self::PageableByClient,
        Self::MaxLengthFromDescription,
        Self::UnionOfVersions,
        Self::AutorestNamingHints,
    ];

    /// The adjustment's name, as listed under `x-acs-adjustments` and cited in the docs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::BundleExternalRefs => "bundle-external-refs",
            Self::DefaultResponseAs4xx5xx => "default-response-as-4XX-5XX",
            Self::ApiVersionInHook => "api-version-in-hook",
            Self::DropPropertyDefaults => "drop-property-defaults",
            Self::OpenEnums => "open-enums",
            Self::OptionalBody => "optional-body",
            Self::EscapeDocBrackets => "escape-doc-brackets",
            Self::HostAndAuthByClient => "host-and-auth-by-client",
            Self::ExamplesAsTestData => "examples-as-test-data",
            Self::RefSiblings => "ref-siblings",
            Self::OperationNames => "operation-names",
            Self::MergePatchAsJson => "merge-patch-as-json",
            Self::MergePatchNulls => "merge-patch-nulls",
            Self::NoContentBesideContent => "no-content-beside-content",
            Self::PageableByClient => "pageable-by-client",
            Self::MaxLengthFromDescription => "max-length-from-description",
            Self::UnionOfVersions => "union-of-versions",
            Self::AutorestNamingHints => "autorest-naming-hints",
        }
    }

    /// What the adjustment changes, and why.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::BundleExternalRefs => {
                "External `$ref`s (e.g. to Common/.../common.json) are copied into \
                 components/schemas: typify panics on references outside the document."
            }
            Self::DefaultResponseAs4xx5xx => {
                "A `default` response is rewritten as `4XX` and `5XX` with the same schema: \
                 progenitor panics when `default` sits beside a success type, and the service only \
                 uses it for errors."
            }
            Self::ApiVersionInHook => {
                "The `api-version` query parameter is removed from every operation: it is one \
                 client option, added by the request hook (before signing), not a per-call \
                 argument with a newtype per operation. Its value is exported as `API_VERSION`."
            }
            Self::DropPropertyDefaults => {
                "`default` is removed from schema properties: progenitor would then always \
                 serialize the default, while the service wants the property omitted when the \
                 caller gives none. The dropped values are exported (e.g. \
                 `EXPIRES_IN_MINUTES_DEFAULT`)."
            }
            Self::OpenEnums => {
                "Enums marked `x-ms-enum.modelAsString` are extensible (the service may add \
                 values); progenitor would make them closed. They are recorded so that build.rs \
                 replaces each with a hand-written open type; a missing replacement is a build \
                 error."
            }
            Self::OptionalBody => {
                "A body parameter with `required: false` becomes an optional requestBody. \
                 progenitor still takes the body as an argument; the request hook sends no body \
                 when it serializes to `{}` for these operations (`OPTIONAL_BODY_OPERATIONS`), as \
                 the official SDKs do."
            }
            Self::EscapeDocBrackets => {
                "`[` and `]` in descriptions and summaries are escaped: text such as `[60,1440]` \
                 becomes a broken intra-doc link under `rustdoc -D warnings`."
            }
            Self::HostAndAuthByClient => {
                "`x-ms-parameterized-host`, `schemes`, `securityDefinitions` and `security` are \
                 dropped: the endpoint is the client's base URL, and authentication (HMAC or \
                 Entra ID) is applied by the hand-written request hook."
            }
            Self::ExamplesAsTestData => {
                "`x-ms-examples` are dropped from the document: they are test data, checked \
                 against the generated types by the test suite."
            }
            Self::RefSiblings => {
                "Keywords beside a `$ref` other than `description` (`readOnly`, \
                 `x-ms-client-name`) are dropped: OpenAPI 3.0 ignores siblings of `$ref`."
            }
            Self::OperationNames => {
                "Each `operationId` is replaced by the operation's name in `OPERATION_NAMES`, \
                 found by its HTTP method and path: the raw methods are named by what they do, \
                 the same at every API version, whatever naming scheme a version's operationIds \
                 follow. The original operationId stays in the operation's `x-acs-operation-id`."
            }
            Self::MergePatchAsJson => {
                "A body of `application/merge-patch+json` is declared as `application/json` \
                 (progenitor knows no other JSON media type); the request hook sends it with the \
                 merge-patch content type (`merge_patch` in the spec facts)."
            }
            Self::MergePatchNulls => {
                "In a merge-patch body whose schema is a map (`additionalProperties`), the map's \
                 values are made nullable: `null` removes an entry, as the spec's own example \
                 does."
            }
            Self::NoContentBesideContent => {
                "A `204` without a body beside a success with a body is removed from the document \
                 (progenitor allows one success type); the client takes a 204 of such an \
                 operation as an empty success (`no_content_success` in the spec facts)."
            }
            Self::PageableByClient => {
                "`x-ms-pageable` is dropped from the operation (progenitor does not page); its \
                 next-link property is exported (`next_link` in the spec facts) and the client \
                 follows it."
            }
            Self::MaxLengthFromDescription => {
                "A string property without `maxLength` whose description states \"Maximum \
                 length is N characters\" gets `maxLength: N`: the bound is the spec's, written \
                 in prose."
            }
            Self::UnionOfVersions => {
                "Every vendored version is merged into one document (src/codegen/union.rs) and \
                 one client is generated: the operations of all versions, each schema with the \
                 properties of all versions. What exists at which version is kept in the spec \
                 facts (`versions` and `body_properties` of each operation), checked before \
                 sending, and appended to the generated docs (\"API versions: ...\"). \
                 `info.version` is the default version's."
            }
            Self::AutorestNamingHints => {
                "`x-ms-client-name`, `x-ms-parameter-location`, `x-ms-skip-url-encoding` and \
                 `x-typespec-generated` are hints for other generators and are dropped."
            }
        }
    }
}

impl Converter {
    /// Records that the conversion applied `adjustment`.
    pub(super) fn note(&mut self, adjustment: Adjustment) {
        if !self.adjustments.contains(&adjustment) {
            self.adjustments.push(adjustment);
        }
    }

    /// The names of the adjustments applied, in the order of [`Adjustment::ALL`]: the value of
    /// the converted document's `x-acs-adjustments`.
    pub(super) fn applied_adjustments(&self) -> Value {
        assert!(
            self.adjustments.iter().all(|a| Adjustment::ALL.contains(a)),
            "an applied adjustment is missing from Adjustment::ALL: {:?}",
            self.adjustments
        );
        Value::Array(
            Adjustment::ALL
                .iter()
                .filter(|a| self.adjustments.contains(a))
                .map(|a| json!(a.name()))
                .collect(),
        )
    }
}

/// The table's consistency (run by the conversion tests, which compile this folder).
#[cfg(test)]
mod tests {
    use super::Adjustment;

    /// Each adjustment is listed once in `ALL` (its name appears once), and has a reason of its
    /// own, in sentences.
    #[test]
    fn each_adjustment_is_listed_once_with_a_reason() {
        for a in Adjustment::ALL {
            let same_name = Adjustment::ALL.iter().filter(|b| b.name() == a.name());
            assert_eq!(same_name.count(), 1, "{}", a.name());
            let same_reason = Adjustment::ALL.iter().filter(|b| b.reason() == a.reason());
            assert_eq!(same_reason.count(), 1, "{}", a.name());
            assert!(a.reason().ends_with('.'), "{a:?}");
        }
    }
}
