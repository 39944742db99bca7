//! The resource the emulator stands for: its id, access key, token-signing key, and the Entra
//! ID application and tenant of its bearer tokens. Random at each start, unless a data
//! directory keeps them (`resource.json`), so that ids, the connection string and tokens stay
//! valid across restarts.

use super::super::random::Random;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// The file name of the resource in the data directory.
pub(crate) const FILE_NAME: &str = "resource.json";

/// The resource, in memory. No `Debug`: it holds the keys.
pub(crate) struct Resource {
    pub(crate) resource_id: String,
    /// The access key, base64, as given or made.
    pub(crate) access_key_base64: Zeroizing<String>,
    /// The key tokens are signed with.
    pub(crate) signing_key: Zeroizing<Vec<u8>>,
    pub(crate) entra_app_id: String,
    pub(crate) entra_tenant_id: String,
}

impl Resource {
    /// A resource with the given id and access key (base64), or random ones.
    pub(crate) fn new(
        resource_id: Option<&str>,
        access_key: Option<&str>,
        random: &Random,
    ) -> Self {
        let access_key_base64 = match access_key {
            Some(key) => Zeroizing::new(key.to_owned()),
            None => {
                let mut bytes = Zeroizing::new([0u8; 64]);
                random.fill(&mut bytes[..]);
                Zeroizing::new(STANDARD.encode(&bytes[..]))
            }
        };
        let mut signing_key = Zeroizing::new(vec![0u8; 32]);
        random.fill(&mut signing_key[..]);
        Resource {
            resource_id: resource_id.map_or_else(|| random.guid(), str::to_owned),
            access_key_base64,
            signing_key,
            entra_app_id: random.guid(),
            entra_tenant_id: random.guid(),
        }
    }
}

/// `resource.json`.
#[derive(Serialize, Deserialize)]
pub(crate) struct SavedResource {
    resource_id: String,
    access_key: String,
    signing_key: String,
    entra_app_id: String,
    entra_tenant_id: String,
}

impl SavedResource {
    /// The resource kept in `dir`, or a new one (with the given id and access key, or random
    /// ones) written there. Given values must be those kept: the identities in the journal
    /// belong to the kept resource.
    pub(crate) fn load_or_create(
        dir: &Path,
        resource_id: Option<&str>,
        access_key: Option<&str>,
        random: &Random,
    ) -> io::Result<Resource> {
        let path = dir.join(FILE_NAME);
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let saved: SavedResource = serde_json::from_slice(&bytes).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} is not a resource of the emulator: {e}", path.display()),
                    )
                })?;
                let saved = Zeroizing::new(saved);
                if let Some(id) = resource_id.filter(|id| *id != saved.resource_id) {
                    return Err(invalid(format!(
                        "the data directory {} keeps the resource {:?}, not {id:?}: start \
                         without --resource-id, or with another --data-dir",
                        dir.display(),
                        saved.resource_id
                    )));
                }
                if access_key.is_some_and(|key| key != saved.access_key) {
                    return Err(invalid(format!(
                        "the data directory {} keeps another access key: start without \
                         --access-key, or with another --data-dir",
                        dir.display()
                    )));
                }
                let signing_key = STANDARD.decode(&saved.signing_key).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: signing_key is not base64: {e}", path.display()),
                    )
                })?;
                Ok(Resource {
                    resource_id: saved.resource_id.clone(),
                    access_key_base64: Zeroizing::new(saved.access_key.clone()),
                    signing_key: Zeroizing::new(signing_key),
                    entra_app_id: saved.entra_app_id.clone(),
                    entra_tenant_id: saved.entra_tenant_id.clone(),
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let resource = Resource::new(resource_id, access_key, random);
                let saved = Zeroizing::new(SavedResource {
                    resource_id: resource.resource_id.clone(),
                    access_key: resource.access_key_base64.to_string(),
                    signing_key: STANDARD.encode(&resource.signing_key[..]),
                    entra_app_id: resource.entra_app_id.clone(),
                    entra_tenant_id: resource.entra_tenant_id.clone(),
                });
                let json =
                    Zeroizing::new(serde_json::to_vec_pretty(&*saved).map_err(io::Error::other)?);
                write_atomically(dir, FILE_NAME, &json)?;
                Ok(resource)
            }
            Err(e) => Err(io::Error::new(
                e.kind(),
                format!("cannot read {}: {e}", path.display()),
            )),
        }
    }
}

impl zeroize::Zeroize for SavedResource {
    fn zeroize(&mut self) {
        self.access_key.zeroize();
        self.signing_key.zeroize();
    }
}

/// Writes `dir/name` so that it is either absent or whole after a crash at any moment: a
/// temporary file in the same directory, synced, renamed over the name, the directory synced.
/// Readable and writable by its owner only (on Unix): it holds the keys.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temporary = dir.join(format!(".{name}.tmp"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, dir.join(name))?;
    super::disk::sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_is_kept_and_given_values_must_match() {
        let dir =
            std::env::temp_dir().join(format!("acs-emulator-resource-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let random = Random::new();
        let first = SavedResource::load_or_create(&dir, Some("r1"), None, &random).unwrap();
        let again = SavedResource::load_or_create(&dir, None, None, &random).unwrap();
        assert_eq!(again.resource_id, "r1");
        assert_eq!(*again.access_key_base64, *first.access_key_base64);
        assert_eq!(*again.signing_key, *first.signing_key);
        assert_eq!(again.entra_tenant_id, first.entra_tenant_id);
        let other = SavedResource::load_or_create(&dir, Some("r2"), None, &random)
            .err()
            .unwrap();
        assert!(
            other.to_string().contains("keeps the resource \"r1\""),
            "{other}"
        );
        let key = SavedResource::load_or_create(&dir, None, Some("a2V5"), &random)
            .err()
            .unwrap();
        assert!(!key.to_string().contains(first.access_key_base64.as_str()));
        assert!(!dir.join(".resource.json.tmp").exists());
        // A resource that cannot be read is an error that names it, never replaced.
        let unreadable = dir.join("unreadable");
        std::fs::create_dir_all(unreadable.join(FILE_NAME)).unwrap();
        let error = SavedResource::load_or_create(&unreadable, None, None, &random)
            .err()
            .unwrap();
        assert!(error.to_string().starts_with("cannot read "), "{error}");
        assert!(unreadable.join(FILE_NAME).is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
