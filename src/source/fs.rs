//! Drafts read from disk: the working tree, or another folder named as a REV.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{ReadError, Revision, Source};
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

/// Git's view of the folder. The repository is not kept: its index, which finding what
/// git ignores read, would be held to the end (1.4 MB at 10,000 clauses).
struct Git {
    /// The root's path in the worktree, `/`-separated, empty at the top.
    pathspec: String,
    /// What under the root git ignores, relative to the root, folders with a trailing `/`.
    ignored: BTreeSet<String>,
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

impl Git {
    /// The repository holding `root`, when `root` is in its worktree, and its view of `root`.
    fn open(root: &Path) -> Option<(git2::Repository, Git)> {
        let (repo, pathspec) = locate(root)?;
        let ignored = ignored(&repo, &pathspec);
        Some((repo, Git { pathspec, ignored }))
    }
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

/// The files and folders under `pathspec` that git ignores, relative to `pathspec`
/// (folders with a trailing `/`): untracked ones its ignore rules match, as git itself
/// sees them (a tracked file is never ignored), in one pass over the worktree; asking
/// about each file instead rebuilt its stack of ignore files every time, which cost more
/// than reading the files.
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
    let skip = if pathspec.is_empty() {
        0
    } else {
        pathspec.len() + 1
    };
    let Ok(diff) = repo.diff_index_to_workdir(None, Some(&mut options)) else {
        return BTreeSet::new();
    };
    diff.deltas()
        .filter(|d| d.status() == git2::Delta::Ignored)
        .filter_map(|d| {
            d.new_file()
                .path()?
                .to_str()?
                .get(skip..)
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
    /// The working tree at `root`, with its commit and dirtiness when it is in git.
    pub(super) fn worktree(root: &Path) -> Result<FsSource, Error> {
        // Whether the worktree is dirty and what it ignores are two walks over it: on two
        // cores, each with its own repository handle (a handle cannot be shared).
        let (git, changed) = std::thread::scope(|scope| {
            let changed =
                scope.spawn(|| locate(root).map(|(repo, pathspec)| dirty(&repo, &pathspec)));
            (Git::open(root), changed.join())
        });
        let revision = match &git {
            Some((repo, git)) => {
                let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
                Revision {
                    rev: super::WORKTREE.to_string(),
                    commit: head.as_ref().map(|c| c.id().to_string()),
                    date: head.as_ref().map(|c| super::time::format(c.time())),
                    dirty: head.is_none()
                        || match &changed {
                            Ok(Some(changed)) => *changed,
                            _ => dirty(repo, &git.pathspec),
                        },
                }
            }
            None => Revision {
                rev: super::WORKTREE.to_string(),
                commit: None,
                date: None,
                dirty: false,
            },
        };
        Ok(FsSource {
            disk: Disk::new(root.to_path_buf()),
            revision,
            git: git.map(|(_, git)| git),
        })
    }

    /// Another draft folder, read as it is on disk.
    pub(super) fn folder(path: &Path, rev: &str) -> Result<FsSource, Error> {
        let root = path
            .canonicalize()
            .map_err(|e| Error::io("open", path, e))?;
        let git = Git::open(&root).map(|(_, git)| git);
        Ok(FsSource {
            disk: Disk::new(root),
            revision: Revision {
                rev: rev.to_string(),
                commit: None,
                date: None,
                dirty: false,
            },
            git,
        })
    }

    fn walk(&self, dir: &Path, rel: &str, out: &mut Listing) -> Result<(), Error> {
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
                if self.ignores(&format!("{path}/"))
                    || entry.path().join(crate::output::MARKER).exists()
                {
                    continue;
                }
                self.walk(&entry.path(), &path, out)?;
            } else if !self.ignores(&path) {
                if kind.is_symlink() {
                    out.links.insert(path.clone());
                }
                out.files.push(path);
            }
        }
        Ok(())
    }

    fn ignores(&self, path: &str) -> bool {
        self.git.as_ref().is_some_and(|g| g.ignored.contains(path))
    }

    fn listing(&self) -> Result<&Listing, Error> {
        if let Some(listing) = self.disk.listing.get() {
            return Ok(listing);
        }
        let mut out = Listing::default();
        self.walk(&self.disk.root, "", &mut out)?;
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
        std::fs::read(&real).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound if listed => ReadError::NotFound,
            _ => ReadError::Failed(Error::io("read", &full, e)),
        })
    }
}

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
