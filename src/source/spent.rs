//! A version whose files were all read: it keeps which version it was and drops the rest.

use super::{ReadError, Revision, Source};
use crate::error::Error;

/// What is left of a source once its files are read: its revision and tree id. A git
/// revision's source holds the repository open, with its pack of objects mapped into
/// memory (6.6 MB at 10,000 clauses), and the tree's every path: held on while a `diff`
/// checked, projected and compared both versions, they were a fifth of its peak memory.
pub struct Spent {
    revision: Revision,
    tree: Option<String>,
}

impl Spent {
    /// What is left of `source`, which is dropped.
    pub fn of(source: Box<dyn Source>) -> Box<dyn Source> {
        Box::new(Spent {
            revision: source.revision().clone(),
            tree: source.tree_id(),
        })
    }
}

impl Source for Spent {
    fn files(&self) -> Result<Vec<String>, Error> {
        Ok(Vec::new())
    }

    fn read(&self, _: &str) -> Result<Vec<u8>, ReadError> {
        Err(ReadError::NotFound)
    }

    fn revision(&self) -> &Revision {
        &self.revision
    }

    fn tree_id(&self) -> Option<String> {
        self.tree.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_source_names_its_version_and_tree_but_reads_nothing() {
        let files = [("entente.toml".to_string(), b"x".to_vec())];
        let source = super::super::MemorySource::new("v2", files).named_by_content();
        let tree = source.tree_id();
        assert!(tree.is_some() && source.read("entente.toml").is_ok());
        let spent = Spent::of(Box::new(source));
        assert_eq!(spent.revision().rev, "v2");
        assert_eq!(spent.tree_id(), tree);
        assert!(spent.files().is_ok_and(|f| f.is_empty()));
        assert!(matches!(
            spent.read("entente.toml"),
            Err(ReadError::NotFound)
        ));
    }
}
