//! Drafts read from disk: the working tree, or another folder named as a REV.

use std::path::{Path, PathBuf};

use super::{ReadError, Revision, Source};
use crate::error::Error;

/// A draft on disk.
pub(super) struct FsSource {
    root: PathBuf,
    revision: Revision,
    /// In a git worktree, files git ignores (build output) are not part of the draft;
    /// with the worktree's canonical path, computed once.
    repo: Option<(git2::Repository, PathBuf)>,
    /// The listing, made once: loading and templates both ask for it.
    listing: std::sync::OnceLock<Vec<String>>,
}

/// A repository with its worktree's canonical path, to test paths against.
fn with_workdir(repo: git2::Repository) -> (git2::Repository, PathBuf) {
    let workdir = repo
        .workdir()
        .map(|w| w.canonicalize().unwrap_or_else(|_| w.to_path_buf()))
        .unwrap_or_default();
    (repo, workdir)
}

impl FsSource {
    /// The working tree at `root`, with its commit and dirtiness when it is in git.
    pub(super) fn worktree(root: &Path) -> Result<FsSource, Error> {
        let repo = git2::Repository::discover(root)
            .ok()
            .filter(|r| r.workdir().is_some());
        let (commit, date, dirty) = match &repo {
            Some(repo) => super::git::worktree_state(repo, root),
            None => (None, None, false),
        };
        Ok(FsSource {
            root: root.to_path_buf(),
            revision: Revision {
                rev: super::WORKTREE.to_string(),
                commit,
                date,
                dirty,
            },
            repo: repo.map(with_workdir),
            listing: std::sync::OnceLock::new(),
        })
    }

    /// Another draft folder, read as it is on disk.
    pub(super) fn folder(path: &Path, rev: &str) -> Result<FsSource, Error> {
        let root = path
            .canonicalize()
            .map_err(|e| Error::io("open", path, e))?;
        let repo = git2::Repository::discover(&root)
            .ok()
            .filter(|r| r.workdir().is_some());
        Ok(FsSource {
            root,
            revision: Revision {
                rev: rev.to_string(),
                commit: None,
                date: None,
                dirty: false,
            },
            repo: repo.map(with_workdir),
            listing: std::sync::OnceLock::new(),
        })
    }

    fn walk(&self, dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<(), Error> {
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
            if self.ignored(&entry.path(), kind.is_dir()) {
                continue;
            }
            // Symbolic links to folders are not followed: they could lead out of the
            // draft or loop. Links to files are listed and checked when read.
            if kind.is_dir() {
                if entry.path().join(crate::output::MARKER).exists() {
                    continue;
                }
                self.walk(&entry.path(), &path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }

    fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Some((repo, workdir)) = &self.repo else {
            return false;
        };
        let Ok(rel) = path.strip_prefix(workdir) else {
            return false;
        };
        // git matches folder patterns such as `build/` only with the trailing slash.
        let rel = if is_dir {
            rel.join("")
        } else {
            rel.to_path_buf()
        };
        repo.is_path_ignored(&rel).unwrap_or(false)
    }
}

impl Source for FsSource {
    fn files(&self) -> Result<Vec<String>, Error> {
        if let Some(listing) = self.listing.get() {
            return Ok(listing.clone());
        }
        let mut out = Vec::new();
        self.walk(&self.root, "", &mut out)?;
        out.sort();
        Ok(self.listing.get_or_init(|| out).clone())
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        if !super::is_contained(path) {
            return Err(ReadError::OutsideRoot);
        }
        let full = self.root.join(path);
        let real = match full.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NotFound),
            Err(e) => return Err(ReadError::Failed(Error::io("read", &full, e))),
        };
        if !real.starts_with(&self.root) {
            return Err(ReadError::OutsideRoot);
        }
        std::fs::read(&real).map_err(|e| ReadError::Failed(Error::io("read", &full, e)))
    }

    fn revision(&self) -> &Revision {
        &self.revision
    }
}
