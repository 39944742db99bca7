//! The facts of a spec version that the hand-written code needs, gathered during the conversion
//! and rendered as Rust constants by `src/codegen/facts.rs` (`acs_identity::spec`).

/// An extensible enum of the spec (`x-ms-enum.modelAsString: true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenEnum {
    /// Schema name.
    pub name: String,
    /// Wire values known to this spec version.
    pub values: Vec<String>,
}

/// An integer property with bounds, as read from the spec before its default was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IntegerBounds {
    /// Schema name.
    pub schema: String,
    /// Property name.
    pub property: String,
    /// `minimum`, if any.
    pub minimum: Option<i64>,
    /// `maximum`, if any.
    pub maximum: Option<i64>,
    /// The dropped `default`, if any.
    pub default: Option<i64>,
}

/// A string property with length bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StringBounds {
    /// Schema name.
    pub schema: String,
    /// Property name.
    pub property: String,
    /// `minLength`, if any.
    pub min_length: Option<u64>,
    /// `maxLength` (or the one stated in the description), if any.
    pub max_length: Option<u64>,
}

/// An operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The operation's name (`OPERATION_NAMES`), also the generated method's name.
    pub name: String,
    /// The spec's operationId.
    pub id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, e.g. `/identities/{id}`.
    pub path: String,
    /// Whether the request body is optional.
    pub optional_body: bool,
    /// Whether the body is sent as `application/merge-patch+json`.
    pub merge_patch: bool,
    /// Whether a 204 without a body is a success beside a success with one.
    pub no_content_success: bool,
    /// The property of the answer holding the next page's link (`x-ms-pageable`), if any.
    pub next_link: Option<String>,
}

/// Facts of the spec the hand-written code needs, exported as constants by `build.rs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SpecFacts {
    /// `info.version`: the API version the document describes.
    pub api_version: String,
    /// Extensible enums.
    pub open_enums: Vec<OpenEnum>,
    /// Bounded integer properties.
    pub integer_bounds: Vec<IntegerBounds>,
    /// Bounded string properties.
    pub string_bounds: Vec<StringBounds>,
    /// Operations in document order.
    pub operations: Vec<Operation>,
}
