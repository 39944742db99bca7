//! Every vendored API version in one document (adjustment `union-of-versions`): the operations of
//! all versions, and each schema with the properties of all versions, so that one generated
//! client reaches every operation and every field at run time, where the API version is chosen.
//!
//! What exists at which version is kept beside the document: the operations' versions are in the
//! spec facts (`spec::OPERATIONS`), the request-body properties that not every version of an
//! operation has are in [`Union::body_properties`] (the request hook refuses them at the versions
//! that lack them), and the generated documentation says both ("API versions: ...").
//!
//! The merge is strict where a silent choice could change the wire: a property whose schema
//! differs between two versions (descriptions aside) is an error naming both. Elsewhere the
//! newest version wins (texts, schema-level keywords), enum values are the union of every
//! version's, and a property is required only where every version that has the schema requires it.

use super::convert::Adjustment;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The merged document and what exists where.
#[derive(Debug, Clone)]
pub(crate) struct Union {
    /// The OpenAPI 3.0 document of every version.
    pub openapi: Value,
    /// By operation name: the request-body properties (wire names) that only some of the
    /// operation's versions have, with those versions (oldest first).
    pub body_properties: BTreeMap<String, Vec<(String, Vec<String>)>>,
}

/// What one schema looks like at each version that has it.
#[derive(Default)]
struct SchemaVersions {
    /// Versions that have the schema, with its properties and required properties there.
    at: Vec<(String, Vec<String>, Vec<String>)>,
}

/// Merges the converted documents of `versions` (name and document, oldest first); the result
/// says `info.version` = `default`, the version the generated client is documented for.
pub(crate) fn merge(versions: &[(&str, &Value)], default: &str) -> Result<Union, String> {
    let Some((_, newest)) = versions.last() else {
        return Err("no version to generate".into());
    };
    let mut paths = Map::new();
    let mut op_versions: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut schemas = Map::new();
    let mut shapes: BTreeMap<String, SchemaVersions> = BTreeMap::new();
    let mut adjustments: Vec<Value> = Vec::new();

    for (version, doc) in versions {
        for adjustment in doc["x-acs-adjustments"].as_array().into_iter().flatten() {
            if !adjustments.contains(adjustment) {
                adjustments.push(adjustment.clone());
            }
        }
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let out = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            for (method, op) in item.as_object().into_iter().flatten() {
                out[method.as_str()] = op.clone();
                op_versions
                    .entry((path.clone(), method.clone()))
                    .or_default()
                    .push((*version).to_owned());
            }
        }
        for (name, schema) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let props: Vec<String> = schema["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let required: Vec<String> = schema["required"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            shapes.entry(name.clone()).or_default().at.push((
                (*version).to_owned(),
                props,
                required,
            ));
            match schemas.get_mut(name) {
                None => {
                    schemas.insert(name.clone(), schema.clone());
                }
                Some(existing) => merge_schema(existing, schema, name, version)?,
            }
        }
    }

    // Required where every version requires it; property versions in the docs.
    for (name, shape) in &shapes {
        let schema = schemas.get_mut(name).expect("recorded with the schema");
        let all_props: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let required: Vec<Value> = all_props
            .iter()
            .filter(|p| shape.at.iter().all(|(_, _, req)| req.contains(p)))
            .map(|p| json!(p))
            .collect();
        let object = schema.as_object_mut().expect("a schema is an object");
        if required.is_empty() {
            object.remove("required");
        } else {
            object.insert("required".into(), Value::Array(required));
        }
        for prop in &all_props {
            let having: Vec<&str> = shape
                .at
                .iter()
                .filter(|(_, props, _)| props.contains(prop))
                .map(|(v, _, _)| v.as_str())
                .collect();
            if having.len() < shape.at.len() {
                let p = &mut schema["properties"][prop.as_str()];
                append_doc(p, &format!("API versions: {}.", having.join(", ")));
            }
        }
    }

    let mut body_properties = BTreeMap::new();
    for ((path, method), having) in &op_versions {
        let op = &mut paths[path.as_str()][method.as_str()];
        if having.len() < versions.len() {
            append_doc(op, &format!("API versions: {}.", having.join(", ")));
        }
        op["x-acs-versions"] = json!(having);
        let name = op["operationId"].as_str().unwrap_or_default().to_owned();
        let Some(body) = op
            .pointer("/requestBody/content/application~1json/schema/$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        else {
            continue;
        };
        // The body's properties at each version of the operation.
        let shape = &shapes[body];
        let mut partial: Vec<(String, Vec<String>)> = Vec::new();
        let props = schemas[body]["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for prop in props.keys() {
            let with: Vec<String> = having
                .iter()
                .filter(|v| {
                    shape
                        .at
                        .iter()
                        .any(|(sv, props, _)| sv == *v && props.contains(prop))
                })
                .cloned()
                .collect();
            if with.len() < having.len() {
                partial.push((prop.clone(), with));
            }
        }
        if !partial.is_empty() {
            body_properties.insert(name, partial);
        }
    }

    let mut info = newest["info"].clone();
    info["version"] = json!(default);
    adjustments.push(json!(Adjustment::UnionOfVersions.name()));
    let mut openapi = Map::new();
    openapi.insert("openapi".into(), newest["openapi"].clone());
    openapi.insert("info".into(), info);
    if let Some(tags) = newest.get("tags") {
        openapi.insert("tags".into(), tags.clone());
    }
    openapi.insert("paths".into(), Value::Object(paths));
    openapi.insert("components".into(), json!({ "schemas": schemas }));
    openapi.insert("x-acs-adjustments".into(), Value::Array(adjustments));
    openapi.insert(
        "x-acs-versions".into(),
        json!(versions.iter().map(|(v, _)| *v).collect::<Vec<_>>()),
    );
    Ok(Union {
        openapi: Value::Object(openapi),
        body_properties,
    })
}

/// Merges `newer` (the schema `name` at `version`) into `existing` (older versions').
fn merge_schema(
    existing: &mut Value,
    newer: &Value,
    name: &str,
    version: &str,
) -> Result<(), String> {
    let old = existing.clone();
    let mut merged = newer.clone();
    // Properties: every version's; one that both have must agree but for its texts.
    if let (Some(old_props), Some(new_props)) = (
        old.get("properties").and_then(Value::as_object),
        merged.get_mut("properties").and_then(Value::as_object_mut),
    ) {
        for (prop, schema) in old_props {
            match new_props.get(prop) {
                None => {
                    new_props.insert(prop.clone(), schema.clone());
                }
                Some(newer) if without_texts(newer) != without_texts(schema) => {
                    return Err(format!(
                        "the property `{prop}` of `{name}` differs at {version} from an older \
                         version's ({} against {}); one generated type cannot hold both: give \
                         the union a rule for it in src/codegen/union.rs",
                        without_texts(newer),
                        without_texts(schema)
                    ));
                }
                Some(_) => {}
            }
        }
    } else if let Some(old_props) = old.get("properties") {
        merged["properties"] = old_props.clone();
    }
    // Enum values: every version's, in the order they appeared.
    if let (Some(old_values), Some(new_values)) = (old["enum"].as_array(), newer["enum"].as_array())
    {
        let mut values = old_values.clone();
        for v in new_values {
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
        merged["enum"] = Value::Array(values);
    }
    // Required: recomputed over every version by `merge`.
    *existing = merged;
    Ok(())
}

/// `v` without `description` and `title`, at any depth: what decides the wire.
fn without_texts(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| *k != "description" && *k != "title")
                .map(|(k, v)| (k.clone(), without_texts(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_texts).collect()),
        other => other.clone(),
    }
}

/// Appends a sentence to the `description` of an operation or schema.
fn append_doc(target: &mut Value, sentence: &str) {
    let text = match target.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("{} {sentence}", d.trim_end()),
        _ => sentence.to_owned(),
    };
    target["description"] = json!(text);
}
