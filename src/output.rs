//! Writing files safely: every write is atomic (a temporary file in the same folder,
//! then a rename), so a failed command never leaves a half-written file (SPEC §5).

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `bytes` to `path` atomically, creating its parent folders.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".entente-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("write", path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("write", path, e.error))?;
    Ok(())
}

/// Writes a new file atomically, refusing to replace one that exists.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if path.exists() {
        return Err(Error::Refused(format!(
            "`{}` already exists; entente will not overwrite it",
            path.display()
        )));
    }
    write_atomic(path, bytes)
}
