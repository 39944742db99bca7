//! What writing safely to disk needs: syncing a directory.

use std::path::Path;

/// Syncs a directory, so that a file created or renamed in it survives a crash (on Unix; other
/// systems do not sync directories, and have nothing to do).
pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
