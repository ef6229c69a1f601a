//! Writing files safely: every write is atomic (a temporary file in the same folder,
//! then a rename), so a failed command never leaves a half-written file (SPEC §5).

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// The file that marks a folder as entente's output: drafts are never read from it, so
/// that published Markdown inside a draft is not taken for clauses.
pub const MARKER: &str = ".entente-output";

/// Marks `dir` as an output folder.
pub fn mark_output(dir: &Path) -> Result<(), Error> {
    let marker = dir.join(MARKER);
    if marker.exists() {
        return Ok(());
    }
    write_atomic(
        &marker,
        b"This folder holds entente's output; entente reads no draft files from it.\n",
    )
}

/// Writes `bytes` to `path` atomically, creating its parent folders.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = Unchecked::create(path)?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))?;
    file.persist()
}

/// A file on its way to `path`, moved into place by [`Unchecked::persist`] once what it holds
/// may be there (an edition's output, after the leak wall read it), and gone if dropped
/// before. Large outputs are written as they are made, rather than held whole in memory.
///
/// Until then it has no name where the system allows (Linux's `O_TMPFILE`), so that a run
/// killed before the wall's verdict leaves no unchecked page in the output folder, where it
/// could be published with the rest; elsewhere it is a private temporary file beside `path`.
pub struct Unchecked {
    file: Pending,
    path: std::path::PathBuf,
}

/// Where the bytes of an [`Unchecked`] file are.
enum Pending {
    /// A file without a name in the folder it will be moved into.
    #[cfg(target_os = "linux")]
    Unnamed(std::fs::File, std::path::PathBuf),
    /// A temporary file (`.entente-*`, readable by its owner only) beside its place.
    Named(tempfile::NamedTempFile),
}

impl Unchecked {
    /// An empty file on its way to `path`, whose folders are made.
    pub fn create(path: &Path) -> Result<Unchecked, Error> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC;
            // File systems without unnamed files refuse; those get a named one.
            if let Ok(fd) = rustix::fs::open(dir, flags, Mode::from_raw_mode(0o600)) {
                return Ok(Unchecked {
                    file: Pending::Unnamed(fd.into(), dir.to_path_buf()),
                    path: path.to_path_buf(),
                });
            }
        }
        Ok(Unchecked {
            file: Pending::Named(named_in(dir)?),
            path: path.to_path_buf(),
        })
    }

    fn file(&mut self) -> &mut std::fs::File {
        match &mut self.file {
            #[cfg(target_os = "linux")]
            Pending::Unnamed(file, _) => file,
            Pending::Named(file) => file.as_file_mut(),
        }
    }

    /// Whether it has no name yet (for tests).
    #[cfg(test)]
    fn is_unnamed(&self) -> bool {
        !matches!(self.file, Pending::Named(_))
    }

    /// What was written to it, read back.
    pub fn text(&mut self) -> Result<String, Error> {
        use std::io::{Read, Seek};
        let file = self.file();
        let mut text = String::new();
        let read = file
            .flush()
            .and_then(|()| file.rewind())
            .and_then(|()| file.read_to_string(&mut text));
        read.map_err(|e| Error::io("read back", &self.path, e))?;
        Ok(text)
    }

    /// What was written to it, read back and handed to `f` a block at a time, each ending
    /// where a character does.
    pub fn read_back(&mut self, f: &mut dyn FnMut(&str)) -> Result<(), Error> {
        use std::io::{Read, Seek};
        let path = self.path.clone();
        let failed = |e| Error::io("read back", &path, e);
        let file = self.file();
        file.flush().and_then(|()| file.rewind()).map_err(failed)?;
        let (mut block, mut held) = (vec![0; READ_BLOCK], 0);
        loop {
            let read = file.read(&mut block[held..]).map_err(failed)?;
            let end = held + read;
            // A character cut at the end of the block is read with the next.
            let (text, rest) = whole_characters(&block[..end]).map_err(failed)?;
            if read == 0 && !rest.is_empty() {
                return Err(failed(std::io::ErrorKind::InvalidData.into()));
            }
            f(text);
            if read == 0 {
                return Ok(());
            }
            held = rest.len();
            block.copy_within(end - held..end, 0);
        }
    }

    /// Moves it into place, replacing what was there.
    pub fn persist(mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let failed = |e| Error::io("write", &path, e);
        let file = self.file();
        file.sync_all().map_err(failed)?;
        // Temporary files are private (0600); an output is an ordinary file, and a file
        // written over keeps its mode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map_or(0o644, |m| m.permissions().mode() & 0o777);
            (file.set_permissions(std::fs::Permissions::from_mode(mode))).map_err(failed)?;
        }
        let named = match self.file {
            #[cfg(target_os = "linux")]
            Pending::Unnamed(mut file, dir) => named_from(&mut file, &dir).map_err(failed)?,
            Pending::Named(file) => file.into_temp_path(),
        };
        named.persist(&path).map_err(|e| failed(e.error))
    }
}

/// `bytes` split after their last whole character: the text before, and the start of a
/// character still to be completed; bytes that no completion makes UTF-8 are an error.
pub fn whole_characters(bytes: &[u8]) -> std::io::Result<(&str, &[u8])> {
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
    };
    let (text, rest) = bytes.split_at(valid);
    Ok((std::str::from_utf8(text).unwrap_or_default(), rest))
}

/// How much of a file [`Unchecked::read_back`] reads at a time.
const READ_BLOCK: usize = 1 << 20;

/// How the names of temporary files start: hidden, and owned up to.
const TEMPORARY: &str = ".entente-";

/// A private temporary file in `dir`, removed when dropped.
fn named_in(dir: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let file = tempfile::Builder::new().prefix(TEMPORARY).tempfile_in(dir);
    file.map_err(|e| Error::io("create a temporary file in", dir, e))
}

/// A name in `dir` for an unnamed `file`, its wall passed, to be renamed into place: a link
/// to it through `/proc`; where that is not mounted, a copy.
#[cfg(target_os = "linux")]
fn named_from(file: &mut std::fs::File, dir: &Path) -> std::io::Result<tempfile::TempPath> {
    use std::os::fd::AsRawFd;
    let open = format!("/proc/self/fd/{}", file.as_raw_fd());
    let builder = tempfile::Builder::new().prefix(TEMPORARY).clone();
    let linked = builder.make_in(dir, |name| {
        let (cwd, follow) = (rustix::fs::CWD, rustix::fs::AtFlags::SYMLINK_FOLLOW);
        Ok(rustix::fs::linkat(cwd, open.as_str(), cwd, name, follow)?)
    });
    if let Ok(linked) = linked {
        return Ok(linked.into_temp_path());
    }
    use std::io::Seek;
    let mut copy = builder.tempfile_in(dir)?;
    file.rewind()?;
    std::io::copy(file, copy.as_file_mut())?;
    copy.as_file().sync_all()?;
    copy.as_file()
        .set_permissions(file.metadata()?.permissions())?;
    Ok(copy.into_temp_path())
}

impl Write for Unchecked {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.file().write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file().flush()
    }
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

/// The folders made to hold an output: when dropped before [`Folders::keep`], each is removed
/// again, innermost first, if nothing else has put files in it since, so that a refused
/// command leaves `--out` and its parents as they were.
pub struct Folders {
    dir: std::path::PathBuf,
    /// The outermost folder made, if any was.
    outermost: Option<std::path::PathBuf>,
    kept: bool,
}

impl Folders {
    /// Makes `dir` and its missing parents.
    pub fn make(dir: &Path) -> Result<Folders, Error> {
        let outermost = dir.ancestors().take_while(|a| !a.exists()).last();
        let outermost = outermost.map(Path::to_path_buf);
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        Ok(Folders {
            dir: dir.to_path_buf(),
            outermost,
            kept: false,
        })
    }

    /// Keeps them.
    pub fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for Folders {
    fn drop(&mut self) {
        let Some(outermost) = self.outermost.as_ref().filter(|_| !self.kept) else {
            return;
        };
        for folder in self.dir.ancestors() {
            if std::fs::remove_dir(folder).is_err() || folder == outermost {
                break;
            }
        }
    }
}

/// Files staged in a temporary folder beside their destination, moved into place only
/// by [`Staged::commit`]; dropped without a commit, they vanish, and so do the folders made
/// to hold them, so `--out` and its parents are as they were.
pub struct Staged {
    out: std::path::PathBuf,
    /// Removed before the folders made for it (fields drop in order).
    dir: tempfile::TempDir,
    /// The folder the staging folder is in, and those of its parents this made.
    made: Folders,
    /// Written to from one thread per edition.
    folders: std::sync::Mutex<Vec<String>>,
}

impl Staged {
    /// A staging folder beside `out` (same file system, so the final moves are renames).
    pub fn new(out: &Path) -> Result<Staged, Error> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let made = Folders::make(&parent)?;
        let mut builder = tempfile::Builder::new();
        // It holds every edition, the most restricted included, beside `--out` until the
        // commit: readable by its owner only, also if a killed run leaves it behind.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = (builder.prefix(".entente-staging-").tempdir_in(&parent))
            .map_err(|e| Error::io("create a staging folder in", &parent, e))?;
        Ok(Staged {
            out: out.to_path_buf(),
            dir,
            made,
            folders: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Stages `bytes` as `folder/path`; `folder` is what [`Staged::commit`] replaces whole.
    /// If `--out` holds that file with exactly these bytes, it is linked rather than copied.
    pub fn write(&self, folder: &str, path: &str, bytes: &[u8]) -> Result<(), Error> {
        let target = self.target(folder, path)?;
        // A file `--out` already holds, byte for byte, is linked rather than written again:
        // publishing again after a small change rewrites only what changed. What is checked
        // is the file linked, so that one put in its place meanwhile is never kept.
        if let Some(old) = self.published(folder, path, Some(bytes.len())) {
            if std::fs::hard_link(old, &target).is_ok() {
                let linked = std::fs::symlink_metadata(&target);
                if linked.is_ok_and(|m| m.is_file() && names(&m) == 2) && same_bytes(&target, bytes)
                {
                    return Ok(());
                }
                std::fs::remove_file(&target).map_err(|e| Error::io("remove", &target, e))?;
            }
        }
        std::fs::write(&target, bytes).map_err(|e| Error::io("write", &target, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644));
        }
        Ok(())
    }

    /// Where `folder/path` is staged, its folders made; `folder` is what [`Staged::commit`]
    /// replaces whole.
    fn target(&self, folder: &str, path: &str) -> Result<std::path::PathBuf, Error> {
        if !crate::source::is_contained(folder) || !crate::source::is_contained(path) {
            return Err(Error::Refused(format!(
                "refusing to write `{folder}/{path}`, which leads out of `--out`"
            )));
        }
        {
            // A poisoned lock only means another edition's thread panicked; the list is whole.
            let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
            if !folders.iter().any(|f| f == folder) {
                folders.push(folder.to_string());
            }
        }
        let target = self.dir.path().join(folder).join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        Ok(target)
    }

    /// A file staged as `folder/path` that is written as it is made, for an output too large to
    /// hold whole; what it holds stays staged only if [`StagedFile::keep`] is called.
    pub fn create(&self, folder: &str, path: &str) -> Result<StagedFile, Error> {
        let target = self.target(folder, path)?;
        let file = std::fs::File::create(&target).map_err(|e| Error::io("create", &target, e))?;
        let published = self.published(folder, path, None).and_then(|path| {
            let file = std::fs::File::open(&path).ok()?;
            Some(Published {
                path,
                file: std::io::BufReader::with_capacity(1 << 16, file),
                alike: 0,
                block: Vec::new(),
            })
        });
        Ok(StagedFile {
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            target,
            published,
        })
    }

    /// The file `folder/path` of `--out`, if it is a regular file (of `len` bytes, if given)
    /// with no other name, reached through no symbolic link.
    fn published(
        &self,
        folder: &str,
        path: &str,
        len: Option<usize>,
    ) -> Option<std::path::PathBuf> {
        let (mut at, mut meta) = (self.out.clone(), None);
        for part in folder.split('/').chain(path.split('/')) {
            at.push(part);
            let m = std::fs::symlink_metadata(&at).ok()?;
            if m.file_type().is_symlink() {
                return None;
            }
            meta = Some(m);
        }
        // A file with another name could be changed through it after it was published.
        let fits = |m: &std::fs::Metadata| len.is_none_or(|len| m.len() == len as u64);
        meta.filter(|m| m.is_file() && fits(m) && names(m) == 1)
            .map(|_| at)
    }

    /// Replaces each staged folder of `--out` by its staged version. A folder's previous
    /// contents are moved aside first and restored if the move in fails.
    pub fn commit(mut self) -> Result<(), Error> {
        // From here on `--out` is being written: the folders made for it stay.
        self.made.keep();
        std::fs::create_dir_all(&self.out).map_err(|e| Error::io("create", &self.out, e))?;
        mark_output(&self.out)?;
        let aside = self.dir.path().join(".previous");
        std::fs::create_dir_all(&aside).map_err(|e| Error::io("create", &aside, e))?;
        let mut folders = self
            .folders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        folders.sort();
        for folder in &folders {
            let target = self.out.join(folder);
            let old = aside.join(folder);
            // `symlink_metadata`: a link in `--out` is replaced, never followed.
            let existed = std::fs::symlink_metadata(&target).is_ok();
            if existed {
                std::fs::rename(&target, &old).map_err(|e| Error::io("move aside", &target, e))?;
            }
            if let Err(e) = std::fs::rename(self.dir.path().join(folder), &target) {
                if existed {
                    let _ = std::fs::rename(&old, &target);
                }
                return Err(Error::io("move into place", &target, e));
            }
        }
        Ok(())
    }
}

/// A file being staged as it is written ([`Staged::create`]). While what is written is how the
/// file `--out` holds at its place starts, nothing is written: publishing again after a small
/// change rewrites only what changed, as [`Staged::write`] does.
pub struct StagedFile {
    file: std::io::BufWriter<std::fs::File>,
    target: std::path::PathBuf,
    /// The file published at its place, while all that was written is alike.
    published: Option<Published>,
}

/// A published file read alongside a [`StagedFile`].
struct Published {
    path: std::path::PathBuf,
    file: std::io::BufReader<std::fs::File>,
    /// How many bytes were alike.
    alike: u64,
    block: Vec<u8>,
}

impl Write for StagedFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(p) = &mut self.published {
            p.block.resize(bytes.len(), 0);
            if std::io::Read::read_exact(&mut p.file, &mut p.block).is_ok() && p.block == bytes {
                p.alike += bytes.len() as u64;
                return Ok(bytes.len());
            }
            self.part_ways()?;
        }
        self.file.write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl StagedFile {
    /// Writes what was alike, read from the published file as it was compared (whatever may
    /// be at its place by now), and goes on alone.
    fn part_ways(&mut self) -> std::io::Result<()> {
        use std::io::{Read, Seek};
        let Some(mut p) = self.published.take() else {
            return Ok(());
        };
        p.file.rewind()?;
        let copied = std::io::copy(&mut p.file.by_ref().take(p.alike), &mut self.file)?;
        match copied == p.alike {
            true => Ok(()),
            false => Err(std::io::ErrorKind::UnexpectedEof.into()),
        }
    }

    /// What was written to it, read back whole.
    pub fn text(&mut self) -> Result<String, Error> {
        use std::io::{Read, Seek};
        let target = self.target.clone();
        let read = match &mut self.published {
            // All of it is alike, and nothing written yet.
            Some(p) => {
                let mut bytes = Vec::new();
                (p.file.rewind())
                    .and_then(|()| p.file.by_ref().take(p.alike).read_to_end(&mut bytes))
                    .and_then(|_| p.file.seek(std::io::SeekFrom::Start(p.alike)))
                    .map(|_| bytes)
            }
            None => (self.file.flush()).and_then(|()| std::fs::read(&target)),
        };
        let bytes = read.map_err(|e| Error::io("read back", &target, e))?;
        String::from_utf8(bytes).map_err(|e| {
            let invalid = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
            Error::io("read back", &target, invalid)
        })
    }

    /// Keeps it staged: the published file, linked in its place, if it held exactly this.
    pub fn keep(mut self) -> Result<(), Error> {
        let target = self.target.clone();
        let failed = |e| Error::io("write", &target, e);
        if let Some(p) = &mut self.published {
            let ended = matches!(std::io::Read::read(&mut p.file, &mut [0u8; 1]), Ok(0));
            if ended && link_alike(p, &target) {
                return Ok(());
            }
        }
        self.part_ways()
            .and_then(|()| self.file.flush())
            .map_err(failed)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644));
        }
        Ok(())
    }

    /// Removes it from the staging folder.
    pub fn discard(self) -> Result<(), Error> {
        let StagedFile { file, target, .. } = self;
        drop(file.into_parts());
        std::fs::remove_file(&target).map_err(|e| Error::io("remove", &target, e))
    }
}

/// Links the published file `p` at `target`, if the file at its place is still the one read:
/// one put there meanwhile is never kept.
fn link_alike(p: &Published, target: &Path) -> bool {
    let mut beside = target.as_os_str().to_os_string();
    beside.push(".published");
    let beside = std::path::PathBuf::from(beside);
    if std::fs::hard_link(&p.path, &beside).is_err() {
        return false;
    }
    let linked = std::fs::symlink_metadata(&beside);
    let read = p.file.get_ref().metadata();
    let same = match (linked, read) {
        (Ok(linked), Ok(read)) => {
            linked.is_file() && names(&linked) == 2 && same_inode(&linked, &read)
        }
        _ => false,
    };
    if same && std::fs::rename(&beside, target).is_ok() {
        return true;
    }
    let _ = std::fs::remove_file(&beside);
    false
}

/// Whether two files' metadata are of one file; never where that cannot be told.
#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// How many names a file has; 0 where that cannot be told, so that no file is linked there.
#[cfg(unix)]
fn names(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn names(_: &std::fs::Metadata) -> u64 {
    0
}

/// Whether the file at `path` holds exactly `bytes`, read a block at a time.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut block = vec![0; 1 << 16];
    let mut rest = bytes;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) => {
                let (Some(read), Some(expected)) = (block.get(..n), rest.get(..n)) else {
                    return false;
                };
                if read != expected {
                    return false;
                }
                rest = rest.get(n..).unwrap_or_default();
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_staging_folder_is_its_owners_alone_and_goes_without_a_commit() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let staged = Staged::new(&root.path().join("out")).unwrap();
        let dir = staged.dir.path().to_path_buf();
        let mode = std::fs::metadata(&dir).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o700));
        staged.write("public", "agreement.md", b"text").unwrap();
        assert!(dir.join("public/agreement.md").is_file());
        drop(staged);
        assert!(!dir.exists());
        assert!(!root.path().join("out").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_staged_as_it_is_written_links_the_published_one_only_if_alike() {
        use std::os::unix::fs::MetadataExt;
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let staged = Staged::new(&out).unwrap();
        let published = [
            ("same.md", "kept"),
            ("other.md", "older"),
            ("longer.md", "kept, and more"),
            ("gone.md", "x"),
        ];
        for (path, text) in published {
            staged.write("public", path, text.as_bytes()).unwrap();
        }
        staged.commit().unwrap();
        let inode = |path: &str| {
            std::fs::metadata(out.join("public").join(path))
                .unwrap()
                .ino()
        };
        let (same, other) = (inode("same.md"), inode("other.md"));
        let staged = Staged::new(&out).unwrap();
        // Written in pieces, as a page is rendered: the same bytes, others of the same length,
        // and what the published file starts with.
        let written = [
            ("same.md", ["ke", "pt"]),
            ("other.md", ["new", "er"]),
            ("longer.md", ["ke", "pt"]),
        ];
        for (path, pieces) in written {
            let mut file = staged.create("public", path).unwrap();
            pieces
                .iter()
                .for_each(|p| file.write_all(p.as_bytes()).unwrap());
            assert_eq!(file.text().unwrap(), pieces.concat());
            file.keep().unwrap();
        }
        let mut file = staged.create("public", "gone.md").unwrap();
        file.write_all(b"y").unwrap();
        file.discard().unwrap();
        staged.commit().unwrap();
        assert_eq!(inode("same.md"), same, "the very file published before");
        assert_ne!(inode("other.md"), other);
        let read = |path: &str| std::fs::read_to_string(out.join("public").join(path)).unwrap();
        assert_eq!(
            (read("same.md"), read("other.md")),
            ("kept".into(), "newer".into())
        );
        assert!(
            !out.join("public/gone.md").exists(),
            "a file discarded is not published"
        );
        assert_eq!(read("longer.md"), "kept");
        assert_eq!(
            names_in(&out.join("public")),
            ["longer.md", "other.md", "same.md"]
        );
    }

    /// The names in `dir`.
    fn names_in(dir: &Path) -> Vec<String> {
        let entries = std::fs::read_dir(dir).unwrap();
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_page_read_back_comes_whole_in_blocks_that_end_with_a_character() {
        let root = tempfile::tempdir().unwrap();
        let mut page = Unchecked::create(&root.path().join("page.html")).unwrap();
        // Three-byte characters from the second byte on: no block of a mebibyte ends with one.
        let text = format!("x{}", "€".repeat(READ_BLOCK));
        page.write_all(text.as_bytes()).unwrap();
        let mut blocks = Vec::new();
        page.read_back(&mut |block| blocks.push(block.to_string()))
            .unwrap();
        assert!(blocks.len() > 2, "{}", blocks.len());
        assert_eq!(blocks.concat(), text);
        // Bytes that are no UTF-8 are refused, not passed on.
        page.write_all(&[0xff, b'a']).unwrap();
        assert!(page.read_back(&mut |_| {}).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn an_unchecked_page_has_no_name_until_it_is_moved_into_place() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let page = root.path().join("public.html");
        let mut file = Unchecked::create(&page).unwrap();
        file.write_all(b"<p>The text.</p>\n").unwrap();
        assert_eq!(file.text().unwrap(), "<p>The text.</p>\n");
        // Where the file system makes unnamed files (Linux, on most), a run killed now
        // leaves nothing in the folder to be published by mistake.
        #[cfg(target_os = "linux")]
        if file.is_unnamed() {
            assert!(
                names_in(root.path()).is_empty(),
                "{:?}",
                names_in(root.path())
            );
        }
        file.persist().unwrap();
        assert_eq!(names_in(root.path()), ["public.html"]);
        assert_eq!(std::fs::read(&page).unwrap(), b"<p>The text.</p>\n");
        let mode = std::fs::metadata(&page).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "an ordinary file, not a private temporary one");
        // Written over, a file keeps its mode, and nothing is left beside it.
        std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o640)).unwrap();
        let mut file = Unchecked::create(&page).unwrap();
        file.write_all(b"again").unwrap();
        file.persist().unwrap();
        assert_eq!(names_in(root.path()), ["public.html"]);
        assert_eq!(std::fs::read(&page).unwrap(), b"again");
        let mode = std::fs::metadata(&page).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn an_unchecked_page_dropped_leaves_nothing_and_what_was_there_as_it_was() {
        let root = tempfile::tempdir().unwrap();
        let page = root.path().join("public.html");
        std::fs::write(&page, b"before").unwrap();
        let mut file = Unchecked::create(&page).unwrap();
        file.write_all(b"a page the wall refused").unwrap();
        drop(file);
        assert_eq!(names_in(root.path()), ["public.html"]);
        assert_eq!(std::fs::read(&page).unwrap(), b"before");
    }

    /// Where `/proc` cannot link an unnamed file into place, it is copied there.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_unnamed_page_is_copied_into_place_when_it_cannot_be_linked() {
        let root = tempfile::tempdir().unwrap();
        let page = root.path().join("public.md");
        let mut file = Unchecked::create(&page).unwrap();
        if !file.is_unnamed() {
            return;
        }
        file.write_all(b"Text.\n").unwrap();
        // A file without a name that cannot be linked: one opened `O_EXCL` as well.
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::TMPFILE | OFlags::RDWR | OFlags::EXCL;
        let fd = rustix::fs::open(root.path(), flags, Mode::from_raw_mode(0o600)).unwrap();
        let mut unlinkable: std::fs::File = fd.into();
        unlinkable.write_all(b"Text.\n").unwrap();
        let named = named_from(&mut unlinkable, root.path()).unwrap();
        named.persist(&page).unwrap();
        assert_eq!(std::fs::read(&page).unwrap(), b"Text.\n");
        assert_eq!(names_in(root.path()), ["public.md"]);
        drop(file);
    }
}
