//! Where an output can be cut so that each part, decoded and read on its own, yields exactly what
//! the whole does, and what must be read again around each cut. Parts are what a scanner reads
//! and remembers (see `Scanner::part_hits`); read alone, no view of a large output needs a decoded
//! copy of all of it (copies of the largest outputs, up to five at once per edition, were a third
//! of `publish`'s memory).
//!
//! A cut `c` of the raw output is safe when:
//! - no JSON escape, entity or word spans it: the byte before it is ASCII whitespace, which no
//!   escape or entity holds and which ends a word in every view, and the byte at it is ASCII,
//!   which composes with nothing before it;
//! - no tag spans it. Tags are found in the JSON-decoded text, where a `<` opens a tag when a
//!   letter, `/`, `!` or `?` follows it and some `>` comes after it. The raw text has the same
//!   `<` and `>` (an output with `\u003c` or `\u003e` escapes is not cut at all), and where a raw
//!   `<` is followed by a backslash, an escape may put an opener there: counted as one here, the
//!   spans found cover every real tag (a span found from an extra `<` runs to the next `>`, which
//!   also ends any real tag that starts inside it).
//!
//! Then each view of the whole is the views of its parts end to end, and a match that no part
//! holds crosses a cut, within the `keep` words on either side of it: its [`seam`], which is read
//! in every view too. Where a part may end is decided by the bytes there, not by where the part
//! began, so that text met again in another output (a document's file holds what the consolidated
//! file does) is cut alike once a cut falls in it.

/// Whether `c` may be in a plain word (see [`seam`]): printable ASCII that no decoder or tag
/// stripper treats specially.
fn plain_byte(c: u8) -> bool {
    c.is_ascii_graphic() && !b"<>\\&;".contains(&c)
}

/// How far a [`seam`] may reach on either side of its cut: a cut with fewer plain words around
/// it is not made, so that seams stay short and their search local.
pub(super) const REACH: usize = 2048;

/// The ends of the parts `raw` is cut into, the last being `raw.len()`; `keep` is the most words
/// a match can have. Parts are at least `size / 4` bytes long but the last, and about `size` on
/// average where lines are of prose length. One pass: each byte is looked at a bounded number
/// of times, whatever the text.
pub(super) fn ends(raw: &str, size: usize, keep: usize) -> Vec<usize> {
    let b = raw.as_bytes();
    let mut ends = Vec::new();
    // A line starts a part with a chance of one in `every`: at least `size / 4` bytes, then some
    // `3 * size / 4` more, with lines of 64 bytes or so.
    let least = (size / 4).max(1);
    let below = u64::MAX / (size / 4 * 3 / 64).max(1) as u64;
    if !escapes_angle(b) {
        // `pos` is never inside a tag; a part may end from `from` on; places before `at` have
        // been tried.
        let (mut pos, mut from) = (0, least);
        let mut at = from;
        let give_up = |from: usize| from.saturating_add(size.max(1).saturating_mul(8));
        while let Some((c, line)) = candidate(b, at, give_up(from), below) {
            if let Some(end) = tag_end(b, pos, c) {
                (pos, at) = (end, end);
                continue;
            }
            pos = c;
            match seam(b, c, keep) {
                Some(_) => {
                    ends.push(c);
                    from = c.saturating_add(least);
                    at = from;
                }
                // Lines are tried one by one; past them every word is, so after a seam not
                // found, the stretch its search read is not tried again.
                None if line => at = c + 1,
                None => at = c + REACH,
            }
        }
    }
    ends.push(b.len());
    ends
}

/// The first place from `at` on where a part may start, and whether it starts a line. Before
/// `give_up`, a line's text (after a line feed and any indentation, at an ASCII byte other than
/// whitespace) whose 32 bytes hash below `below`: decided by the text there alone, and not by its
/// indentation, which pretty-printed JSON repeats on every line. Lines, not words: looking at
/// every word took a tenth of the wall's time. From `give_up` on (a long line), any word.
fn candidate(b: &[u8], at: usize, give_up: usize, below: u64) -> Option<(usize, bool)> {
    let starts_word = |c: usize| starts_word(b, c);
    let at = at.max(1);
    let lines = b.get(at - 1..give_up.min(b.len())).unwrap_or_default();
    for feed in memchr::memchr_iter(b'\n', lines) {
        let mut c = at + feed;
        while b.get(c).is_some_and(|&x| x == b' ' || x == b'\t') {
            c += 1;
        }
        if starts_word(c) && content_hash(b.get(c..).unwrap_or_default()) < below {
            return Some((c, true));
        }
    }
    let words = at.max(give_up)..b.len();
    words
        .into_iter()
        .find(|&c| starts_word(c))
        .map(|c| (c, false))
}

/// Whether a part may start at `c` as far as its neighbours go: after ASCII whitespace, at an
/// ASCII byte that is not.
pub(super) fn starts_word(b: &[u8], c: usize) -> bool {
    let (Some(before), Some(here)) = (c.checked_sub(1).and_then(|k| b.get(k)), b.get(c)) else {
        return false;
    };
    before.is_ascii_whitespace() && here.is_ascii() && !here.is_ascii_whitespace()
}

/// A hash of the first 32 bytes of `text` (fewer at its end), four words of eight at a time.
fn content_hash(text: &[u8]) -> u64 {
    let word = |k: usize| {
        let bytes = text.get(k..(k + 8).min(text.len())).unwrap_or_default();
        (bytes.iter().rev()).fold(0u64, |w, &x| w << 8 | u64::from(x))
    };
    let h = [0, 8, 16, 24].into_iter().fold(0u64, |h, k| {
        (h ^ word(k))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(31)
    });
    super::mix(h)
}

/// Whether `raw` has an escape of `<` or `>` (`\u003c`, `\u003E`...): tags the raw text does not
/// show.
pub(super) fn escapes_angle(raw: &[u8]) -> bool {
    memchr::memmem::find_iter(raw, b"\\u003")
        .any(|at| raw.get(at + 5).is_some_and(|c| b"cCeE".contains(c)))
}

/// If `c` is inside a tag, where the tag ends; `pos`, before `c`, is outside every tag. Right
/// after the last `>` before `c` is outside too (a tag ends at the first `>` after its `<`), so
/// `c` is inside a tag when a `<` that may open one comes after that and before `c`, and some
/// `>` after it. A `<` that a backslash follows may open one (see the module docs).
pub(super) fn tag_end(b: &[u8], pos: usize, c: usize) -> Option<usize> {
    // Out of range cannot happen (`pos <= c <= len`); if it did, no cut would be made.
    let (Some(before), Some(after)) = (b.get(pos..c), b.get(c..)) else {
        return Some(b.len());
    };
    let outside = memchr::memrchr(b'>', before).map_or(0, |gt| gt + 1);
    for open in memchr::memchr_iter(b'<', before.get(outside..).unwrap_or_default()) {
        let next = before.get(outside + open + 1).or(after.first());
        if next.is_some_and(|&n| n.is_ascii_alphabetic() || b"/!?\\".contains(&n)) {
            return memchr::memchr(b'>', after).map(|gt| c + gt + 1);
        }
    }
    None
}

/// The stretch around `cut`, which is outside every tag and after ASCII whitespace: from the
/// `keep`th plain word before it to the `keep`th after it (or the start or end of `b`). A plain
/// word lies between ASCII whitespace, outside tags, and is printable ASCII with a letter or digit
/// and no `<`, `>`, `\\`, `&` or `;`: it reads as itself, one word or more, in every view. So the
/// stretch holds at least `keep` words of each view on either side of the cut, starts and ends
/// where a cut could, and reads alone as it does within `b`. `None` when it would reach more
/// than [`REACH`] bytes either way, or tags there cannot be told within that.
pub(super) fn seam(b: &[u8], cut: usize, keep: usize) -> Option<std::ops::Range<usize>> {
    Some(seam_start(b, cut, keep)?..seam_end(b, cut, keep)?)
}

fn space(b: &[u8], k: usize) -> bool {
    b.get(k).is_some_and(u8::is_ascii_whitespace)
}

fn plain(token: &[u8]) -> bool {
    token.iter().any(u8::is_ascii_alphanumeric) && token.iter().all(|&c| plain_byte(c))
}

fn opens(b: &[u8], o: usize) -> bool {
    b.get(o + 1)
        .is_some_and(|&n| n.is_ascii_alphabetic() || b"/!?\\".contains(&n))
}

/// Where the [`seam`] around `cut` starts: its half before the cut, found alone.
pub(super) fn seam_start(b: &[u8], cut: usize, keep: usize) -> Option<usize> {
    let (space, opens) = (|k| space(b, k), |o| opens(b, o));
    let low = cut.saturating_sub(REACH);
    // Backwards: `k` is outside every tag; `whole` when a word boundary is at `k`.
    let (mut k, mut counted, mut start) = (cut, 0, cut);
    while counted < keep && k > 0 {
        if k < low {
            return None;
        }
        while k > 0 && space(k - 1) {
            k -= 1;
        }
        let end = k;
        // Whether a word ends at `end` (not so where a tag was stepped over).
        let whole = end == cut || end == b.len() || space(end);
        while k > 0 && !space(k - 1) {
            k -= 1;
        }
        let token = b.get(k..end).unwrap_or_default();
        // A tag ending in the token, the last one: it starts at the first opener after the `>`
        // before its own, and the walk goes on from there.
        let mut tag = None;
        for g in memchr::memrchr_iter(b'>', token).map(|g| k + g) {
            let window = b.get(low..g).unwrap_or_default();
            // Without a `>` before, a tag may start anywhere back: only the start of `b` tells.
            let before = memchr::memrchr(b'>', window)
                .map(|q| low + q + 1)
                .or((low == 0).then_some(0))?;
            let inner = b.get(before..g).unwrap_or_default();
            let opener = memchr::memchr_iter(b'<', inner)
                .map(|o| before + o)
                .find(|&o| opens(o));
            if let Some(o) = opener {
                tag = Some(o);
                break;
            }
        }
        match tag {
            Some(o) => k = o,
            None if whole && plain(token) => (counted, start) = (counted + 1, k),
            None => {}
        }
    }
    Some(if counted < keep { 0 } else { start })
}

/// Where the [`seam`] around `cut` ends: its half after the cut, found alone.
pub(super) fn seam_end(b: &[u8], cut: usize, keep: usize) -> Option<usize> {
    let (space, opens) = (|k| space(b, k), |o| opens(b, o));
    let high = cut.saturating_add(REACH).min(b.len());
    // Forwards: `k` is outside every tag.
    let (mut k, mut counted, mut end) = (cut, 0, cut);
    while counted < keep && k < b.len() {
        if k > high {
            return None;
        }
        while space(k) {
            k += 1;
        }
        let from = k;
        // Whether a word starts at `from` (not so where a tag was stepped over).
        let whole = from == 0 || space(from - 1);
        while k < b.len() && !space(k) {
            k += 1;
        }
        let token = b.get(from..k).unwrap_or_default();
        let opener = (memchr::memchr_iter(b'<', token).map(|o| from + o)).find(|&o| opens(o));
        match opener {
            Some(o) => {
                let after = b.get(o..high).unwrap_or_default();
                match memchr::memchr(b'>', after) {
                    Some(g) => k = o + g + 1,
                    // A tag may run past the reach, or `<` be text: not told here.
                    None => return None,
                }
            }
            None if whole && plain(token) => (counted, end) = (counted + 1, k),
            None => {}
        }
    }
    Some(if counted < keep { b.len() } else { end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `n` words, eight a line: parts start at lines.
    fn words(n: usize) -> String {
        (0..n).map(|k| format!("w{k}{}", lines(k))).collect()
    }

    fn lines(k: usize) -> &'static str {
        if k % 8 == 7 { "\n" } else { " " }
    }

    /// Each cut of `raw` with `keep` 8 is after ASCII whitespace, at an ASCII byte, outside every
    /// tag given, and has a seam.
    fn assert_cuts_safe(raw: &str, cuts: &[usize], tags: &[std::ops::Range<usize>]) {
        for &e in cuts {
            assert!(
                raw.as_bytes()[e - 1].is_ascii_whitespace(),
                "{e} in {raw:?}"
            );
            assert!(raw.as_bytes()[e].is_ascii(), "{e} in {raw:?}");
            assert!(tags.iter().all(|t| !t.contains(&e)), "{e} in {raw:?}");
            assert!(seam(raw.as_bytes(), e, 8).is_some());
        }
    }

    #[test]
    fn parts_are_cut_between_words_outside_tags() {
        let plain = words(40);
        let raw = format!("<p>{plain}</p><a title=\"{plain}\">{plain}x");
        let ends = ends(&raw, 1, 8);
        let title = raw.find("<a").unwrap()..raw.find("\">").unwrap() + 2;
        let (cuts, last) = ends.split_at(ends.len() - 1);
        assert_eq!(last, [raw.len()]);
        assert!(cuts.iter().any(|&e| e < title.start), "{ends:?}");
        assert!(cuts.iter().any(|&e| e > title.end), "{ends:?}");
        assert_cuts_safe(&raw, cuts, &[title]);
        // Among the first words: a seam may reach back to the start of the output.
        assert!(cuts[0] < 16, "{ends:?}");
    }

    #[test]
    fn nothing_that_decodes_specially_is_cut() {
        let plain = words(40);
        for noise in ["&", ";", "\\", "<", ">", "é", "\u{301}", "&amp;", "\\n"] {
            let raw: String = plain.split(' ').map(|w| format!("{w}{noise} ")).collect();
            let ends = ends(&raw, 1, 8);
            assert!(ends.len() > 10, "{noise}: {ends:?}");
            assert_cuts_safe(&raw, &ends[..ends.len() - 1], &[]);
        }
        for angle in ["\\u003c", "\\u003E"] {
            let raw = format!("{plain}{angle}{plain}");
            assert_eq!(ends(&raw, 1, 8), [raw.len()], "{angle}");
        }
        // A `<` that no `>` follows opens no tag.
        let raw = format!("x <b {plain}");
        assert!(ends(&raw, 1, 8).len() > 1);
        // A `<` and a backslash may open a tag, up to the next `>`.
        let raw = format!("<\\u0061 {plain}>{plain}");
        let ends = ends(&raw, 1, 8);
        assert!(ends[0] > plain.len(), "{ends:?}");
    }

    #[test]
    fn parts_are_about_the_size_asked_and_at_least_a_quarter_of_it() {
        // Words of eight bytes, with the space, as the estimate in `ends` assumes.
        let raw: String = (0..40_000)
            .map(|k| format!("w{:06}{}", k * 7919 % 10_007, lines(k)))
            .collect();
        let ends = ends(&raw, 4000, 8);
        let mean = raw.len() / ends.len();
        assert!((2000..8000).contains(&mean), "{mean}");
        let mut last = 0;
        for &e in &ends[..ends.len() - 1] {
            assert!(e - last >= 1000, "{e}");
            last = e;
        }
    }

    #[test]
    fn text_met_again_after_other_text_is_cut_alike() {
        let text: String = (0..20_000)
            .map(|k| format!("w{}{}", k * 7919 % 10_007, lines(k)))
            .collect();
        let other = format!("{} {text}", words(333));
        let (a, b) = (ends(&text, 1000, 8), ends(&other, 1000, 8));
        let shift = other.len() - text.len();
        let b: BTreeSet<usize> = b.iter().filter_map(|e| e.checked_sub(shift)).collect();
        // After the first few parts, every cut of one is a cut of the other.
        let shared = a.iter().filter(|e| b.contains(e)).count();
        assert!(shared + 3 >= a.len(), "{shared} of {}", a.len());
        assert!(a.len() > 20, "{}", a.len());
    }

    #[test]
    fn a_seam_holds_the_plain_words_on_either_side_of_its_cut() {
        let raw = format!("<p>{}</p>", words(60));
        let cut = ends(&raw, 1, 8)[20];
        let stretch = &raw[seam(raw.as_bytes(), cut, 8).unwrap()];
        let before = raw[..cut].split_whitespace().rev().take(8);
        let after = raw[cut..].split_whitespace().take(8);
        let mut expected: Vec<&str> = before.collect();
        expected.reverse();
        expected.extend(after);
        assert_eq!(stretch.split_whitespace().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_seam_counts_no_word_in_a_tag_and_never_starts_or_ends_in_one() {
        let tagged = "<a href=\"x y z\">w</a> v&amp; u\\n ";
        let raw = format!("{0}{tagged}{1}{tagged}{0}", words(8), words(30));
        let cut = raw.find("w20 ").unwrap();
        let stretch = &raw[seam(raw.as_bytes(), cut, 8).unwrap()];
        // Eight plain words on either side, the tags and the other words between them besides.
        assert!(
            stretch.starts_with("w12 w13 ") && stretch.ends_with(" w27"),
            "{stretch:?}"
        );
        let cut = raw.find("w5 ").unwrap();
        let stretch = &raw[seam(raw.as_bytes(), cut, 8).unwrap()];
        // Back to the start of the output, forwards over the tag and the words that are not plain.
        assert!(
            stretch.starts_with("w0 ") && stretch.ends_with("u\\n w0 w1 w2 w3 w4"),
            "{stretch:?}"
        );
        // Backwards over the same.
        let cut = raw.find(&format!("{tagged}w0 w1 w2 ")).unwrap() + tagged.len() + 6;
        let stretch = &raw[seam(raw.as_bytes(), cut, 8).unwrap()];
        assert!(stretch.starts_with("w2 w3 w4 w5 w6 w7\n<a"), "{stretch:?}");
        // Words in a tag that runs past the seam's reach cannot be told from words outside it.
        let raw = format!("{}<a title=\"{}\">", words(30), words(600));
        assert_eq!(seam(raw.as_bytes(), raw.find("w25 ").unwrap(), 8), None);
        assert!(seam(raw.as_bytes(), raw.find("w20 ").unwrap(), 8).is_some());
    }
}
