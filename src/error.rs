//! Fatal failures: the errors that stop a command, and the exit status each one maps to.
//!
//! Problems in a draft are not errors here but [`crate::diagnostic::Diagnostic`]s, which
//! are collected and reported together; an [`Error`] means the command cannot go on.

use std::path::PathBuf;

/// A failure that stops the command. Messages are lower case and name things in backticks.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// What was being done ("read", "write", "create").
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// No `entente.toml` in the folder or any parent.
    #[error("no `entente.toml` found in `{0}` or any parent folder")]
    NotADraft(PathBuf),
    /// A REV that is neither `WORKTREE`, a folder, nor a git revision.
    #[error("unknown revision `{rev}`: {reason}")]
    UnknownRevision {
        /// The REV as the user wrote it.
        rev: String,
        /// Why it could not be resolved, and what to try instead.
        reason: String,
    },
    /// A git operation failed on an existing repository.
    #[error("git: {0}")]
    Git(String),
    /// The draft has errors; they were already reported as diagnostics.
    #[error("the draft has {0} error{s}", s = if *.0 == 1 { "" } else { "s" })]
    InvalidDraft(usize),
    /// A request that contradicts the draft or the file system (an existing manifest, an unknown document...).
    #[error("{0}")]
    Refused(String),
    /// Rendering through a template failed.
    #[error("template `{name}`: {message}")]
    Template {
        /// The template's file name.
        name: String,
        /// What went wrong, with its position in the template.
        message: String,
    },
    /// The leak wall found withheld material in an output; nothing was written.
    #[error("{0} leak{s} found: nothing was written", s = if *.0 == 1 { "" } else { "s" })]
    Leak(usize),
    /// The command line is inconsistent in a way clap cannot tell.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// SPEC §2: 1 when the input is wrong, 2 when the command line is wrong.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Wraps an I/O failure with the path it concerns.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Error {
        Error::Git(e.message().to_string())
    }
}
