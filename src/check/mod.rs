//! Validation rules over a loaded draft; each rule returns diagnostics, none stops.
//!
//! Loading already reports what it meets while reading (syntax, unknown keys, values);
//! these rules look at the assembled agreement and the files' texts.

mod pasted;
mod refs;
mod text;

use crate::diagnostic::{self, Diagnostic};
use crate::load::Loaded;

/// A clause with its body's references and raw HTML, scanned once for every rule.
type Scan<'a> = (
    &'a crate::model::Clause,
    Vec<crate::markdown::Reference>,
    Vec<crate::markdown::RawHtml>,
);

/// Every problem in a loaded draft, loader's and rules', sorted.
pub fn run(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out = rules(loaded);
    out.extend(pasted::check(&loaded.agreement));
    diagnostic::sort(&mut out);
    out.dedup();
    out
}

/// Every problem but the search for wording pasted from withheld clauses, which only
/// `check` runs: the commands that render, compare or count need the errors, and that
/// search costs as much as all the other rules together on a large draft.
pub fn quick(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out = rules(loaded);
    diagnostic::sort(&mut out);
    out.dedup();
    out
}

fn rules(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out = loaded.diagnostics.clone();
    let clauses: Vec<&crate::model::Clause> =
        loaded.agreement.clauses().map(|(_, _, c)| c).collect();
    let scans: Vec<Scan<'_>> = crate::parallel::map(&clauses, |c| {
        let (references, html) = crate::markdown::scan(&c.body);
        (*c, references, html)
    });
    out.extend(refs::check(&loaded.agreement, &scans));
    out.extend(text::check(loaded, &scans));
    out
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| d.severity == diagnostic::Severity::Error)
}
