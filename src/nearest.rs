//! "Did you mean": the nearest of the known words to one that is not.
//!
//! Words are compared as `similar::get_close_matches` compares them, by twice their longest
//! common subsequence of characters over their total length, but the subsequence is counted
//! a machine word at a time rather than found by a diff per candidate. A draft with a
//! thousand clauses gone missing (a folder that `.gitignore` came to match) asked for a
//! thousand suggestions among 10,000 ids: twelve seconds of diffs.

/// How close a candidate must be: the ratio `similar::get_close_matches` is given.
const CUTOFF: f32 = 0.6;

/// The nearest of `candidates` to `word` whose ratio is at least 0.6: the highest ratio, the
/// first in sort order among equals.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let Some(masks) = Masks::of(word) else {
        let candidates: Vec<&str> = candidates.into_iter().collect();
        return similar::get_close_matches(word, &candidates, 1, CUTOFF)
            .into_iter()
            .next();
    };
    let mut best: Option<(u32, &str)> = None;
    for candidate in candidates {
        let length = candidate.chars().count();
        let total = masks.length + length;
        // No subsequence is longer than the shorter word.
        if ratio(masks.length.min(length), total) < CUTOFF {
            continue;
        }
        let ratio = ratio(masks.common(candidate), total);
        if ratio < CUTOFF {
            continue;
        }
        // As `get_close_matches` ranks: the ratio scaled to an integer, then the word.
        let rank = (ratio * u32::MAX as f32) as u32;
        match best {
            Some((r, w)) if r > rank || (r == rank && w <= candidate) => {}
            _ => best = Some((rank, candidate)),
        }
    }
    best.map(|(_, w)| w)
}

/// `similar`'s ratio: twice the characters in common over the characters of both words.
fn ratio(common: usize, total: usize) -> f32 {
    if total == 0 {
        1.0
    } else {
        2.0 * common as f32 / total as f32
    }
}

/// For each character of a word of at most 64, the bits of the places it holds.
struct Masks {
    length: usize,
    /// An ASCII character's bits, at its code.
    ascii: [u64; 128],
    /// Any other character's, sorted by character for a binary search.
    other: Vec<(char, u64)>,
}

impl Masks {
    fn of(word: &str) -> Option<Masks> {
        let mut masks = Masks {
            length: 0,
            ascii: [0; 128],
            other: Vec::new(),
        };
        for (k, c) in word.chars().enumerate() {
            let bit = 1u64.checked_shl(u32::try_from(k).ok()?)?;
            match masks.ascii.get_mut(c as usize) {
                Some(mask) => *mask |= bit,
                None => match masks.other.binary_search_by_key(&c, |&(o, _)| o) {
                    Ok(at) => masks.other[at].1 |= bit,
                    Err(at) => masks.other.insert(at, (c, bit)),
                },
            }
            masks.length = k + 1;
        }
        Some(masks)
    }

    fn mask(&self, c: char) -> u64 {
        match self.ascii.get(c as usize) {
            Some(&mask) => mask,
            None => match self.other.binary_search_by_key(&c, |&(o, _)| o) {
                Ok(at) => self.other[at].1,
                Err(_) => 0,
            },
        }
    }

    /// The length of the longest common subsequence of the word and `other`, in characters
    /// (Hyyrö's bit-vector recurrence: a zero bit of `v` for each character of the word
    /// matched so far).
    fn common(&self, other: &str) -> usize {
        let all = match self.length {
            64 => u64::MAX,
            n => (1u64 << n) - 1,
        };
        let mut v = all;
        for c in other.chars() {
            let u = v & self.mask(c);
            v = (v.wrapping_add(u) | (v - u)) & all;
        }
        (!v & all).count_ones() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The longest common subsequence by the textbook table.
    fn lcs(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut row = vec![0usize; b.len() + 1];
        for x in &a {
            let mut diagonal = 0;
            for (j, y) in b.iter().enumerate() {
                let up = row[j + 1];
                row[j + 1] = if x == y { diagonal + 1 } else { up.max(row[j]) };
                diagonal = up;
            }
        }
        row[b.len()]
    }

    #[test]
    fn suggests_close_words_only_and_the_first_of_equals() {
        assert_eq!(
            nearest("clasification", ["status", "classification"]),
            Some("classification")
        );
        assert_eq!(nearest("zzz", ["classification", "status"]), None);
        assert_eq!(
            nearest("c-000124", ["c-000125", "c-000123"]),
            Some("c-000123")
        );
        assert_eq!(
            nearest("sécurité", ["securite", "sécurités"]),
            Some("sécurités")
        );
    }

    proptest! {
        #[test]
        fn counts_the_longest_common_subsequence(a in "[ab-é]{0,64}", b in "[ab-é]{0,80}") {
            let masks = Masks::of(&a).ok_or_else(|| TestCaseError::fail("64 characters fit"))?;
            prop_assert_eq!(masks.common(&b), lcs(&a, &b));
        }

        #[test]
        fn suggests_what_similar_suggests(
            word in "[a-e-]{0,12}",
            candidates in proptest::collection::vec("[a-e-]{0,12}", 0..30),
        ) {
            let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let expected = similar::get_close_matches(word.as_str(), &refs, 1, CUTOFF);
            prop_assert_eq!(nearest(&word, refs.iter().copied()), expected.first().copied());
        }
    }
}
