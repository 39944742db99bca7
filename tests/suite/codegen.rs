//! The generated layer: the conversion of every vendored spec version, their merge, the
//! generated code, and the spec's examples against the generated types.

#[allow(dead_code)]
#[path = "../../src/codegen/mod.rs"]
pub(crate) mod generator;

use acs_identity::raw::types;
use acs_identity::spec::OperationId;
use generator::convert::{self, Adjustment};
use generator::{union, versions};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Every vendored version, as the crate's spec facts list them.
const VERSIONS: &[&str] = acs_identity::spec::API_VERSIONS;

/// Example files the specs reference but that could not be obtained (spec/SOURCES.md).
const MISSING_EXAMPLES: &[&str] = &["2025-03-02-preview/examples/DeleteIdentity.json"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The table of versions, as the build reads it.
fn table() -> versions::VersionTable {
    versions::read(&root().join("spec/versions.toml")).unwrap()
}

fn spec_path(version: &str) -> PathBuf {
    let table = table();
    let entry = table
        .versions
        .iter()
        .find(|v| v.name == version)
        .unwrap_or_else(|| panic!("{version} is not in spec/versions.toml"));
    root().join("spec").join(&entry.spec)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_table_is_the_build_s() {
    let table = table();
    let names: Vec<&str> = table.versions.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, VERSIONS);
    assert_eq!(
        table.default_version().name,
        acs_identity::spec::API_VERSION
    );
    for v in &table.versions {
        let spec = read_json(&root().join("spec").join(&v.spec));
        assert_eq!(
            spec["info"]["version"],
            json!(v.name),
            "{}",
            v.spec.display()
        );
    }
}

/// The merged document and the generated code are snapshots (every change of the generated
/// surface is a reviewable diff), and the build's merge is the test's.
#[test]
fn generated_code() {
    let document = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));
    let generated = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));
    let parsed: openapiv3::OpenAPI = serde_json::from_str(document).expect("valid OpenAPI 3.0");
    assert_eq!(parsed.info.version, acs_identity::spec::API_VERSION);
    insta::assert_snapshot!("openapi-merged", document);
    let formatted = prettyplease::unparse(&syn::parse_file(generated).expect("valid Rust"));
    insta::assert_snapshot!("generated", formatted);
    let conversions: Vec<convert::Conversion> = VERSIONS
        .iter()
        .map(|v| convert::convert_file(&spec_path(v)).unwrap())
        .collect();
    let pairs: Vec<(&str, &Value)> = VERSIONS
        .iter()
        .copied()
        .zip(conversions.iter().map(|c| &c.openapi))
        .collect();
    let merged = union::merge(&pairs, acs_identity::spec::API_VERSION).unwrap();
    let built: Value = serde_json::from_str(document).unwrap();
    assert_eq!(merged.openapi, built);
    // The spec's facts the crate compiles (`acs_identity::spec`) are the test's too.
    let facts: Vec<convert::SpecFacts> = conversions.into_iter().map(|c| c.facts).collect();
    assert_eq!(
        generator::facts::render(&table(), &facts, &merged).unwrap(),
        include_str!(concat!(env!("OUT_DIR"), "/spec_facts.rs"))
    );
}

/// Each version's converted document is a snapshot of its own.
#[test]
fn every_version_converts() {
    for &version in VERSIONS {
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
        insta::assert_json_snapshot!(format!("openapi-{version}"), conversion.openapi);
    }
}

/// `2023-10-01` is the version whose errors live in `Common/stable/2022-07-13/common.json`.
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
        assert!(Adjustment::ALL.iter().any(|a| a.name() == name), "{name}");
    }
    assert!(applied.len() >= 8, "{applied:?}");
}

#[test]
fn spec_facts_come_from_the_spec() {
    use acs_identity::spec;
    let mut scopes: Vec<Value> = Vec::new();
    let mut principal_types: Vec<Value> = Vec::new();
    for &version in VERSIONS {
        let raw = read_json(&spec_path(version));
        let defs = &raw["definitions"];
        let expiry =
            &defs["CommunicationIdentityAccessTokenRequest"]["properties"]["expiresInMinutes"];
        assert_eq!(expiry["minimum"], json!(spec::EXPIRES_IN_MINUTES_MIN));
        assert_eq!(expiry["maximum"], json!(spec::EXPIRES_IN_MINUTES_MAX));
        assert_eq!(expiry["default"], json!(spec::EXPIRES_IN_MINUTES_DEFAULT));
        for (name, all) in [
            ("CommunicationIdentityTokenScope", &mut scopes),
            ("TeamsExtensionPrincipalType", &mut principal_types),
        ] {
            for v in defs[name]["enum"].as_array().into_iter().flatten() {
                if !all.contains(v) {
                    all.push(v.clone());
                }
            }
        }
    }
    // The values of every version.
    assert_eq!(json!(scopes), json!(spec::TOKEN_SCOPES));
    assert_eq!(json!(principal_types), json!(spec::PRINCIPAL_TYPES));
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
    let generated = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));
    let formatted = prettyplease::unparse(&syn::parse_file(generated).expect("valid Rust"));
    let mut seen = std::collections::BTreeSet::new();
    for &version in VERSIONS {
        let raw = read_json(&spec_path(version));
        for (path, item) in raw["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let op = acs_identity::spec::Operation::by_route(method, path)
                    .unwrap_or_else(|| panic!("{method} {path} missing from spec::OPERATIONS"));
                assert!(op.versions.contains(&version));
                let signature = format!("pub async fn {}<", op.name);
                assert!(formatted.contains(&signature), "no method {}", op.name);
                seen.insert(op.name);
            }
        }
    }
    assert_eq!(seen.len(), acs_identity::spec::OPERATIONS.len());
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
/// operation (the same types serve every version).
fn check_body(what: &str, op: OperationId, request: bool, body: &Value) {
    use OperationId as O;
    match (op, request) {
        (O::CreateIdentity, true) => {
            round_trip::<types::CommunicationIdentityCreateRequest>(what, body)
        }
        (O::CreateIdentity | O::ExchangeTeamsExtensionToken | O::ExchangeEntraIdToken, false) => {
            round_trip::<types::CommunicationIdentityAccessTokenResult>(what, body)
        }
        (O::IssueAccessToken, true) => {
            round_trip::<types::CommunicationIdentityAccessTokenRequest>(what, body)
        }
        (O::IssueAccessToken | O::ExchangeTeamsUserAccessToken, false) => {
            round_trip::<types::CommunicationIdentityAccessToken>(what, body)
        }
        (O::ExchangeTeamsUserAccessToken, true) => {
            round_trip::<types::TeamsUserExchangeTokenRequest>(what, body)
        }
        (O::ExchangeTeamsExtensionToken, true) => {
            round_trip::<types::TeamsExtensionExchangeTokenRequest>(what, body)
        }
        (O::UpsertTeamsExtensionAssignment, true) => {
            round_trip::<types::TeamsExtensionAssignmentCreateOrUpdateRequest>(what, body)
        }
        (O::GetTeamsExtensionAssignment | O::UpsertTeamsExtensionAssignment, false) => {
            round_trip::<types::TeamsExtensionAssignmentResponse>(what, body)
        }
        (O::GetIdentity, false) => round_trip::<types::CommunicationIdentity>(what, body),
        (O::ExchangeEntraIdToken, true) => {
            round_trip::<types::EntraExchangeTokenRequest>(what, body)
        }
        (O::ListEntraAssignments | O::UpdateEntraAssignments, false) => {
            round_trip::<types::EntraAssignmentsResponse>(what, body)
        }
        (O::UpdateEntraAssignments, true) => {
            round_trip::<types::EntraAssignmentUpdateBulkRequest>(what, body)
        }
        (O::UpsertEntraAssignment, true) => {
            round_trip::<types::EntraAssignmentCreateOrUpdateRequest>(what, body)
        }
        (O::GetEntraAssignment | O::UpsertEntraAssignment, false) => {
            round_trip::<types::EntraAssignment>(what, body)
        }
        _ => panic!(
            "{what}: a {} body of `{}` was not expected: give check_body the operation's \
             generated types",
            if request { "request" } else { "response" },
            op.name()
        ),
    }
}

#[test]
fn every_example_body_round_trips_through_the_generated_types() {
    let mut checked = 0;
    let mut missing = Vec::new();
    for &version in VERSIONS {
        let path = spec_path(version);
        let spec = read_json(&path);
        for (route, item) in spec["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let op = acs_identity::spec::Operation::by_route(method, route)
                    .unwrap_or_else(|| panic!("{method} {route}"))
                    .id;
                for example in operation["x-ms-examples"].as_object().unwrap().values() {
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
                        check_body(&what, op, request, &body);
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(missing, MISSING_EXAMPLES, "example files missing");
    assert!(checked >= 50, "only {checked} bodies checked");
}

/// The constructs `2025-03-02-preview` brought: a test of that version's conversion on purpose.
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
    for adjustment in [
        Adjustment::OperationNames,
        Adjustment::MergePatchAsJson,
        Adjustment::MergePatchNulls,
        Adjustment::NoContentBesideContent,
        Adjustment::PageableByClient,
        Adjustment::MaxLengthFromDescription,
    ] {
        let name = adjustment.name();
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

/// Every vendored file is listed in spec/SOURCES.md with its size in bytes (the row that says
/// where it came from).
#[test]
fn every_vendored_file_has_its_sources_row() {
    let sources = std::fs::read_to_string(root().join("spec/SOURCES.md")).unwrap();
    let base = root().join("spec/specification/communication/data-plane");
    let mut stack = vec![base.clone()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let size = std::fs::metadata(&path).unwrap().len();
            let row = format!("| `{name}` | {size} |");
            assert!(
                sources.contains(&row),
                "spec/SOURCES.md has no row starting `{row}` for {}",
                path.display()
            );
            files += 1;
        }
    }
    assert!(files > VERSIONS.len());
}
