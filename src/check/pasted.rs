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
/// cache misses of a search through every run; about one bit in sixteen is set.
struct Filter {
    bits: Vec<u64>,
    mask: u64,
}

impl Filter {
    fn new(hashes: impl Iterator<Item = u64> + Clone) -> Filter {
        let size = (hashes.clone().count() * 16)
            .next_power_of_two()
            .clamp(64, 1 << 26) as u64;
        let mut bits = vec![0u64; (size / 64) as usize];
        for h in hashes {
            let bit = h & (size - 1);
            bits[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        Filter {
            bits,
            mask: size - 1,
        }
    }

    fn is_empty(&self) -> bool {
        self.bits.iter().all(|word| *word == 0)
    }

    fn may_hold(&self, h: u64) -> bool {
        let bit = h & self.mask;
        self.bits
            .get((bit / 64) as usize)
            .is_some_and(|word| word & (1 << (bit % 64)) != 0)
    }
}

/// How many runs a text has, counted without hashing them: enough to size the vector of
/// every withheld run exactly, where growing it by doubling held up to twice its size.
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

/// A run's hash and the index of the clause it is credited to, in 12 bytes rather than the
/// 16 a tuple aligns to: there is one per word of every withheld clause, most of `check`'s
/// peak memory.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
struct Run {
    hash: u64,
    source: u32,
}

/// The runs of the withheld clauses, sorted by hash, each with the index of the most
/// classified clause holding it (the first of those): any edition that withholds one of
/// the clauses sharing a run from a clause it includes withholds that one too. The hashes
/// are uniform, so their top bits index where each prefix starts, which finds a run in two
/// reads where a binary search takes twenty.
struct Runs {
    runs: Vec<Run>,
    /// Where the runs of each prefix start, about two runs apart; 32 bits, as the sources.
    starts: Vec<u32>,
    shift: u32,
}

impl Runs {
    fn new(mut runs: Vec<Run>, level: impl Fn(usize) -> Level) -> Runs {
        runs.sort_unstable_by_key(|r| {
            (
                r.hash,
                std::cmp::Reverse(level(r.source as usize)),
                r.source,
            )
        });
        runs.dedup_by_key(|r| r.hash);
        // Not shrunk: a copy of the runs beside them would be the peak.
        let bits = (runs.len() / 2)
            .max(1)
            .next_power_of_two()
            .trailing_zeros()
            .max(1);
        let shift = 64 - bits;
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        let mut k = 0;
        for prefix in 0..=(1u64 << bits) {
            while runs.get(k).is_some_and(|r| r.hash >> shift < prefix) {
                k += 1;
            }
            starts.push(u32::try_from(k).unwrap_or(u32::MAX));
        }
        Runs {
            runs,
            starts,
            shift,
        }
    }

    /// The withheld clause a run is credited to.
    fn source(&self, h: u64) -> Option<usize> {
        let prefix = (h >> self.shift) as usize;
        let from = *self.starts.get(prefix)? as usize;
        let to = *self.starts.get(prefix + 1)? as usize;
        let bucket = self.runs.get(from..to)?;
        let run = bucket.iter().find(|run| run.hash == h)?;
        Some(run.source as usize)
    }
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
    if !clauses.iter().any(|(_, level)| withheld_somewhere(*level)) {
        return Vec::new();
    }
    // Every run of every clause some edition withholds; a run several such clauses share
    // is credited to the most classified of them.
    let withheld: Vec<(u32, &str)> = (clauses.iter().zip(0..))
        .filter(|((_, level), _)| withheld_somewhere(*level))
        .map(|((clause, _), i)| (i, &*clause.body))
        .collect();
    let mut all = Vec::with_capacity(withheld.iter().map(|(_, body)| count_runs(body)).sum());
    for (source, body) in withheld {
        each_run(body, |_, _, hash| all.push(Run { hash, source }));
    }
    let runs = Runs::new(all, |i| clauses.get(i).map_or(0, |c| c.1));
    // One filter per threshold, holding only the runs whose clause lies above it: a
    // clause never looks up its own runs, nor runs it may repeat.
    let mut thresholds: Vec<Level> = clauses
        .iter()
        .filter_map(|(_, level)| threshold(*level))
        .collect();
    thresholds.sort_unstable();
    thresholds.dedup();
    let filters: Vec<(Level, Filter)> = thresholds
        .into_iter()
        .map(|t| {
            let above = (runs.runs.iter())
                .filter(|r| clauses.get(r.source as usize).is_some_and(|c| c.1 > t))
                .map(|r| r.hash);
            (t, Filter::new(above))
        })
        .filter(|(_, filter)| !filter.is_empty())
        .collect();
    let found = crate::parallel::map(&clauses, |(clause, level)| {
        let mut out = Vec::new();
        let Some(t) = threshold(*level) else {
            return out;
        };
        let Some((_, filter)) = filters.iter().find(|(at, _)| *at == t) else {
            return out;
        };
        // The clause's runs are hashed first and then probed in a loop of their own: the
        // filter is megabytes, and probes that wait on nothing else overlap their cache
        // misses, where one probe a word, between hashing words, stalled on each.
        let mut here = Vec::new();
        each_run(&clause.body, |start, end, h| here.push((start, end, h)));
        here.retain(|&(_, _, h)| filter.may_hold(h));
        let mut reported = BTreeSet::new();
        for (start, end, h) in here {
            let Some(source) = runs.source(h) else {
                continue;
            };
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
        out
    });
    found.into_iter().flatten().collect()
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
