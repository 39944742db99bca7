//! References: every `$ref` to a definition becomes `#/components/schemas/Name`, the
//! definitions of other files are bundled into the document (adjustment `bundle-external-refs`),
//! and file paths are normalized so that a file is the same whatever relative path reaches it.

use super::{Adjustment, At, ConvertError, Converter};
use serde_json::Value;
use std::path::{Path, PathBuf};

impl Converter {
    /// Rewrites a `$ref` to `#/components/schemas/...`, bundling external definitions.
    pub(super) fn reference(&mut self, r: &str, at: &At) -> Result<String, ConvertError> {
        let (file_part, pointer) = r.split_once('#').unwrap_or((r, ""));
        let Some(name) = pointer.strip_prefix("/definitions/") else {
            return at.err(format!(
                "unsupported reference `{r}` (expected .../#/definitions/Name)"
            ));
        };
        if name.contains('/') {
            return at.err(format!("unsupported nested reference `{r}`"));
        }
        let target_file = if file_part.is_empty() {
            at.file.to_path_buf()
        } else {
            normalize(&at.file.parent().unwrap_or(Path::new(".")).join(file_part))
        };
        if target_file != self.root {
            self.bundle(&target_file, name, at)?;
        }
        Ok(format!("#/components/schemas/{name}"))
    }

    /// Copies definition `name` of `file` (and what it references) into `bundled`.
    fn bundle(&mut self, file: &Path, name: &str, at: &At) -> Result<(), ConvertError> {
        if self.bundled.contains_key(name) {
            return Ok(());
        }
        self.note(Adjustment::BundleExternalRefs);
        if !self.external.contains_key(file) {
            let doc = self.load(file).or_else(|e| at.err(e.to_string()))?;
            self.external.insert(file.to_path_buf(), doc);
        }
        let doc = self.external[file].clone();
        let eat = At::new(file).key("definitions").key(name);
        let Some(def) = doc.get("definitions").and_then(|d| d.get(name)) else {
            return at.err(format!("{} has no definition `{name}`", file.display()));
        };
        // Reserve the name first so recursive definitions terminate.
        self.bundled
            .insert(name.to_owned(), (Value::Null, file.to_path_buf()));
        let converted = self.schema(def, &eat, Some(name))?;
        self.bundled
            .insert(name.to_owned(), (converted, file.to_path_buf()));
        Ok(())
    }
}

/// Resolves `.` and `..` components without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
