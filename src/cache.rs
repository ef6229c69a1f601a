//! Projections of git revisions kept between runs, so that comparing revisions seen before
//! costs reading two files rather than loading, checking and projecting two whole drafts.
//!
//! An entry is keyed by everything its projection depends on: the id of the draft's tree at
//! the commit (git's hash of all its content), the edition, and the entente build (another
//! build may project differently). Only drafts that check without a single problem are
//! kept, so a cached revision has no warning to show again.
//!
//! The entries live in `.entente/cache/` under the draft root: they hold what the draft
//! holds, classified text included, so they stay beside it rather than in a per-user cache
//! that outlives it. That folder's own `.gitignore` keeps them out of commits, and the
//! loader skips hidden folders. The newest entries are kept: at most [`KEEP`], and at most
//! [`SPACE`] times the size of the largest (about the size of the draft).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::edition::{ClauseView, Projection};
use crate::model::Scheme;

/// How many entries the cache keeps: a few revisions in a few editions.
pub const KEEP: usize = 8;

/// How much room the cache takes at most, in entries of the size of its largest: each is
/// about the size of the draft (an edition's, smaller), and a large draft should not cost
/// eight times its size on disk.
pub const SPACE: u64 = 4;

/// The start of every entry: names the format, so a file of another kind is never read as one.
const MAGIC: &[u8] = b"entente projection cache 3\n";

/// The environment variable that turns the cache off when set to `off`.
pub const SWITCH: &str = "ENTENTE_CACHE";

/// A draft's cache folder.
pub struct Cache {
    dir: PathBuf,
    /// Names the running build (its version, and the size and time of its executable), as
    /// the start of its entries' file names: another build's entries are never read again.
    build: String,
}

/// What an entry holds: the scheme, for naming levels, and the projection.
pub type Entry = (Scheme, Projection);

/// The head of an entry, read whole; the clause bodies follow it, read one by one as needed:
/// two versions of a draft share most of them, and a comparison needs none of those.
#[derive(serde::Serialize, serde::Deserialize)]
struct Head {
    scheme: Scheme,
    /// With every clause body empty, and no clause's file, fixed label or anchor: none of
    /// them is serialized (see [`ClauseView::path`]).
    projection: Projection,
    /// Where each clause's body ends after the head, in the order of [`Projection::clauses`].
    ends: Vec<u64>,
    /// Each clause's SHA-256 of its id and body, in the same order.
    keys: Vec<[u8; 32]>,
}

/// [`Head`] as written: the projection's bodies are not serialized (see [`ClauseView::body`]).
#[derive(serde::Serialize)]
struct HeadRef<'a> {
    scheme: &'a Scheme,
    projection: &'a Projection,
    ends: Vec<u64>,
    keys: Vec<[u8; 32]>,
}

/// An entry found, its bodies not yet read.
pub struct Found {
    head: Head,
    file: std::fs::File,
    /// Where the bodies start in the file.
    start: u64,
}

impl Cache {
    /// The cache of the draft at `root`; `None` when it is turned off, when the running build
    /// cannot be named, or when its folder is a symbolic link: classified text is not
    /// written to wherever a link points.
    pub fn open(root: &Path) -> Option<Cache> {
        if std::env::var_os(SWITCH).is_some_and(|v| v == "off") {
            return None;
        }
        let dir = root.join(".entente").join("cache");
        let linked = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_symlink());
        if linked(&root.join(".entente")) || linked(&dir) {
            return None;
        }
        let exe = std::env::current_exe().ok()?.metadata().ok()?;
        let modified = exe.modified().ok()?.duration_since(std::time::UNIX_EPOCH);
        let build = format!(
            "{} {} {}",
            env!("CARGO_PKG_VERSION"),
            exe.len(),
            modified.ok()?.as_nanos()
        );
        let build = hex(&Sha256::digest(build)[..8]);
        Some(Cache { dir, build })
    }

    /// The file of the projection of `tree` onto `edition` (`None`: everything).
    fn path(&self, tree: &str, edition: Option<&str>) -> PathBuf {
        let mut key = Sha256::new();
        for part in [tree, edition.unwrap_or("")] {
            key.update(part.len().to_le_bytes());
            key.update(part);
        }
        key.update([u8::from(edition.is_some())]);
        let key = hex(&key.finalize());
        self.dir.join(format!("{}-{key}.bin", self.build))
    }

    /// The entry for `tree` and `edition`, if there is one whose head reads whole.
    pub fn find(&self, tree: &str, edition: Option<&str>) -> Option<Found> {
        let path = self.path(tree, edition);
        let mut file = std::fs::File::open(&path).ok()?;
        let mut magic = vec![0; MAGIC.len() + 8];
        file.read_exact(&mut magic).ok()?;
        let len = magic
            .strip_prefix(MAGIC)?
            .try_into()
            .ok()
            .map(u64::from_le_bytes)?;
        let mut head = vec![0; usize::try_from(len).ok()?];
        file.read_exact(&mut head).ok()?;
        let head: Head = match postcard::take_from_bytes(&head) {
            Ok((head, [])) => head,
            _ => return None,
        };
        // Used entries are the newest: pruning goes by modification time.
        let touched = std::fs::File::options().append(true).open(&path);
        let _ = touched.and_then(|f| f.set_modified(std::time::SystemTime::now()));
        let start = (MAGIC.len() + 8) as u64 + len;
        Some(Found { head, file, start })
    }

    /// Keeps `scheme` and `projection` for `tree` and `edition`, written whole or not at
    /// all, and forgets the oldest entries beyond [`KEEP`]. A cache that cannot be written
    /// (a read-only checkout) is no error: the next run does the work again.
    pub fn put(&self, tree: &str, edition: Option<&str>, scheme: &Scheme, projection: &Projection) {
        let clauses: Vec<&ClauseView> = projection.clauses().map(|(_, _, c)| c).collect();
        let bodies: Vec<&str> = clauses.iter().map(|c| c.body.as_str()).collect();
        let mut end = 0;
        let ends = (bodies.iter()).map(|body| {
            end += body.len() as u64;
            end
        });
        let head = HeadRef {
            scheme,
            projection,
            ends: ends.collect(),
            keys: clauses.iter().map(|c| key_of(c)).collect(),
        };
        let _ = self.write(tree, edition, &head, &bodies);
    }

    fn write(
        &self,
        tree: &str,
        edition: Option<&str>,
        head: &HeadRef<'_>,
        bodies: &[&str],
    ) -> Option<()> {
        let encoded = postcard::to_stdvec(head).ok()?;
        std::fs::create_dir_all(&self.dir).ok()?;
        let ignore = self.dir.join(".gitignore");
        if !ignore.exists() {
            let text = "# entente's cache: derived from the draft, never committed\n*\n";
            std::fs::write(&ignore, text).ok()?;
        }
        let file = tempfile::NamedTempFile::new_in(&self.dir).ok()?;
        let mut out = std::io::BufWriter::new(file);
        out.write_all(MAGIC).ok()?;
        out.write_all(&(encoded.len() as u64).to_le_bytes()).ok()?;
        out.write_all(&encoded).ok()?;
        for body in bodies {
            out.write_all(body.as_bytes()).ok()?;
        }
        let file = out.into_inner().ok()?;
        file.persist(self.path(tree, edition)).ok()?;
        self.prune();
        Some(())
    }

    /// Removes other builds' entries, and of this one's all but the newest [`KEEP`] that fit
    /// in [`SPACE`] times the largest (the newest always stays).
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut mine = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".bin") {
                continue;
            }
            let meta = entry.metadata();
            match (name.starts_with(&self.build), meta) {
                (true, Ok(meta)) => {
                    let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                    mine.push((modified, meta.len(), path));
                }
                _ => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        mine.sort();
        let room = SPACE * mine.iter().map(|m| m.1).max().unwrap_or(0);
        let mut used = 0;
        for (k, (_, size, path)) in mine.into_iter().rev().enumerate() {
            used += size;
            if k > 0 && (k >= KEEP || used > room) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

impl Found {
    /// The entry with every clause body read.
    pub fn whole(self) -> Option<Entry> {
        self.read(|_| true)
    }

    /// The entry with the bodies `wanted` (by their clause's [`key_of`]) read, the others left
    /// empty; `None` if a body cannot be read or is not the one kept.
    fn read(mut self, wanted: impl Fn(&[u8; 32]) -> bool) -> Option<Entry> {
        let (ends, keys) = (&self.head.ends, &self.head.keys);
        let wanted: Vec<bool> = keys.iter().map(wanted).collect();
        // All of them in one read; a few, each where it is.
        let all = match wanted.iter().all(|w| *w) {
            true => {
                let mut all = Vec::new();
                self.file.seek(SeekFrom::Start(self.start)).ok()?;
                (&self.file).read_to_end(&mut all).ok()?;
                Some(all)
            }
            false => None,
        };
        let (mut k, mut from, mut failed) = (0, 0, false);
        for c in self.head.projection.clauses_mut() {
            let (Some(&end), Some(key)) = (ends.get(k), keys.get(k)) else {
                failed = true;
                break;
            };
            if wanted.get(k) == Some(&true) {
                let body = match &all {
                    Some(all) => usize::try_from(from)
                        .ok()
                        .zip(usize::try_from(end).ok())
                        .and_then(|(a, b)| all.get(a..b))
                        .and_then(|b| String::from_utf8(b.to_vec()).ok()),
                    None => read_at(&self.file, self.start + from, end.saturating_sub(from)),
                };
                c.body = body.unwrap_or_default().into();
                // Checked against its key: a damaged entry must not pass for a changed text.
                failed |= key_of(c) != *key;
            }
            (k, from) = (k + 1, end);
        }
        let whole = !failed && k == ends.len() && k == keys.len();
        whole.then_some((self.head.scheme, self.head.projection))
    }
}

/// Two entries to compare, with only the bodies the comparison reads: a clause whose id and
/// body are the same in both keeps an empty body in both, so the bodies compare equal, as
/// they are; `all` reads every body (to show unchanged text).
pub fn for_comparison(old: Found, new: Found, all: bool) -> Option<[Entry; 2]> {
    let sorted = |found: &Found| {
        let mut keys = found.head.keys.clone();
        keys.sort_unstable();
        keys
    };
    let (old_keys, new_keys) = (sorted(&old), sorted(&new));
    // Each reads its own file: one on each core.
    let (old, new) = std::thread::scope(|scope| {
        let old = scope.spawn(|| old.read(|key| all || new_keys.binary_search(key).is_err()));
        let new = new.read(|key| all || old_keys.binary_search(key).is_err());
        (old.join().ok().flatten(), new)
    });
    Some([old?, new?])
}

/// What makes a clause the same in two versions, as far as its body goes: its id and body.
fn key_of(clause: &ClauseView) -> [u8; 32] {
    let mut key = Sha256::new();
    key.update(clause.id.len().to_le_bytes());
    key.update(&clause.id);
    key.update(clause.body.as_bytes());
    key.finalize().into()
}

/// `len` bytes of `file` from `at`, as text.
fn read_at(file: &std::fs::File, at: u64, len: u64) -> Option<String> {
    let mut bytes = vec![0; usize::try_from(len).ok()?];
    // One system call a body where there is `pread`, not a seek and a read.
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut bytes, at).ok()?;
    #[cfg(not(unix))]
    {
        let mut file = file;
        file.seek(SeekFrom::Start(at)).ok()?;
        file.read_exact(&mut bytes).ok()?;
    }
    String::from_utf8(bytes).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::edition::bodies;
    use crate::source::MemorySource;

    const MANIFEST: &str = "[agreement]\ntitle = \"Accord\"\nparties = [\"north\"]\n\n\
        [[documents]]\nid = \"accord\"\ntitle = \"Accord\"\nnumbering = \"Article {n}\"\n\
        clauses = [\"scope\", \"borders\", \"trade\"]\n";

    /// The projection of everything in a three-clause draft whose `borders` reads `borders`.
    fn projected(borders: &str) -> Entry {
        let clause = |body: &str| format!("+++\ntitle = \"T\"\n+++\n\n{body}\n").into_bytes();
        let files = [
            ("entente.toml".to_string(), MANIFEST.as_bytes().to_vec()),
            ("scope.md".into(), clause("This Accord covers the border.")),
            ("borders.md".into(), clause(borders)),
            ("trade.md".into(), clause("Goods cross free of duty.")),
        ];
        let loaded = crate::load::load(&MemorySource::new("test", files)).unwrap();
        let agreement = &loaded.agreement;
        let numbers = crate::numbering::assign(agreement);
        let everything = crate::edition::everything(agreement);
        let projection = crate::edition::project(agreement, &numbers, &everything);
        (agreement.scheme.clone(), projection)
    }

    fn cache(dir: &Path) -> Cache {
        Cache {
            dir: dir.to_path_buf(),
            build: "0123456789abcdef".into(),
        }
    }

    /// `entry` as the cache keeps it: without what a comparison does not read.
    fn as_kept(mut entry: Entry) -> Entry {
        for c in entry.1.clauses_mut() {
            (c.path, c.fixed_label, c.anchor) = Default::default();
        }
        entry
    }

    #[test]
    fn an_entry_reads_back_as_it_was_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, (scheme, projection)) = (cache(dir.path()), projected("As surveyed in 1921."));
        cache.put("tree-1", None, &scheme, &projection);
        let back = cache.find("tree-1", None).unwrap().whole().unwrap();
        let kept = as_kept((scheme, projection.clone()));
        assert_ne!(kept.1, projection, "files and anchors are left out");
        assert_eq!(back, kept);
        assert!(cache.find("tree-2", None).is_none(), "another tree");
        assert!(cache.find("tree-1", Some("all")).is_none(), "an edition");
    }

    #[test]
    fn a_comparison_reads_only_the_bodies_that_differ() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let (old, new) = (
            projected("As surveyed in 1921."),
            projected("As surveyed in 1923."),
        );
        cache.put("old", None, &old.0, &old.1);
        cache.put("new", None, &new.0, &new.1);
        let found = |tree| cache.find(tree, None).unwrap();
        let [o, n] = for_comparison(found("old"), found("new"), false).unwrap();
        let changed = [
            ("scope", ""),
            ("borders", "As surveyed in 1921."),
            ("trade", ""),
        ];
        assert_eq!(bodies(&o.1), changed);
        assert_eq!(bodies(&n.1)[1], ("borders", "As surveyed in 1923."));
        let [o, _] = for_comparison(found("old"), found("new"), true).unwrap();
        assert_eq!(o, as_kept(old), "every body, to show unchanged text");
    }

    #[test]
    fn a_damaged_entry_is_no_entry() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, (scheme, projection)) = (cache(dir.path()), projected("As surveyed in 1921."));
        cache.put("tree", None, &scheme, &projection);
        let path = cache.path("tree", None);
        let bytes = std::fs::read(&path).unwrap();
        // Cut in the bodies: the head reads, a body does not.
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        assert!(cache.find("tree", None).unwrap().whole().is_none());
        // A body changed in place.
        let mut changed = bytes.clone();
        let at = changed.len() - 5;
        changed[at] ^= 1;
        std::fs::write(&path, &changed).unwrap();
        assert!(cache.find("tree", None).unwrap().whole().is_none());
        // Cut in the head, or another format.
        std::fs::write(&path, &bytes[..MAGIC.len() + 20]).unwrap();
        assert!(cache.find("tree", None).is_none());
        std::fs::write(&path, b"entente projection cache 0\n").unwrap();
        assert!(cache.find("tree", None).is_none());
    }

    /// Writes entries for `trees`, each a second newer than the one before, with
    /// `borders(k)` as the text of the `k`th.
    fn fill(cache: &Cache, trees: &[String], borders: impl Fn(usize) -> String) {
        let start = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for (k, tree) in trees.iter().enumerate() {
            let entry = projected(&borders(k));
            cache.put(tree, None, &entry.0, &entry.1);
            let file = std::fs::File::options()
                .append(true)
                .open(cache.path(tree, None));
            let at = start + std::time::Duration::from_secs(k as u64);
            file.unwrap().set_modified(at).unwrap();
        }
    }

    #[test]
    fn pruning_keeps_the_newest_entries_of_this_build() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let other = dir
            .path()
            .join(format!("ffffffffffffffff-{}.bin", "0".repeat(64)));
        std::fs::write(&other, b"another build's entry").unwrap();
        let trees: Vec<String> = (0..KEEP + 2).map(|k| format!("tree-{k}")).collect();
        // Each draft twice the size of the one before: there is room for all of them, and
        // the count is what limits.
        fill(&cache, &trees, |k| "As surveyed in 1921. ".repeat(50 << k));
        let kept: Vec<bool> = trees.iter().map(|t| cache.path(t, None).exists()).collect();
        let mut expected = vec![false; 2];
        expected.extend(vec![true; KEEP]);
        assert_eq!(kept, expected, "the oldest go first");
        assert!(
            !other.exists(),
            "another build's entries are never read again"
        );
        assert!(dir.path().join(".gitignore").exists());
    }

    #[test]
    fn pruning_keeps_the_cache_within_a_few_drafts_in_size() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let trees: Vec<String> = (0..KEEP).map(|k| format!("tree-{k}")).collect();
        fill(&cache, &trees, |_| "As surveyed in 1921. ".repeat(1000));
        let kept = trees
            .iter()
            .filter(|t| cache.path(t, None).exists())
            .count();
        assert_eq!(kept as u64, SPACE, "entries of one size: that many of them");
        assert!(
            cache.path(trees.last().unwrap(), None).exists(),
            "the newest stays"
        );
    }
}
