//! A draft held in memory: for tests, property tests and fuzzing, which must run the same
//! loader as the command line without touching the disk.

use std::collections::BTreeMap;

use super::{ReadError, Revision, Source};
use crate::error::Error;

/// Files by relative path.
#[derive(Debug, Clone)]
pub struct MemorySource {
    files: BTreeMap<String, Vec<u8>>,
    revision: Revision,
    /// Whether files and the whole are named by their content (see [`MemorySource::named_by_content`]).
    by_content: bool,
}

impl MemorySource {
    /// A draft of these files, named `rev`.
    pub fn new(rev: &str, files: impl IntoIterator<Item = (String, Vec<u8>)>) -> MemorySource {
        MemorySource {
            files: files.into_iter().collect(),
            revision: Revision {
                rev: rev.to_string(),
                commit: None,
                date: None,
                dirty: super::Dirty::known(false),
            },
            by_content: false,
        }
    }

    /// The same draft with its files named by their content, as git names blobs, and the
    /// whole by all of them, as git names a tree: versions loaded through one cache share the
    /// files they have alike, as versions of a git repository do.
    pub fn named_by_content(self) -> MemorySource {
        MemorySource {
            by_content: true,
            ..self
        }
    }
}

impl Source for MemorySource {
    fn files(&self) -> Result<Vec<String>, Error> {
        Ok(self
            .files
            .keys()
            .filter(|p| !p.split('/').any(|part| part.starts_with('.')))
            .cloned()
            .collect())
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        if !super::is_contained(path) {
            return Err(ReadError::OutsideRoot);
        }
        self.files.get(path).cloned().ok_or(ReadError::NotFound)
    }

    fn revision(&self) -> &Revision {
        &self.revision
    }

    fn content_id(&self, path: &str) -> Option<String> {
        let text = self.files.get(path).filter(|_| self.by_content)?;
        Some(String::from_utf8_lossy(text).into())
    }

    fn tree_id(&self) -> Option<String> {
        use sha2::Digest;
        let mut tree = sha2::Sha256::new();
        for (path, text) in self.files.iter().filter(|_| self.by_content) {
            tree.update([path.as_bytes(), b"\0", text, b"\0"].concat());
        }
        let hex = |b: &u8| format!("{b:02x}");
        self.by_content
            .then(|| tree.finalize().iter().map(hex).collect())
    }
}
