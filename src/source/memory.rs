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
}
