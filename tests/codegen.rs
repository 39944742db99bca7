//! The generated layer: the conversion of every vendored spec version, the generated code, and
//! the spec's examples against the generated types.

#[allow(dead_code)]
#[path = "../src/codegen/convert.rs"]
mod convert;

use acs_identity::raw::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SPEC_DIR: &str = "spec/specification/communication/data-plane/Identity/stable";
const VERSIONS: &[&str] = &["2023-10-01", "2025-06-30", "2026-09-23"];

fn spec_path(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(SPEC_DIR)
        .join(version)
        .join("CommunicationIdentity.json")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn converted_document_of_the_default_version() {
    let doc = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));
    let parsed: openapiv3::OpenAPI = serde_json::from_str(doc).expect("valid OpenAPI 3.0");
    assert_eq!(parsed.info.version, acs_identity::spec::API_VERSION);
    insta::assert_snapshot!("openapi-2026-09-23", doc);
}

#[test]
fn generated_code_of_the_default_version() {
    insta::assert_snapshot!(
        "generated-2026-09-23",
        include_str!(concat!(env!("OUT_DIR"), "/generated.rs"))
    );
}

#[test]
fn build_conversion_equals_test_conversion() {
    let conversion = convert::convert_file(&spec_path("2026-09-23")).unwrap();
    let built: Value =
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/openapi.json"))).unwrap();
    assert_eq!(conversion.openapi, built);
}

#[test]
fn older_versions_convert() {
    for version in ["2023-10-01", "2025-06-30"] {
        let conversion =
            convert::convert_file(&spec_path(version)).unwrap_or_else(|e| panic!("{version}: {e}"));
        let parsed: openapiv3::OpenAPI = serde_json::from_value(conversion.openapi.clone())
            .unwrap_or_else(|e| panic!("{version} is not valid OpenAPI 3.0: {e}"));
        assert_eq!(parsed.info.version, version);
        assert_eq!(
            conversion.facts.operations.len(),
            if version == "2023-10-01" { 5 } else { 9 }
        );
        insta::assert_json_snapshot!(format!("openapi-{version}"), conversion.openapi);
    }
}

#[test]
fn external_refs_are_bundled() {
    let conversion = convert::convert_file(&spec_path("2023-10-01")).unwrap();
    let schemas = &conversion.openapi["components"]["schemas"];
    assert!(schemas["CommunicationErrorResponse"].is_object());
    // Referenced from inside common.json only.
    assert!(schemas["CommunicationError"].is_object());
    // Not referenced: not bundled.
    assert!(schemas.get("CommunicationCloudEnvironmentModel").is_none());
    assert!(
        conversion
            .files_read
            .iter()
            .any(|f| f.ends_with("common.json"))
    );
    assert!(!conversion.openapi.to_string().contains("common.json"));
}

#[test]
fn adjustments_are_applied_and_named() {
    let doc: Value =
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/openapi.json"))).unwrap();
    let text = doc.to_string();
    assert!(
        !text.contains("\"default\":"),
        "property defaults and default responses remain"
    );
    assert!(
        !text.contains("\"name\":\"api-version\""),
        "api-version is still a parameter"
    );
    assert!(!text.contains("x-ms-"));
    let create = &doc["paths"]["/identities"]["post"];
    assert_eq!(create["requestBody"]["required"], json!(false));
    assert!(create["responses"]["4XX"].is_object() && create["responses"]["5XX"].is_object());
    let applied = doc["x-acs-adjustments"].as_array().unwrap();
    for name in applied {
        assert!(
            convert::ADJUSTMENTS.iter().any(|(n, _)| n == name),
            "{name}"
        );
    }
    assert!(applied.len() >= 8, "{applied:?}");
}

#[test]
fn spec_facts_come_from_the_spec() {
    use acs_identity::spec;
    let raw = read_json(&spec_path("2026-09-23"));
    let defs = &raw["definitions"];
    let expiry = &defs["CommunicationIdentityAccessTokenRequest"]["properties"]["expiresInMinutes"];
    assert_eq!(expiry["minimum"], json!(spec::EXPIRES_IN_MINUTES_MIN));
    assert_eq!(expiry["maximum"], json!(spec::EXPIRES_IN_MINUTES_MAX));
    assert_eq!(expiry["default"], json!(spec::EXPIRES_IN_MINUTES_DEFAULT));
    assert_eq!(
        defs["CommunicationIdentityTokenScope"]["enum"],
        json!(spec::TOKEN_SCOPES)
    );
    assert_eq!(
        defs["TeamsExtensionPrincipalType"]["enum"],
        json!(spec::PRINCIPAL_TYPES)
    );
    assert_eq!(raw["info"]["version"], json!(spec::API_VERSION));
}

#[test]
fn open_enums_know_every_spec_value() {
    use acs_identity::{CommunicationTokenScope, TeamsExtensionPrincipalType, spec};
    let scopes: Vec<&str> = CommunicationTokenScope::KNOWN
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(scopes, spec::TOKEN_SCOPES);
    let types: Vec<&str> = TeamsExtensionPrincipalType::KNOWN
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(types, spec::PRINCIPAL_TYPES);
    let unknown: CommunicationTokenScope = serde_json::from_value(json!("sms.send")).unwrap();
    assert_eq!(unknown, CommunicationTokenScope::Other("sms.send".into()));
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("sms.send"));
}

/// `IdentityOperations_Create` -> `identity_operations_create`, as progenitor names methods.
fn snake_case(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_operation_has_a_generated_method() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));
    let raw = read_json(&spec_path("2026-09-23"));
    let mut ids = Vec::new();
    for (path, item) in raw["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            ids.push(id.to_owned());
            let facts = acs_identity::spec::Operation::by_id(id)
                .unwrap_or_else(|| panic!("{id} missing from spec::OPERATIONS"));
            assert_eq!(facts.path, path);
            assert_eq!(facts.method, method.to_uppercase());
            let signature = format!("pub async fn {}<", snake_case(id));
            assert!(
                generated.contains(&signature),
                "no generated method for {id}"
            );
        }
    }
    assert_eq!(ids.len(), 9);
    assert_eq!(ids.len(), acs_identity::spec::OPERATIONS.len());
}

#[test]
fn unknown_constructs_are_rejected_with_file_and_pointer() {
    let base = json!({
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "definitions": {"Pet": {"type": "object", "discriminator": "kind"}}
    });
    let err = convert::convert_value(&base, Path::new("bad.json")).unwrap_err();
    assert_eq!(err.pointer, "/definitions/Pet/discriminator");
    let message = err.to_string();
    assert!(
        message.starts_with(
            "bad.json#/definitions/Pet/discriminator: unsupported construct `discriminator`"
        ),
        "{message}"
    );

    let mut form = base.clone();
    form["definitions"] = json!({});
    form["paths"] = json!({"/x": {"post": {"operationId": "X", "parameters": [
        {"name": "f", "in": "formData", "type": "string"}], "responses": {"200": {"description": "ok"}}}}});
    let err = convert::convert_value(&form, Path::new("bad.json")).unwrap_err();
    assert_eq!(err.pointer, "/paths/~1x/post/parameters/0/in");

    let mut swagger3 = base.clone();
    swagger3["swagger"] = json!("3.0");
    assert!(convert::convert_value(&swagger3, Path::new("bad.json")).is_err());

    let mut external = base;
    external["definitions"] = json!({"A": {"$ref": "missing.json#/definitions/B"}});
    let err = convert::convert_value(&external, Path::new("bad.json")).unwrap_err();
    assert!(err.to_string().contains("missing.json"), "{err}");
}

#[test]
fn access_token_schema() {
    insta::assert_json_snapshot!(
        "schema-raw-access-token",
        schemars::schema_for!(types::CommunicationIdentityAccessToken)
    );
    insta::assert_json_snapshot!(
        "schema-access-token",
        schemars::schema_for!(acs_identity::AccessToken)
    );
}

/// Date-times compare as instants: the service sends 7 fractional digits and `+00:00`, chrono
/// writes nanoseconds and `Z`.
fn normalize(v: &Value) -> Value {
    match v {
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => json!(t.with_timezone(&chrono::Utc).to_rfc3339()),
            Err(_) => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(what: &str, body: &Value) {
    let typed: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{what}: does not deserialize: {e}\n{body}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        normalize(&back),
        normalize(body),
        "{what}: round trip changed the body"
    );
}

/// Checks a request or response body of an example against the generated type of its
/// operation (`kind` is the operationId without its group prefix, same in every version).
fn check_body(what: &str, kind: &str, request: bool, body: &Value) {
    match (kind, request) {
        ("Create", true) => round_trip::<types::CommunicationIdentityCreateRequest>(what, body),
        ("Create", false) => {
            round_trip::<types::CommunicationIdentityAccessTokenResult>(what, body)
        }
        ("IssueAccessToken", true) => {
            round_trip::<types::CommunicationIdentityAccessTokenRequest>(what, body)
        }
        ("IssueAccessToken" | "ExchangeTeamsUserAccessToken", false) => {
            round_trip::<types::CommunicationIdentityAccessToken>(what, body)
        }
        ("ExchangeTeamsUserAccessToken", true) => {
            round_trip::<types::TeamsUserExchangeTokenRequest>(what, body)
        }
        ("ExchangeToken", true) => {
            round_trip::<types::TeamsExtensionExchangeTokenRequest>(what, body)
        }
        ("ExchangeToken", false) => {
            round_trip::<types::CommunicationIdentityAccessTokenResult>(what, body)
        }
        ("UpsertAssignment", true) => {
            round_trip::<types::TeamsExtensionAssignmentCreateOrUpdateRequest>(what, body)
        }
        ("GetAssignment" | "UpsertAssignment", false) => {
            round_trip::<types::TeamsExtensionAssignmentResponse>(what, body)
        }
        _ => panic!("{what}: a body for {kind} was not expected"),
    }
}

#[test]
fn every_example_body_round_trips_through_the_generated_types() {
    let mut checked = 0;
    for version in VERSIONS {
        let path = spec_path(version);
        let spec = read_json(&path);
        for item in spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap();
                let kind = id.rsplit('_').next().unwrap();
                for example in op["x-ms-examples"].as_object().unwrap().values() {
                    let file = path
                        .parent()
                        .unwrap()
                        .join(example["$ref"].as_str().unwrap());
                    let ex = read_json(&file);
                    let name = file.display();
                    if let Some(body) = ex["parameters"].get("body") {
                        check_body(&format!("{name} request"), kind, true, body);
                        checked += 1;
                    }
                    for (status, response) in ex["responses"].as_object().unwrap() {
                        if let Some(body) = response.get("body") {
                            check_body(&format!("{name} {status}"), kind, false, body);
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} bodies checked");
}
