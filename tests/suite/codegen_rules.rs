//! The conversion's rules, one crafted Swagger 2.0 document at a time: what it refuses (with the
//! pointer of the offending value), what it keeps, and which adjustments it names. The vendored
//! specs exercise the common paths (`codegen.rs`); these reach the others.

use crate::codegen::generator::convert::{self, Conversion, ConvertError};
use crate::codegen::generator::union;
use serde_json::{Value, json};
use std::path::Path;

/// A minimal valid document with one operation, `POST /identities`, changed by `edit`.
fn document(edit: impl FnOnce(&mut Value)) -> Value {
    let mut doc = json!({
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/identities": {"post": {
            "operationId": "CommunicationIdentity_Create",
            "parameters": [],
            "responses": {"201": {"description": "created"}}
        }}},
        "definitions": {}
    });
    edit(&mut doc);
    doc
}

fn convert(doc: &Value) -> Result<Conversion, ConvertError> {
    convert::convert_value(doc, Path::new("crafted.json"))
}

/// The operation's node in a document of [`document`].
fn operation(doc: &mut Value) -> &mut Value {
    &mut doc["paths"]["/identities"]["post"]
}

/// The converted operation's parameters.
fn parameters(conversion: &Conversion) -> &Value {
    &conversion.openapi["paths"]["/identities"]["post"]["parameters"]
}

fn adjustments(conversion: &Conversion) -> Vec<&str> {
    conversion.openapi["x-acs-adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[test]
fn the_crafted_document_converts() {
    let conversion = convert(&document(|_| {})).unwrap();
    assert!(conversion.openapi["paths"]["/identities"]["post"].is_object());
}

#[test]
fn response_keys_are_three_digit_statuses_or_default() {
    for key in ["2000", "abc", "20"] {
        let doc = document(|d| operation(d)["responses"] = json!({key: {"description": "x"}}));
        let err = convert(&doc).unwrap_err();
        assert_eq!(
            err.pointer,
            format!("/paths/~1identities/post/responses/{key}")
        );
        assert!(err.message.contains("3-digit status"), "{err}");
    }
}

#[test]
fn only_api_version_is_taken_from_the_query_parameters() {
    let doc = document(|d| {
        operation(d)["parameters"] = json!([
            {"name": "api-version", "in": "query", "required": true, "type": "string"},
            {"name": "limit", "in": "query", "type": "integer"}
        ]);
    });
    let conversion = convert(&doc).unwrap();
    assert_eq!(
        parameters(&conversion),
        &json!([{"name": "limit", "in": "query", "required": false, "schema": {"type": "integer"}}])
    );
    assert!(adjustments(&conversion).contains(&"api-version-in-hook"));
}

#[test]
fn only_path_parameters_must_be_required() {
    let optional = |location: &str| {
        document(|d| {
            operation(d)["parameters"] = json!([{"name": "id", "in": location, "type": "string"}]);
        })
    };
    let err = convert(&optional("path")).unwrap_err();
    assert_eq!(
        err.pointer,
        "/paths/~1identities/post/parameters/0/required"
    );
    for location in ["query", "header"] {
        let conversion = convert(&optional(location)).unwrap();
        assert_eq!(parameters(&conversion)[0]["required"], json!(false));
    }
}

#[test]
fn only_json_is_produced_and_consumed() {
    for key in ["produces", "consumes"] {
        let doc = document(|d| d[key] = json!(["text/plain"]));
        let err = convert(&doc).unwrap_err();
        assert_eq!(err.pointer, format!("/{key}"));
        assert!(err.message.contains("application/json"), "{err}");
        let doc = document(|d| d[key] = json!(["application/json"]));
        convert(&doc).unwrap();
    }
}

#[test]
fn host_and_auth_are_left_to_the_client_whichever_names_them() {
    for (key, value) in [
        ("security", json!([{"key": []}])),
        (
            "securityDefinitions",
            json!({"key": {"type": "apiKey", "name": "k", "in": "header"}}),
        ),
    ] {
        let conversion = convert(&document(|d| d[key] = value)).unwrap();
        assert!(
            adjustments(&conversion).contains(&"host-and-auth-by-client"),
            "{key}"
        );
    }
    let conversion = convert(&document(|_| {})).unwrap();
    assert!(!adjustments(&conversion).contains(&"host-and-auth-by-client"));
}

#[test]
fn merge_patch_map_values_become_nullable_unless_anything_goes() {
    for (values, expected) in [
        (
            json!({"type": "string"}),
            json!({"allOf": [{"type": "string"}], "nullable": true}),
        ),
        (json!({}), json!({})),
        (json!(true), json!(true)),
    ] {
        let doc = document(|d| {
            d["definitions"] =
                json!({"Updates": {"type": "object", "additionalProperties": values}});
            let op = operation(d);
            op["consumes"] = json!(["application/merge-patch+json"]);
            op["parameters"] = json!([{"name": "body", "in": "body", "required": true,
                "schema": {"$ref": "#/definitions/Updates"}}]);
        });
        let conversion = convert(&doc).unwrap();
        let schemas = &conversion.openapi["components"]["schemas"];
        assert_eq!(
            schemas["Updates"]["additionalProperties"], expected,
            "{values}"
        );
        assert!(adjustments(&conversion).contains(&"merge-patch-as-json"));
    }
}

#[test]
fn an_external_definition_must_equal_the_local_one_of_its_name() {
    let dir = std::env::temp_dir().join(format!("acs-codegen-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shared = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    std::fs::write(
        dir.join("common.json"),
        json!({"swagger": "2.0", "info": {"title": "c", "version": "1"}, "paths": {},
            "definitions": {"Shared": shared}})
        .to_string(),
    )
    .unwrap();
    let with_local = |local: Value| {
        document(|d| {
            d["definitions"] = json!({"Shared": local});
            operation(d)["responses"]["201"]["schema"] =
                json!({"$ref": "common.json#/definitions/Shared"});
        })
    };
    let path = dir.join("crafted.json");
    let same = convert::convert_value(&with_local(shared.clone()), &path).unwrap();
    assert!(same.openapi["components"]["schemas"]["Shared"].is_object());
    let other = json!({"type": "object", "properties": {"b": {"type": "string"}}});
    let err = convert::convert_value(&with_local(other), &path).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(err.pointer, "/definitions/Shared");
    assert!(err.message.contains("differs from the local one"), "{err}");
}

/// A document whose one definition, `Thing`, is `schema`, returned by the operation.
fn with_definition(schema: Value) -> Value {
    document(|d| {
        d["definitions"] = json!({"Thing": schema});
        operation(d)["responses"]["201"]["schema"] = json!({"$ref": "#/definitions/Thing"});
    })
}

#[test]
fn a_reference_with_more_than_a_description_is_named_ref_siblings() {
    for (extra, noted) in [
        (json!({}), false),
        (json!({"description": "d"}), false),
        (json!({"readOnly": true}), true),
        (json!({"description": "d", "readOnly": true}), true),
    ] {
        let doc = with_definition(json!({"type": "object", "properties": {"inner": {}}}));
        let mut reference = json!({"$ref": "#/definitions/Thing"});
        reference
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let mut doc = doc;
        doc["definitions"]["Thing"]["properties"]["inner"] = reference;
        let conversion = convert(&doc).unwrap();
        assert_eq!(
            adjustments(&conversion).contains(&"ref-siblings"),
            noted,
            "{extra}"
        );
    }
}

#[test]
fn schema_types_are_checked_and_naming_hints_dropped() {
    let err = convert(&with_definition(json!({"type": "file"}))).unwrap_err();
    assert_eq!(err.pointer, "/definitions/Thing/type");
    assert!(err.message.contains("unsupported type `file`"), "{err}");

    let named = with_definition(json!({"type": "object", "properties": {
        "id": {"type": "string", "x-ms-client-name": "Identifier"}}}));
    let conversion = convert(&named).unwrap();
    assert_eq!(
        conversion.openapi["components"]["schemas"]["Thing"]["properties"]["id"],
        json!({"type": "string"})
    );
    assert!(adjustments(&conversion).contains(&"autorest-naming-hints"));
}

#[test]
fn any_bound_of_a_property_is_recorded() {
    let property = |p: Value| with_definition(json!({"type": "object", "properties": {"p": p}}));
    for (p, min_length, max_length) in [
        (json!({"type": "string", "minLength": 1}), Some(1), None),
        (json!({"type": "string", "maxLength": 9}), None, Some(9)),
        (
            json!({"type": "string", "description": "Maximum length is 7 characters."}),
            None,
            Some(7),
        ),
    ] {
        let facts = convert(&property(p.clone())).unwrap().facts;
        assert_eq!(facts.string_bounds.len(), 1, "{p}");
        let bounds = &facts.string_bounds[0];
        assert_eq!(
            (bounds.min_length, bounds.max_length),
            (min_length, max_length),
            "{p}"
        );
    }
    for (p, expected) in [
        (
            json!({"type": "integer", "minimum": 1}),
            (Some(1), None, None),
        ),
        (
            json!({"type": "integer", "maximum": 9}),
            (None, Some(9), None),
        ),
        (
            json!({"type": "integer", "default": 5}),
            (None, None, Some(5)),
        ),
    ] {
        let facts = convert(&property(p.clone())).unwrap().facts;
        assert_eq!(facts.integer_bounds.len(), 1, "{p}");
        let b = &facts.integer_bounds[0];
        assert_eq!((b.minimum, b.maximum, b.default), expected, "{p}");
    }
    for unbounded in [json!({"type": "string"}), json!({"type": "integer"})] {
        let facts = convert(&property(unbounded)).unwrap().facts;
        assert!(facts.string_bounds.is_empty() && facts.integer_bounds.is_empty());
    }
}

// --- the union of versions ---

/// Merges the conversions of `documents`, named `v1`, `v2`, ...; the newest is the default.
fn merge(documents: &[Value]) -> Result<Value, String> {
    let conversions: Vec<Conversion> = documents.iter().map(|d| convert(d).unwrap()).collect();
    let names: Vec<String> = (1..=documents.len()).map(|i| format!("v{i}")).collect();
    let pairs: Vec<(&str, &Value)> = names
        .iter()
        .map(String::as_str)
        .zip(conversions.iter().map(|c| &c.openapi))
        .collect();
    union::merge(&pairs, names.last().unwrap()).map(|u| u.openapi)
}

/// A document whose `Thing` has the property `p` with `schema`.
fn with_property(schema: Value) -> Value {
    with_definition(json!({"type": "object", "properties": {"p": schema}}))
}

#[test]
fn a_property_may_change_its_texts_across_versions_but_not_its_shape() {
    let merged = merge(&[
        with_property(json!({"type": "string", "description": "old", "title": "T"})),
        with_property(json!({"type": "string", "description": "new"})),
    ])
    .unwrap();
    assert_eq!(
        merged["components"]["schemas"]["Thing"]["properties"]["p"],
        json!({"type": "string", "description": "new"})
    );
    for newer in [
        json!({"type": "integer", "description": "old"}),
        json!({"type": "string", "description": "old", "maxLength": 3}),
    ] {
        let err = merge(&[
            with_property(json!({"type": "string", "description": "old"})),
            with_property(newer.clone()),
        ])
        .unwrap_err();
        assert!(
            err.contains("the property `p` of `Thing` differs at v2"),
            "{newer}: {err}"
        );
    }
}

#[test]
fn what_only_some_versions_have_says_so_in_its_description() {
    let second = |description: &str| {
        document(|d| {
            d["paths"]["/identities/{id}"] = json!({"delete": {
                "operationId": "CommunicationIdentity_Delete",
                "description": description,
                "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
                "responses": {"204": {"description": "deleted"}}
            }});
        })
    };
    for (description, expected) in [
        ("", "API versions: v2."),
        ("Deletes. ", "Deletes. API versions: v2."),
    ] {
        let merged = merge(&[document(|_| {}), second(description)]).unwrap();
        assert_eq!(
            merged["paths"]["/identities/{id}"]["delete"]["description"],
            expected
        );
        assert_eq!(
            merged["paths"]["/identities"]["post"].get("description"),
            None,
            "what every version has is not annotated"
        );
    }
}
