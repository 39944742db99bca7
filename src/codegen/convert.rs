//! Swagger 2.0 -> OpenAPI 3.0.3 conversion of the vendored Communication Identity spec.
//!
//! progenitor reads OpenAPI 3.0 only; the upstream spec is Swagger 2.0. This converter is
//! deliberately strict: it knows every construct the vendored versions use and turns any other
//! into an error naming the file and JSON pointer, so a new construct in a future API version
//! is noticed at build time instead of being dropped silently.
//!
//! Besides the mechanical translation, the converter applies the adjustments listed in
//! [`ADJUSTMENTS`]: this table is the one place where every change to the spec's meaning is
//! named and justified. The converted document carries the names of the adjustments it applied
//! under `x-acs-adjustments`, so the snapshot of the document shows them.
//!
//! This file is compiled by `build.rs` and by the conversion tests (through `#[path]`); it is not
//! a module of the library.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Every adjustment the conversion makes beyond the mechanical Swagger 2.0 -> OpenAPI 3.0
/// translation, with its reason. Code that applies one refers to it by name.
pub const ADJUSTMENTS: &[(&str, &str)] = &[
    (
        "bundle-external-refs",
        "External `$ref`s (e.g. to Common/.../common.json) are copied into components/schemas: \
         typify panics on references outside the document.",
    ),
    (
        "default-response-as-4XX-5XX",
        "A `default` response is rewritten as `4XX` and `5XX` with the same schema: progenitor \
         panics when `default` sits beside a success type, and the service only uses it for errors.",
    ),
    (
        "api-version-in-hook",
        "The `api-version` query parameter is removed from every operation: it is one client \
         option, added by the request hook (before signing), not a per-call argument with a newtype \
         per operation. Its value is exported as `API_VERSION`.",
    ),
    (
        "drop-property-defaults",
        "`default` is removed from schema properties: progenitor would then always serialize the \
         default, while the service wants the property omitted when the caller gives none. The \
         dropped values are exported (e.g. `EXPIRES_IN_MINUTES_DEFAULT`).",
    ),
    (
        "open-enums",
        "Enums marked `x-ms-enum.modelAsString` are extensible (the service may add values); \
         progenitor would make them closed. They are recorded so that build.rs replaces each with a \
         hand-written open type; a missing replacement is a build error.",
    ),
    (
        "optional-body",
        "A body parameter with `required: false` becomes an optional requestBody. progenitor still \
         takes the body as an argument; the request hook sends no body when it serializes to `{}` \
         for these operations (`OPTIONAL_BODY_OPERATIONS`), as the official SDKs do.",
    ),
    (
        "escape-doc-brackets",
        "`[` and `]` in descriptions and summaries are escaped: text such as `[60,1440]` becomes a \
         broken intra-doc link under `rustdoc -D warnings`.",
    ),
    (
        "host-and-auth-by-client",
        "`x-ms-parameterized-host`, `schemes`, `securityDefinitions` and `security` are dropped: \
         the endpoint is the client's base URL, and authentication (HMAC or Entra ID) is applied \
         by the hand-written request hook.",
    ),
    (
        "examples-as-test-data",
        "`x-ms-examples` are dropped from the document: they are test data, checked against the \
         generated types by the test suite.",
    ),
    (
        "ref-siblings",
        "Keywords beside a `$ref` other than `description` (`readOnly`, `x-ms-client-name`) are \
         dropped: OpenAPI 3.0 ignores siblings of `$ref`.",
    ),
    (
        "operation-names",
        "Each `operationId` is replaced by the operation's name in `OPERATION_NAMES`, found by \
         its HTTP method and path: the raw methods are named by what they do, the same at every \
         API version, whatever naming scheme a version's operationIds follow. The original \
         operationId stays in the operation's `x-acs-operation-id`.",
    ),
    (
        "merge-patch-as-json",
        "A body of `application/merge-patch+json` is declared as `application/json` (progenitor \
         knows no other JSON media type); the request hook sends it with the merge-patch \
         content type (`merge_patch` in the spec facts).",
    ),
    (
        "merge-patch-nulls",
        "In a merge-patch body whose schema is a map (`additionalProperties`), the map's values \
         are made nullable: `null` removes an entry, as the spec's own example does.",
    ),
    (
        "no-content-beside-content",
        "A `204` without a body beside a success with a body is removed from the document \
         (progenitor allows one success type); the client takes a 204 of such an operation as \
         an empty success (`no_content_success` in the spec facts).",
    ),
    (
        "pageable-by-client",
        "`x-ms-pageable` is dropped from the operation (progenitor does not page); its next-link \
         property is exported (`next_link` in the spec facts) and the client follows it.",
    ),
    (
        "max-length-from-description",
        "A string property without `maxLength` whose description states \"Maximum length is N \
         characters\" gets `maxLength: N`: the bound is the spec's, written in prose.",
    ),
    (
        "union-of-versions",
        "Every vendored version is merged into one document (src/codegen/union.rs) and one client \
         is generated: the operations of all versions, each schema with the properties of all \
         versions. What exists at which version is kept in the spec facts (`versions` and \
         `body_properties` of each operation), checked before sending, and appended to the \
         generated docs (\"API versions: ...\"). `info.version` is the default version's.",
    ),
    (
        "autorest-naming-hints",
        "`x-ms-client-name`, `x-ms-parameter-location`, `x-ms-skip-url-encoding` and \
         `x-typespec-generated` are hints for other generators and are dropped.",
    ),
];

/// The name of every operation of every vendored version, by HTTP method and path (adjustment
/// `operation-names`). An operation missing here is a build error naming it: give it a name
/// (the raw client's method name) in one more line.
pub const OPERATION_NAMES: &[(&str, &str, &str)] = &[
    ("POST", "/identities", "create_identity"),
    ("GET", "/identities/{id}", "get_identity"),
    ("DELETE", "/identities/{id}", "delete_identity"),
    (
        "POST",
        "/identities/{id}/:issueAccessToken",
        "issue_access_token",
    ),
    (
        "POST",
        "/identities/{id}/:revokeAccessTokens",
        "revoke_access_tokens",
    ),
    (
        "POST",
        "/teamsUser/:exchangeAccessToken",
        "exchange_teams_user_access_token",
    ),
    (
        "POST",
        "/access/teamsExtension/:exchangeAccessToken",
        "exchange_teams_extension_token",
    ),
    (
        "GET",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "get_teams_extension_assignment",
    ),
    (
        "PUT",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "upsert_teams_extension_assignment",
    ),
    (
        "DELETE",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "delete_teams_extension_assignment",
    ),
    (
        "POST",
        "/access/entra/:exchangeAccessToken",
        "exchange_entra_id_token",
    ),
    ("GET", "/access/entra/assignments", "list_entra_assignments"),
    (
        "PATCH",
        "/access/entra/assignments",
        "update_entra_assignments",
    ),
    (
        "GET",
        "/access/entra/assignments/{objectId}",
        "get_entra_assignment",
    ),
    (
        "PUT",
        "/access/entra/assignments/{objectId}",
        "upsert_entra_assignment",
    ),
    (
        "DELETE",
        "/access/entra/assignments/{objectId}",
        "delete_entra_assignment",
    ),
];

/// Where a conversion error was found, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError {
    /// The file being converted.
    pub file: PathBuf,
    /// JSON pointer of the offending value in that file.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}: {}",
            self.file.display(),
            self.pointer,
            self.message
        )
    }
}

impl std::error::Error for ConvertError {}

/// An extensible enum of the spec (`x-ms-enum.modelAsString: true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// Schema name.
    pub name: String,
    /// Wire values known to this spec version.
    pub values: Vec<String>,
}

/// An integer property with bounds, as read from the spec before its default was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegerBounds {
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
pub struct StringBounds {
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
pub struct Operation {
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
pub struct SpecFacts {
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

/// The result of a conversion.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The OpenAPI 3.0.3 document.
    pub openapi: Value,
    /// Facts for the hand-written code.
    pub facts: SpecFacts,
    /// Every file read (for `cargo:rerun-if-changed`).
    pub files_read: Vec<PathBuf>,
}

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];
const JSON: &str = "application/json";
const MERGE_PATCH: &str = "application/merge-patch+json";

/// Converts the Swagger 2.0 file at `path`, resolving external `$ref`s relative to it.
pub fn convert_file(path: &Path) -> Result<Conversion, ConvertError> {
    let mut c = Converter::default();
    let doc = c.load(path)?;
    c.convert(&doc, path)
}

/// Converts an in-memory Swagger 2.0 document; `path` names it in errors and anchors relative
/// external `$ref`s.
pub fn convert_value(doc: &Value, path: &Path) -> Result<Conversion, ConvertError> {
    Converter::default().convert(doc, path)
}

#[derive(Default)]
struct Converter {
    files_read: Vec<PathBuf>,
    facts: SpecFacts,
    /// Bundled external definitions: name -> (converted schema, origin file).
    bundled: BTreeMap<String, (Value, PathBuf)>,
    adjustments: Vec<&'static str>,
    /// The document being converted: local `$ref`s of other files are external to it.
    root: PathBuf,
    /// External documents already read.
    external: BTreeMap<PathBuf, Value>,
    /// Definitions used as merge-patch bodies (adjustment `merge-patch-nulls`).
    merge_patch_bodies: Vec<String>,
}

/// Position in the input: file and JSON pointer, for errors.
#[derive(Clone)]
struct At<'a> {
    file: &'a Path,
    pointer: String,
}

impl<'a> At<'a> {
    fn new(file: &'a Path) -> Self {
        At {
            file,
            pointer: String::new(),
        }
    }
    fn key(&self, k: &str) -> At<'a> {
        let escaped = k.replace('~', "~0").replace('/', "~1");
        At {
            file: self.file,
            pointer: format!("{}/{}", self.pointer, escaped),
        }
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ConvertError> {
        Err(ConvertError {
            file: self.file.to_path_buf(),
            pointer: self.pointer.clone(),
            message: message.into(),
        })
    }
    fn obj<'v>(&self, v: &'v Value) -> Result<&'v Map<String, Value>, ConvertError> {
        v.as_object()
            .map_or_else(|| self.err("expected a JSON object"), Ok)
    }
    fn str<'v>(&self, v: &'v Value) -> Result<&'v str, ConvertError> {
        v.as_str().map_or_else(|| self.err("expected a string"), Ok)
    }
    /// Fails on any key of `m` not in `allowed`.
    fn only(&self, m: &Map<String, Value>, allowed: &[&str]) -> Result<(), ConvertError> {
        match m.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => self.key(k).err(format!(
                "unsupported construct `{k}` (the converter knows: {})",
                allowed.join(", ")
            )),
            None => Ok(()),
        }
    }
}

impl Converter {
    fn note(&mut self, adjustment: &'static str) {
        debug_assert!(ADJUSTMENTS.iter().any(|(n, _)| *n == adjustment));
        if !self.adjustments.contains(&adjustment) {
            self.adjustments.push(adjustment);
        }
    }

    fn load(&mut self, path: &Path) -> Result<Value, ConvertError> {
        let at = At::new(path);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return at.err(format!("cannot read file: {e}")),
        };
        self.files_read.push(path.to_path_buf());
        match serde_json::from_str(&text) {
            Ok(v) => Ok(v),
            Err(e) => at.err(format!("not valid JSON: {e}")),
        }
    }

    fn convert(mut self, doc: &Value, file: &Path) -> Result<Conversion, ConvertError> {
        self.root = file.to_path_buf();
        let at = At::new(file);
        let root = at.obj(doc)?;
        at.only(
            root,
            &[
                "swagger",
                "info",
                "schemes",
                "x-ms-parameterized-host",
                "produces",
                "consumes",
                "tags",
                "paths",
                "definitions",
                "parameters",
                "securityDefinitions",
                "security",
            ],
        )?;
        if root.get("swagger") != Some(&json!("2.0")) {
            return at.key("swagger").err("expected \"swagger\": \"2.0\"");
        }
        let info = self.info(root.get("info"), &at.key("info"))?;
        self.facts.api_version = info["version"].as_str().unwrap_or_default().to_owned();

        for key in ["produces", "consumes"] {
            if let Some(v) = root.get(key) {
                media_types(v, &at.key(key))?;
            }
        }
        if let Some(s) = root.get("schemes") {
            if s != &json!(["https"]) {
                return at.key("schemes").err("only [\"https\"] is supported");
            }
            self.note("host-and-auth-by-client");
        }
        if let Some(h) = root.get("x-ms-parameterized-host") {
            let hat = at.key("x-ms-parameterized-host");
            if hat.obj(h)?.get("hostTemplate") != Some(&json!("{endpoint}")) {
                return hat
                    .key("hostTemplate")
                    .err("only the host template \"{endpoint}\" is supported");
            }
            self.note("host-and-auth-by-client");
        }
        if root.contains_key("securityDefinitions") || root.contains_key("security") {
            self.note("host-and-auth-by-client");
        }

        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        out.insert("info".into(), info);
        if let Some(tags) = root.get("tags") {
            out.insert("tags".into(), self.tags(tags, &at.key("tags"))?);
        }

        let empty = Map::new();
        let shared_params = match root.get("parameters") {
            Some(p) => at.key("parameters").obj(p)?,
            None => &empty,
        };

        let mut schemas = Map::new();
        if let Some(defs) = root.get("definitions") {
            let dat = at.key("definitions");
            for (name, def) in dat.obj(defs)? {
                let sat = dat.key(name);
                let converted = self.schema(def, &sat, Some(name))?;
                schemas.insert(name.clone(), converted);
            }
        }

        let mut paths = Map::new();
        let pat = at.key("paths");
        for (path, item) in pat.obj(root.get("paths").unwrap_or(&json!({})))? {
            let iat = pat.key(path);
            let item = iat.obj(item)?;
            iat.only(item, HTTP_METHODS)?;
            let mut out_item = Map::new();
            for (method, op) in item {
                let op = self.operation(op, &iat.key(method), method, path, shared_params)?;
                out_item.insert(method.clone(), op);
            }
            paths.insert(path.clone(), Value::Object(out_item));
        }
        out.insert("paths".into(), Value::Object(paths));

        for name in std::mem::take(&mut self.merge_patch_bodies) {
            let Some(map) = schemas
                .get_mut(&name)
                .and_then(|s| s.get_mut("additionalProperties"))
            else {
                continue;
            };
            if map.is_object() && map != &json!({}) {
                self.note("merge-patch-nulls");
                *map = json!({ "allOf": [map.clone()], "nullable": true });
            }
        }

        for (name, (schema, origin)) in std::mem::take(&mut self.bundled) {
            if let Some(local) = schemas.get(&name) {
                if local != &schema {
                    return at.key("definitions").key(&name).err(format!(
                        "external definition `{name}` from {} differs from the local one",
                        origin.display()
                    ));
                }
            } else {
                schemas.insert(name, schema);
            }
        }
        out.insert("components".into(), json!({ "schemas": schemas }));
        let applied: Vec<Value> = ADJUSTMENTS
            .iter()
            .filter(|(n, _)| self.adjustments.contains(n))
            .map(|(n, _)| json!(n))
            .collect();
        out.insert("x-acs-adjustments".into(), Value::Array(applied));

        Ok(Conversion {
            openapi: Value::Object(out),
            facts: self.facts,
            files_read: self.files_read,
        })
    }

    fn info(&mut self, v: Option<&Value>, at: &At) -> Result<Value, ConvertError> {
        let Some(v) = v else {
            return at.err("`info` is required");
        };
        let m = at.obj(v)?;
        at.only(
            m,
            &["title", "version", "description", "x-typespec-generated"],
        )?;
        if m.contains_key("x-typespec-generated") {
            self.note("autorest-naming-hints");
        }
        let mut out = Map::new();
        for key in ["title", "version"] {
            let Some(s) = m.get(key) else {
                return at.key(key).err(format!("`info.{key}` is required"));
            };
            out.insert(key.into(), json!(at.key(key).str(s)?));
        }
        if let Some(d) = m.get("description") {
            let d = self.doc(at.key("description").str(d)?);
            out.insert("description".into(), json!(d));
        }
        Ok(Value::Object(out))
    }

    fn tags(&mut self, v: &Value, at: &At) -> Result<Value, ConvertError> {
        let Some(list) = v.as_array() else {
            return at.err("expected an array");
        };
        let mut out = Vec::new();
        for (i, t) in list.iter().enumerate() {
            let tat = at.key(&i.to_string());
            let m = tat.obj(t)?;
            tat.only(m, &["name", "description"])?;
            let mut o = Map::new();
            o.insert("name".into(), json!(tat.key("name").str(&m["name"])?));
            if let Some(d) = m.get("description") {
                o.insert("description".into(), json!(self.doc(tat.str(d)?)));
            }
            out.push(Value::Object(o));
        }
        Ok(Value::Array(out))
    }

    /// Escapes text for rustdoc (adjustment `escape-doc-brackets`).
    fn doc(&mut self, text: &str) -> String {
        if text.contains(['[', ']']) {
            self.note("escape-doc-brackets");
            text.replace('[', "\\[").replace(']', "\\]")
        } else {
            text.to_owned()
        }
    }

    fn operation(
        &mut self,
        v: &Value,
        at: &At,
        method: &str,
        path: &str,
        shared: &Map<String, Value>,
    ) -> Result<Value, ConvertError> {
        let m = at.obj(v)?;
        at.only(
            m,
            &[
                "operationId",
                "tags",
                "summary",
                "description",
                "parameters",
                "responses",
                "x-ms-examples",
                "consumes",
                "produces",
                "deprecated",
                "x-ms-pageable",
            ],
        )?;
        let Some(id) = m.get("operationId") else {
            return at.err("every operation needs an operationId");
        };
        let id = at.key("operationId").str(id)?.to_owned();
        let method_upper = method.to_ascii_uppercase();
        let Some(&(_, _, name)) = OPERATION_NAMES
            .iter()
            .find(|(m, p, _)| *m == method_upper && *p == path)
        else {
            return at.key("operationId").err(format!(
                "operation `{id}` ({method_upper} {path}) has no name in OPERATION_NAMES \
                 (src/codegen/convert.rs); add one line naming it"
            ));
        };
        self.note("operation-names");
        let mut merge_patch = false;
        if let Some(v) = m.get("produces") {
            media_types(v, &at.key("produces"))?;
        }
        if let Some(v) = m.get("consumes") {
            if v == &json!([MERGE_PATCH]) {
                self.note("merge-patch-as-json");
                merge_patch = true;
            } else {
                media_types(v, &at.key("consumes"))?;
            }
        }
        let next_link = match m.get("x-ms-pageable") {
            None => None,
            Some(p) => {
                let pat = at.key("x-ms-pageable");
                let pm = pat.obj(p)?;
                pat.only(pm, &["nextLinkName", "itemName"])?;
                let Some(next) = pm.get("nextLinkName") else {
                    return pat.err("x-ms-pageable needs a nextLinkName");
                };
                self.note("pageable-by-client");
                Some(pat.key("nextLinkName").str(next)?.to_owned())
            }
        };
        if m.contains_key("x-ms-examples") {
            self.note("examples-as-test-data");
        }

        let mut out = Map::new();
        out.insert("operationId".into(), json!(name));
        out.insert("x-acs-operation-id".into(), json!(id));
        if let Some(t) = m.get("tags") {
            out.insert("tags".into(), t.clone());
        }
        for key in ["summary", "description"] {
            if let Some(s) = m.get(key) {
                let s = self.doc(at.key(key).str(s)?);
                out.insert(key.into(), json!(s));
            }
        }
        if let Some(d) = m.get("deprecated") {
            out.insert("deprecated".into(), d.clone());
        }

        let mut params = Vec::new();
        let mut optional_body = false;
        let pat = at.key("parameters");
        let list = m.get("parameters").and_then(Value::as_array);
        for (i, p) in list.into_iter().flatten().enumerate() {
            let mut pat = pat.key(&i.to_string());
            let mut p = p;
            if let Some(r) = p.get("$ref") {
                let r = pat.key("$ref").str(r)?;
                let Some(name) = r.strip_prefix("#/parameters/") else {
                    return pat
                        .key("$ref")
                        .err("only parameter references to #/parameters/ are supported");
                };
                let Some(resolved) = shared.get(name) else {
                    return pat.key("$ref").err(format!("unresolved parameter `{r}`"));
                };
                p = resolved;
                pat = At::new(at.file).key("parameters").key(name);
            }
            match self.parameter(p, &pat)? {
                Param::ApiVersion => self.note("api-version-in-hook"),
                Param::Plain(v) => params.push(v),
                Param::Body(body, required) => {
                    if out.contains_key("requestBody") {
                        return pat.err("more than one body parameter");
                    }
                    if merge_patch {
                        let target = body.pointer("/content/application~1json/schema/$ref");
                        if let Some(name) = target
                            .and_then(Value::as_str)
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        {
                            self.merge_patch_bodies.push(name.to_owned());
                        }
                    }
                    optional_body = !required;
                    if optional_body {
                        self.note("optional-body");
                    }
                    out.insert("requestBody".into(), body);
                }
            }
        }
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }

        let rat = at.key("responses");
        let Some(responses) = m.get("responses") else {
            return rat.err("every operation needs responses");
        };
        let mut out_resp = Map::new();
        for (code, r) in rat.obj(responses)? {
            let cat = rat.key(code);
            let converted = self.response(r, &cat)?;
            if code == "default" {
                self.note("default-response-as-4XX-5XX");
                out_resp.insert("4XX".into(), converted.clone());
                out_resp.insert("5XX".into(), converted);
            } else if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) {
                out_resp.insert(code.clone(), converted);
            } else {
                return cat.err("a response key must be a 3-digit status or `default`");
            }
        }
        let with_body = |r: &Value| r.get("content").is_some();
        let mut no_content_success = false;
        if out_resp.get("204").is_some_and(|r| !with_body(r))
            && out_resp
                .iter()
                .any(|(code, r)| code.starts_with('2') && with_body(r))
        {
            self.note("no-content-beside-content");
            out_resp.remove("204");
            no_content_success = true;
        }
        out.insert("responses".into(), Value::Object(out_resp));

        self.facts.operations.push(Operation {
            name: name.to_owned(),
            id,
            method: method_upper,
            path: path.to_owned(),
            optional_body,
            merge_patch,
            no_content_success,
            next_link,
        });
        Ok(Value::Object(out))
    }

    fn parameter(&mut self, v: &Value, at: &At) -> Result<Param, ConvertError> {
        let m = at.obj(v)?;
        at.only(
            m,
            &[
                "name",
                "in",
                "description",
                "required",
                "type",
                "format",
                "minLength",
                "maxLength",
                "schema",
                "x-ms-parameter-location",
                "x-ms-client-name",
            ],
        )?;
        if m.contains_key("x-ms-parameter-location") || m.contains_key("x-ms-client-name") {
            self.note("autorest-naming-hints");
        }
        let name = at.key("name").str(m.get("name").unwrap_or(&Value::Null))?;
        let location = at.key("in").str(m.get("in").unwrap_or(&Value::Null))?;
        let required = match m.get("required") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return at.key("required").err("expected a boolean"),
        };
        let description = match m.get("description") {
            Some(d) => Some(self.doc(at.key("description").str(d)?)),
            None => None,
        };
        match location {
            "query" if name == "api-version" => {
                if !required {
                    return at.err("`api-version` must be a required query parameter");
                }
                Ok(Param::ApiVersion)
            }
            "body" => {
                let Some(schema) = m.get("schema") else {
                    return at.err("a body parameter needs a schema");
                };
                let schema = self.schema(schema, &at.key("schema"), None)?;
                let mut body = Map::new();
                if let Some(d) = description {
                    body.insert("description".into(), json!(d));
                }
                body.insert("required".into(), json!(required));
                body.insert("content".into(), json!({ JSON: { "schema": schema } }));
                Ok(Param::Body(Value::Object(body), required))
            }
            "path" | "query" | "header" => {
                if m.contains_key("schema") {
                    return at
                        .key("schema")
                        .err("a non-body parameter takes `type`, not `schema`");
                }
                if location == "path" && !required {
                    return at.key("required").err("path parameters must be required");
                }
                let mut schema = Map::new();
                for key in ["type", "format", "minLength", "maxLength"] {
                    if let Some(v) = m.get(key) {
                        schema.insert(key.into(), v.clone());
                    }
                }
                if !matches!(
                    m.get("type").and_then(Value::as_str),
                    Some("string" | "integer" | "boolean" | "number")
                ) {
                    return at
                        .key("type")
                        .err("expected a scalar type (string, integer, number, boolean)");
                }
                let mut out = Map::new();
                out.insert("name".into(), json!(name));
                out.insert("in".into(), json!(location));
                if let Some(d) = description {
                    out.insert("description".into(), json!(d));
                }
                out.insert("required".into(), json!(required));
                out.insert("schema".into(), Value::Object(schema));
                Ok(Param::Plain(Value::Object(out)))
            }
            other => at.key("in").err(format!(
                "unsupported parameter location `{other}` (expected path, query, header or body)"
            )),
        }
    }

    fn response(&mut self, v: &Value, at: &At) -> Result<Value, ConvertError> {
        let m = at.obj(v)?;
        at.only(m, &["description", "schema"])?;
        let description = match m.get("description") {
            Some(d) => self.doc(at.key("description").str(d)?),
            None => return at.err("a response needs a description"),
        };
        let mut out = Map::new();
        out.insert("description".into(), json!(description));
        if let Some(s) = m.get("schema") {
            let schema = self.schema(s, &at.key("schema"), None)?;
            out.insert("content".into(), json!({ JSON: { "schema": schema } }));
        }
        Ok(Value::Object(out))
    }

    /// Converts a schema; `definition` is the name when `v` is a top-level definition.
    fn schema(
        &mut self,
        v: &Value,
        at: &At,
        definition: Option<&str>,
    ) -> Result<Value, ConvertError> {
        let m = at.obj(v)?;
        if let Some(r) = m.get("$ref") {
            at.only(m, &["$ref", "description", "readOnly", "x-ms-client-name"])?;
            if m.len() > 1 + usize::from(m.contains_key("description")) {
                self.note("ref-siblings");
            }
            let target = self.reference(at.key("$ref").str(r)?, &at.key("$ref"))?;
            let mut out = Map::new();
            out.insert("$ref".into(), json!(target));
            if let Some(d) = m.get("description") {
                out.insert(
                    "description".into(),
                    json!(self.doc(at.key("description").str(d)?)),
                );
            }
            return Ok(Value::Object(out));
        }
        at.only(
            m,
            &[
                "type",
                "format",
                "description",
                "title",
                "properties",
                "required",
                "items",
                "enum",
                "x-ms-enum",
                "default",
                "minimum",
                "maximum",
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
                "readOnly",
                "additionalProperties",
                "x-ms-client-name",
                "example",
            ],
        )?;
        let mut out = Map::new();
        if m.get("type") == Some(&json!("string"))
            && !m.contains_key("maxLength")
            && let Some(max) = m
                .get("description")
                .and_then(Value::as_str)
                .and_then(stated_max_length)
        {
            self.note("max-length-from-description");
            out.insert("maxLength".into(), json!(max));
        }
        for (key, value) in m {
            let kat = at.key(key);
            match key.as_str() {
                "type" => {
                    let t = kat.str(value)?;
                    if !["object", "string", "integer", "number", "boolean", "array"].contains(&t) {
                        return kat.err(format!("unsupported type `{t}`"));
                    }
                    out.insert(key.clone(), value.clone());
                }
                "description" | "title" => {
                    out.insert(key.clone(), json!(self.doc(kat.str(value)?)));
                }
                "properties" => {
                    let mut props = Map::new();
                    for (name, p) in kat.obj(value)? {
                        let pat = kat.key(name);
                        let converted = self.schema(p, &pat, None)?;
                        self.record_bounds(definition, name, p, &pat)?;
                        props.insert(name.clone(), converted);
                    }
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" => {
                    out.insert(key.clone(), self.schema(value, &kat, None)?);
                }
                "additionalProperties" => {
                    let converted = match value {
                        Value::Bool(_) => value.clone(),
                        Value::Object(o) if o.is_empty() => value.clone(),
                        _ => self.schema(value, &kat, None)?,
                    };
                    out.insert(key.clone(), converted);
                }
                "x-ms-enum" => self.open_enum(m, &kat, definition)?,
                "default" => self.note("drop-property-defaults"),
                "example" => self.note("examples-as-test-data"),
                "x-ms-client-name" => self.note("autorest-naming-hints"),
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn open_enum(
        &mut self,
        schema: &Map<String, Value>,
        at: &At,
        definition: Option<&str>,
    ) -> Result<(), ConvertError> {
        let x = at.obj(&schema["x-ms-enum"])?;
        at.only(x, &["name", "modelAsString", "values"])?;
        if x.get("modelAsString") != Some(&json!(true)) {
            return Ok(());
        }
        let Some(name) = definition else {
            return at.err("an open enum (modelAsString) must be a top-level definition");
        };
        let Some(values) = schema.get("enum").and_then(Value::as_array) else {
            return at.err("x-ms-enum without an `enum` list");
        };
        let values = values
            .iter()
            .map(|v| at.str(v).map(str::to_owned))
            .collect::<Result<Vec<_>, _>>()?;
        self.note("open-enums");
        self.facts.open_enums.push(OpenEnum {
            name: name.to_owned(),
            values,
        });
        Ok(())
    }

    fn record_bounds(
        &mut self,
        definition: Option<&str>,
        property: &str,
        p: &Value,
        at: &At,
    ) -> Result<(), ConvertError> {
        let (Some(schema), Some(m)) = (definition, p.as_object()) else {
            return Ok(());
        };
        if m.get("type") == Some(&json!("string")) {
            let len = |key: &str| m.get(key).and_then(Value::as_u64);
            let max_length = len("maxLength").or_else(|| {
                m.get("description")
                    .and_then(Value::as_str)
                    .and_then(stated_max_length)
            });
            if len("minLength").is_some() || max_length.is_some() {
                self.facts.string_bounds.push(StringBounds {
                    schema: schema.to_owned(),
                    property: property.to_owned(),
                    min_length: len("minLength"),
                    max_length,
                });
            }
            return Ok(());
        }
        if m.get("type") != Some(&json!("integer")) {
            return Ok(());
        }
        let int = |key: &str| -> Result<Option<i64>, ConvertError> {
            match m.get(key) {
                None => Ok(None),
                Some(v) => v
                    .as_i64()
                    .map(Some)
                    .map_or_else(|| at.key(key).err("expected an integer"), Ok),
            }
        };
        let bounds = IntegerBounds {
            schema: schema.to_owned(),
            property: property.to_owned(),
            minimum: int("minimum")?,
            maximum: int("maximum")?,
            default: int("default")?,
        };
        if bounds.minimum.is_some() || bounds.maximum.is_some() || bounds.default.is_some() {
            self.facts.integer_bounds.push(bounds);
        }
        Ok(())
    }

    /// Rewrites a `$ref` to `#/components/schemas/...`, bundling external definitions.
    fn reference(&mut self, r: &str, at: &At) -> Result<String, ConvertError> {
        let (file_part, pointer) = r.split_once('#').unwrap_or((r, ""));
        let Some(name) = pointer.strip_prefix("/definitions/") else {
            return at.err(format!(
                "unsupported reference `{r}` (expected .../#/definitions/Name)"
            ));
        };
        if name.contains('/') {
            return at.err(format!("unsupported nested reference `{r}`"));
        }
        let target_file = if file_part.is_empty() {
            at.file.to_path_buf()
        } else {
            normalize(&at.file.parent().unwrap_or(Path::new(".")).join(file_part))
        };
        if target_file != self.root {
            self.bundle(&target_file, name, at)?;
        }
        Ok(format!("#/components/schemas/{name}"))
    }

    /// Copies definition `name` of `file` (and what it references) into `bundled`.
    fn bundle(&mut self, file: &Path, name: &str, at: &At) -> Result<(), ConvertError> {
        if self.bundled.contains_key(name) {
            return Ok(());
        }
        self.note("bundle-external-refs");
        if !self.external.contains_key(file) {
            let doc = self.load(file).or_else(|e| at.err(e.to_string()))?;
            self.external.insert(file.to_path_buf(), doc);
        }
        let doc = self.external[file].clone();
        let eat = At::new(file).key("definitions").key(name);
        let Some(def) = doc.get("definitions").and_then(|d| d.get(name)) else {
            return at.err(format!("{} has no definition `{name}`", file.display()));
        };
        // Reserve the name first so recursive definitions terminate.
        self.bundled
            .insert(name.to_owned(), (Value::Null, file.to_path_buf()));
        let converted = self.schema(def, &eat, Some(name))?;
        self.bundled
            .insert(name.to_owned(), (converted, file.to_path_buf()));
        Ok(())
    }
}

enum Param {
    ApiVersion,
    Plain(Value),
    Body(Value, bool),
}

fn media_types(v: &Value, at: &At) -> Result<(), ConvertError> {
    if v != &json!([JSON]) {
        return at.err("only [\"application/json\"] is supported");
    }
    Ok(())
}

/// N of "Maximum length is N characters" in a description (adjustment
/// `max-length-from-description`).
fn stated_max_length(description: &str) -> Option<u64> {
    let lower = description.to_ascii_lowercase();
    let rest = &lower[lower.find("maximum length is ")? + "maximum length is ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    rest[digits.len()..]
        .starts_with(" characters")
        .then(|| digits.parse().ok())
        .flatten()
}

/// Resolves `.` and `..` components without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
