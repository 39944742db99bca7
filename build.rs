//! Generates the raw client from the vendored specs: reads the table of API versions
//! (`spec/versions.toml`), converts each version from Swagger 2.0 to OpenAPI 3.0
//! (`src/codegen/convert`), merges every version into one document (`src/codegen/union.rs`), runs
//! progenitor over it, and exports the facts the hand-written code needs (`src/codegen/facts.rs`).
//!
//! Outputs in `OUT_DIR`: `openapi.json` (the merged document), `generated.rs` (progenitor's
//! client, included by `src/raw.rs`) and `spec_facts.rs` (included by `src/spec.rs`).

#[allow(dead_code)] // parts are for the tests
#[path = "src/codegen/mod.rs"]
mod codegen;

use codegen::{convert, facts, union, versions};
use std::path::{Path, PathBuf};

/// The version table and the folder its spec paths are relative to.
const TABLE: &str = "spec/versions.toml";
const SPEC_DIR: &str = "spec";

/// Hand-written open types that replace the spec's extensible enums (adjustment `open-enums`).
const OPEN_ENUM_TYPES: &[(&str, &str)] = &[
    (
        "CommunicationIdentityTokenScope",
        "crate::CommunicationTokenScope",
    ),
    (
        "TeamsExtensionPrincipalType",
        "crate::TeamsExtensionPrincipalType",
    ),
    ("EntraPrincipalType", "crate::EntraPrincipalType"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/codegen");
    println!("cargo:rerun-if-changed={TABLE}");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let table = versions::read(Path::new(TABLE)).unwrap_or_else(|e| fail(e));
    let mut conversions = Vec::new();
    for version in &table.versions {
        let spec = Path::new(SPEC_DIR).join(&version.spec);
        let conversion = convert::convert_file(&spec).unwrap_or_else(|e| fail(e));
        for file in &conversion.files_read {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        if conversion.facts.api_version != version.name {
            fail(format!(
                "{TABLE}: the entry {:?} names {}, whose info.version is {:?}",
                version.name,
                spec.display(),
                conversion.facts.api_version
            ));
        }
        conversions.push(conversion);
    }
    let documents: Vec<(&str, &serde_json::Value)> = table
        .versions
        .iter()
        .zip(&conversions)
        .map(|(v, c)| (v.name.as_str(), &c.openapi))
        .collect();
    let merged = union::merge(&documents, &table.default_version().name)
        .unwrap_or_else(|e| fail(format!("{TABLE}: merging the versions: {e}")));
    let facts_of: Vec<convert::SpecFacts> = conversions.into_iter().map(|c| c.facts).collect();
    let document = serde_json::to_string_pretty(&merged.openapi).expect("JSON serializes");
    write(&out_dir.join("openapi.json"), &(document + "\n"));
    let generated = generate(&merged.openapi, &facts_of).unwrap_or_else(|e| fail(e));
    write(&out_dir.join("generated.rs"), &generated);
    let facts = facts::render(&table, &facts_of, &merged).unwrap_or_else(|e| fail(e));
    write(&out_dir.join("spec_facts.rs"), &facts);
}

/// Runs progenitor over the merged document; the code is written unformatted (the snapshot
/// test formats it for reading). progenitor panics on some constructs without saying where: the
/// panic is caught, and the operation that causes it found by generating each operation alone.
fn generate(openapi: &serde_json::Value, facts: &[convert::SpecFacts]) -> Result<String, String> {
    match run_progenitor(openapi, facts) {
        Ok(code) => Ok(code),
        Err(message) => {
            let operations =
                openapi["paths"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .flat_map(|(path, item)| {
                        item.as_object()
                            .into_iter()
                            .flatten()
                            .map(move |(method, op)| (path, method, op))
                    });
            for (path, method, op) in operations {
                let mut alone = openapi.clone();
                let paths = alone["paths"].as_object_mut().expect("converted paths");
                paths.retain(|p, _| p == path);
                if let Some(item) = paths.get_mut(path).and_then(|i| i.as_object_mut()) {
                    item.retain(|m, _| m == method);
                }
                if run_progenitor(&alone, facts).is_err() {
                    return Err(format!(
                        "progenitor failed on operation `{}` ({} {path}, JSON pointer \
                         /paths/{}/{method} of the merged document): {message}",
                        op["operationId"].as_str().unwrap_or_default(),
                        method.to_ascii_uppercase(),
                        path.replace('~', "~0").replace('/', "~1"),
                    ));
                }
            }
            Err(format!("progenitor failed: {message}"))
        }
    }
}

fn run_progenitor(
    openapi: &serde_json::Value,
    facts: &[convert::SpecFacts],
) -> Result<String, String> {
    let api: openapiv3::OpenAPI = serde_json::from_value(openapi.clone())
        .map_err(|e| format!("the converted document is not valid OpenAPI 3.0: {e}"))?;
    let mut settings = progenitor_impl::GenerationSettings::new();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Positional)
        .with_tag(progenitor_impl::TagStyle::Merged)
        .with_hooks(progenitor_impl::HooksMode::Expected)
        .with_inner_type(
            "crate::pipeline::RequestPolicy"
                .parse()
                .expect("a valid path"),
        )
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    let mut replaced: Vec<&str> = Vec::new();
    for open in facts.iter().flat_map(|f| &f.open_enums) {
        if replaced.contains(&open.name.as_str()) {
            continue;
        }
        let Some((_, replacement)) = OPEN_ENUM_TYPES.iter().find(|(n, _)| *n == open.name) else {
            return Err(format!(
                "the spec has the extensible enum `{}` but build.rs names no hand-written open type \
                 for it in OPEN_ENUM_TYPES (adjustment `open-enums`)",
                open.name
            ));
        };
        settings.with_replacement(&open.name, replacement, std::iter::empty());
        replaced.push(&open.name);
    }
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| {
        progenitor_impl::Generator::new(&settings).generate_tokens(&api)
    });
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(tokens)) => Ok(tokens.to_string()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!(
            "it panicked: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)")
        )),
    }
}

fn write(path: &Path, content: &str) {
    // Leave an unchanged file untouched so that its timestamp does not force recompiles.
    if std::fs::read_to_string(path).ok().as_deref() != Some(content) {
        std::fs::write(path, content)
            .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
    }
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
