//! Schemas: the keywords the converter knows, open enums (`x-ms-enum`), the bounds of
//! properties (recorded in the facts) and the `maxLength` stated in descriptions.

use super::{Adjustment, At, ConvertError, Converter, IntegerBounds, OpenEnum, StringBounds};
use serde_json::{Map, Value, json};

impl Converter {
    /// Converts a schema; `definition` is the name when `v` is a top-level definition.
    pub(super) fn schema(
        &mut self,
        v: &Value,
        at: &At,
        definition: Option<&str>,
    ) -> Result<Value, ConvertError> {
        let m = at.obj(v)?;
        if let Some(r) = m.get("$ref") {
            at.only(m, &["$ref", "description", "readOnly", "x-ms-client-name"])?;
            if m.len() > 1 + usize::from(m.contains_key("description")) {
                self.note(Adjustment::RefSiblings);
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
            self.note(Adjustment::MaxLengthFromDescription);
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
                        _ => self.schema(value, &kat, None)?,
                    };
                    out.insert(key.clone(), converted);
                }
                "x-ms-enum" => self.open_enum(m, &kat, definition)?,
                "default" => self.note(Adjustment::DropPropertyDefaults),
                "example" => self.note(Adjustment::ExamplesAsTestData),
                "x-ms-client-name" => self.note(Adjustment::AutorestNamingHints),
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// Records the enum `schema` as open if its `x-ms-enum` (at `at`) says `modelAsString`
    /// (adjustment `open-enums`); an open enum must be the top-level `definition`.
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
        self.note(Adjustment::OpenEnums);
        self.facts.open_enums.push(OpenEnum {
            name: name.to_owned(),
            values,
        });
        Ok(())
    }

    /// Records the bounds of `property` (schema `p`, at `at`) of the top-level `definition`, if
    /// it has any: lengths of a string (including one stated in its description), minimum,
    /// maximum and default of an integer.
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
