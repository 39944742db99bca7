//! What the build script watches and writes: an edit of a hand-written file does not rerun the
//! generation, an edit of a vendored spec does, and a build generates only the versions its
//! features need. Read from the build script's own output of this build.

use std::path::{Path, PathBuf};

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
        assert!(
            allowed,
            "`{path}` reruns the generation when it changes; only build.rs, src/codegen and \
             spec/ may: {watched:?}"
        );
    }
    assert!(watched.iter().any(|p| p == "src/codegen"));
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
fn only_the_enabled_versions_are_generated() {
    let generated = |module: &str| -> PathBuf { out_dir().join(format!("generated_{module}.rs")) };
    assert!(generated("stable").is_file());
    assert_eq!(
        generated("preview").is_file(),
        cfg!(feature = "preview"),
        "the preview's client is generated exactly when the feature `preview` is on"
    );
    assert!(out_dir().join("spec_facts.rs").is_file());
}
