//! Validation rules over a loaded draft; each rule returns diagnostics, none stops.
//!
//! Loading already reports what it meets while reading (syntax, unknown keys, values);
//! these rules look at the assembled agreement and the files' texts.

mod pasted;
mod refs;
mod text;

use crate::diagnostic::{self, Diagnostic};
use crate::load::Loaded;

/// Every problem in a loaded draft, loader's and rules', sorted.
pub fn run(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out = loaded.diagnostics.clone();
    out.extend(refs::check(&loaded.agreement));
    out.extend(text::check(loaded));
    out.extend(pasted::check(&loaded.agreement));
    diagnostic::sort(&mut out);
    out.dedup();
    out
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| d.severity == diagnostic::Severity::Error)
}
