//! Small file-system helpers shared by the modules that write files: atomic replacement
//! and restrictive permissions for secret-bearing files.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Name prefix of the temporary files [`atomic_write`] renames into place.
pub const TEMP_PREFIX: &str = ".hallmark-tmp-";

/// Writes `bytes` to `path` atomically: the data goes to a temporary file in the same
/// folder, is flushed to disk, and then replaces `path` in one rename. A crash at any
/// point leaves either the old file or the new one, never a mix.
///
/// When `private` is true the file is created readable by its owner only (mode 0600 on Unix).
pub fn atomic_write(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(dir)?;
    if !private {
        // NamedTempFile is created 0600; published files (did.json) should be world-readable.
        set_mode(tmp.path(), 0o644)?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Creates `dir` (and its parents) if needed; a newly created data folder is private to its owner.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    if !dir.exists() {
        fs::create_dir_all(dir)?;
        set_mode(dir, 0o700)?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // Make the rename itself durable; failure here is not fatal (some file systems refuse it).
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.json");
        atomic_write(&p, b"first version, rather long", true).unwrap();
        atomic_write(&p, b"second", true).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "temporary files left behind: {names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
            atomic_write(&p, b"public", false).unwrap();
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o644);
        }
    }
}
