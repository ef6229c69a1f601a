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
    if !escapes_angle(b) {
        let mut start = 0;
        while let Next::Cut(c) = next_end(b, start, (size, keep), true) {
            ends.push(c);
            start = c;
        }
    }
    ends.push(b.len());
    ends
}

/// What [`next_end`] found after a part's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// The part ends here, and the next one starts.
    Cut(usize),
    /// Bytes not yet read could decide where: wait for more.
    More,
    /// The part runs to the end of the output.
    End,
}

/// How many bytes must follow a place for [`next_end`] to decide it before the output ends: a
/// line's hash reads 32; a seam or a tag that runs on past what was read is told apart where
/// it is looked for.
const MARGIN: usize = 64;

/// Where the part of `b` that starts at `start` (0 or a cut) ends, as [`ends`] finds it (but for
/// escapes of `<` and `>`, which the caller looks for). Unless `eof`, `b` is the output so far:
/// [`Next::More`] when what follows could decide otherwise, so that an output read as it is
/// written is cut exactly where it would be whole. Before `start`, `b` must hold [`REACH`] bytes
/// or begin the output, which is how far back a seam reads.
pub(super) fn next_end(b: &[u8], start: usize, (size, keep): (usize, usize), eof: bool) -> Next {
    // A line starts a part with a chance of one in `every`: at least `size / 4` bytes, then some
    // `3 * size / 4` more, with lines of 64 bytes or so.
    let least = (size / 4).max(1);
    let below = u64::MAX / (size / 4 * 3 / 64).max(1) as u64;
    // `pos` is never inside a tag; a part may end from `from` on; places before `at` have been
    // tried.
    let (mut pos, from) = (start, start.saturating_add(least));
    let mut at = from;
    let give_up = from.saturating_add(size.max(1).saturating_mul(8));
    let unread = |c: usize| !eof && c.saturating_add(MARGIN) > b.len();
    loop {
        let Some((c, line)) = candidate(b, at, give_up, below) else {
            return if eof { Next::End } else { Next::More };
        };
        if unread(c) {
            return Next::More;
        }
        match tag_at(b, pos, c) {
            Tag::EndsAt(end) => {
                (pos, at) = (end, end);
                continue;
            }
            // A `>` still to come would make it a tag.
            Tag::Unclosed if !eof => return Next::More,
            Tag::Unclosed | Tag::Outside => {}
        }
        pos = c;
        match seam(b, c, keep) {
            // A word running on past what was read may be part of the seam.
            Some(seam) if !eof && seam.end == b.len() => return Next::More,
            Some(_) => return Next::Cut(c),
            // Lines are tried one by one; past them every word is, so after a seam not
            // found, the stretch its search read is not tried again.
            None if line => at = c + 1,
            None => at = c + REACH,
        }
    }
}

/// An output cut as it is written, where [`ends`] cuts it whole (but for escapes of `<` and
/// `>`, which the caller looks for): it holds the part being cut, and [`REACH`] bytes before it
/// (how far back a seam reads), or the output from its start.
pub(super) struct Cutter {
    held: String,
    /// Where the part being cut starts in `held`.
    start: usize,
    /// How many bytes of the output came before `held`.
    gone: usize,
    size: usize,
    keep: usize,
}

/// A part of an output in [`Cutter::held`], and the seam around the cut after it (none after
/// the last).
pub(super) type Cut = (std::ops::Range<usize>, Option<std::ops::Range<usize>>);

impl Cutter {
    /// Parts of about `size` bytes; `keep` is the most words a match can have.
    pub(super) fn new(size: usize, keep: usize) -> Cutter {
        Cutter {
            held: String::new(),
            start: 0,
            gone: 0,
            size,
            keep,
        }
    }

    /// What it holds of the output.
    pub(super) fn held(&self) -> &str {
        &self.held
    }

    /// The next bytes of the output.
    pub(super) fn push(&mut self, text: &str) {
        self.held.push_str(text);
    }

    /// How many bytes it holds that no part read yet holds.
    pub(super) fn unread(&self) -> usize {
        self.held.len() - self.start
    }

    /// The parts the output so far decides, in [`Cutter::held`]; all that are left if `eof`.
    /// Until [`Cutter::release`], what they hold is kept.
    pub(super) fn cut(&mut self, eof: bool) -> Vec<Cut> {
        let (b, mut cuts) = (self.held.as_bytes(), Vec::new());
        loop {
            match next_end(b, self.start, (self.size, self.keep), eof) {
                Next::More => break,
                Next::End => {
                    cuts.push((self.start..b.len(), None));
                    self.start = b.len();
                    break;
                }
                Next::Cut(c) => {
                    // The seam was found in deciding the cut; `None` cannot happen, and would
                    // read all that is held.
                    let seam = seam(b, c, self.keep).unwrap_or(0..b.len());
                    cuts.push((self.start..c, Some(seam)));
                    self.start = c;
                }
            }
        }
        cuts
    }

    /// Lets go of the parts cut, but for [`REACH`] bytes before the next.
    pub(super) fn release(&mut self) {
        let mut gone = self.start.saturating_sub(REACH);
        while !self.held.is_char_boundary(gone) {
            gone -= 1;
        }
        self.held.drain(..gone);
        self.start -= gone;
        self.gone += gone;
    }

    /// Where `held` starts in the output.
    #[cfg(test)]
    fn offset(&self) -> usize {
        self.gone
    }
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
    match tag_at(b, pos, c) {
        Tag::EndsAt(end) => Some(end),
        Tag::Unclosed | Tag::Outside => None,
    }
}

/// Where a place is as to tags (see [`tag_end`]).
enum Tag {
    Outside,
    /// In a tag that ends here.
    EndsAt(usize),
    /// After a `<` that may open a tag, with no `>` after it: outside, unless one comes.
    Unclosed,
}

fn tag_at(b: &[u8], pos: usize, c: usize) -> Tag {
    // Out of range cannot happen (`pos <= c <= len`); if it did, no cut would be made.
    let (Some(before), Some(after)) = (b.get(pos..c), b.get(c..)) else {
        return Tag::EndsAt(b.len());
    };
    let outside = memchr::memrchr(b'>', before).map_or(0, |gt| gt + 1);
    for open in memchr::memchr_iter(b'<', before.get(outside..).unwrap_or_default()) {
        let next = before.get(outside + open + 1).or(after.first());
        if next.is_some_and(|&n| n.is_ascii_alphabetic() || b"/!?\\".contains(&n)) {
            return memchr::memchr(b'>', after).map_or(Tag::Unclosed, |gt| Tag::EndsAt(c + gt + 1));
        }
    }
    Tag::Outside
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

    /// The ends a [`Cutter`] finds in `raw` read `feed` bytes at a time (at a character's end),
    /// each checked to be seamed as [`seam`] seams it in the whole.
    fn streamed_ends(raw: &str, size: usize, feed: usize) -> Vec<usize> {
        let (mut cutter, mut ends, mut read) = (Cutter::new(size, 8), Vec::new(), 0);
        while read < raw.len() {
            let mut to = (read + feed).min(raw.len());
            while !raw.is_char_boundary(to) {
                to += 1;
            }
            cutter.push(&raw[read..to]);
            read = to;
            for (part, seam) in cutter.cut(read == raw.len()) {
                let at = cutter.offset();
                assert_eq!(
                    &cutter.held()[part.clone()],
                    &raw[at + part.start..at + part.end]
                );
                let whole = seam
                    .is_some()
                    .then(|| super::seam(raw.as_bytes(), at + part.end, 8));
                let seam = seam.map(|s| Some(at + s.start..at + s.end));
                assert_eq!(seam, whole, "{}", at + part.end);
                ends.push(at + part.end);
            }
            cutter.release();
        }
        if raw.is_empty() {
            ends.extend(cutter.cut(true).iter().map(|c| c.0.end));
        }
        ends
    }

    /// Pieces of outputs, some of them what makes cutting hard: tags, a `<` that no `>` may
    /// follow, long words, lines, entities, escapes and letters of more than one byte.
    const PIECES: [&str; 16] = [
        "the parties shall meet ",
        "at the place they agree on\n",
        "\n    \"text\": \"",
        "<p>",
        "</p>\n",
        "<a href=\"#c-12\" title=\"see clause twelve of the annex\">",
        "</a> ",
        "x <b ",
        "> ",
        "&amp; ",
        "\\n ",
        "é ",
        "\t",
        "<!-- note -->",
        "month after month ",
        "wordwithoutend",
    ];

    #[test]
    fn an_output_read_as_it_is_written_is_cut_where_it_is_cut_whole() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, RngSeed, TestRunner};
        let mut runner = TestRunner::new(Config {
            cases: 512,
            rng_seed: RngSeed::Fixed(0x57_4ea3),
            failure_persistence: None,
            ..Config::default()
        });
        // Now and then a long stretch of one piece: prose with no `>` after a `<`, a word longer
        // than a seam reaches.
        let count = prop_oneof![9 => 1..40usize, 1 => 40..600usize];
        let strategy = (
            prop::collection::vec((prop::sample::select(PIECES.to_vec()), count), 1..200),
            1usize..4000,
            1usize..9000,
        );
        let (cut, streamed) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let result = runner.run(&strategy, |(pieces, size, feed)| {
            let raw: String = pieces.iter().map(|(p, n)| p.repeat(*n)).collect();
            let whole = ends(&raw, size, 8);
            prop_assert_eq!(streamed_ends(&raw, size, feed), whole.clone(), "{:?}", raw);
            cut.set(cut.get() + usize::from(whole.len() > 2));
            streamed.set(streamed.get() + usize::from(whole.len() > 2 && feed < raw.len() / 2));
            Ok(())
        });
        result.unwrap();
        // Most outputs were cut more than once, most of those read in several feeds.
        assert!(
            cut.get() > 256 && streamed.get() > 128,
            "{} {}",
            cut.get(),
            streamed.get()
        );
        // What is read last may decide where an earlier part ends: a `>` far after a `<`, a
        // long word in a seam, a tag's end past a seam's reach. Each read in feeds of every size
        // around where the deciding bytes are.
        let prose: String = (0..300)
            .map(|k| format!("{k} the parties shall meet at the place they agree on\n"))
            .collect();
        let cases = [
            format!("{prose}x <b {prose}> {prose}"),
            format!("{prose}{} {prose}", "x".repeat(9000)),
            format!("{prose}<a title=\"{}\">{prose}", "y ".repeat(1500)),
            (0..300)
                .map(|k| {
                    format!(
                        "{k} <a title=\"{}\">the parties agree</a>\n",
                        "y ".repeat(150)
                    )
                })
                .collect(),
            (0..3000).map(|k| format!("{k} a b c d e f\n")).collect(),
        ];
        for raw in &cases {
            let whole = ends(raw, 1000, 8);
            assert!(whole.len() > 10, "{}", whole.len());
            let middle = raw.len() / 2;
            for feed in (1000..9000).step_by(97).chain([middle - 3000, middle + 5]) {
                assert_eq!(streamed_ends(raw, 1000, feed), whole, "{feed}");
            }
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
