//! Outputs that are another output with plain text put in: a document's file in `publish` is the
//! consolidated file's text, each link to a clause elsewhere made to point into that file.
//!
//! If the insertions are plain (see [`plain_insertions`]), each view of such an output is that
//! view of its base with the inserted words put in, the words around them as they were. A match
//! in the output then either takes in no inserted word, and is a match of the base, or takes in
//! one, and lies in the [`windows`] around the insertions. So an output whose base and windows
//! hold no match holds none; and the base, whose parts a remembering scanner has met in the
//! consolidated file, is read at hashing speed.

use std::ops::Range;

use super::chunk;

/// Whether `text` is `base` with the bytes at `inserted` (ranges of `text`, in order) put in,
/// each insertion plain: ASCII letters, digits, `.`, `/`, `-` and `_`, between two bytes of ASCII
/// punctuation other than `<`, `>`, `&`, `;` and `\` (and, before it, `#`). No escape, entity, tag
/// opener or word then reaches across an insertion's edge: each starts with one of those bytes, or
/// a letter or digit, and a reference `&#` needs its `#` after the `&`. Nor do inserted bytes open
/// or close a tag.
pub(super) fn plain_insertions(text: &[u8], base: &[u8], inserted: &[Range<usize>]) -> bool {
    let edge = |c: Option<&u8>, also: &[u8]| {
        c.is_some_and(|c| c.is_ascii_punctuation() && !b"<>&;\\".contains(c) && !also.contains(c))
    };
    let plain = |c: &u8| c.is_ascii_alphanumeric() || b"./-_".contains(c);
    let (mut from, mut at) = (0, 0);
    for r in inserted {
        let (Some(kept), Some(put)) = (text.get(from..r.start), text.get(r.clone())) else {
            return false;
        };
        let before = r.start.checked_sub(1).and_then(|k| text.get(k));
        let fits = base.get(at..at + kept.len()) == Some(kept)
            && !put.is_empty()
            && put.iter().all(plain)
            && edge(before, b"#")
            && edge(text.get(r.end), b"");
        if !fits {
            return false;
        }
        (from, at) = (r.end, at + kept.len());
    }
    text.get(from..) == base.get(at..)
}

/// Stretches of `text`, in order and apart, that hold every match taking in a byte of
/// `inserted` and read alone as within `text`: around each insertion, from where the
/// [`chunk::seam`] of the nearest place before it where a part could start starts, to where
/// that of the nearest place after it ends. Each view has at least `keep` words between that
/// start and the place before (or none before), and as many between the place after and that
/// end; a match taking in an inserted word has fewer on either side of it. `None` when a place
/// or seam is not found within reach, or escapes hide tags (see [`chunk::escapes_angle`]): the
/// caller then reads all of `text`.
pub(super) fn windows(
    text: &[u8],
    inserted: &[Range<usize>],
    keep: usize,
) -> Option<Vec<Range<usize>>> {
    if chunk::escapes_angle(text) {
        return None;
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    // A place outside every tag, at or before the places still to find.
    let mut outside = 0;
    for r in inserted {
        if out.last().is_none_or(|w| w.end < r.start) {
            let before = place_before(text, r.start, outside)?;
            let start = chunk::seam_start(text, before, keep)?;
            match out.last_mut() {
                Some(w) if w.end >= start => {}
                _ => out.push(start..start),
            }
            outside = before;
        }
        let after = place_after(text, r.end.max(outside), outside)?;
        let end = chunk::seam_end(text, after, keep)?;
        if let Some(w) = out.last_mut() {
            w.end = w.end.max(end);
        }
        outside = after;
    }
    Some(out)
}

/// The nearest place at or before `p` (and from `outside` on, which is outside every tag) where a
/// part could start: the start of `b`, or after whitespace and outside every tag.
fn place_before(b: &[u8], p: usize, outside: usize) -> Option<usize> {
    let low = p.saturating_sub(chunk::REACH).max(outside);
    (low..=p)
        .rev()
        .find(|&c| c == 0 || (chunk::starts_word(b, c) && chunk::tag_end(b, outside, c).is_none()))
}

/// The nearest place at or after `from` where a part could start, or the end of `b`; `outside`,
/// at or before `from`, is outside every tag.
fn place_after(b: &[u8], from: usize, outside: usize) -> Option<usize> {
    let high = from.saturating_add(chunk::REACH).min(b.len());
    (from..=high).find(|&c| {
        c == b.len() || (chunk::starts_word(b, c) && chunk::tag_end(b, outside, c).is_none())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_text_between_quiet_bytes_counts_as_put_in() {
        let base = br##"<a href="#c-2">see</a> and [x](#c-3)"##;
        let text = br##"<a href="../agreement.html#c-2">see</a> and [x](agreement.md#c-3)"##;
        let at = |s: &[u8], w: &[u8]| (0..s.len()).find(|&k| s[k..].starts_with(w)).unwrap();
        let first = at(text, b"../");
        let second = at(text, b"agreement.md");
        let inserted = [first..first + 17, second..second + 12];
        assert!(plain_insertions(text, base, &inserted));
        // Another byte changed, an insertion missed, or one misplaced: not an insertion of these.
        let mut changed = text.to_vec();
        changed[text.len() - 2] = b'4';
        assert!(!plain_insertions(&changed, base, &inserted));
        assert!(!plain_insertions(text, base, &inserted[..1]));
        assert!(!plain_insertions(
            text,
            base,
            &[first + 1..first + 18, second..second + 12]
        ));
        // An insertion after `&` or `&#`, or before a `;`, could change what an entity reads.
        let entity = |before: &[u8], after: &[u8]| {
            let text = [before, b"x", after].concat();
            let base = [before, after].concat();
            plain_insertions(
                &text,
                &base,
                std::slice::from_ref(&(before.len()..before.len() + 1)),
            )
        };
        assert!(entity(b"a (", b"#1;"));
        assert!(!entity(b"a &", b"#1;"));
        assert!(!entity(b"a &#", b"1;"));
        assert!(!entity(b"a (", b";"));
        assert!(
            !entity(b"a <", b"/b>"),
            "an opener made of `<` and an inserted letter"
        );
        assert!(!entity(b"a \\", b"\""), "an escape");
        assert!(!entity(b"a b", b"!"), "a word made longer");
    }

    #[test]
    fn a_window_holds_the_words_on_either_side_of_each_insertion() {
        let words = |n: usize, w: &str| (0..n).map(|k| format!("{w}{k} ")).collect::<String>();
        let text = format!(
            "{}<p class=\"x y\">{}<a href=\"../agreement.html#c\">to</a> {}",
            words(40, "a"),
            words(3, "b"),
            words(40, "c")
        );
        let b = text.as_bytes();
        let put = (0..b.len()).find(|&k| b[k..].starts_with(b"../")).unwrap();
        let w = windows(b, std::slice::from_ref(&(put..put + 17)), 8).unwrap();
        // From the 8th plain word outside tags before the link (two after the paragraph's tag,
        // whose `>` `b0` touches, and six before it) to the 8th after it.
        assert_eq!(w.len(), 1);
        let window = &text[w[0].clone()];
        assert!(window.starts_with("a34 a35"), "{window}");
        assert!(window.ends_with(" c7"), "{window}");
        // Two insertions close together share one window.
        let text2 = format!(
            "{}[x](a.md#1) {}[y](a.md#2) {}",
            words(20, "a"),
            words(2, "b"),
            words(20, "c")
        );
        let b2 = text2.as_bytes();
        let puts: Vec<_> = (0..b2.len())
            .filter(|&k| b2[k..].starts_with(b"a.md"))
            .collect();
        let inserted: Vec<_> = puts.iter().map(|&p| p..p + 4).collect();
        let w2 = windows(b2, &inserted, 8).unwrap();
        assert_eq!(w2.len(), 1, "{w2:?}");
        assert!(text2[w2[0].clone()].starts_with("a12 a13"), "{w2:?}");
        // Escapes hiding a tag: no windows.
        let hidden = format!("\\u003cp>{text}");
        let hidden_put = put + 8..put + 25;
        assert_eq!(
            windows(hidden.as_bytes(), std::slice::from_ref(&hidden_put), 8),
            None
        );
    }
}
