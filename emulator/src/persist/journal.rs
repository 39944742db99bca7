//! The journal: one change a line (JSON), appended and synced before the answer. It knows
//! nothing of what a change is: the store's `Change` is any
//! serializable value here.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The file name of the journal in the data directory.
pub(crate) const FILE_NAME: &str = "journal.jsonl";

/// The journal of a data directory, open for appending.
#[derive(Debug)]
pub(crate) struct Journal {
    file: File,
    path: PathBuf,
    /// The length of the file: where the next change is written.
    len: u64,
}

/// A change that could not be saved (e.g. a full disk): it is not applied, and the request is
/// answered 500.
#[derive(Debug)]
pub(crate) struct SaveError {
    path: PathBuf,
    source: io::Error,
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the emulator could not save the change to {}: {}",
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for SaveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl Journal {
    /// Opens (or creates) the journal of `dir`, and reads the changes it holds. A last line
    /// without its newline (a write cut short by a kill, never answered) is dropped, and cut
    /// from the file; a damaged line before it fails with [`io::ErrorKind::InvalidData`],
    /// naming its line.
    pub(crate) fn open<C: DeserializeOwned>(dir: &Path) -> io::Result<(Journal, Vec<C>)> {
        let path = dir.join(FILE_NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        // The journal's entry in the directory, when it was just created, is on disk.
        super::disk::sync_dir(dir)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let (changes, valid) = parse(&bytes).map_err(|(line, e)| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} is damaged at line {line} ({e}); it was not written by this emulator, \
                     or was edited: move it away to start afresh",
                    path.display()
                ),
            )
        })?;
        // Without the last line cut short, if there is one (otherwise this changes nothing).
        file.set_len(valid as u64)?;
        file.sync_data()?;
        let journal = Journal {
            file,
            path,
            len: valid as u64,
        };
        Ok((journal, changes))
    }

    /// Appends `change` and syncs it to disk. On failure the file is cut back to where it was,
    /// so that a half-written line never precedes later ones.
    pub(crate) fn append(&mut self, change: &impl Serialize) -> Result<(), SaveError> {
        let mut line = serde_json::to_vec(change).map_err(|e| self.error(e.into()))?;
        line.push(b'\n');
        let written = self
            .file
            .write_all(&line)
            .and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.len);
                Err(self.error(e))
            }
        }
    }

    fn error(&self, source: io::Error) -> SaveError {
        SaveError {
            path: self.path.clone(),
            source,
        }
    }
}

/// The changes of a journal's bytes, and the length of its complete lines; or the number of
/// the first damaged complete line, and why.
fn parse<C: DeserializeOwned>(bytes: &[u8]) -> Result<(Vec<C>, usize), (usize, String)> {
    let mut changes = Vec::new();
    let mut valid = 0;
    for (number, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(content) = line.strip_suffix(b"\n") else {
            break; // The last line, cut short.
        };
        let change = serde_json::from_slice(content).map_err(|e| (number + 1, e.to_string()))?;
        changes.push(change);
        valid += line.len();
    }
    Ok((changes, valid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn revoke(id: &str) -> Value {
        json!({"change": "revoke", "id": id})
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "acs-emulator-journal-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn changes_are_read_back_in_order() {
        let dir = temp_dir("order");
        let (mut journal, saved) = Journal::open::<Value>(&dir).unwrap();
        assert!(saved.is_empty());
        journal.append(&revoke("a")).unwrap();
        journal.append(&revoke("b")).unwrap();
        // Where the next change goes (and a failed one is cut back to): the end of the file.
        let size = std::fs::metadata(dir.join(FILE_NAME)).unwrap().len();
        assert_eq!(journal.len, size);
        drop(journal);
        let (_, saved) = Journal::open::<Value>(&dir).unwrap();
        assert_eq!(saved, [revoke("a"), revoke("b")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_last_line_cut_short_is_dropped_and_cut_from_the_file() {
        let dir = temp_dir("torn");
        let (mut journal, _) = Journal::open::<Value>(&dir).unwrap();
        journal.append(&revoke("a")).unwrap();
        drop(journal);
        let path = dir.join(FILE_NAME);
        let whole = std::fs::read(&path).unwrap();
        // Every prefix of a second line: what a kill during its write may leave.
        let second = serde_json::to_vec(&revoke("b")).unwrap();
        for cut in 0..second.len() {
            let mut bytes = whole.clone();
            bytes.extend_from_slice(&second[..cut]);
            std::fs::write(&path, &bytes).unwrap();
            let (mut journal, saved) = Journal::open::<Value>(&dir).unwrap();
            assert_eq!(saved, [revoke("a")], "cut at {cut}");
            assert_eq!(std::fs::read(&path).unwrap(), whole, "cut at {cut}");
            // A change appended after it follows the complete lines.
            journal.append(&revoke("c")).unwrap();
            drop(journal);
            let (_, saved) = Journal::open::<Value>(&dir).unwrap();
            assert_eq!(saved, [revoke("a"), revoke("c")], "cut at {cut}");
            std::fs::write(&path, &whole).unwrap();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_change_that_cannot_be_saved_says_where_and_why() {
        let error = SaveError {
            path: PathBuf::from("/data/journal.jsonl"),
            source: io::Error::new(io::ErrorKind::StorageFull, "no space left on device"),
        };
        assert_eq!(
            error.to_string(),
            "the emulator could not save the change to /data/journal.jsonl: no space left on \
             device"
        );
        let source = std::error::Error::source(&error).unwrap();
        assert_eq!(source.to_string(), "no space left on device");
    }

    #[test]
    fn a_damaged_line_is_refused_with_its_number() {
        let dir = temp_dir("damaged");
        let line = serde_json::to_string(&revoke("a")).unwrap();
        std::fs::write(dir.join(FILE_NAME), format!("{line}\nnot json\n{line}\n")).unwrap();
        let error = Journal::open::<Value>(&dir).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("line 2"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
