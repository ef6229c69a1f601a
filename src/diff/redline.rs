//! Word-level redlines: the exact edit between two clause texts, token by token.

use std::ops::Range;

use similar::{Algorithm, DiffTag, capture_diff_slices};

/// One run of a redline: a maximal stretch of text that was kept, removed or added.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    /// What happened to this text between the old and the new clause.
    pub op: Op,
    /// The text of the run, byte for byte as it appears in its source.
    pub text: String,
}

/// The fate of a [`Span`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Present in both texts.
    Equal,
    /// Present only in the old text.
    Delete,
    /// Present only in the new text.
    Insert,
}

/// Word-level diff of `old` and `new`.
///
/// The `Equal` and `Delete` spans concatenate to exactly `old`, the `Equal` and
/// `Insert` spans to exactly `new`. No span is empty, adjacent spans never
/// share an op, and a replaced stretch is always `Delete` then `Insert`.
pub fn redline(old: &str, new: &str) -> Vec<Span> {
    if old == new {
        let (op, text) = (Op::Equal, old.to_string());
        return Vec::from_iter((!old.is_empty()).then_some(Span { op, text }));
    }
    let (old, new) = (tokenize(old), tokenize(new));
    // Patience, not similar's default Myers: on lightly edited clauses the two
    // are within a few microseconds, but on heavily rewritten ones and on
    // unrelated 200 KB texts Patience was 2-3x faster, and anchoring on words
    // that occur once on each side kept more of the text Equal.
    let mut runs: Vec<Run> = Vec::new();
    for (equal, o, n) in diff_tokens(&old, &new, Algorithm::Patience) {
        // A blank Equal between two changes makes the reader alternate between
        // struck and inserted words ("~~a~~ b ~~c~~ d"); folding it into both
        // sides shows one "~~a c~~ b d" phrase. Only next to a real replacement,
        // though: "~~a~~ ~~c~~" is already as clear as it gets.
        if let [.., before, gap] = runs.as_slice()
            && !equal
            && gap.0
            && old[gap.1.clone()].iter().all(|t| is_blank(t))
            && ((!before.1.is_empty() && !before.2.is_empty()) || (!o.is_empty() && !n.is_empty()))
        {
            runs.pop();
        }
        match runs.last_mut() {
            Some(last) if last.0 == equal => (last.1.end, last.2.end) = (o.end, n.end),
            _ => runs.push((equal, o, n)),
        }
    }
    let mut spans = Vec::with_capacity(runs.len() + 1);
    for (equal, o, n) in runs {
        let first = if equal { Op::Equal } else { Op::Delete };
        let second = if equal { 0..0 } else { n };
        for (op, text) in [(first, old[o].concat()), (Op::Insert, new[second].concat())] {
            if !text.is_empty() {
                spans.push(Span { op, text });
            }
        }
    }
    spans
}

/// Rebuild the old text: the `Equal` and `Delete` spans, in order.
pub fn old_text(spans: &[Span]) -> String {
    rebuild(spans, Op::Delete)
}

/// Rebuild the new text: the `Equal` and `Insert` spans, in order.
pub fn new_text(spans: &[Span]) -> String {
    rebuild(spans, Op::Insert)
}

/// Similarity ratio in `[0, 1]` of two texts, on the same tokens as
/// [`redline`] minus whitespace: `2 * matches / (len_a + len_b)`, where
/// `matches` counts the tokens a diff keeps; `1.0` for two empty texts.
pub fn similarity(old: &str, new: &str) -> f64 {
    // Whitespace tokens are left out: they are about half of all tokens, so
    // counting them would hand any two unrelated prose texts a ratio near 0.5,
    // and re-indenting or reflowing a clause would look like a real change.
    // Matches come from a diff (as in difflib's ratio), not from a bag-of-words
    // overlap, so word order counts: "A shall pay B" is not "B shall pay A".
    // Hunt rather than redline's Patience: pairing clauses compares mostly
    // unrelated pairs, where Patience and Myers were 8-17x slower. Within its
    // budget of matching pairs (64 per token) Hunt finds a longest common
    // subsequence, so the ratio is exact and symmetric; past it, similar falls
    // back to bounded Myers, so even huge texts stay fast.
    if old == new {
        return 1.0;
    }
    let words = |s| tokenize(s).into_iter().filter(|t| !is_blank(t)).collect();
    let (old, new): (Vec<&str>, Vec<&str>) = (words(old), words(new));
    let total = old.len() + new.len();
    if total == 0 {
        return 1.0;
    }
    let runs = diff_tokens(&old, &new, Algorithm::Hunt).into_iter();
    let matches: usize = runs.filter(|r| r.0).map(|r| r.1.len()).sum();
    (2 * matches) as f64 / total as f64
}

fn rebuild(spans: &[Span], side: Op) -> String {
    let kept = spans.iter().filter(|s| s.op == Op::Equal || s.op == side);
    kept.map(|s| s.text.as_str()).collect()
}

/// A stretch of the edit: (kept?, old token range, new token range).
type Run = (bool, Range<usize>, Range<usize>);

/// The edit script between two token sequences, as contiguous token ranges.
fn diff_tokens(old: &[&str], new: &[&str], alg: Algorithm) -> Vec<Run> {
    // similar trims too, but only after hashing every token; trimming first
    // means a typical clause edit hashes just the few tokens around it.
    let pre = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let (old_rest, new_rest) = (old[pre..].iter().rev(), new[pre..].iter().rev());
    let suf = old_rest.zip(new_rest).take_while(|(a, b)| a == b).count();
    let (old_end, new_end) = (old.len() - suf, new.len() - suf);
    let mut runs = vec![(true, 0..pre, 0..pre)];
    if pre == old_end || pre == new_end {
        runs.push((false, pre..old_end, pre..new_end));
    } else {
        // The deadline-free entry point: similar's heuristics give up after a
        // count of steps, never after a wall-clock time, so the same input
        // gives the same redline on any machine, however loaded.
        for op in capture_diff_slices(alg, &old[pre..old_end], &new[pre..new_end]) {
            let (tag, o, n) = op.as_tag_tuple();
            let (o, n) = (o.start + pre..o.end + pre, n.start + pre..n.end + pre);
            runs.push((tag == DiffTag::Equal, o, n));
        }
    }
    runs.push((true, old_end..old.len(), new_end..new.len()));
    runs.retain(|(_, o, n)| !o.is_empty() || !n.is_empty());
    runs
}

/// Split `s` into words, single punctuation characters and whitespace runs.
fn tokenize(s: &str) -> Vec<&str> {
    let mut tokens = Vec::with_capacity(s.len() / 4 + 1);
    let mut start = 0;
    while let Some(c) = char_at(s, start) {
        let mut end = start + c.len_utf8();
        if c.is_whitespace() {
            end = skip(s, end, char::is_whitespace);
        } else if is_word_char(c) {
            end = skip(s, end, is_word_char);
            while let Some(j) = char_at(s, end).filter(|&j| is_joiner(j))
                && char_at(s, end + j.len_utf8()).is_some_and(is_word_char)
            {
                end = skip(s, end + j.len_utf8(), is_word_char);
            }
        }
        // A combining mark belongs to the character before it; split off, it
        // would show up as a bare accent inserted or deleted on its own.
        end = skip(s, end, is_combining);
        tokens.extend(s.get(start..end));
        start = end;
    }
    tokens
}

fn char_at(s: &str, at: usize) -> Option<char> {
    // Legal text is mostly ASCII, which needs no UTF-8 decoding.
    match s.as_bytes().get(at) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => s.get(at..)?.chars().next(),
    }
}

/// The end of the run of `pred` characters starting at byte `at`.
fn skip(s: &str, mut at: usize, pred: impl Fn(char) -> bool) -> usize {
    while let Some(c) = char_at(s, at).filter(|&c| pred(c)) {
        at += c.len_utf8();
    }
    at
}

fn is_blank(token: &str) -> bool {
    token.chars().all(char::is_whitespace)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (!c.is_ascii() && (c.is_alphanumeric() || is_combining(c)) && !is_ideograph(c))
}

/// Apostrophes (straight and typographic) and hyphens that glue `don't` or
/// `well-known` into one word when they sit between two word characters.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '-' | '\u{2010}' | '\u{2011}')
}

/// Combining diacritics, joiners and variation selectors: unlike most
/// script-specific marks, these are not alphabetic, yet belong to a letter.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}' | '\u{200D}' | '\u{20D0}'..='\u{20FF}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Chinese and Japanese put no spaces between words, so a "run of letters"
/// would be a whole sentence; one character per token keeps redlines small.
fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hand-checked redlines, one per line: `old | new | expected`, where
    /// expected spans are written `Equal[-Delete-]{+Insert+}` and `\n`, `\r`
    /// stand for newline and carriage return.
    const CASES: &str = r"
        Ukraine may join. | Ukraine shall join. | Ukraine [-may-]{+shall+} join.
        The Seller may sue. | The Buyer shall sue. | The [-Seller may-]{+Buyer shall+} sue.
        a b c d | x y z d | [-a b c-]{+x y z+} d
        (a) (b) | a b | [-(-]a[-)-] [-(-]b[-)-]
        Buyer shall pay. | Buyer shall pay, promptly. | Buyer shall pay{+, promptly+}.
        (a) fees; | (b) fees; | ([-a-]{+b+}) fees;
        § 2.1 | § 2.2 | § 2.[-1-]{+2+}
        a well-known party's | a famous party's | a [-well-known-]{+famous+} party's
        pay\n\n(a) fees | pay\n(a) fees | pay[-\n\n-]{+\n+}(a) fees
        a  b\r\n | a b\r\n | a[-  -]{+ +}b\r\n
        Term.\n | Term.\n\n | Term.[-\n-]{+\n\n+}
        Україна може. | Україна повинна. | Україна [-може-]{+повинна+}.
        Le délai est expiré. | Le délai n'est pas expiré. | Le délai [-est-]{+n'est pas+} expiré.
        甲方应付款。 | 乙方应付款。 | [-甲-]{+乙+}方应付款。
        | New clause. | {+New clause.+}
        Old clause. | | [-Old clause.-]
        Same text.\n | Same text.\n | Same text.\n
        a | b | [-a-]{+b+}
    ";

    #[test]
    fn hand_checked_redlines() {
        let mark = |s: &Span| match s.op {
            Op::Equal => s.text.clone(),
            Op::Delete => format!("[-{}-]", s.text),
            Op::Insert => format!("{{+{}+}}", s.text),
        };
        for line in CASES.lines().filter(|l| !l.trim().is_empty()) {
            let unescape = |f: &str| f.trim().replace(r"\n", "\n").replace(r"\r", "\r");
            let f: Vec<String> = line.split('|').map(unescape).collect();
            let got = redline(&f[0], &f[1]);
            assert_eq!(got.iter().map(mark).collect::<String>(), f[2], "{line}");
            assert_eq!(
                [old_text(&got), new_text(&got)],
                [f[0].clone(), f[1].clone()]
            );
        }
        assert_eq!(redline("", ""), []);
    }

    #[test]
    fn exact_spans_and_tokens() {
        let span = |op, text: &str| Span {
            op,
            text: text.into(),
        };
        let (e, d, i) = (Op::Equal, Op::Delete, Op::Insert);
        let want = [
            span(e, "Ukraine "),
            span(d, "may"),
            span(i, "shall"),
            span(e, " join."),
        ];
        assert_eq!(redline("Ukraine may join.", "Ukraine shall join."), want);
        let text = "don't -x well- l’Union co--op \t\n cafe\u{301}s";
        let want = "don't| |-|x| |well|-| |l’Union| |co|-|-|op| \t\n |cafe\u{301}s";
        assert_eq!(tokenize(text).join("|"), want);
    }

    #[test]
    fn similarity_values() {
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("  \n", " "), 1.0);
        assert_eq!(similarity("a b", ""), 0.0);
        assert_eq!(similarity("Ukraine may join.", "Ukraine  may\njoin."), 1.0);
        // "Ukraine may join ." against "Ukraine shall join .": 2 * 3 / 8.
        assert_eq!(similarity("Ukraine may join.", "Ukraine shall join."), 0.75);
        assert_eq!(similarity("alpha beta", "gamma delta"), 0.0);
    }

    #[test]
    fn unrelated_large_texts_finish() {
        let text = |mut x: u64| {
            let words = ["the", "Party", "shall", ",", "of", "any", "notice", "\n"];
            let mut next = || {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                words[(x >> 61) as usize]
            };
            (0..4_000).map(|_| next()).collect::<Vec<_>>().join(" ")
        };
        let (a, b) = (text(1), text(2));
        let got = redline(&a, &b);
        assert_eq!([old_text(&got), new_text(&got)], [a.clone(), b.clone()]);
        assert!((0.0..=1.0).contains(&similarity(&a, &b)));
    }

    fn invariants(a: &str, b: &str) -> Result<(), TestCaseError> {
        let got = redline(a, b);
        prop_assert_eq!(old_text(&got), a);
        prop_assert_eq!(new_text(&got), b);
        prop_assert!(got.iter().all(|s| !s.text.is_empty()));
        prop_assert!(got.windows(2).all(|w| w[0].op != w[1].op));
        prop_assert!(
            !got.windows(2)
                .any(|w| (w[0].op, w[1].op) == (Op::Insert, Op::Delete))
        );
        prop_assert!((0.0..=1.0).contains(&similarity(a, b)));
        prop_assert_eq!(similarity(a, b), similarity(b, a));
        prop_assert_eq!(similarity(a, a), 1.0);
        Ok(())
    }

    const WORDS: &[&str] = &[
        "the", "Party", "may", " ", "  ", "\n", ",", "don't", "-", "e\u{301}", "日本",
    ];
    const SMALL: &str = "[ab '\\-.\n\té\u{301}日]{0,30}";

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x0e17_e17e),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn arbitrary_strings(a in "\\PC{0,40}", b in "\\PC{0,40}") {
            invariants(&a, &b)?;
        }

        #[test]
        fn small_alphabet_strings(a in SMALL, b in SMALL) {
            invariants(&a, &b)?;
        }

        #[test]
        fn mutated_pairs(
            base in prop::collection::vec(prop::sample::select(WORDS), 0..40),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, prop::sample::select(WORDS)), 0..6),
        ) {
            let mut new = base.clone();
            for (at, kind, word) in edits {
                let at = at.index(new.len() + 1);
                match kind {
                    0 => new.insert(at, word),
                    _ if at == new.len() => new.push(word),
                    1 => drop(new.remove(at)),
                    _ => new[at] = word,
                }
            }
            invariants(&base.concat(), &new.concat())?;
        }
    }
}
