//! Generates the raw clients from the vendored specs: converts each API version from Swagger 2.0
//! to OpenAPI 3.0 (`src/codegen/convert.rs`), runs progenitor over the versions the crate has a
//! client for, and exports the facts the hand-written code needs (API versions, expiry bounds,
//! scope values, which operation exists at which version).
//!
//! Outputs in `OUT_DIR`, for each generated version `<module>` (`stable`, `preview`):
//! `openapi_<module>.json` (the converted document) and `generated_<module>.rs` (progenitor's
//! client, included by `src/raw.rs`); and `spec_facts.rs` (constants, included by `src/spec.rs`).

#[allow(dead_code)] // `convert_value` is for the tests
#[path = "src/codegen/convert.rs"]
mod convert;
#[path = "src/codegen/facts.rs"]
mod facts;

use std::path::{Path, PathBuf};

/// Every vendored API version, oldest first. `generate` names the module of `raw` the version's
/// client is generated into (`None`: the version only informs which operation exists where), and
/// `feature` the cargo feature it needs. A new API version is one more line here.
const VERSIONS: &[facts::Version] = &[
    facts::Version {
        spec: "stable/2023-10-01",
        generate: None,
        feature: None,
    },
    facts::Version {
        spec: "preview/2025-03-02-preview",
        generate: Some("preview"),
        feature: Some("preview"),
    },
    facts::Version {
        spec: "stable/2025-06-30",
        generate: None,
        feature: None,
    },
    // The default: the newest stable version.
    facts::Version {
        spec: "stable/2026-09-23",
        generate: Some("stable"),
        feature: None,
    },
];

/// Where the versions' folders are.
const SPEC_ROOT: &str = "spec/specification/communication/data-plane/Identity";

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
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut converted = Vec::new();
    for version in VERSIONS {
        let spec = Path::new(SPEC_ROOT)
            .join(version.spec)
            .join("CommunicationIdentity.json");
        let conversion = convert::convert_file(&spec).unwrap_or_else(|e| fail(e));
        for file in &conversion.files_read {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        let enabled = version.feature.is_none_or(|f| {
            std::env::var_os(format!(
                "CARGO_FEATURE_{}",
                f.to_uppercase().replace('-', "_")
            ))
            .is_some()
        });
        if let (Some(module), true) = (version.generate, enabled) {
            let document =
                serde_json::to_string_pretty(&conversion.openapi).expect("JSON serializes");
            write(
                &out_dir.join(format!("openapi_{module}.json")),
                &(document + "\n"),
            );
            let generated = generate(&conversion, &spec).unwrap_or_else(|e| fail(e));
            write(&out_dir.join(format!("generated_{module}.rs")), &generated);
        }
        converted.push((version, conversion.facts));
    }
    let facts = facts::render(&converted).unwrap_or_else(|e| fail(e));
    write(&out_dir.join("spec_facts.rs"), &facts);
}

/// Runs progenitor over the converted document; the code is written unformatted (the snapshot
/// test formats it for reading). progenitor panics on some constructs without saying where: the
/// panic is caught, and the operation that causes it found by generating each operation alone.
fn generate(conversion: &convert::Conversion, spec: &Path) -> Result<String, String> {
    let code = match run_progenitor(&conversion.openapi, &conversion.facts) {
        Ok(code) => code,
        Err(message) => {
            let culprit = conversion.facts.operations.iter().find(|op| {
                let mut alone = conversion.openapi.clone();
                let paths = alone["paths"].as_object_mut().expect("converted paths");
                paths.retain(|p, _| *p == op.path);
                if let Some(item) = paths.get_mut(&op.path).and_then(|i| i.as_object_mut()) {
                    item.retain(|m, _| m.eq_ignore_ascii_case(&op.method));
                }
                run_progenitor(&alone, &conversion.facts).is_err()
            });
            return Err(match culprit {
                Some(op) => format!(
                    "{}: progenitor failed on operation `{}` ({} {}, JSON pointer /paths/{}/{}): {message}",
                    spec.display(),
                    op.id,
                    op.method,
                    op.path,
                    op.path.replace('~', "~0").replace('/', "~1"),
                    op.method.to_ascii_lowercase()
                ),
                None => format!("{}: progenitor failed: {message}", spec.display()),
            });
        }
    };
    // Unformatted: the snapshot test formats it for reading.
    Ok(code)
}

fn run_progenitor(
    openapi: &serde_json::Value,
    facts: &convert::SpecFacts,
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
    for open in &facts.open_enums {
        let Some((_, replacement)) = OPEN_ENUM_TYPES.iter().find(|(n, _)| *n == open.name) else {
            return Err(format!(
                "the spec has the extensible enum `{}` but build.rs names no hand-written open type \
                 for it in OPEN_ENUM_TYPES (adjustment `open-enums`)",
                open.name
            ));
        };
        settings.with_replacement(&open.name, replacement, std::iter::empty());
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
