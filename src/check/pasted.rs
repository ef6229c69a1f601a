//! Wording pasted from classified text (SPEC §3): an included clause that repeats eight or
//! more consecutive words of a clause some edition withholds is flagged for review.
//!
//! The leak wall cannot catch this case on its own, because it ignores runs that also
//! occur in an included clause; this warning is where a drafter hears of it.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::{Agreement, Clause, Level, Status};

/// How many consecutive words make a run (SPEC §3).
pub(crate) const RUN: usize = 8;

/// A word: where it starts and ends in the text, and the hash of its lower-case form.
type Word = (usize, usize, u64);

/// The words of a text, hashed in place: allocating a string per word dominated `check`
/// on large drafts.
fn words(text: &str) -> Vec<Word> {
    const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut start = None;
    let mut h = BASIS;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i <= bytes.len() {
        // ASCII is lowered byte by byte; anything else is decoded as a character.
        let (alnum, lowered, width): (bool, Option<char>, usize) = match bytes.get(i) {
            None => (false, None, 1),
            Some(&b) if b < 0x80 => (
                b.is_ascii_alphanumeric(),
                Some(char::from(b.to_ascii_lowercase())),
                1,
            ),
            Some(_) => match text[i..].chars().next() {
                Some(c) => (c.is_alphanumeric(), None, c.len_utf8()),
                None => (false, None, 1),
            },
        };
        if alnum {
            if start.is_none() {
                start = Some(i);
                h = BASIS;
            }
            // FNV-1a over the lower-cased characters: stable across runs and versions.
            let mut mix = |l: char| {
                h ^= u64::from(l);
                h = h.wrapping_mul(0x0100_0000_01b3);
            };
            match lowered {
                Some(l) => mix(l),
                None => text[i..]
                    .chars()
                    .next()
                    .into_iter()
                    .flat_map(char::to_lowercase)
                    .for_each(mix),
            }
        } else if let Some(s) = start.take() {
            out.push((s, i, h));
        }
        i += width;
    }
    out
}

/// The hash of a run of words.
fn hash(run: &[Word]) -> u64 {
    run.iter().fold(0x9e37_79b9_7f4a_7c15, |acc, &(_, _, h)| {
        (acc ^ h).wrapping_mul(0x0100_0000_01b3).rotate_left(29)
    })
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
    let withheld_somewhere = |level: Level| maxes.iter().any(|(max, _)| level > *max);
    if !clauses.iter().any(|(_, level)| withheld_somewhere(*level)) {
        return Vec::new();
    }
    // Every run of every clause some edition withholds, sorted for binary search.
    let mut runs: Vec<(u64, usize)> = Vec::new();
    for (i, (clause, level)) in clauses.iter().enumerate() {
        if withheld_somewhere(*level) {
            runs.extend(words(&clause.body).windows(RUN).map(|w| (hash(w), i)));
        }
    }
    runs.sort_unstable();
    runs.dedup_by_key(|(h, _)| *h);
    // Most windows of included text are in no withheld clause: a bitmap answers that
    // without the cache misses of a binary search over every run (2^22 bits, 512 KiB).
    const BITS: u64 = 1 << 22;
    let mut seen = vec![0u64; (BITS / 64) as usize];
    for (h, _) in &runs {
        let bit = h % BITS;
        seen[(bit / 64) as usize] |= 1 << (bit % 64);
    }
    let maybe = |h: u64| {
        let bit = h % BITS;
        seen[(bit / 64) as usize] & (1 << (bit % 64)) != 0
    };
    let mut out = Vec::new();
    for (clause, level) in &clauses {
        let mut reported = BTreeSet::new();
        for window in words(&clause.body).windows(RUN) {
            let h = hash(window);
            if !maybe(h) {
                continue;
            }
            let Ok(k) = runs.binary_search_by_key(&h, |(h, _)| *h) else {
                continue;
            };
            let source = runs[k].1;
            let (secret, secret_level) = clauses[source];
            let Some((_, edition)) = maxes
                .iter()
                .find(|(max, _)| level <= max && secret_level > *max)
            else {
                continue;
            };
            if !reported.insert(source) {
                continue;
            }
            let at = clause.body_offset + window[0].0;
            let end = clause.body_offset + window[RUN - 1].1;
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
