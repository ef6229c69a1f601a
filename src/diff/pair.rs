//! Pairing the clauses of two versions: by id, then by identical text, then by similar
//! text, so that a clause whose id or file changed is reported as itself (`old_id`).
//!
//! Near-linear: identical texts pair by hash; the remaining clauses are compared only
//! with candidates that share a rare three-word shingle, never every pair blindly.

use std::collections::{BTreeMap, BTreeSet};

use super::redline::similarity;

/// The least similarity for two clauses with different ids to be the same clause.
///
/// Measured on the Terms of Service corpus (`../shared/corpus/terms-of-service/`) and
/// the sample's renamed clause: a provision whose wording was revised keeps 0.6–0.95 of
/// its words in order, while distinct provisions of the same text share under 0.35
/// (boilerplate such as "GitHub may" and "you agree" is common but short).
/// 0.5 sits in the gap, on the side of reporting a removal and an addition rather than
/// a false pairing.
pub const THRESHOLD: f64 = 0.5;

/// Shingles shared by more clauses than this are boilerplate, not evidence.
const COMMON: usize = 24;

/// How many candidates, by shared shingles, each clause is compared with.
const CANDIDATES: usize = 4;

/// What pairing needs of a clause.
pub(super) struct Key<'a> {
    /// Its id.
    pub(super) id: &'a str,
    /// Its body.
    pub(super) body: &'a str,
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn fnv(parts: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn shingles(text: &str) -> BTreeSet<u64> {
    let words = words(text);
    let size = words.len().clamp(1, 3);
    words.windows(size).map(fnv).collect()
}

/// Pairs old clauses with new ones; returns `(old index, new index)` pairs, sorted.
pub(super) fn pair(old: &[Key<'_>], new: &[Key<'_>]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    // Which new clauses are still unpaired, by index: a set of them took longer to keep up
    // than the pairing itself.
    let mut new_free = vec![true; new.len()];
    let free = |new_free: &[bool]| -> Vec<usize> {
        (0..new_free.len())
            .filter(|&j| new_free.get(j) == Some(&true))
            .collect()
    };
    let mut old_free = Vec::new();
    let by_id: BTreeMap<&str, usize> = new.iter().enumerate().map(|(i, k)| (k.id, i)).collect();
    for (i, k) in old.iter().enumerate() {
        match by_id.get(k.id) {
            Some(&j) => {
                pairs.push((i, j));
                new_free[j] = false;
            }
            None => old_free.push(i),
        }
    }
    // Identical text: a renamed file or changed id with nothing else changed.
    let mut by_text: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for j in free(&new_free) {
        if !new[j].body.trim().is_empty() {
            by_text.entry(new[j].body.trim()).or_default().push(j);
        }
    }
    let mut still_free = Vec::new();
    for i in old_free {
        let found = by_text
            .get_mut(old[i].body.trim())
            .and_then(|js| (!js.is_empty()).then(|| js.remove(0)));
        match found {
            Some(j) => {
                pairs.push((i, j));
                new_free[j] = false;
            }
            None => still_free.push(i),
        }
    }
    // Similar text, among candidates that share rare shingles.
    let mut index: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for j in free(&new_free) {
        for s in shingles(new[j].body) {
            index.entry(s).or_default().push(j);
        }
    }
    // Each clause is scored against its candidates on its own, a few diffs apiece: on every
    // core, a handful of clauses a thread.
    let scored = crate::parallel::map_by(&still_free, 4, |&i| {
        let mut shared: BTreeMap<usize, usize> = BTreeMap::new();
        for s in shingles(old[i].body) {
            if let Some(js) = index.get(&s).filter(|js| js.len() <= COMMON) {
                for &j in js {
                    *shared.entry(j).or_default() += 1;
                }
            }
        }
        let mut candidates: Vec<(usize, usize)> = shared.into_iter().collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let scores = candidates.into_iter().take(CANDIDATES).map(|(j, _)| {
            let score = similarity(old[i].body, new[j].body);
            (score, i, j)
        });
        scores.filter(|s| s.0 >= THRESHOLD).collect::<Vec<_>>()
    });
    let mut scored: Vec<(f64, usize, usize)> = scored.into_iter().flatten().collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut old_taken = BTreeSet::new();
    for (_, i, j) in scored {
        if !old_taken.contains(&i) && new_free.get(j) == Some(&true) {
            old_taken.insert(i);
            new_free[j] = false;
            pairs.push((i, j));
        }
    }
    pairs.sort_unstable();
    pairs
}

/// The positions in `sequence` that are not in one of its longest increasing
/// subsequences, in order: the elements that moved, as few as possible (patience sorting).
pub(super) fn moved(sequence: &[usize]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new();
    let mut back: Vec<Option<usize>> = vec![None; sequence.len()];
    for (i, &value) in sequence.iter().enumerate() {
        let at = tails.partition_point(|&t| sequence[t] < value);
        back[i] = at.checked_sub(1).map(|p| tails[p]);
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut kept = vec![false; sequence.len()];
    let mut cursor = tails.last().copied();
    while let Some(i) = cursor {
        kept[i] = true;
        cursor = back[i];
    }
    (0..sequence.len()).filter(|&i| !kept[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'a>(items: &'a [(&'a str, &'a str)]) -> Vec<Key<'a>> {
        items.iter().map(|(id, body)| Key { id, body }).collect()
    }

    #[test]
    fn pairs_by_id_then_identical_text_then_similar_text() {
        let old = [
            ("a", "alpha text"),
            (
                "b",
                "The parties shall meet every year in Geneva to review the agreement.",
            ),
            ("c", "Same text."),
        ];
        let new = [
            ("z", "Same text."),
            ("a", "other"),
            (
                "y",
                "The parties shall meet every second year in Geneva to review this agreement.",
            ),
        ];
        assert_eq!(pair(&keys(&old), &keys(&new)), vec![(0, 1), (1, 2), (2, 0)]);
    }

    #[test]
    fn unrelated_clauses_stay_unpaired() {
        let old = [("a", "The buyer pays the seller on delivery of the goods.")];
        let new = [(
            "b",
            "Disputes go to arbitration in Stockholm under its rules.",
        )];
        assert!(pair(&keys(&old), &keys(&new)).is_empty());
    }

    #[test]
    fn only_what_left_its_place_is_moved() {
        assert!(moved(&[0, 1, 2, 3]).is_empty());
        // One clause taken from the end and put first: it moved, the others did not.
        assert_eq!(moved(&[3, 0, 1, 2]), [0]);
        assert_eq!(moved(&[0, 2, 1, 3]).len(), 1);
    }
}
