//! Drafts read from a git revision through git2, without touching the worktree or index.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use super::{ReadError, Revision, Source};
use crate::error::Error;

/// The draft as it was at one commit.
pub(super) struct GitSource {
    repo: Repository,
    /// The draft's files, found on first use: a draft taken from the cache needs none.
    blobs: OnceLock<Result<BTreeMap<String, Oid>, git2::Error>>,
    revision: Revision,
    /// The id of the draft's folder at that commit: it names the draft's whole content.
    tree: Oid,
}

/// One commit of a draft's history, for `log` and progress reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Commit {
    /// Full commit id.
    pub id: String,
    /// Commit date in its own time zone.
    pub date: String,
    /// Author name.
    pub author: String,
    /// First line of the message.
    pub summary: String,
}

/// The repository holding `root`, and `root`'s path inside its working tree
/// (`""` when the draft is at the top, `drafts/x/` style with `/` otherwise).
pub fn repository_prefix(root: &Path) -> Result<(Repository, String), git2::Error> {
    let repo = Repository::discover(root)?;
    let prefix = match repo.workdir() {
        Some(workdir) => {
            let workdir = workdir
                .canonicalize()
                .unwrap_or_else(|_| workdir.to_path_buf());
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            let rel: PathBuf = root
                .strip_prefix(&workdir)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            rel.components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect::<Vec<_>>()
                .join("/")
        }
        None => String::new(),
    };
    Ok((repo, prefix))
}

fn unknown(rev: &str, reason: String) -> Error {
    Error::UnknownRevision {
        rev: rev.to_string(),
        reason,
    }
}

impl GitSource {
    /// Resolves `rev` in the repository holding `root` and indexes the draft's files there.
    pub(super) fn open(root: &Path, rev: &str) -> Result<GitSource, Error> {
        // Like git itself, trust the object store rather than hashing every object read
        // again: that was a sixth of reading a revision.
        git2::opts::strict_hash_verification(false);
        let (repo, prefix) = repository_prefix(root).map_err(|_| {
            unknown(
                rev,
                format!(
                    "it is not a folder, and `{}` is not in a git repository where it could be a revision",
                    root.display()
                ),
            )
        })?;
        let commit = repo
            .revparse_single(rev)
            .and_then(|object| object.peel_to_commit())
            .map_err(|e| {
                let mut reason = format!(
                    "git cannot resolve it ({})",
                    e.message().trim_end_matches('.')
                );
                if repo.is_shallow() {
                    reason.push_str(
                        "; this clone is shallow: fetch the history with `git fetch --unshallow`",
                    );
                } else {
                    reason.push_str(
                        "; `git tag` and `git log --oneline` list the revisions there are",
                    );
                }
                unknown(rev, reason)
            })?;
        let mut tree = commit.tree()?;
        if !prefix.is_empty() {
            let entry = tree.get_path(Path::new(&prefix)).map_err(|_| {
                unknown(
                    rev,
                    format!(
                        "commit {} has no folder `{prefix}`: the draft did not exist yet",
                        short(commit.id())
                    ),
                )
            })?;
            tree = entry
                .to_object(&repo)?
                .peel_to_tree()
                .map_err(|_| unknown(rev, format!("`{prefix}` is not a folder at that commit")))?;
        }
        let revision = Revision {
            rev: rev.to_string(),
            commit: Some(commit.id().to_string()),
            date: Some(super::time::format(commit.time())),
            dirty: super::Dirty::known(false),
        };
        let tree_id = tree.id();
        drop(tree);
        drop(commit);
        Ok(GitSource {
            repo,
            blobs: OnceLock::new(),
            revision,
            tree: tree_id,
        })
    }

    /// The draft's files (hidden ones left out) and their blobs.
    fn blobs(&self) -> Result<&BTreeMap<String, Oid>, &git2::Error> {
        let walk = || {
            let mut blobs = BTreeMap::new();
            self.repo
                .find_tree(self.tree)?
                .walk(TreeWalkMode::PreOrder, |dir, entry| {
                    let Ok(name) = entry.name() else {
                        return TreeWalkResult::Skip;
                    };
                    if name.starts_with('.') {
                        return TreeWalkResult::Skip;
                    }
                    if entry.kind() == Some(ObjectType::Blob) {
                        blobs.insert(format!("{dir}{name}"), entry.id());
                    }
                    TreeWalkResult::Ok
                })?;
            Ok(blobs)
        };
        self.blobs.get_or_init(walk).as_ref()
    }
}

/// The bytes of the blob at `path`.
fn read_blob(
    repo: &Repository,
    blobs: &BTreeMap<String, Oid>,
    path: &str,
) -> Result<Vec<u8>, ReadError> {
    let oid = blobs.get(path).ok_or(ReadError::NotFound)?;
    let blob = repo
        .find_blob(*oid)
        .map_err(|e| ReadError::Failed(Error::from(e)))?;
    Ok(blob.content().to_vec())
}

fn short(id: Oid) -> String {
    id.to_string().chars().take(7).collect()
}

impl Source for GitSource {
    fn files(&self) -> Result<Vec<String>, Error> {
        let blobs = self
            .blobs()
            .map_err(|e| Error::Git(e.message().to_string()))?;
        Ok(blobs.keys().cloned().collect())
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let blobs =
            (self.blobs()).map_err(|e| ReadError::Failed(Error::Git(e.message().to_string())))?;
        read_blob(&self.repo, blobs, path)
    }

    fn tree_id(&self) -> Option<String> {
        Some(self.tree.to_string())
    }

    /// Inflating blobs is most of reading a revision: the paths are shared out among the
    /// cores, each worker with a repository handle of its own (a handle is not shareable).
    fn read_all(&self, paths: &[&str]) -> Vec<Result<Vec<u8>, ReadError>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(paths.len() / 64)
            .max(1);
        let chunk = paths.len().div_ceil(threads).max(1);
        let mut parts = paths.chunks(chunk);
        let Some(first) = parts.next() else {
            return Vec::new();
        };
        let Ok(blobs) = self.blobs() else {
            return paths.iter().map(|p| self.read(p)).collect();
        };
        let dir = self.repo.path();
        std::thread::scope(|scope| {
            let workers: Vec<_> = parts
                .map(|part| {
                    let worker = scope.spawn(move || {
                        let repo = Repository::open(dir).ok()?;
                        Some(part.iter().map(|p| read_blob(&repo, blobs, p)).collect())
                    });
                    (part, worker)
                })
                .collect();
            let mut out: Vec<_> = first.iter().map(|p| self.read(p)).collect();
            for (part, worker) in workers {
                // A worker that could not open the repository (or failed) is redone here.
                match worker.join() {
                    Ok(Some(results)) => out.extend::<Vec<_>>(results),
                    _ => out.extend(part.iter().map(|p| self.read(p))),
                }
            }
            out
        })
    }

    fn revision(&self) -> &Revision {
        &self.revision
    }

    /// Looked up alone where the draft's files are not listed yet: `log` asks for the
    /// manifest's id of every commit, and most need nothing else.
    fn content_id(&self, path: &str) -> Option<String> {
        if let Some(listed) = self.blobs.get() {
            return listed.as_ref().ok()?.get(path).map(Oid::to_string);
        }
        if path.split('/').any(|part| part.starts_with('.')) {
            return None;
        }
        let entry = self
            .repo
            .find_tree(self.tree)
            .ok()?
            .get_path(Path::new(path))
            .ok()?;
        (entry.kind() == Some(ObjectType::Blob)).then(|| entry.id().to_string())
    }

    /// The files and their blob ids in one pass, rather than looking each path up again.
    fn listing(&self) -> Result<Vec<(String, Option<String>)>, Error> {
        let blobs = self
            .blobs()
            .map_err(|e| Error::Git(e.message().to_string()))?;
        Ok((blobs.iter())
            .map(|(path, oid)| (path.clone(), Some(oid.to_string())))
            .collect())
    }
}

/// The commits reachable from `rev` that touch the draft at `root`, oldest first.
pub fn history(root: &Path, rev: &str) -> Result<Vec<Commit>, Error> {
    let (repo, prefix) = repository_prefix(root)?;
    let start = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| unknown(rev, format!("git cannot resolve it ({})", e.message())))?;
    let mut walk = repo.revwalk()?;
    walk.push(start.id())?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME | git2::Sort::REVERSE)?;
    let mut out = Vec::new();
    let tree_id = |c: &git2::Commit| -> Option<Oid> {
        let tree = c.tree().ok()?;
        if prefix.is_empty() {
            Some(tree.id())
        } else {
            tree.get_path(Path::new(&prefix)).ok().map(|e| e.id())
        }
    };
    for id in walk {
        let commit = repo.find_commit(id?)?;
        let mine = tree_id(&commit);
        let parent = commit.parents().next().and_then(|p| tree_id(&p));
        if mine.is_some() && mine != parent {
            out.push(Commit {
                id: commit.id().to_string(),
                date: super::time::format(commit.time()),
                author: commit.author().name().unwrap_or("").to_string(),
                summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            });
        }
    }
    Ok(out)
}

/// The tags of the repository holding `root` whose commits contain the draft, oldest
/// commit first (then by name).
pub fn tags(root: &Path) -> Result<Vec<(String, Commit)>, Error> {
    let (repo, prefix) = repository_prefix(root)?;
    let mut out = Vec::new();
    for name in repo.tag_names(None)?.iter().flatten().flatten() {
        let Ok(commit) = repo.revparse_single(name).and_then(|o| o.peel_to_commit()) else {
            continue;
        };
        let has_draft = commit
            .tree()
            .is_ok_and(|t| prefix.is_empty() || t.get_path(Path::new(&prefix)).is_ok());
        if has_draft {
            out.push((
                commit.time().seconds(),
                name.to_string(),
                Commit {
                    id: commit.id().to_string(),
                    date: super::time::format(commit.time()),
                    author: commit.author().name().unwrap_or("").to_string(),
                    summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
                },
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(out
        .into_iter()
        .map(|(_, name, commit)| (name, commit))
        .collect())
}
