//! Drafts read from disk: the working tree, or another folder named as a REV.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{Dirty, ReadError, Revision, Source};
use crate::error::Error;

/// A draft on disk.
pub(super) struct FsSource {
    disk: Disk,
    revision: Revision,
    /// In a git worktree, files git ignores (build output) are not part of the draft.
    git: Option<Git>,
}

/// The files themselves, apart from git, so that several threads may read them.
struct Disk {
    root: PathBuf,
    /// The listing, made once: loading and templates both ask for it.
    listing: std::sync::OnceLock<Listing>,
}

/// Where the draft is in a git worktree. The repository is opened again where it is asked
/// something, not kept: its index would be held to the end (1.4 MB at 10,000 clauses).
struct Git {
    /// The repository's `.git` folder.
    repository: PathBuf,
    /// The root's path in the worktree, `/`-separated, empty at the top.
    pathspec: String,
}

/// The repository holding `root` and `root`'s pathspec in it, when `root` is in its worktree.
fn locate(root: &Path) -> Option<(git2::Repository, String)> {
    let repo = git2::Repository::discover(root).ok()?;
    let workdir = repo.workdir()?;
    let workdir = workdir
        .canonicalize()
        .unwrap_or_else(|_| workdir.to_path_buf());
    let rel = root.strip_prefix(&workdir).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let pathspec = parts.join("/");
    Some((repo, pathspec))
}

/// Whether anything under `pathspec` differs from the commit.
fn dirty(repo: &git2::Repository, pathspec: &str) -> bool {
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    // The root's path is a folder, not a pattern: `*`, `?` or `[` in it are letters.
    if !pathspec.is_empty() {
        options.pathspec(pathspec).disable_pathspec_match(true);
    }
    repo.statuses(Some(&mut options))
        .map_or(true, |statuses| !statuses.is_empty())
}

/// What git ignores under the root, as the walk over it asks. Git never ignores a tracked
/// file, and nearly every file of a draft is tracked, so git is asked only about the others;
/// a pass of git's over the worktree, which stats every file, took a fifth of `check`.
enum Ignores {
    /// Git asked about each untracked file and folder as the walk meets it.
    Asking {
        repo: git2::Repository,
        pathspec: String,
        /// The index's paths under the root, relative to it, sorted.
        tracked: Vec<String>,
        /// How many more questions before one pass over the worktree answers them all.
        left: usize,
    },
    /// Untracked files and folders git ignores, relative to the root, folders with a trailing
    /// `/`: asking about each of many untracked files rebuilds git's stack of ignore files
    /// every time, and took longer than reading the files.
    Known(BTreeSet<String>),
}

/// Questions to git before [`Ignores`] takes one pass over the worktree instead.
const ASK_AT_MOST: usize = 256;

impl Ignores {
    fn open(git: &Git) -> Option<Ignores> {
        let repo = git2::Repository::open(&git.repository).ok()?;
        let mut tracked: Vec<String> = match repo.index() {
            Ok(index) => index
                .iter()
                .filter_map(|e| {
                    let path = std::str::from_utf8(&e.path).ok()?;
                    under(path, &git.pathspec).map(str::to_string)
                })
                .collect(),
            Err(_) => return Some(Ignores::Known(ignored(&repo, &git.pathspec))),
        };
        tracked.sort_unstable();
        tracked.dedup();
        Some(Ignores::Asking {
            repo,
            pathspec: git.pathspec.clone(),
            tracked,
            left: ASK_AT_MOST,
        })
    }

    /// Whether git ignores `path`, relative to the root; a folder's ends with `/`.
    fn ignores(&mut self, path: &str) -> bool {
        let Ignores::Asking {
            repo,
            pathspec,
            tracked,
            left,
        } = self
        else {
            return matches!(self, Ignores::Known(set) if set.contains(path));
        };
        // A folder holding a tracked file is never ignored whole; a tracked file never.
        let first = tracked.partition_point(|t| t.as_str() < path);
        let folder = path.ends_with('/');
        if (tracked.get(first)).is_some_and(|t| t == path || folder && t.starts_with(path)) {
            return false;
        }
        if *left == 0 {
            *self = Ignores::Known(ignored(repo, pathspec));
            return self.ignores(path);
        }
        *left -= 1;
        let in_repo = match pathspec.as_str() {
            "" => path.to_string(),
            p => format!("{p}/{path}"),
        };
        repo.is_path_ignored(in_repo.trim_end_matches('/'))
            .unwrap_or(false)
    }
}

/// Whether git ignores `path` (see [`Ignores::ignores`]), where the draft is in git.
fn git_ignores(ignores: &mut Option<Ignores>, path: &str) -> bool {
    ignores.as_mut().is_some_and(|i| i.ignores(path))
}

/// `path`, a path in the worktree, relative to `pathspec` when it is under it.
fn under<'p>(path: &'p str, pathspec: &str) -> Option<&'p str> {
    if pathspec.is_empty() {
        return Some(path);
    }
    path.strip_prefix(pathspec)?.strip_prefix('/')
}

/// The files and folders under `pathspec` that git ignores, relative to `pathspec`
/// (folders with a trailing `/`): untracked ones its ignore rules match, as git itself
/// sees them (a tracked file is never ignored), in one pass over the worktree.
fn ignored(repo: &git2::Repository, pathspec: &str) -> BTreeSet<String> {
    let mut options = git2::DiffOptions::new();
    options
        .include_untracked(false)
        .recurse_untracked_dirs(true)
        .include_ignored(true)
        .recurse_ignored_dirs(false)
        .skip_binary_check(true);
    if !pathspec.is_empty() {
        options.pathspec(pathspec).disable_pathspec_match(true);
    }
    let Ok(diff) = repo.diff_index_to_workdir(None, Some(&mut options)) else {
        return BTreeSet::new();
    };
    diff.deltas()
        .filter(|d| d.status() == git2::Delta::Ignored)
        .filter_map(|d| {
            d.new_file()
                .path()?
                .to_str()
                .and_then(|path| under(path, pathspec))
                .map(str::to_string)
        })
        .collect()
}

/// The files under the root, sorted, and which of them are symbolic links: the others
/// can be read without resolving their path, since the walk follows no link to a folder.
#[derive(Default)]
struct Listing {
    files: Vec<String>,
    links: BTreeSet<String>,
}

impl FsSource {
    /// The working tree at `root`, with its commit when it is in git, and whether it has
    /// uncommitted changes (see [`Dirty`]).
    pub(super) fn worktree(root: &Path) -> Result<FsSource, Error> {
        let located = locate(root);
        let revision = match &located {
            Some((repo, pathspec)) => {
                let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
                let dirty = match head {
                    None => Dirty::known(true),
                    Some(_) => {
                        let (root, pathspec) = (root.to_path_buf(), pathspec.clone());
                        // Asked again where it is needed: a handle cannot be shared across
                        // threads. Where git cannot be asked, the version is not called clean.
                        Dirty::later(move || {
                            locate(&root).is_none_or(|(repo, _)| dirty(&repo, &pathspec))
                        })
                    }
                };
                Revision {
                    rev: super::WORKTREE.to_string(),
                    commit: head.as_ref().map(|c| c.id().to_string()),
                    date: head.as_ref().map(|c| super::time::format(c.time())),
                    dirty,
                }
            }
            None => Revision {
                rev: super::WORKTREE.to_string(),
                commit: None,
                date: None,
                dirty: Dirty::known(false),
            },
        };
        Ok(FsSource {
            disk: Disk::new(root.to_path_buf()),
            revision,
            git: located.map(|(repo, pathspec)| Git {
                repository: repo.path().to_path_buf(),
                pathspec,
            }),
        })
    }

    /// Another draft folder, read as it is on disk.
    pub(super) fn folder(path: &Path, rev: &str) -> Result<FsSource, Error> {
        let root = path
            .canonicalize()
            .map_err(|e| Error::io("open", path, e))?;
        let git = locate(&root).map(|(repo, pathspec)| Git {
            repository: repo.path().to_path_buf(),
            pathspec,
        });
        Ok(FsSource {
            disk: Disk::new(root),
            revision: Revision {
                rev: rev.to_string(),
                commit: None,
                date: None,
                dirty: Dirty::known(false),
            },
            git,
        })
    }

    fn walk(
        &self,
        dir: &Path,
        rel: &str,
        ignores: &mut Option<Ignores>,
        out: &mut Listing,
    ) -> Result<(), Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read", dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                continue;
            }
            let path = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry
                .file_type()
                .map_err(|e| Error::io("read", entry.path(), e))?;
            // Symbolic links to folders are not followed: they could lead out of the
            // draft or loop. Links to files are listed and checked when read.
            if kind.is_dir() {
                // git names an ignored folder with a trailing slash.
                if git_ignores(ignores, &format!("{path}/"))
                    || entry.path().join(crate::output::MARKER).exists()
                {
                    continue;
                }
                self.walk(&entry.path(), &path, ignores, out)?;
            } else if !git_ignores(ignores, &path) {
                if kind.is_symlink() {
                    out.links.insert(path.clone());
                }
                out.files.push(path);
            }
        }
        Ok(())
    }

    fn listing(&self) -> Result<&Listing, Error> {
        if let Some(listing) = self.disk.listing.get() {
            return Ok(listing);
        }
        let mut out = Listing::default();
        let mut ignores = self.git.as_ref().and_then(Ignores::open);
        self.walk(&self.disk.root, "", &mut ignores, &mut out)?;
        out.files.sort();
        Ok(self.disk.listing.get_or_init(|| out))
    }
}

impl Disk {
    fn new(root: PathBuf) -> Disk {
        Disk {
            root,
            listing: std::sync::OnceLock::new(),
        }
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        if !super::is_contained(path) {
            return Err(ReadError::OutsideRoot);
        }
        let full = self.root.join(path);
        let listed = self.listing.get().is_some_and(|l| {
            l.files.binary_search_by(|p| p.as_str().cmp(path)).is_ok() && !l.links.contains(path)
        });
        let real = if listed {
            full.clone()
        } else {
            match full.canonicalize() {
                Ok(real) => real,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(ReadError::NotFound);
                }
                Err(e) => return Err(ReadError::Failed(Error::io("read", &full, e))),
            }
        };
        if !real.starts_with(&self.root) {
            return Err(ReadError::OutsideRoot);
        }
        read_file(&real).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound if listed => ReadError::NotFound,
            _ => ReadError::Failed(Error::io("read", &full, e)),
        })
    }
}

/// A file's bytes. `std::fs::read` asks the file's size first, a system call more per file,
/// a tenth of reading a draft's thousands of small files; a guess serves as well, trimmed to
/// what was read. (`File`'s own `read_to_end` asks the size too; through `take` it does not.)
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(READ_GUESS);
    std::fs::File::open(path)?
        .take(u64::MAX)
        .read_to_end(&mut bytes)?;
    bytes.shrink_to_fit();
    Ok(bytes)
}

/// Room for a file before its size is known: more than most clause files take.
const READ_GUESS: usize = 16 << 10;

impl Source for FsSource {
    fn files(&self) -> Result<Vec<String>, Error> {
        Ok(self.listing()?.files.clone())
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        self.disk.read(path)
    }

    fn read_all(&self, paths: &[&str]) -> Vec<Result<Vec<u8>, ReadError>> {
        let disk = &self.disk;
        crate::parallel::map(paths, |path| disk.read(path))
    }

    fn revision(&self) -> &Revision {
        &self.revision
    }
}
