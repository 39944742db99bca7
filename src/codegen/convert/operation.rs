//! Operations: their names, media types, parameters (the `api-version`, plain ones, the body) and
//! responses.

use super::{Adjustment, At, ConvertError, Converter, OPERATION_NAMES, Operation};
use serde_json::{Map, Value, json};

/// The JSON media type, the only one the converter knows besides [`MERGE_PATCH`].
const JSON: &str = "application/json";
/// The merge-patch media type of a request body (adjustment `merge-patch-as-json`).
const MERGE_PATCH: &str = "application/merge-patch+json";

impl Converter {
    /// Converts the operation `v` of `method` at `path`: its name (`OPERATION_NAMES`), texts,
    /// parameters (resolving references to the root's `shared` parameters), request body and
    /// responses; records it in the facts.
    pub(super) fn operation(
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
                 (src/codegen/convert/names.rs); add one line naming it"
            ));
        };
        self.note(Adjustment::OperationNames);
        let mut merge_patch = false;
        if let Some(v) = m.get("produces") {
            media_types(v, &at.key("produces"))?;
        }
        if let Some(v) = m.get("consumes") {
            if v == &json!([MERGE_PATCH]) {
                self.note(Adjustment::MergePatchAsJson);
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
                self.note(Adjustment::PageableByClient);
                Some(pat.key("nextLinkName").str(next)?.to_owned())
            }
        };
        if m.contains_key("x-ms-examples") {
            self.note(Adjustment::ExamplesAsTestData);
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
                Param::ApiVersion => self.note(Adjustment::ApiVersionInHook),
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
                        self.note(Adjustment::OptionalBody);
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
                self.note(Adjustment::DefaultResponseAs4xx5xx);
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
            self.note(Adjustment::NoContentBesideContent);
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

    /// Converts a parameter: the `api-version` query parameter, a plain parameter (path, query
    /// or header) or the body.
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
            self.note(Adjustment::AutorestNamingHints);
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

    /// Converts a response: its description and its body's schema, if any.
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
}

/// A converted parameter, by where it goes in the OpenAPI 3.0 operation.
enum Param {
    /// The `api-version` query parameter, set by the request hook (adjustment
    /// `api-version-in-hook`).
    ApiVersion,
    /// A path, query or header parameter.
    Plain(Value),
    /// The request body, and whether it is required.
    Body(Value, bool),
}

/// Checks a `produces` or `consumes` list: only JSON is supported.
pub(super) fn media_types(v: &Value, at: &At) -> Result<(), ConvertError> {
    if v != &json!([JSON]) {
        return at.err("only [\"application/json\"] is supported");
    }
    Ok(())
}
