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

const SPEC_DIR: &str = "spec/specification/communication/data-plane/Identity";

/// Every vendored version, as the crate's spec facts list them.
const VERSIONS: &[&str] = acs_identity::spec::API_VERSIONS;

/// Example files the specs reference but that could not be obtained (spec/SOURCES.md).
const MISSING_EXAMPLES: &[&str] = &["2025-03-02-preview/examples/DeleteIdentity.json"];

fn spec_path(version: &str) -> PathBuf {
    let kind = if version.ends_with("-preview") {
        "preview"
    } else {
        "stable"
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(SPEC_DIR)
        .join(kind)
        .join(version)
        .join("CommunicationIdentity.json")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The converted document and the generated code of a generated version: snapshots named
/// after the version, and the build's conversion equal to the test's.
fn check_generated(version: &str, document: &str, generated: &str) {
    let parsed: openapiv3::OpenAPI = serde_json::from_str(document).expect("valid OpenAPI 3.0");
    assert_eq!(parsed.info.version, version);
    insta::assert_snapshot!(format!("openapi-{version}"), document);
    let formatted = prettyplease::unparse(&syn::parse_file(generated).expect("valid Rust"));
    insta::assert_snapshot!(format!("generated-{version}"), formatted);
    let conversion = convert::convert_file(&spec_path(version)).unwrap();
    let built: Value = serde_json::from_str(document).unwrap();
    assert_eq!(conversion.openapi, built);
}

#[test]
fn generated_default_version() {
    check_generated(
        acs_identity::spec::API_VERSION,
        include_str!(concat!(env!("OUT_DIR"), "/openapi_stable.json")),
        include_str!(concat!(env!("OUT_DIR"), "/generated_stable.rs")),
    );
}

#[cfg(feature = "preview")]
#[test]
fn generated_preview_version() {
    check_generated(
        acs_identity::spec::PREVIEW_API_VERSION,
        include_str!(concat!(env!("OUT_DIR"), "/openapi_preview.json")),
        include_str!(concat!(env!("OUT_DIR"), "/generated_preview.rs")),
    );
}

#[test]
fn other_versions_convert() {
    for &version in VERSIONS {
        if version == acs_identity::spec::API_VERSION || version.ends_with("-preview") {
            continue;
        }
        let conversion =
            convert::convert_file(&spec_path(version)).unwrap_or_else(|e| panic!("{version}: {e}"));
        let parsed: openapiv3::OpenAPI = serde_json::from_value(conversion.openapi.clone())
            .unwrap_or_else(|e| panic!("{version} is not valid OpenAPI 3.0: {e}"));
        assert_eq!(parsed.info.version, version);
        let expected = acs_identity::spec::OPERATIONS
            .iter()
            .filter(|op| op.versions.contains(&version))
            .count();
        assert_eq!(conversion.facts.operations.len(), expected);
        assert!(expected >= 5);
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
    let doc: Value = serde_json::from_str(include_str!(concat!(
        env!("OUT_DIR"),
        "/openapi_stable.json"
    )))
    .unwrap();
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
    let raw = read_json(&spec_path(acs_identity::spec::API_VERSION));
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

#[test]
fn every_operation_has_a_generated_method_named_by_the_table() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/generated_stable.rs"));
    let formatted = prettyplease::unparse(&syn::parse_file(generated).expect("valid Rust"));
    let version = acs_identity::spec::API_VERSION;
    let raw = read_json(&spec_path(version));
    let mut count = 0;
    for (path, item) in raw["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let op = acs_identity::spec::Operation::by_route(method, path)
                .unwrap_or_else(|| panic!("{method} {path} missing from spec::OPERATIONS"));
            assert!(op.versions.contains(&version));
            let signature = format!("pub async fn {}<", op.name);
            assert!(formatted.contains(&signature), "no method {}", op.name);
            count += 1;
        }
    }
    assert_eq!(count, 9);
    // Every name comes from the table, whatever the version's operationIds.
    for op in acs_identity::spec::OPERATIONS {
        assert!(
            convert::OPERATION_NAMES
                .iter()
                .any(|(m, p, n)| (*m, *p, *n) == (op.method, op.path, op.name)),
            "{op:?}"
        );
    }
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
    form["paths"] = json!({"/identities": {"post": {"operationId": "X", "parameters": [
        {"name": "f", "in": "formData", "type": "string"}], "responses": {"200": {"description": "ok"}}}}});
    let err = convert::convert_value(&form, Path::new("bad.json")).unwrap_err();
    assert_eq!(err.pointer, "/paths/~1identities/post/parameters/0/in");

    // An operation the name table does not know: named with its method, path and operationId.
    let mut unnamed = form.clone();
    unnamed["paths"] = json!({"/x": {"post": {"operationId": "Thing_Do",
        "responses": {"200": {"description": "ok"}}}}});
    let err = convert::convert_value(&unnamed, Path::new("new.json")).unwrap_err();
    assert_eq!(err.pointer, "/paths/~1x/post/operationId");
    assert!(err.message.contains("`Thing_Do` (POST /x)"), "{err}");
    assert!(err.message.contains("OPERATION_NAMES"), "{err}");

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
/// operation (by the operation's name, the same at every version). The preview's own operations
/// are checked against the preview's types (feature `preview`); without it they are counted as
/// not checked.
fn check_body(what: &str, name: &str, request: bool, body: &Value) -> bool {
    match (name, request) {
        ("create_identity", true) => {
            round_trip::<types::CommunicationIdentityCreateRequest>(what, body)
        }
        ("create_identity" | "exchange_teams_extension_token", false) => {
            round_trip::<types::CommunicationIdentityAccessTokenResult>(what, body)
        }
        ("issue_access_token", true) => {
            round_trip::<types::CommunicationIdentityAccessTokenRequest>(what, body)
        }
        ("issue_access_token" | "exchange_teams_user_access_token", false) => {
            round_trip::<types::CommunicationIdentityAccessToken>(what, body)
        }
        ("exchange_teams_user_access_token", true) => {
            round_trip::<types::TeamsUserExchangeTokenRequest>(what, body)
        }
        ("exchange_teams_extension_token", true) => {
            round_trip::<types::TeamsExtensionExchangeTokenRequest>(what, body)
        }
        ("upsert_teams_extension_assignment", true) => {
            round_trip::<types::TeamsExtensionAssignmentCreateOrUpdateRequest>(what, body)
        }
        ("get_teams_extension_assignment" | "upsert_teams_extension_assignment", false) => {
            round_trip::<types::TeamsExtensionAssignmentResponse>(what, body)
        }
        _ => panic!("{what}: a body for {name} was not expected"),
    }
    true
}

#[cfg(feature = "preview")]
fn check_preview_body(what: &str, name: &str, request: bool, body: &Value) -> bool {
    use acs_identity::raw::preview::types as p;
    match (name, request) {
        ("create_identity", true) => {
            round_trip::<p::CommunicationIdentityCreateRequest>(what, body)
        }
        ("create_identity" | "exchange_teams_extension_token", false) => {
            round_trip::<p::CommunicationIdentityAccessTokenResult>(what, body)
        }
        ("issue_access_token", true) => {
            round_trip::<p::CommunicationIdentityAccessTokenRequest>(what, body)
        }
        ("issue_access_token" | "exchange_teams_user_access_token", false) => {
            round_trip::<p::CommunicationIdentityAccessToken>(what, body)
        }
        ("exchange_teams_user_access_token", true) => {
            round_trip::<p::TeamsUserExchangeTokenRequest>(what, body)
        }
        ("exchange_teams_extension_token", true) => {
            round_trip::<p::TeamsExtensionExchangeTokenRequest>(what, body)
        }
        ("upsert_teams_extension_assignment", true) => {
            round_trip::<p::TeamsExtensionAssignmentCreateOrUpdateRequest>(what, body)
        }
        ("get_teams_extension_assignment" | "upsert_teams_extension_assignment", false) => {
            round_trip::<p::TeamsExtensionAssignmentResponse>(what, body)
        }
        ("get_identity", false) => round_trip::<p::CommunicationIdentity>(what, body),
        ("exchange_entra_id_token", true) => round_trip::<p::EntraExchangeTokenRequest>(what, body),
        ("exchange_entra_id_token", false) => {
            round_trip::<p::CommunicationIdentityAccessTokenResult>(what, body)
        }
        ("list_entra_assignments" | "update_entra_assignments", false) => {
            round_trip::<p::EntraAssignmentsResponse>(what, body)
        }
        ("update_entra_assignments", true) => {
            round_trip::<p::EntraAssignmentUpdateBulkRequest>(what, body)
        }
        ("upsert_entra_assignment", true) => {
            round_trip::<p::EntraAssignmentCreateOrUpdateRequest>(what, body)
        }
        ("get_entra_assignment" | "upsert_entra_assignment", false) => {
            round_trip::<p::EntraAssignment>(what, body)
        }
        _ => panic!("{what}: a body for {name} was not expected"),
    }
    true
}

#[cfg(not(feature = "preview"))]
fn check_preview_body(what: &str, name: &str, _request: bool, _body: &Value) -> bool {
    assert!(
        acs_identity::spec::Operation::by_name(name).is_some(),
        "{what}: {name}"
    );
    false
}

#[test]
fn every_example_body_round_trips_through_the_generated_types() {
    let (mut checked, mut not_checked) = (0, 0);
    let mut missing = Vec::new();
    for &version in VERSIONS {
        let path = spec_path(version);
        let spec = read_json(&path);
        for (route, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let name = acs_identity::spec::Operation::by_route(method, route)
                    .unwrap_or_else(|| panic!("{method} {route}"))
                    .name;
                for example in op["x-ms-examples"].as_object().unwrap().values() {
                    let reference = example["$ref"].as_str().unwrap();
                    let file = path.parent().unwrap().join(reference);
                    if !file.exists() {
                        missing.push(format!("{version}/{}", reference.trim_start_matches("./")));
                        continue;
                    }
                    let ex = read_json(&file);
                    let shown = file.display();
                    let mut bodies = Vec::new();
                    if let Some(body) = ex["parameters"].get("body") {
                        bodies.push((format!("{shown} request"), true, body.clone()));
                    }
                    for (status, response) in ex["responses"].as_object().unwrap() {
                        if let Some(body) = response.get("body") {
                            bodies.push((format!("{shown} {status}"), false, body.clone()));
                        }
                    }
                    for (what, request, body) in bodies {
                        // The preview is its own surface: its bodies against its own types.
                        let done = if version.ends_with("-preview") {
                            check_preview_body(&what, name, request, &body)
                        } else {
                            check_body(&what, name, request, &body)
                        };
                        if done {
                            checked += 1;
                        } else {
                            not_checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(missing, MISSING_EXAMPLES, "example files missing");
    assert!(checked >= 30, "only {checked} bodies checked");
    if cfg!(feature = "preview") {
        assert_eq!(not_checked, 0);
        assert!(checked >= 50, "only {checked} bodies checked");
    }
}

#[test]
fn preview_constructs_are_converted_with_named_adjustments() {
    let path = spec_path("2025-03-02-preview");
    let conversion = convert::convert_file(&path).unwrap();
    let doc = &conversion.openapi;
    let applied: Vec<&str> = doc["x-acs-adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for name in [
        "operation-names",
        "merge-patch-as-json",
        "merge-patch-nulls",
        "no-content-beside-content",
        "pageable-by-client",
        "max-length-from-description",
    ] {
        assert!(applied.contains(&name), "{name} not applied: {applied:?}");
    }
    let patch = &doc["paths"]["/access/entra/assignments"]["patch"];
    assert_eq!(patch["operationId"], json!("update_entra_assignments"));
    assert_eq!(
        patch["x-acs-operation-id"],
        json!("EntraIdAssignments_Update")
    );
    assert!(patch["requestBody"]["content"]["application/json"].is_object());
    assert!(patch["responses"].get("204").is_none());
    assert!(patch.get("x-ms-pageable").is_none());
    let map =
        &doc["components"]["schemas"]["EntraAssignmentUpdateBulkRequest"]["additionalProperties"];
    assert_eq!(map["nullable"], json!(true));
    let custom_id = &doc["components"]["schemas"]["CommunicationIdentityCreateRequest"]["properties"]
        ["customId"];
    assert_eq!(
        (
            custom_id["minLength"].clone(),
            custom_id["maxLength"].clone()
        ),
        (json!(1), json!(256))
    );
    let facts = conversion
        .facts
        .operations
        .iter()
        .find(|o| o.name == "update_entra_assignments")
        .unwrap();
    assert!(facts.merge_patch && facts.no_content_success);
    assert_eq!(facts.next_link.as_deref(), Some("nextLink"));
}

#[test]
fn the_version_table_matches_the_specs() {
    use acs_identity::spec::{API_VERSIONS, OPERATIONS};
    for &version in API_VERSIONS {
        let spec = read_json(&spec_path(version));
        let mut routes = Vec::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
        for op in OPERATIONS {
            let present = routes.contains(&(op.method.to_owned(), op.path.to_owned()));
            assert_eq!(
                op.versions.contains(&version),
                present,
                "{} at {version}",
                op.name
            );
        }
    }
}
