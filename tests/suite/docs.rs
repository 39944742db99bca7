//! The documentation of the client's operations: every method declared with `operations!` (in
//! `src/operations/`, which gives the async method and its blocking twin the same docs) ends with
//! an `# Errors` section that points to the shared section of the crate's documentation.

use acs_identity::spec::OperationId;
use syn::parse::ParseStream;

/// The link every `# Errors` section has: the errors that every operation shares.
const SHARED_SECTION: &str = "(crate#errors-and-retries)";

/// A method declared with `operations!`: its name and its doc text, one line per doc attribute.
struct Method {
    file: String,
    name: String,
    doc: Vec<String>,
}

/// Every method of every `operations! { .. }` in `src/operations/*.rs`, parsed as Rust.
fn operation_methods() -> Vec<Method> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/operations");
    let mut methods = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let parsed = syn::parse_file(&source).unwrap_or_else(|e| panic!("{file}: {e}"));
        for item in parsed.items {
            let syn::Item::Macro(item) = item else {
                continue;
            };
            if !item.mac.path.is_ident("operations") {
                continue;
            }
            let fns = item
                .mac
                .parse_body_with(|input: ParseStream| {
                    let mut fns = Vec::new();
                    while !input.is_empty() {
                        fns.push(input.parse::<syn::ImplItemFn>()?);
                    }
                    Ok(fns)
                })
                .unwrap_or_else(|e| panic!("{file}: the methods of `operations!`: {e}"));
            methods.extend(fns.into_iter().map(|f| Method {
                file: file.clone(),
                name: f.sig.ident.to_string(),
                doc: doc_lines(&f.attrs),
            }));
        }
    }
    methods
}

/// The text of the `#[doc = ".."]` attributes (`///` comments), in order.
fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .collect()
}

/// The markdown headings of `doc` (`# ..` lines outside code blocks, where `# ` hides a line).
fn headings(doc: &[String]) -> Vec<(usize, String)> {
    let mut in_code = false;
    let mut found = Vec::new();
    for (i, line) in doc.iter().enumerate() {
        let line = line.trim();
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            found.push((i, line.trim_start_matches('#').trim().to_owned()));
        }
    }
    found
}

/// What is wrong with the doc of a method, if anything: no `# Errors` section, one that is not
/// last, or one without the link to the shared section or a word on retries.
fn problem(doc: &[String]) -> Option<String> {
    let headings = headings(doc);
    let Some(i) = headings.iter().position(|(_, h)| h == "Errors") else {
        return Some("has no `# Errors` section".to_owned());
    };
    if let Some((_, next)) = headings.get(i + 1) {
        return Some(format!(
            "has `# {next}` after `# Errors`: the blocking twin appends its own error to the last \
             section, so `# Errors` must come last"
        ));
    }
    let section = doc[headings[i].0 + 1..].join("\n");
    if !section.contains(SHARED_SECTION) {
        return Some(format!(
            "has an `# Errors` section without the link to the errors every operation shares, \
             `{SHARED_SECTION}`"
        ));
    }
    if !section.contains("etried") {
        return Some("has an `# Errors` section that does not say how it is retried".to_owned());
    }
    None
}

#[test]
fn every_operation_method_ends_with_an_errors_section() {
    let methods = operation_methods();
    // Every operation of the spec has a facade method (`api_shape`): parsing found them all.
    assert!(
        methods.len() >= OperationId::ALL.len(),
        "found {} methods in `operations!` blocks, fewer than the {} operations: the parsing \
         of src/operations/ missed some",
        methods.len(),
        OperationId::ALL.len()
    );
    let failures: Vec<String> = methods
        .iter()
        .filter_map(|m| {
            let problem = problem(&m.doc)?;
            Some(format!("src/operations/{}: `{}` {problem}", m.file, m.name))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The check itself, on made-up docs: headings in code blocks (hidden lines) do not count, and
/// a missing, misplaced or incomplete section is caught.
#[test]
fn the_check_catches_what_it_should() {
    let doc = |lines: &[&str]| -> Vec<String> { lines.iter().map(|s| s.to_string()).collect() };
    let example = [" Does a thing.", " ```", " # async fn hidden() {}", " ```"];
    let errors = [
        " # Errors",
        " Retried; see [common](crate#errors-and-retries).",
    ];
    let good = doc(&[&example[..], &errors[..]].concat());
    assert_eq!(problem(&good), None);
    let found: Vec<String> = headings(&good).into_iter().map(|(_, h)| h).collect();
    assert_eq!(found, ["Errors"]);

    let missing = problem(&doc(&example)).unwrap();
    assert!(missing.contains("no `# Errors`"), "{missing}");
    let not_last = problem(&doc(&[&errors[..], &[" # Examples"][..]].concat())).unwrap();
    assert!(not_last.contains("must come last"), "{not_last}");
    let no_link = problem(&doc(&[" # Errors", " Retried."])).unwrap();
    assert!(no_link.contains("without the link"), "{no_link}");
    let no_retry = problem(&doc(&[" # Errors", " See (crate#errors-and-retries)."])).unwrap();
    assert!(no_retry.contains("retried"), "{no_retry}");
}
