//! Wording pasted from classified text (SPEC §3): an included clause that repeats eight or
//! more consecutive words of a clause some edition withholds is flagged for review.
//!
//! The leak wall cannot catch this case on its own, because it ignores runs that also
//! occur in an included clause; this warning is where a drafter hears of it.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::model::{Agreement, Clause, Level, Status};

/// How many consecutive words make a run (SPEC §3).
pub(crate) const RUN: usize = 8;

/// Lower-case words of a text with their byte offsets.
fn words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, text[s..i].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// FNV-1a over the words of a window: stable across runs and Rust versions.
fn hash(window: &[(usize, String)]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (_, word) in window {
        for b in word.bytes().chain(std::iter::once(b' ')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Warns on each included clause that repeats a run of a clause an edition withholds from
/// an edition that includes the first.
pub(super) fn check(agreement: &Agreement) -> Vec<Diagnostic> {
    // A clause is included by an edition when it and its annex are at or below `max`.
    let clauses: Vec<(&Clause, Level)> = agreement
        .clauses()
        .filter(|(_, _, c)| c.status != Status::Withdrawn)
        .map(|(_, annex, c)| (c, annex.map_or(c.level, |a| a.level.max(c.level))))
        .collect();
    let maxes: Vec<(Level, &str)> = agreement
        .editions
        .iter()
        .map(|e| (e.max, e.name.as_str()))
        .collect();
    let mut runs: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, (clause, level)) in clauses.iter().enumerate() {
        if maxes.iter().any(|(max, _)| level > max) {
            for window in words(&clause.body).windows(RUN) {
                runs.entry(hash(window)).or_insert(i);
            }
        }
    }
    let mut out = Vec::new();
    for (clause, level) in &clauses {
        let mut reported = std::collections::BTreeSet::new();
        for window in words(&clause.body).windows(RUN) {
            let Some(&source) = runs.get(&hash(window)) else {
                continue;
            };
            let (secret, secret_level) = clauses[source];
            let edition = maxes
                .iter()
                .find(|(max, _)| level <= max && secret_level > *max);
            let Some((_, edition)) = edition else {
                continue;
            };
            if !reported.insert(source) {
                continue;
            }
            let at = clause.body_offset + window[0].0;
            let end = clause.body_offset + window[RUN - 1].0 + window[RUN - 1].1.len();
            out.push(
                Diagnostic::warning(
                    "pasted-from-withheld",
                    &clause.path,
                    Some(at..end),
                    format!("repeats eight or more consecutive words of `{}`, which edition `{edition}` withholds", secret.id),
                )
                .with_hint("the wording may have been pasted from classified text: confirm it is public, or rephrase it"),
            );
        }
    }
    out
}
