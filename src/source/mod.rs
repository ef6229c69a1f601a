//! Where a draft comes from: the working tree, another folder, or a git revision.
//!
//! The loader sees only the [`Source`] trait, so the same code checks, renders and
//! diffs a draft whether its files are on disk or in a commit (as typst's `World` hides
//! where files come from). Nothing outside this module touches the file system or git
//! to read a draft.

mod fs;
mod git;
mod memory;
mod spent;
mod time;

use std::path::{Path, PathBuf};

use crate::error::Error;

pub use git::{Commit, history, repository_prefix, tags};
pub use memory::MemorySource;
pub use spent::Spent;

/// The word that names the files on disk as a REV (SPEC §2).
pub const WORKTREE: &str = "WORKTREE";

/// Which version of the draft a source holds, as shown in version stamps and JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revision {
    /// The REV as the user wrote it (`WORKTREE`, `v2`, a folder path).
    pub rev: String,
    /// The full commit id, for git revisions and for a clean worktree at a commit.
    pub commit: Option<String>,
    /// The commit's date in its own time zone, `YYYY-MM-DD HH:MM:SS +ZZZZ`.
    pub date: Option<String>,
    /// The worktree has changes under the draft that are not committed.
    pub dirty: Dirty,
}

/// Whether a worktree has changes under the draft that are not committed. Finding out takes
/// git a pass over every file of the worktree, which only version stamps need (`render`,
/// `publish`): it is made when first asked, at most once.
#[derive(Clone)]
pub struct Dirty(std::sync::Arc<std::sync::LazyLock<bool, Box<dyn FnOnce() -> bool + Send>>>);

impl Dirty {
    /// Known from the start: a commit, a folder, a worktree without a commit.
    pub fn known(dirty: bool) -> Dirty {
        Dirty::later(move || dirty)
    }

    /// Worked out by `ask` when first needed.
    pub(crate) fn later(ask: impl FnOnce() -> bool + Send + 'static) -> Dirty {
        Dirty(std::sync::Arc::new(std::sync::LazyLock::new(Box::new(ask))))
    }

    /// Starts working out the answer on a thread of its own, for a caller that will ask
    /// for it after other work. Best effort: without a thread, [`Dirty::get`] works it out.
    pub fn start(&self) {
        let dirty = self.clone();
        let _ = std::thread::Builder::new().spawn(move || dirty.get());
    }

    /// The answer, worked out now if it was not yet.
    pub fn get(&self) -> bool {
        *std::sync::LazyLock::force(&self.0)
    }
}

impl std::fmt::Debug for Dirty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl PartialEq for Dirty {
    fn eq(&self, other: &Dirty) -> bool {
        self.get() == other.get()
    }
}

impl Eq for Dirty {}

impl serde::Serialize for Dirty {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(self.get())
    }
}

/// Why a file could not be read from a source.
#[derive(Debug)]
pub enum ReadError {
    /// No such file at this revision.
    NotFound,
    /// The path, or a symbolic link on it, leads out of the draft repository.
    OutsideRoot,
    /// The file exists but could not be read.
    Failed(Error),
}

/// Read-only access to the files of one version of a draft. A version may be loaded on
/// another thread than the one that opened it (`log` loads two commits at once).
pub trait Source: Send {
    /// Every file under the draft root (hidden entries excluded), as sorted relative
    /// paths with `/` separators.
    fn files(&self) -> Result<Vec<String>, Error>;
    /// The bytes of one file, by relative path.
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError>;
    /// The bytes of several files, in the order given: a source on disk reads them on
    /// every core.
    fn read_all(&self, paths: &[&str]) -> Vec<Result<Vec<u8>, ReadError>> {
        paths.iter().map(|path| self.read(path)).collect()
    }
    /// Which version this is.
    fn revision(&self) -> &Revision;
    /// An id of a file's content that changes when the content does (a git blob id), so
    /// that a history can parse each version of a file once; `None` when there is none.
    fn content_id(&self, path: &str) -> Option<String> {
        let _ = path;
        None
    }
    /// Every file, as [`Source::files`] lists them, with its [`Source::content_id`].
    fn listing(&self) -> Result<Vec<(String, Option<String>)>, Error> {
        let with_id = |path: String| {
            let id = self.content_id(&path);
            (path, id)
        };
        Ok(self.files()?.into_iter().map(with_id).collect())
    }
    /// An id of the whole draft's content (a git tree id), which changes when any file of
    /// it does; `None` when there is none.
    fn tree_id(&self) -> Option<String> {
        None
    }
}

/// Finds the draft root: `start` or its first parent holding `entente.toml`.
pub fn find_root(start: &Path) -> Result<PathBuf, Error> {
    let start = start
        .canonicalize()
        .map_err(|e| Error::io("open", start, e))?;
    start
        .ancestors()
        .find(|dir| dir.join("entente.toml").is_file())
        .map(Path::to_path_buf)
        .ok_or(Error::NotADraft(start))
}

/// Opens a REV (SPEC §2): `WORKTREE`, a folder holding a draft, or a git revision of
/// the repository that holds `root`. Folders win over revisions of the same name, since
/// whether `v2` is a folder depends on the file system, not on its spelling.
pub fn open(rev: &str, root: Result<&Path, &Error>, cwd: &Path) -> Result<Box<dyn Source>, Error> {
    let as_path = cwd.join(rev);
    let need_root = || -> Result<PathBuf, Error> {
        root.map(Path::to_path_buf).map_err(|e| match e {
            Error::NotADraft(p) => Error::NotADraft(p.clone()),
            other => Error::Refused(other.to_string()),
        })
    };
    if rev == WORKTREE {
        return Ok(Box::new(fs::FsSource::worktree(&need_root()?)?));
    }
    if rev != WORKTREE && as_path.is_dir() {
        if !as_path.join("entente.toml").is_file() {
            return Err(Error::UnknownRevision {
                rev: rev.to_string(),
                reason: format!(
                    "`{}` is a folder but holds no `entente.toml`; a folder REV must be a draft repository's root",
                    as_path.display()
                ),
            });
        }
        return Ok(Box::new(fs::FsSource::folder(&as_path, rev)?));
    }
    Ok(Box::new(git::GitSource::open(&need_root()?, rev)?))
}

/// Whether a relative path stays inside the root: no `..`, no absolute path, no drive.
pub fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.starts_with('\\')
        && !path.contains(':')
        && path.split(['/', '\\']).all(|part| part != "..")
}

#[cfg(test)]
mod tests {
    use super::Dirty;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn dirtiness_is_worked_out_when_first_asked_and_only_once() {
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let dirty = Dirty::later(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            true
        });
        let copy = dirty.clone();
        assert_eq!(asked.load(Ordering::SeqCst), 0);
        assert!(copy.get());
        assert!(dirty.get());
        assert_eq!(asked.load(Ordering::SeqCst), 1);
        assert_eq!(serde_json::to_string(&dirty).ok().as_deref(), Some("true"));
        assert_ne!(dirty, Dirty::known(false));
    }
}
