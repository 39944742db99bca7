//! Generates the raw client from the vendored spec: converts the default API version from
//! Swagger 2.0 to OpenAPI 3.0 (`src/codegen/convert.rs`), runs progenitor over it, and exports
//! the facts the hand-written code needs (API version, expiry bounds, scope values, operations).
//!
//! Outputs in `OUT_DIR`: `openapi.json` (the converted document), `generated.rs` (progenitor's
//! client, included by `src/raw.rs`) and `spec_facts.rs` (constants, included by `src/spec.rs`).

#[allow(dead_code)] // `convert_value` is for the tests
#[path = "src/codegen/convert.rs"]
mod convert;
#[path = "src/codegen/facts.rs"]
mod facts;

use std::path::{Path, PathBuf};

/// The spec the client is generated from: the newest stable API version.
const SPEC: &str = "spec/specification/communication/data-plane/Identity/stable/2026-09-23/CommunicationIdentity.json";

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
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/codegen");
    let conversion = convert::convert_file(Path::new(SPEC)).unwrap_or_else(|e| fail(e));
    for file in &conversion.files_read {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let document = serde_json::to_string_pretty(&conversion.openapi).expect("JSON serializes");
    write(&out_dir.join("openapi.json"), &(document + "\n"));

    let facts = facts::render(&conversion.facts).unwrap_or_else(|e| fail(e));
    write(&out_dir.join("spec_facts.rs"), &facts);

    let generated = generate(&conversion).unwrap_or_else(|e| fail(e));
    write(&out_dir.join("generated.rs"), &generated);
}

/// Runs progenitor over the converted document and formats the result.
fn generate(conversion: &convert::Conversion) -> Result<String, String> {
    let api: openapiv3::OpenAPI = serde_json::from_value(conversion.openapi.clone())
        .map_err(|e| format!("the converted document is not valid OpenAPI 3.0: {e}"))?;

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(
            "crate::pipeline::RequestPolicy"
                .parse()
                .expect("a valid path"),
        )
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    for open in &conversion.facts.open_enums {
        let Some((_, replacement)) = OPEN_ENUM_TYPES.iter().find(|(n, _)| *n == open.name) else {
            return Err(format!(
                "the spec has the extensible enum `{}` but build.rs names no hand-written open type \
                 for it in OPEN_ENUM_TYPES (adjustment `open-enums`)",
                open.name
            ));
        };
        settings.with_replacement(&open.name, replacement, std::iter::empty());
    }

    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&api)
        .map_err(|e| format!("progenitor failed: {e}"))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor emitted invalid Rust: {e}"))?;
    Ok(prettyplease::unparse(&file))
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
