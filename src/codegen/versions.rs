//! The table of vendored API versions, `spec/versions.toml`: read, checked and ordered.
//!
//! The file uses a small, fixed subset of TOML (`[[version]]` tables of `key = "string"` and
//! `key = true|false` lines, `#` comments), read here strictly: anything else is an error naming
//! the line. A full TOML parser would add several crates to every user's build for a file of
//! twenty lines.

use std::path::{Path, PathBuf};

/// A vendored API version: one `[[version]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    /// The API version as sent in `api-version`, e.g. `2026-09-23`; also its spec's `info.version`.
    pub name: String,
    /// Its `CommunicationIdentity.json`, relative to `spec/`.
    pub spec: PathBuf,
    /// Whether the entry says `default = true`.
    pub default: bool,
}

impl Version {
    /// Whether the version is a preview (its name ends with `-preview`).
    pub(crate) fn is_preview(&self) -> bool {
        self.name.ends_with("-preview")
    }
}

/// Every vendored version, oldest first, and which one is sent by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionTable {
    /// Oldest first (names are dates, so in name order).
    pub versions: Vec<Version>,
    /// Index in `versions` of the default version.
    pub default: usize,
}

impl VersionTable {
    /// The default version: the entry with `default = true`, else the newest stable one.
    pub(crate) fn default_version(&self) -> &Version {
        &self.versions[self.default]
    }

    /// The newest preview version, if any.
    pub(crate) fn latest_preview(&self) -> Option<&Version> {
        self.versions.iter().rev().find(|v| v.is_preview())
    }
}

/// Reads the table at `path` (`spec/versions.toml`); spec paths stay relative to `spec/`.
pub(crate) fn read(path: &Path) -> Result<VersionTable, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}:{e}", path.display()))
}

/// Parses the text of `spec/versions.toml`. Errors start with the line number.
pub(crate) fn parse(text: &str) -> Result<VersionTable, String> {
    let mut entries: Vec<(usize, Vec<(String, Value)>)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let n = index + 1;
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if line == "[[version]]" {
            entries.push((n, Vec::new()));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "{n}: expected `[[version]]` or `key = value`, found `{line}`"
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        let Some((_, fields)) = entries.last_mut() else {
            return Err(format!("{n}: `{key}` outside a [[version]] entry"));
        };
        let value = match value {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            v if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') => {
                let inner = &v[1..v.len() - 1];
                if inner.contains(['"', '\\']) {
                    return Err(format!(
                        "{n}: escapes and quotes inside strings are not supported"
                    ));
                }
                Value::Str(inner.to_owned())
            }
            v => {
                return Err(format!(
                    "{n}: `{key}` has the value `{v}`; expected a \"string\", true or false"
                ));
            }
        };
        if fields.iter().any(|(k, _)| k == key) {
            return Err(format!("{n}: `{key}` is given twice in one entry"));
        }
        fields.push((key.to_owned(), value));
    }
    let mut versions = Vec::new();
    for (n, fields) in entries {
        let mut name = None;
        let mut spec = None;
        let mut default = false;
        for (key, value) in fields {
            match (key.as_str(), value) {
                ("name", Value::Str(s)) => name = Some(s),
                ("spec", Value::Str(s)) => spec = Some(PathBuf::from(s)),
                ("default", Value::Bool(b)) => default = b,
                (key @ ("name" | "spec" | "default"), _) => {
                    return Err(format!("{n}: `{key}` has a value of the wrong type"));
                }
                (other, _) => {
                    return Err(format!(
                        "{n}: unknown key `{other}` (an entry takes name, spec, default)"
                    ));
                }
            }
        }
        let Some(name) = name else {
            return Err(format!("{n}: the entry has no `name`"));
        };
        let Some(spec) = spec else {
            return Err(format!("{n}: the entry {name:?} has no `spec`"));
        };
        check_name(&name).map_err(|e| format!("{n}: {e}"))?;
        versions.push(Version {
            name,
            spec,
            default,
        });
    }
    table(versions)
}

/// Orders the versions and finds the default.
fn table(mut versions: Vec<Version>) -> Result<VersionTable, String> {
    if versions.is_empty() {
        return Err(" no [[version]] entry".into());
    }
    versions.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = versions.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(format!(" the version {:?} has two entries", pair[0].name));
    }
    let marked: Vec<usize> = (0..versions.len())
        .filter(|&i| versions[i].default)
        .collect();
    let default = match marked.as_slice() {
        [one] => *one,
        [] => (0..versions.len())
            .rev()
            .find(|&i| !versions[i].is_preview())
            .ok_or(" no stable version to be the default; mark one entry `default = true`")?,
        _ => return Err(" more than one entry says `default = true`".into()),
    };
    Ok(VersionTable { versions, default })
}

/// A name is a date `YYYY-MM-DD`, optionally followed by `-preview`.
fn check_name(name: &str) -> Result<(), String> {
    let date = name.strip_suffix("-preview").unwrap_or(name);
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
    {
        Ok(())
    } else {
        Err(format!(
            "the version name {name:?} is not of the form YYYY-MM-DD or YYYY-MM-DD-preview"
        ))
    }
}

/// The line without its comment: a `#` outside a string starts one.
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => return &line[..i],
            _ => {}
        }
    }
    line
}

enum Value {
    Str(String),
    Bool(bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_newest_stable_unless_marked() {
        let t = parse(
            "[[version]]\nname = \"2025-06-30\"\nspec = \"a\"\n\n# c\n[[version]]\n\
             name = \"2026-01-01-preview\" # newest\nspec = \"b\"\n[[version]]\n\
             name = \"2023-10-01\"\nspec = \"c\"\n",
        )
        .unwrap();
        let names: Vec<&str> = t.versions.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["2023-10-01", "2025-06-30", "2026-01-01-preview"]);
        assert_eq!(t.default_version().name, "2025-06-30");
        assert_eq!(t.latest_preview().unwrap().name, "2026-01-01-preview");
        let marked = parse(
            "[[version]]\nname = \"2025-06-30\"\nspec = \"a\"\n[[version]]\n\
             name = \"2024-01-01\"\nspec = \"b\"\ndefault = true\n",
        )
        .unwrap();
        assert_eq!(marked.default_version().name, "2024-01-01");
    }

    #[test]
    fn a_hash_in_a_string_is_not_a_comment() {
        let t = parse(
            "[[version]] # the one\nname = \"2023-10-01\" # \"quoted\" words\n\
             spec = \"specs/a#b.json\"\n",
        )
        .unwrap();
        assert_eq!(t.versions[0].name, "2023-10-01");
        assert_eq!(t.versions[0].spec, std::path::Path::new("specs/a#b.json"));
    }

    #[test]
    fn mistakes_name_their_line() {
        for (text, expected) in [
            ("name = \"x\"", "1: `name` outside"),
            ("[[version]]\nname = 2023", "2: `name` has the value `2023`"),
            (
                "[[version]]\nname = \"2023-10-1\"\nspec = \"a\"",
                "1: the version name",
            ),
            ("[[version]]\nspec = \"a\"", "1: the entry has no `name`"),
            (
                "[[version]]\nname = \"2023-10-01\"",
                "1: the entry \"2023-10-01\" has no `spec`",
            ),
            (
                "[[version]]\nname = \"2023-10-01\"\nfile = \"a\"",
                "1: unknown key `file`",
            ),
            ("[version]", "1: expected `[[version]]`"),
            (
                "[[version]]\nname = \"2023-10-01\nspec = \"a\"",
                "2: `name` has the value `\"2023-10-01`",
            ),
            (
                "[[version]]\nname = 2023-10-01\"\nspec = \"a\"",
                "2: `name` has the value `2023-10-01\"`",
            ),
            ("[[version]]\nname = \"", "2: `name` has the value `\"`"),
            ("", " no [[version]] entry"),
            (
                "[[version]]\nname = \"2023-10-01-preview\"\nspec = \"a\"",
                " no stable version",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.starts_with(expected), "{text:?}: {e}");
        }
    }
}
