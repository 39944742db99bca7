//! The document as a whole: its root (host, schemes, security, media types), `info`, `tags`,
//! `paths`, and `components` (the local definitions, the bundled external ones, and the
//! merge-patch nulls); the operations themselves are in `operation.rs`.

use super::operation::media_types;
use super::{Adjustment, At, Conversion, ConvertError, Converter};
use serde_json::{Map, Value, json};
use std::path::Path;

/// The keys of a path item that the converter knows: its operations.
const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

impl Converter {
    /// Converts the root document `doc`, read from `file`: the whole conversion.
    pub(super) fn convert(mut self, doc: &Value, file: &Path) -> Result<Conversion, ConvertError> {
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
        self.host_and_auth(root, &at)?;

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

        self.merge_patch_nulls(&mut schemas);
        self.add_bundled(&mut schemas, &at)?;
        out.insert("components".into(), json!({ "schemas": schemas }));
        out.insert("x-acs-adjustments".into(), self.applied_adjustments());

        Ok(Conversion {
            openapi: Value::Object(out),
            facts: self.facts,
            files_read: self.files_read,
        })
    }

    /// Checks the root's host, schemes and security, which the client provides (adjustment
    /// `host-and-auth-by-client`); none of them is converted.
    fn host_and_auth(&mut self, root: &Map<String, Value>, at: &At) -> Result<(), ConvertError> {
        if let Some(s) = root.get("schemes") {
            if s != &json!(["https"]) {
                return at.key("schemes").err("only [\"https\"] is supported");
            }
            self.note(Adjustment::HostAndAuthByClient);
        }
        if let Some(h) = root.get("x-ms-parameterized-host") {
            let hat = at.key("x-ms-parameterized-host");
            if hat.obj(h)?.get("hostTemplate") != Some(&json!("{endpoint}")) {
                return hat
                    .key("hostTemplate")
                    .err("only the host template \"{endpoint}\" is supported");
            }
            self.note(Adjustment::HostAndAuthByClient);
        }
        if root.contains_key("securityDefinitions") || root.contains_key("security") {
            self.note(Adjustment::HostAndAuthByClient);
        }
        Ok(())
    }

    /// Converts `info` (required): title, version and description.
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
            self.note(Adjustment::AutorestNamingHints);
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

    /// Converts the root's `tags`: names and descriptions.
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

    /// Makes the map values of the definitions used as merge-patch bodies nullable (adjustment
    /// `merge-patch-nulls`); run once every operation is converted.
    fn merge_patch_nulls(&mut self, schemas: &mut Map<String, Value>) {
        for name in std::mem::take(&mut self.merge_patch_bodies) {
            let Some(map) = schemas
                .get_mut(&name)
                .and_then(|s| s.get_mut("additionalProperties"))
            else {
                continue;
            };
            if map.is_object() && map != &json!({}) {
                self.note(Adjustment::MergePatchNulls);
                *map = json!({ "allOf": [map.clone()], "nullable": true });
            }
        }
    }

    /// Adds the bundled external definitions (`refs.rs`) to the local ones, `schemas`; an
    /// external definition must be the same as a local one of its name.
    fn add_bundled(
        &mut self,
        schemas: &mut Map<String, Value>,
        at: &At,
    ) -> Result<(), ConvertError> {
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
        Ok(())
    }
}
