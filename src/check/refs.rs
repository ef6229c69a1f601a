//! Cross-references: every `[](#id)` must name a clause, annex or document of the package.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{Agreement, Status};

/// Reports links to ids that do not exist, and to withdrawn clauses, which have no number.
pub(super) fn check(agreement: &Agreement, scans: &[super::Scan<'_>]) -> Vec<Diagnostic> {
    let mut ids = BTreeSet::new();
    let mut withdrawn = BTreeSet::new();
    for doc in &agreement.documents {
        ids.insert(doc.id.as_str());
        ids.extend(doc.annexes.iter().map(|a| a.id.as_str()));
    }
    for (_, _, clause) in agreement.clauses() {
        ids.insert(clause.id.as_str());
        if clause.status == Status::Withdrawn {
            withdrawn.insert(clause.id.as_str());
        }
    }
    let mut out = Vec::new();
    for (clause, references, _) in scans {
        if clause.status == Status::Withdrawn {
            continue;
        }
        for r in *references {
            let span = Some(clause.body_offset + r.span.start..clause.body_offset + r.span.end);
            if !ids.contains(r.target.as_str()) {
                let hint = did_you_mean(&r.target, ids.iter().copied()).unwrap_or_else(|| {
                    "link to the id of a clause, annex or document, as `[](#clause-id)`".into()
                });
                out.push(
                    Diagnostic::error(
                        "dangling-reference",
                        &clause.path,
                        span,
                        format!("reference to `#{}`, which does not exist", r.target),
                    )
                    .with_hint(hint),
                );
            } else if withdrawn.contains(r.target.as_str()) {
                out.push(
                    Diagnostic::error(
                        "reference-to-withdrawn",
                        &clause.path,
                        span,
                        format!("reference to `#{}`, which is withdrawn", r.target),
                    )
                    .with_hint("a withdrawn clause has no number and is not rendered: refer to another clause"),
                );
            }
        }
    }
    out
}
