//! Where an output can be cut so that each part, decoded and read on its own, yields exactly what
//! the whole does: then no view of a large output needs a decoded copy of all of it. Copies of
//! the largest outputs, up to five at once per edition, were a third of `publish`'s memory, and
//! the kernel zeroing it a tenth of its time.
//!
//! A cut `c` of the raw output is safe when:
//! - no JSON escape, entity or word spans it: the byte before it is ASCII whitespace, which no
//!   escape or entity holds, and the byte at it is plain ASCII (see [`Class`]), which starts no
//!   escape and composes with nothing before it;
//! - no tag spans it. Tags are found in the JSON-decoded text, where a `<` opens a tag when a
//!   letter, `/`, `!` or `?` follows it and some `>` comes after it. The raw text has the same
//!   `<` and `>` (an output with `\u003c` or `\u003e` escapes is not cut at all), and where a raw
//!   `<` is followed by a backslash, an escape may put an opener there: counted as one here, the
//!   spans found cover every real tag (a span found from an extra `<` runs to the next `>`, which
//!   also ends any real tag that starts inside it);
//! - the joined view (tags removed without a space) reads nothing across it that the text view
//!   does not: it differs only within `keep` words of where a tag joined two characters, and the
//!   [`super::joins`] stretches read there stop within `keep + 1` words. A cut has at least that
//!   many plain words on either side, so every stretch ends before it or starts after it, and no
//!   match of `keep` words that holds a join can reach across it.

/// What a byte is to [`cut`]: in a plain word (printable ASCII that no decoder or tag stripper
/// treats specially), a letter or digit or not; ASCII whitespace; or anything else.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Alnum,
    Plain,
    Space,
    Other,
}

/// [`Class`] by byte, looked up once a byte: the search for a cut reads whole outputs.
const CLASSES: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            _ if c.is_ascii_alphanumeric() => Class::Alnum,
            _ if c.is_ascii_whitespace() => Class::Space,
            b'<' | b'>' | b'\\' | b'&' | b';' => Class::Other,
            _ if c.is_ascii_graphic() => Class::Plain,
            _ => Class::Other,
        };
        b += 1;
    }
    table
};

/// The ends of the parts `raw` is cut into, each at least `size` bytes long but the last; the
/// last end is `raw.len()`. `keep` is the most words a match can have.
pub(super) fn ends(raw: &str, size: usize, keep: usize) -> Vec<usize> {
    let b = raw.as_bytes();
    let mut ends = Vec::new();
    if !escapes_angle(b) {
        // `pos` is never inside a tag; `from` is where the next part may end.
        let (mut pos, mut from) = (0, size);
        while from < b.len() {
            let Some(c) = cut(b, from, keep) else {
                break;
            };
            match tag_end(b, pos, c) {
                None => {
                    ends.push(c);
                    (pos, from) = (c, c.saturating_add(size));
                }
                Some(end) => (pos, from) = (end, end),
            }
        }
    }
    ends.push(b.len());
    ends
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
fn tag_end(b: &[u8], pos: usize, c: usize) -> Option<usize> {
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

/// The first cut from `from` on with `keep + 1` plain words before it and `keep + 1` after it,
/// each ending in ASCII whitespace: at the start of a word, after whitespace. A plain word has
/// a letter or digit, so that [`super::joins`] surely counts it. Whether the cut is inside a
/// tag is for [`tag_end`] to tell.
fn cut(b: &[u8], from: usize, keep: usize) -> Option<usize> {
    let stretch = b.get(from..)?;
    // Plain words in a row so far, and where the one after the first `keep + 1` starts. A word
    // is counted once its end is seen, so the last never is; nor is the first, which `from` may
    // cut.
    let (mut words, mut cut) = (0, 0);
    // The start of the word being read, whether it is plain, and whether it has a letter or digit.
    let (mut start, mut plain, mut alnum) = (None, true, false);
    for (k, &c) in stretch.iter().enumerate() {
        let class = CLASSES.get(usize::from(c)).copied().unwrap_or(Class::Other);
        if class != Class::Space {
            start.get_or_insert(k);
            plain &= class != Class::Other;
            alnum |= class == Class::Alnum;
            continue;
        }
        if let Some(s) = start.take() {
            match s > 0 && plain && alnum {
                true => words += 1,
                false => words = 0,
            }
            if words == keep + 2 {
                cut = s;
            }
            if words > 2 * keep + 1 {
                return Some(from + cut);
            }
            (plain, alnum) = (true, false);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize) -> String {
        (0..n).map(|k| format!("w{k} ")).collect()
    }

    #[test]
    fn parts_are_cut_in_plain_text_only() {
        let plain = words(40);
        let raw = format!("<p>{plain}</p><a title=\"{plain}\">{plain}x");
        let ends = ends(&raw, 1, 8);
        let title = raw.find("title").unwrap()..raw.find("\">").unwrap();
        let (cuts, last) = ends.split_at(ends.len() - 1);
        assert_eq!(last, [raw.len()]);
        // In each stretch of forty words outside a tag, not in the title; each after nine words
        // of the stretch that the cut does not start (the first may be cut by the tag).
        assert!(cuts.iter().any(|&e| e < title.start), "{ends:?}");
        assert!(cuts.iter().any(|&e| e > title.end), "{ends:?}");
        assert!(cuts.iter().all(|e| !title.contains(e)), "{ends:?}");
        for &e in cuts {
            assert!(raw[..e].ends_with(' ') && raw[e..].starts_with('w'), "{e}");
        }
        assert!(raw[..cuts[0]].ends_with("<p>w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 "));
    }

    #[test]
    fn nothing_that_decodes_specially_is_cut() {
        let plain = words(40);
        for noise in ["&", ";", "\\", "<", ">", "é", "\u{301}"] {
            // Every word carries the noise: no run of plain words.
            let raw: String = plain.split(' ').map(|w| format!("{w}{noise} ")).collect();
            assert_eq!(ends(&raw, 1, 8), [raw.len()], "{noise}");
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
    fn parts_are_at_least_the_size_asked() {
        let raw = words(10_000);
        let ends = ends(&raw, 1000, 8);
        assert!(ends.len() > 40, "{}", ends.len());
        let mut last = 0;
        for &e in &ends[..ends.len() - 1] {
            assert!(e - last >= 1000);
            last = e;
        }
    }
}
