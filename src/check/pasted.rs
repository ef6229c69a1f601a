//! Wording pasted from classified text (SPEC §3): an included clause that repeats eight or
//! more consecutive words of a clause some edition withholds is flagged for review.
//!
//! The leak wall cannot catch this case on its own, because it ignores runs that also
//! occur in an included clause; this warning is where a drafter hears of it.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::{Agreement, Clause, Level, Status};

// How many consecutive words make a run: the leak wall's (SPEC §3), whose hash of runs
// this shares.
use crate::leak::RUN;

/// A word: where it starts and ends in the text, and the hash of its lower-case form.
type Word = (usize, usize, u64);

/// Calls `f` on each word of a text, hashed in place: allocating a string, or even a
/// vector, per word dominated `check` on large drafts.
fn each_word(text: &str, mut f: impl FnMut(Word)) {
    const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    // FNV-1a over the lower-cased characters: stable across runs and versions.
    let mix = |h: u64, l: char| (h ^ u64::from(l)).wrapping_mul(0x0100_0000_01b3);
    let mut start = None;
    let mut h = BASIS;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
                h = BASIS;
            }
            h = if c.is_ascii() {
                mix(h, c.to_ascii_lowercase())
            } else {
                c.to_lowercase().fold(h, mix)
            };
        } else if let Some(s) = start.take() {
            f((s, i, h));
        }
    }
    if let Some(s) = start {
        f((s, text.len(), h));
    }
}

/// Calls `f` on each run of a text: where its first word starts, where its last word
/// ends, and its hash. The hash is the leak wall's rolling one, so that each word costs a
/// step rather than one per word of the run: mixing eight words anew for each was most of
/// this warning's time.
fn each_run(text: &str, mut f: impl FnMut(usize, usize, u64)) {
    // The last RUN words, the oldest at `seen % RUN` once the ring is full.
    let mut ring = [(0, 0, 0); RUN];
    let mut seen = 0;
    let mut rolling = crate::leak::Rolling::default();
    each_word(text, |word| {
        let oldest = &mut ring[seen % RUN];
        let h = rolling.push(word.2, (seen >= RUN).then_some(oldest.2));
        *oldest = word;
        seen += 1;
        if seen >= RUN {
            f(ring[seen % RUN].0, word.1, h);
        }
    });
}

/// A set of run hashes that answers "certainly not here" from a bitmap, without the
/// cache misses of a search through every run: each hash sets two bits of one word, chosen
/// by other bits of it than the word, sixteen bits a hash or more. One bit let through 6%
/// of the runs that are not there, each then kept as a candidate until the withheld
/// clauses were read again; two let through about 1.5%.
struct Filter {
    bits: Vec<u64>,
    mask: u64,
}

impl Filter {
    /// An empty filter sized for `count` hashes.
    fn sized(count: usize) -> Filter {
        let size = (count.saturating_mul(16))
            .next_power_of_two()
            .clamp(64, 1 << 26) as u64;
        Filter {
            bits: vec![0u64; (size / 64) as usize],
            mask: size - 1,
        }
    }

    /// The word of `h` and the two bits it sets there.
    fn place(&self, h: u64) -> (usize, u64) {
        let word = ((h & self.mask) / 64) as usize;
        (word, 1 << (h >> 52 & 63) | 1 << (h >> 58))
    }

    fn insert(&mut self, h: u64) {
        let (word, pair) = self.place(h);
        if let Some(word) = self.bits.get_mut(word) {
            *word |= pair;
        }
    }

    fn is_empty(&self) -> bool {
        self.bits.iter().all(|word| *word == 0)
    }

    fn may_hold(&self, h: u64) -> bool {
        let (word, pair) = self.place(h);
        self.bits.get(word).is_some_and(|w| w & pair == pair)
    }
}

/// How many runs a text has, counted without hashing them, to size the filters.
fn count_runs(text: &str) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for c in text.chars() {
        let alphanumeric = c.is_alphanumeric();
        words += usize::from(alphanumeric && !in_word);
        in_word = alphanumeric;
    }
    (words + 1).saturating_sub(RUN)
}

/// A run of an included clause that its threshold's filter may hold: where it starts and
/// ends in the body, and its hash.
type Candidate = (usize, usize, u64);

/// Warns on each included clause that repeats a run of a clause an edition withholds from
/// an edition that includes the first.
///
/// The runs of the withheld clauses are not kept: filters of them answer for each run of an
/// included clause whether it may be withheld wording, and only the few that may are then
/// looked for in the withheld clauses, hashed a second time. Keeping every withheld run with
/// its clause was most of `check`'s peak memory (8 MB at 10,000 clauses).
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
    // Some edition includes a clause at `level` and withholds a clause above the lowest
    // `max` at or above `level`, and only then.
    let threshold = |level: Level| {
        maxes
            .iter()
            .map(|(max, _)| *max)
            .filter(|max| *max >= level)
            .min()
    };
    let withheld_somewhere = |level: Level| maxes.iter().any(|(max, _)| level > *max);
    let withheld: Vec<usize> = (0..clauses.len())
        .filter(|&i| clauses.get(i).is_some_and(|c| withheld_somewhere(c.1)))
        .collect();
    if withheld.is_empty() {
        return Vec::new();
    }
    let filters = filters(&clauses, &withheld, &threshold);
    let candidates: Vec<Vec<Candidate>> = crate::parallel::map(&clauses, |(clause, level)| {
        let Some(filter) = (threshold(*level))
            .and_then(|t| filters.iter().find(|(at, _)| *at == t))
            .map(|(_, filter)| filter)
        else {
            return Vec::new();
        };
        // The clause's runs are hashed first and then probed in a loop of their own: the
        // filter is megabytes, and probes that wait on nothing else overlap their cache
        // misses, where one probe a word, between hashing words, stalled on each.
        let mut here = Vec::new();
        each_run(&clause.body, |start, end, h| here.push((start, end, h)));
        here.retain(|&(_, _, h)| filter.may_hold(h));
        here.shrink_to_fit();
        here
    });
    let sources = sources(&clauses, &withheld, &candidates);
    let mut out = Vec::new();
    for ((clause, level), found) in clauses.iter().zip(&candidates) {
        let mut reported = BTreeSet::new();
        for &(start, end, h) in found {
            let Ok(k) = sources.binary_search_by_key(&h, |&(run, _)| run) else {
                continue;
            };
            let Some(&(_, source)) = sources.get(k) else {
                continue;
            };
            let Some(&(secret, secret_level)) = clauses.get(source) else {
                continue;
            };
            let Some((_, edition)) = maxes
                .iter()
                .find(|(max, _)| level <= max && secret_level > *max)
            else {
                continue;
            };
            if !reported.insert(source) {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    "pasted-from-withheld",
                    &clause.path,
                    Some(clause.body_offset + start..clause.body_offset + end),
                    format!("repeats eight or more consecutive words of `{}`, which edition `{edition}` withholds", secret.id),
                )
                .with_hint("the wording may have been pasted from classified text: confirm it is public, or rephrase it"),
            );
        }
    }
    out
}

/// One filter per threshold, holding only the runs of the withheld clauses above it: a
/// clause never looks up its own runs, nor runs it may repeat. Empty filters are left out.
fn filters(
    clauses: &[(&Clause, Level)],
    withheld: &[usize],
    threshold: &dyn Fn(Level) -> Option<Level>,
) -> Vec<(Level, Filter)> {
    let mut thresholds: Vec<Level> = (clauses.iter())
        .filter_map(|(_, level)| threshold(*level))
        .collect();
    thresholds.sort_unstable();
    thresholds.dedup();
    let held: Vec<(&str, Level)> = (withheld.iter())
        .filter_map(|&i| clauses.get(i).map(|(c, level)| (&*c.body, *level)))
        .collect();
    let counts = crate::parallel::map(&held, |(body, _)| count_runs(body));
    let mut filters: Vec<(Level, Filter)> = (thresholds.into_iter())
        .map(|t| {
            let above = (held.iter().zip(&counts))
                .filter(|((_, level), _)| *level > t)
                .map(|(_, count)| count)
                .sum();
            (t, Filter::sized(above))
        })
        .collect();
    for (body, level) in &held {
        each_run(body, |_, _, h| {
            for (_, filter) in filters.iter_mut().filter(|(t, _)| level > t) {
                filter.insert(h);
            }
        });
    }
    filters.retain(|(_, filter)| !filter.is_empty());
    filters
}

/// The withheld clause each candidate run is credited to, by hash, sorted: the most
/// classified clause holding it, the first of those; any edition that withholds one of the
/// clauses sharing a run from a clause it includes withholds that one too. Candidates that
/// no withheld clause holds (the filters' false alarms) have none.
fn sources(
    clauses: &[(&Clause, Level)],
    withheld: &[usize],
    candidates: &[Vec<Candidate>],
) -> Vec<(u64, usize)> {
    let mut wanted: Vec<u64> = (candidates.iter().flatten()).map(|c| c.2).collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Vec::new();
    }
    let quick = {
        let mut filter = Filter::sized(wanted.len());
        wanted.iter().for_each(|&h| filter.insert(h));
        filter
    };
    // Each withheld clause's runs among the wanted ones, as indices into `wanted`.
    let held = crate::parallel::map(withheld, |&i| {
        let mut hits = Vec::new();
        if let Some((clause, _)) = clauses.get(i) {
            each_run(&clause.body, |_, _, h| {
                if quick.may_hold(h)
                    && let Ok(k) = wanted.binary_search(&h)
                {
                    hits.push(k);
                }
            });
        }
        hits
    });
    let mut best: Vec<Option<(usize, Level)>> = vec![None; wanted.len()];
    for (&i, hits) in withheld.iter().zip(&held) {
        let level = clauses.get(i).map_or(0, |c| c.1);
        for &k in hits {
            if let Some(slot) = best.get_mut(k)
                && slot.is_none_or(|(_, l)| level > l)
            {
                *slot = Some((i, level));
            }
        }
    }
    (wanted.into_iter().zip(best))
        .filter_map(|(h, best)| best.map(|(i, _)| (h, i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &str) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        each_run(text, |start, end, h| {
            out.push((text[start..end].to_string(), h))
        });
        out
    }

    #[test]
    fn a_run_hashes_alike_wherever_it_stands_and_apart_from_its_neighbours() {
        let words = "the parties shall withdraw all forces behind the agreed line";
        let alone = runs(words);
        let later = runs(&format!("Article 4. Within thirty days, {words}."));
        assert_eq!(alone.len(), 3);
        assert_eq!(later.len(), alone.len() + 5);
        // The same eight words after five others: the same run.
        let (text, hash) = &later[5];
        assert_eq!(text, "the parties shall withdraw all forces behind the");
        assert_eq!(*hash, alone[0].1);
        assert_eq!(later[7].1, alone[2].1);
        let mut hashes: Vec<u64> = later.iter().map(|(_, h)| *h).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), later.len(), "{later:?}");
        // Two words trading places make another run.
        let swapped = runs("the parties shall withdraw all behind forces the");
        assert_ne!(swapped[0].1, alone[0].1);
    }

    #[test]
    fn the_filter_holds_every_hash_put_in_and_lets_few_others_through() {
        // Hashes spread over all 64 bits, as the rolling hash spreads them: splitmix64 of a
        // counter. (With one bit a hash, about 3,750 of the others pass.)
        let hash = |i: u64| {
            let z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut filter = Filter::sized(10_000);
        (0..10_000).for_each(|i| filter.insert(hash(i)));
        assert!((0..10_000).all(|i| filter.may_hold(hash(i))));
        let others = (10_000..110_000)
            .filter(|&i| filter.may_hold(hash(i)))
            .count();
        assert!(
            others < 3_000,
            "{others} of 100,000 absent hashes let through"
        );
    }

    #[test]
    fn runs_are_counted_as_many_as_are_hashed() {
        let texts = [
            "",
            "one two three four five six seven",
            "one two three four five six seven eight",
            "Article 4.2(b): within thirty (30) days, the Parties -- each of them -- shall\nwithdraw   all forces; Übergänge 12a sind zu schließen.",
        ];
        let counts: Vec<(usize, usize)> = (texts.iter())
            .map(|t| (count_runs(t), runs(t).len()))
            .collect();
        // The last has 22 words: Article, 4, 2, b, within, ..., zu, schließen.
        assert_eq!(counts, [(0, 0), (0, 0), (1, 1), (15, 15)]);
    }
}
