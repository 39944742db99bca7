//! Swagger 2.0 -> OpenAPI 3.0.3 conversion of the vendored Communication Identity spec.
//!
//! progenitor reads OpenAPI 3.0 only; the upstream spec is Swagger 2.0. This converter is
//! deliberately strict: it knows every construct the vendored versions use and turns any other
//! into an error naming the file and JSON pointer, so a new construct in a future API version
//! is noticed at build time instead of being dropped silently.
//!
//! Besides the mechanical translation, the converter applies the adjustments listed in
//! [`Adjustment`] (`adjustments.rs`): this table is the one place where every change to the
//! spec's meaning is named and justified. The converted document carries the names of the
//! adjustments it applied under `x-acs-adjustments`, so the snapshot of the document shows them.
//!
//! The converter, by concern (each part adds the methods of its concern to [`Converter`], the
//! state of one conversion):
//!
//! - `mod.rs` (here): the entry points [`convert_file`] and [`convert_value`], their result
//!   [`Conversion`] and error [`ConvertError`], and the position in the input, `At`;
//! - `adjustments.rs`: [`Adjustment`], every change of meaning with its reason;
//! - `names.rs`: [`OPERATION_NAMES`], the name of each operation (one line per operation);
//! - `spec_facts.rs`: [`SpecFacts`] and its parts, what the hand-written code needs to know;
//! - `document.rs`: the document's root, info, tags and paths, the merge-patch nulls, and the
//!   components (local and bundled definitions);
//! - `operation.rs`: operations, their parameters, request bodies and responses;
//! - `schema.rs`: schemas, open enums and the bounds of properties;
//! - `refs.rs`: references, the bundling of external files' definitions, path normalization.
//!
//! This folder is compiled by `build.rs` and by the conversion tests (through `#[path]`); it is
//! not a module of the library.

mod adjustments;
mod document;
mod names;
mod operation;
mod refs;
mod schema;
mod spec_facts;

pub(crate) use adjustments::Adjustment;
pub(crate) use names::OPERATION_NAMES;
pub(crate) use spec_facts::{IntegerBounds, OpenEnum, Operation, SpecFacts, StringBounds};

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a conversion error was found, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConvertError {
    /// The file being converted.
    pub file: PathBuf,
    /// JSON pointer of the offending value in that file.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}: {}",
            self.file.display(),
            self.pointer,
            self.message
        )
    }
}

impl std::error::Error for ConvertError {}

/// The result of a conversion.
#[derive(Debug, Clone)]
pub(crate) struct Conversion {
    /// The OpenAPI 3.0.3 document.
    pub openapi: Value,
    /// Facts for the hand-written code.
    pub facts: SpecFacts,
    /// Every file read (for `cargo:rerun-if-changed`).
    pub files_read: Vec<PathBuf>,
}

/// Converts the Swagger 2.0 file at `path`, resolving external `$ref`s relative to it.
pub(crate) fn convert_file(path: &Path) -> Result<Conversion, ConvertError> {
    let mut c = Converter::default();
    let doc = c.load(path)?;
    c.convert(&doc, path)
}

/// Converts an in-memory Swagger 2.0 document; `path` names it in errors and anchors relative
/// external `$ref`s.
pub(crate) fn convert_value(doc: &Value, path: &Path) -> Result<Conversion, ConvertError> {
    Converter::default().convert(doc, path)
}

/// The state of one conversion; its methods are spread over this folder's files by concern.
#[derive(Default)]
struct Converter {
    /// Every file read (for `cargo:rerun-if-changed`).
    files_read: Vec<PathBuf>,
    /// The facts gathered so far.
    facts: SpecFacts,
    /// Bundled external definitions: name -> (converted schema, origin file).
    bundled: BTreeMap<String, (Value, PathBuf)>,
    /// The adjustments applied so far, in the order of their first application.
    adjustments: Vec<Adjustment>,
    /// The document being converted: local `$ref`s of other files are external to it.
    root: PathBuf,
    /// External documents already read.
    external: BTreeMap<PathBuf, Value>,
    /// Definitions used as merge-patch bodies (adjustment `merge-patch-nulls`).
    merge_patch_bodies: Vec<String>,
}

impl Converter {
    /// Reads and parses the JSON file at `path`, recording it in `files_read`.
    fn load(&mut self, path: &Path) -> Result<Value, ConvertError> {
        let at = At::new(path);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return at.err(format!("cannot read file: {e}")),
        };
        self.files_read.push(path.to_path_buf());
        match serde_json::from_str(&text) {
            Ok(v) => Ok(v),
            Err(e) => at.err(format!("not valid JSON: {e}")),
        }
    }

    /// Escapes text for rustdoc (adjustment `escape-doc-brackets`); every description, summary
    /// and title goes through it.
    fn doc(&mut self, text: &str) -> String {
        if text.contains(['[', ']']) {
            self.note(Adjustment::EscapeDocBrackets);
            text.replace('[', "\\[").replace(']', "\\]")
        } else {
            text.to_owned()
        }
    }
}

/// Position in the input: file and JSON pointer, for errors.
#[derive(Clone)]
struct At<'a> {
    /// The file.
    file: &'a Path,
    /// JSON pointer of the current value in `file`.
    pointer: String,
}

impl<'a> At<'a> {
    /// The root of `file`.
    fn new(file: &'a Path) -> Self {
        At {
            file,
            pointer: String::new(),
        }
    }

    /// The position of member `k` (an object key or an array index) of the current value.
    fn key(&self, k: &str) -> At<'a> {
        let escaped = k.replace('~', "~0").replace('/', "~1");
        At {
            file: self.file,
            pointer: format!("{}/{}", self.pointer, escaped),
        }
    }

    /// An error at this position.
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ConvertError> {
        Err(ConvertError {
            file: self.file.to_path_buf(),
            pointer: self.pointer.clone(),
            message: message.into(),
        })
    }

    /// `v` as an object, or an error at this position.
    fn obj<'v>(&self, v: &'v Value) -> Result<&'v Map<String, Value>, ConvertError> {
        v.as_object()
            .map_or_else(|| self.err("expected a JSON object"), Ok)
    }

    /// `v` as a string, or an error at this position.
    fn str<'v>(&self, v: &'v Value) -> Result<&'v str, ConvertError> {
        v.as_str().map_or_else(|| self.err("expected a string"), Ok)
    }

    /// Fails on any key of `m` not in `allowed`.
    fn only(&self, m: &Map<String, Value>, allowed: &[&str]) -> Result<(), ConvertError> {
        match m.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => self.key(k).err(format!(
                "unsupported construct `{k}` (the converter knows: {})",
                allowed.join(", ")
            )),
            None => Ok(()),
        }
    }
}
