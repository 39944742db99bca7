//! What the build script watches and writes: an edit of a hand-written file does not rerun the
//! generation, an edit of a vendored spec or of the table of versions does, and one client is
//! generated for every version. Read from the build script's own output of this build.

use std::path::Path;

fn out_dir() -> &'static Path {
    Path::new(env!("OUT_DIR"))
}

/// The `cargo:rerun-if-changed` paths the build script printed for this build.
fn watched() -> Vec<String> {
    let output = out_dir()
        .parent()
        .expect("OUT_DIR has a parent")
        .join("output");
    let text =
        std::fs::read_to_string(&output).unwrap_or_else(|e| panic!("{}: {e}", output.display()));
    text.lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .map(str::to_owned)
        .collect()
}

#[test]
fn generation_watches_only_the_build_files_and_the_specs() {
    let watched = watched();
    assert!(watched.len() > 2, "{watched:?}");
    for path in &watched {
        let allowed = path == "build.rs" || path == "src/codegen" || path.starts_with("spec/");
        // (spec/versions.toml, the table of versions, is under spec/.)
        assert!(
            allowed,
            "`{path}` reruns the generation when it changes; only build.rs, src/codegen and \
             spec/ may: {watched:?}"
        );
    }
    assert!(watched.iter().any(|p| p == "src/codegen"));
    assert!(watched.iter().any(|p| p == "spec/versions.toml"));
}

#[test]
fn every_vendored_version_is_watched_with_the_files_it_references() {
    let watched = watched();
    for version in acs_identity::spec::API_VERSIONS {
        let suffix = format!("/{version}/CommunicationIdentity.json");
        assert!(
            watched.iter().any(|p| p.ends_with(&suffix)),
            "{version} not watched: {watched:?}"
        );
    }
    // The shared definitions each version references.
    assert!(watched.iter().any(|p| p.ends_with("/common.json")));
    for path in watched.iter().filter(|p| p.starts_with("spec/")) {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        assert!(file.is_file(), "{} does not exist", file.display());
    }
}

#[test]
fn one_client_is_generated_for_every_version() {
    for file in ["generated.rs", "openapi.json", "spec_facts.rs"] {
        assert!(out_dir().join(file).is_file(), "{file}");
    }
    let merged = std::fs::read_to_string(out_dir().join("openapi.json")).unwrap();
    let merged: serde_json::Value = serde_json::from_str(&merged).unwrap();
    assert_eq!(
        merged["x-acs-versions"],
        serde_json::json!(acs_identity::spec::API_VERSIONS)
    );
}
