//! The leak wall: finds material of the clauses a public edition withholds in its rendered outputs.
//!
//! Every output is decoded whatever its kind (a JSON string can carry HTML, Markdown entities) and
//! read in up to three views; a hit in any counts. Text view: JSON escapes decoded, tags replaced
//! by a space, then entities decoded (last, so `&lt;secret&gt;` is text, not a tag). Joined view:
//! tags removed without a space, so `<b>Se</b>cret` reads `secret`; it is read only around the
//! places where that brought two characters together, since elsewhere it reads what the text
//! view does (see `joins`). Markup view: only entities decoded, so attribute values, comments,
//! text that merely looks like a tag and backslashes that were no JSON escapes are read too; tag
//! names are words there, so only 8-word runs count in it (a title "Summary" would hit every
//! `<summary>`). A view is folded into words: invisible
//! (default-ignorable) characters removed, NFKC, lowercase, any other non-alphanumeric a break.
//! Clause material is folded from its Markdown source with entities decoded but tags and
//! backslashes kept, so that stripping cannot drop words of a secret from the check.
//!
//! Lookups use sorted vectors and hand-written hashes: deterministic, stable across Rust
//! releases, and every hash hit is verified word by word.

mod chunk;
mod edit;

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Words in a run of withheld text (SPEC §3).
pub(crate) const RUN: usize = 8;

/// What the scanner must never find in an edition's outputs: material of one withheld clause.
pub struct Withheld {
    /// How a hit names the clause in messages (the caller passes something safe to print, e.g.
    /// "Annex C, clause 2" or an id for restricted logs).
    pub name: String,
    /// Short strings that must not appear: title, id, each note. Matched as whole word sequences
    /// after normalisation; empty ones are skipped.
    pub phrases: Vec<String>,
    /// The clause's body text (Markdown source is fine): its 8-word runs are checked; if it has
    /// fewer than 8 words, the whole word sequence is checked.
    pub text: String,
}

/// A leak found: which output, which clause, which kind of material (never the material itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Leak {
    /// The output file, as passed to [`Scanner::scan`].
    pub output: String,
    /// The clause, as named by [`Withheld::name`].
    pub clause: String,
    /// Which kind of the clause's material was found.
    pub kind: LeakKind,
}

/// The kind of withheld material a [`Leak`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LeakKind {
    /// One of [`Withheld::phrases`]: a title, id or note.
    Phrase,
    /// A run of eight consecutive words of the text, not shared with an included clause.
    Run,
    /// The whole text of a clause shorter than eight words.
    ShortText,
}

impl fmt::Display for Leak {
    /// Names the output, the clause and the kind of material, never the material itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            LeakKind::Phrase => "the title, id or a note",
            LeakKind::Run => "eight consecutive words of the text",
            LeakKind::ShortText => "the whole text",
        };
        write!(f, "{}: {what} of withheld {}", self.output, self.clause)
    }
}

/// Entries sorted by hash, found through the top bits of the hash: first a bitmap (16 bits an
/// entry, small enough for the cache), then the start of each bucket (about one entry). Binary
/// search instead cost dependent cache misses on every probe. Each entry sets two bits of one
/// word of the bitmap, chosen by the low bits of its hash: one bit passed ~6% of absent hashes,
/// two about 1.5%, and each pass costs two more cache misses. Sorted vectors, not hashed maps:
/// the project bans those.
struct Table<T> {
    shift: u32,
    bits: Vec<u64>,
    starts: Vec<u32>,
    entries: Vec<(u64, T)>,
}

/// The two bits an entry of hash `h` sets in its word of a [`Table`]'s bitmap.
#[inline]
fn bit_pair(h: u64) -> u64 {
    1 << (h & 63) | 1 << (h >> 6 & 63)
}

impl<T> Table<T> {
    /// `entries` in a deterministic order: a stable sort keeps equal hashes as given.
    fn new(mut entries: Vec<(u64, T)>) -> Table<T> {
        entries.sort_by_key(|e| e.0);
        let log = (entries.len().max(64) * 16).next_power_of_two().ilog2();
        let (shift, mut bits) = (64 - log, vec![0u64; 1 << (log - 6)]);
        for (h, _) in &entries {
            if let Some(w) = bits.get_mut((h >> shift >> 6) as usize) {
                *w |= bit_pair(*h);
            }
        }
        let first = |b| entries.partition_point(|e| e.0 >> (shift + 4) < b);
        let starts = (0..=1u64 << (log - 4)).map(|b| u32::try_from(first(b)).unwrap_or(u32::MAX));
        let starts = starts.collect();
        Table {
            shift,
            bits,
            starts,
            entries,
        }
    }

    /// Whether the bitmap lets `h` through: cheap, and independent of other probes, so that a
    /// loop of them keeps many cache misses in flight (see [`Scanner::scan_words`]).
    #[inline]
    fn may_hold(&self, h: u64) -> bool {
        let pair = bit_pair(h);
        (self.bits.get((h >> self.shift >> 6) as usize)).is_some_and(|w| w & pair == pair)
    }

    /// The entries under hash `h`.
    fn get(&self, h: u64) -> impl Iterator<Item = &T> {
        let b = (h >> self.shift >> 4) as usize;
        let (lo, hi) = (
            self.starts.get(b).filter(|_| self.may_hold(h)),
            self.starts.get(b + 1),
        );
        let bucket = (lo.zip(hi)).and_then(|(&lo, &hi)| self.entries.get(lo as usize..hi as usize));
        (bucket.unwrap_or(&[]).iter()).filter_map(move |e| (e.0 == h).then_some(&e.1))
    }
}

/// (clause, kind) hits of one output, possibly repeated; clauses by their index in the scanner.
type Hits = Vec<(usize, LeakKind)>;

/// Outputs from this size on have their parts read on every core by [`Scanner::scan`].
const PARALLEL_SCAN: usize = 1 << 20;

/// About how long the parts are that an output is cut into (see [`chunk`]), and how many bytes
/// of a view are folded at a time. Parts are what a scanner remembers (see
/// [`Scanner::remembering`]): shorter ones are met again more often in HTML and Markdown, where a
/// document's file differs from the consolidated file at each link rewritten to point into it
/// (one every two kilobytes or so), but each costs a hash and a seam. At 10,000 clauses 16 KB
/// read an edition's files fastest, against 8 and 32.
const PIECE: usize = 1 << 14;

/// The stretches of a joined view (tags removed, `tags` where they were) that can hold a match
/// of `keep` words or fewer that the text view (tags replaced by a space) does not: around each
/// place where two characters met, neither of them an ASCII space (see [`around`]). Elsewhere the
/// two views read the same words, at most with one space more.
fn joins(joined: &str, tags: &[usize], keep: usize) -> Vec<std::ops::Range<usize>> {
    let bytes = joined.as_bytes();
    let spaced = |k: Option<usize>| {
        k.and_then(|k| bytes.get(k))
            .is_none_or(u8::is_ascii_whitespace)
    };
    let met = (tags.iter()).filter(|&&p| !spaced(p.checked_sub(1)) && !spaced(Some(p)));
    around(joined, met.map(|&p| p..p), keep)
}

/// The stretches of an output's markup view (entities decoded, nothing else) that can hold a run
/// of `keep` words or fewer that its text view does not: around each tag and each backslash,
/// where the two differ (see [`around`]); the whole output when escapes hide `<` or `>`, whose
/// tags the text view strips and the markup view reads as text. Elsewhere both read the same
/// bytes, decoded alike, so each run there is a run of the text view, which is read whole.
fn markup_regions(raw: &str, keep: usize) -> Vec<std::ops::Range<usize>> {
    let b = raw.as_bytes();
    // A stretch is some 150 bytes of prose: with a site every 400 bytes or more often (HTML,
    // JSON), they cover most of the output, and one read of it beats finding them.
    let dense = memchr::memchr2_iter(b'<', b'\\', b)
        .count()
        .saturating_mul(400)
        > b.len();
    if dense || chunk::escapes_angle(b) {
        return std::iter::once(0..raw.len()).collect();
    }
    // A `<` starts a tag up to the next `>` (counting every `<`, also those the text view keeps,
    // only widens a stretch); a backslash starts an escape, which the stretch's words after it
    // cover, since no escape holds a space.
    let sites = memchr::memchr2_iter(b'<', b'\\', b).map(|at| {
        let end = match b.get(at) {
            Some(b'<') => (b.get(at..).and_then(|rest| memchr::memchr(b'>', rest)))
                .map_or(b.len(), |q| at + q + 1),
            _ => at + 1,
        };
        at..end
    });
    around(raw, sites, keep)
}

/// Stretches of `text` around each of `sites` (in order), with more than `keep` words on either
/// side of it; cut after an ASCII space that an ASCII character follows, as [`piece_end`] does,
/// so that each reads alone as it does within `text`. A token between ASCII spaces counts as
/// a word only if it holds one for sure: an ASCII letter or digit, and no `&` or `;` (no entity
/// can then take it away); counting those undercounts words, so the stretches are long enough.
fn around(
    text: &str,
    sites: impl Iterator<Item = std::ops::Range<usize>>,
    keep: usize,
) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let cut = |k: usize| {
        bytes
            .get(k.wrapping_sub(1))
            .is_some_and(u8::is_ascii_whitespace)
            && bytes.get(k).is_some_and(u8::is_ascii)
    };
    let word = |token: &[u8]| {
        token.iter().any(u8::is_ascii_alphanumeric) && !token.iter().any(|b| b"&;".contains(b))
    };
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for site in sites {
        // A site inside the last stretch needs only its end moved.
        let (mut start, mut words) = (site.start, 0);
        if out.last().is_some_and(|last| last.end > site.start) {
            start = out.last().map_or(start, |last| last.start);
        } else {
            while start > 0 && !(words > keep && cut(start)) {
                let token_end = start;
                while start > 0 && !bytes.get(start - 1).is_some_and(u8::is_ascii_whitespace) {
                    start -= 1;
                }
                words += usize::from(word(bytes.get(start..token_end).unwrap_or_default()));
                while start > 0
                    && bytes.get(start - 1).is_some_and(u8::is_ascii_whitespace)
                    && !(words > keep && cut(start))
                {
                    start -= 1;
                }
            }
        }
        let (mut end, mut words) = (site.end.min(bytes.len()), 0);
        while end < bytes.len() && !(words > keep && cut(end)) {
            let token_start = end;
            while end < bytes.len() && !bytes.get(end).is_some_and(u8::is_ascii_whitespace) {
                end += 1;
            }
            words += usize::from(word(bytes.get(token_start..end).unwrap_or_default()));
            while end < bytes.len()
                && bytes.get(end).is_some_and(u8::is_ascii_whitespace)
                && !(words > keep && cut(end))
            {
                end += 1;
            }
        }
        match out.last_mut() {
            Some(last) if last.end >= start => *last = last.start.min(start)..last.end.max(end),
            _ => out.push(start..end),
        }
    }
    out
}

/// Where the piece of `view` that starts it ends: after an ASCII space at least `size` bytes in
/// that an ASCII character follows, so that no word, escape or NFKC segment is cut (a segment
/// never starts at a space); the whole view if there is none.
fn piece_end(view: &str, size: usize) -> usize {
    let bytes = view.as_bytes();
    (size..bytes.len().saturating_sub(1))
        .find(|&k| {
            bytes.get(k).is_some_and(u8::is_ascii_whitespace)
                && bytes.get(k + 1).is_some_and(u8::is_ascii)
        })
        .map_or(bytes.len(), |k| k + 1)
}

/// Built once per edition.
pub struct Scanner {
    /// Each withheld clause's name and folded text (to verify run hits).
    clauses: Vec<(String, Folded)>,
    /// (clause, kind, words) of each phrase and short text, by the hash of its first two words
    /// (one, for one word): keyed by one, a common first word such as "the" would send most
    /// output words to verification.
    patterns: Table<(usize, LeakKind, Folded)>,
    /// Whether some pattern has one word, and whether some has more: a lookup by a prefix no
    /// pattern is keyed by can only find what the other one finds.
    prefixes: [bool; 2],
    /// The most words of any pattern.
    longest: usize,
    /// Where each run starts, by the hash of the run: the index of its first word among the
    /// words of every clause, one after another (see [`Scanner::word_at`]); one number rather
    /// than (clause, start) takes the table a third less memory.
    runs: Table<usize>,
    /// Where each clause's words start among those of every clause, and where the last ends.
    word_starts: Vec<usize>,
    pool: Pool,
    /// Folding buffers kept from one view to the next: grown afresh for each, they cost the
    /// kernel clearing their memory again.
    spare: std::sync::Mutex<Vec<(Folded, Scratch)>>,
    /// The hits of each part read so far, by its SHA-256, if the scanner remembers them (see
    /// [`Scanner::remembering`]).
    memo: Option<std::sync::Mutex<std::collections::BTreeMap<[u8; 32], Hits>>>,
    /// How many parts were read, not remembered, and how many bytes they held.
    #[cfg(test)]
    reads: std::sync::atomic::AtomicUsize,
    #[cfg(test)]
    read_bytes: std::sync::atomic::AtomicUsize,
}

/// One view of an output, read as it comes, part by part ([`ViewScan::feed`]). It is folded a
/// piece at a time, keeping only the words that matches starting in the next piece may need: the
/// whole of it folded took more memory than the output itself.
struct ViewScan<'s> {
    scanner: &'s Scanner,
    phrases: bool,
    piece: usize,
    folded: Folded,
    scratch: Scratch,
    hits: Hits,
}

impl<'s> ViewScan<'s> {
    /// Phrases are looked for only if `phrases`.
    fn new(scanner: &'s Scanner, phrases: bool, piece: usize) -> ViewScan<'s> {
        let spare = scanner.spare.lock().ok().and_then(|mut spare| spare.pop());
        let (folded, scratch) = spare.unwrap_or_default();
        ViewScan {
            scanner,
            phrases,
            piece,
            folded,
            scratch,
            hits: Vec::new(),
        }
    }

    /// Reads the next part of the view: it must start where a piece may (see [`piece_end`]).
    fn feed(&mut self, part: &str) {
        let keep = self.scanner.longest.max(RUN);
        let mut rest = part;
        while !rest.is_empty() {
            let (this, next) = rest.split_at(piece_end(rest, self.piece));
            rest = next;
            fold_into(&mut self.folded, this);
            let ready = self.folded.len().saturating_sub(keep - 1);
            self.scan(ready);
        }
    }

    /// The hits of the whole view.
    fn finish(mut self) -> Hits {
        self.folded.close();
        self.scan(self.folded.len());
        let ViewScan {
            scanner,
            mut folded,
            scratch,
            hits,
            ..
        } = self;
        folded.clear();
        if let Ok(mut spare) = scanner.spare.lock() {
            spare.push((folded, scratch));
        }
        hits
    }

    fn scan(&mut self, ready: usize) {
        let f = &self.folded;
        (self.scanner).scan_words(f, self.phrases, ready, &mut self.hits, &mut self.scratch);
        self.folded.drain_front(ready);
    }
}

/// An output read as it is written ([`Scanner::stream`]), a block at a time: cut where the whole
/// would be (see [`chunk::next_end`]), its parts and seams read as [`Scanner::scan`] reads them,
/// so that it finds what a scan of the whole finds while holding about a block of it. An output
/// with escapes of `<` or `>` is not cut (see [`chunk`]): it is read whole, from where it went.
pub struct Stream<'s> {
    scanner: &'s Scanner,
    spread: bool,
    cutter: chunk::Cutter,
    /// How many bytes to gather before a read.
    block: usize,
    /// The size of parts asked for (see [`chunk::ends`]).
    piece: usize,
    escaped: bool,
    hits: Hits,
}

/// How much of an output a [`Stream`] gathers before it cuts and reads: enough for its parts to
/// be read on every core.
const BLOCK: usize = PARALLEL_SCAN;

impl Stream<'_> {
    /// The next bytes of the output.
    pub fn feed(&mut self, text: &str) {
        if self.escaped {
            return;
        }
        // An escape that began in the bytes before is found with them.
        let held = self.cutter.held().as_bytes();
        let before = held.get(held.len().saturating_sub(5)..).unwrap_or_default();
        let seam = [before, text.as_bytes().get(..5).unwrap_or(text.as_bytes())];
        if chunk::escapes_angle(&seam.concat()) || chunk::escapes_angle(text.as_bytes()) {
            self.escaped = true;
            self.cutter = chunk::Cutter::new(0, 0);
            return;
        }
        self.cutter.push(text);
        if self.cutter.unread() >= self.block + 2 * chunk::REACH {
            self.read(false);
        }
    }

    /// Reads every part of what was fed that is decided, and all of it if `eof`.
    fn read(&mut self, eof: bool) {
        let cuts = self.cutter.cut(eof);
        let held = self.cutter.held();
        let mut parts = Vec::with_capacity(2 * cuts.len());
        for (part, seam) in cuts {
            parts.push((held.get(part).unwrap_or(held), true));
            parts.extend(seam.map(|seam| (held.get(seam).unwrap_or(held), true)));
        }
        let size: usize = parts.iter().map(|p| p.0.len()).sum();
        let spread = self.spread && size >= PARALLEL_SCAN;
        let hits = self.scanner.read_parts(&parts, self.piece, spread);
        self.hits.extend(hits);
        self.cutter.release();
    }

    /// Every hit in the output, `name` being how the report names it; `whole` gives the output
    /// back whole, for one that has to be read so.
    pub fn finish<E>(
        mut self,
        name: &str,
        whole: &mut dyn FnMut() -> Result<String, E>,
    ) -> Result<Vec<Leak>, E> {
        let scanner = self.scanner;
        if self.escaped {
            return Ok(scanner.scan_in_pieces(name, &whole()?, self.piece, self.spread));
        }
        self.read(true);
        Ok(scanner.leaks(name, std::mem::take(&mut self.hits)))
    }
}

/// Buffers [`Scanner::scan_words`] reuses from piece to piece.
#[derive(Default)]
struct Scratch {
    /// Hashes of the runs from each start.
    keys: Vec<u64>,
    /// (start, hash) of the lookups the bitmap let through.
    passed: Vec<(usize, u64)>,
}

impl Scanner {
    /// `withheld`: every clause the edition withholds; `included`: the text of every clause the
    /// edition includes, each as its parts (title, body) read as if joined by a line break —
    /// runs of 8 words that also occur in an included clause are not secrets (shared
    /// boilerplate) and are skipped.
    pub fn new(withheld: &[Withheld], included: &[&[&str]]) -> Scanner {
        // Folding is most of the work, and each text folds on its own: spread over the cores.
        // Each clause's runs are hashed where it is folded, and only its words are kept (to
        // verify hits), copied out at their size: held for every clause until all were folded,
        // the words' hashes and the room their vectors grew into took the wall 7 MB more for
        // the public edition at 10,000 clauses. Shrunk in place, they gave back little: the
        // allocator keeps a block shrunk by less than half where it is.
        let folded = crate::parallel::map(withheld, |w| {
            let phrases: Vec<Folded> = w.phrases.iter().map(|p| source_fold(p)).collect();
            let mut text = source_fold(&w.text);
            let mut runs = Vec::new();
            run_hashes(&text.hashes, &mut runs);
            let short = (text.len() < RUN).then(|| (LeakKind::ShortText, text.clone()));
            text.hashes = Vec::new();
            text.buf = text.buf.to_vec();
            text.ends = text.ends.to_vec();
            (text, runs, phrases, short)
        });
        let (mut clauses, mut patterns, mut runs) = (vec![], vec![], vec![]);
        let mut word_starts = vec![0];
        for (clause, (w, (text, hashes, phrases, short))) in withheld.iter().zip(folded).enumerate()
        {
            let phrases = phrases.into_iter().map(|p| (LeakKind::Phrase, p));
            for (kind, words) in phrases.chain(short).filter(|p| !p.1.is_empty()) {
                let key = gram_hash(words.hashes.get(..2).unwrap_or(&words.hashes));
                patterns.push((key, (clause, kind, words)));
            }
            let first = word_starts.last().copied().unwrap_or(0);
            runs.extend(hashes.iter().enumerate().map(|(k, &h)| (h, first + k)));
            word_starts.push(first + text.len());
            clauses.push((w.name.clone(), text));
        }
        // By hash, then by clause and start, which the word index orders alike.
        runs.sort_unstable();
        let shared = shared_runs(&runs, included);
        // Sorted, the runs leave the shared ones in one pass over both; a search for each missed
        // the cache at every step. A run repeated within one clause needs checking once.
        let mut rest = shared.as_slice();
        runs.retain(|&(h, _)| {
            while let Some((_, more)) = rest.split_first().filter(|&(&s, _)| s < h) {
                rest = more;
            }
            rest.first() != Some(&h)
        });
        let clause_of = |word: usize| word_starts.partition_point(|&s| s <= word);
        runs.dedup_by(|later, earlier| {
            later.0 == earlier.0 && clause_of(later.1) == clause_of(earlier.1)
        });
        let longest = patterns.iter().map(|p| p.1.2.len()).max().unwrap_or(0);
        let prefixes = [1, 2].map(|n| patterns.iter().any(|p| p.1.2.len().min(2) == n));
        let (patterns, runs) = (Table::new(patterns), Table::new(runs));
        Scanner {
            clauses,
            patterns,
            prefixes,
            longest,
            runs,
            word_starts,
            pool: Pool::default(),
            spare: std::sync::Mutex::default(),
            memo: None,
            #[cfg(test)]
            reads: std::sync::atomic::AtomicUsize::default(),
            #[cfg(test)]
            read_bytes: std::sync::atomic::AtomicUsize::default(),
        }
    }

    /// This scanner, remembering what each part of an output held, so that a part met again in
    /// a later output is not read again: for a caller with many outputs that share text (the
    /// files of one edition). The cost is a SHA-256 of every part; one output alone gains nothing.
    pub fn remembering(mut self) -> Scanner {
        self.memo = Some(std::sync::Mutex::default());
        self
    }

    /// Scan one output file's contents; `name` is its path for the report. Returns every distinct
    /// (clause, kind) hit, sorted, deterministic.
    pub fn scan(&self, name: &str, contents: &str) -> Vec<Leak> {
        self.scan_in_pieces(name, contents, PIECE, true)
    }

    /// [`Scanner::scan`] on this thread alone, for callers that already keep every core busy:
    /// a second thread then only competes for a core, and takes fresh memory of its own.
    pub fn scan_on_one_core(&self, name: &str, contents: &str) -> Vec<Leak> {
        self.scan_in_pieces(name, contents, PIECE, false)
    }

    /// [`Scanner::scan`] of `text`, which is `base` with short plain insertions at `inserted`
    /// (ranges of `text`, in order): a document's file, whose links were rewritten to point into
    /// the consolidated file. When the insertions are plain (see the `edit` module), `base` is
    /// read in parts, most of which a remembering scanner met in the consolidated file, and
    /// `text` only around each insertion; every match of `text` lies in one or the other. If
    /// neither holds one, neither does `text`. Otherwise, and for insertions that are not plain,
    /// `text` is read as [`Scanner::scan`] reads it, and that is what is reported. The parts of a
    /// large output are read on every core if `spread`.
    pub fn scan_inserted(
        &self,
        name: &str,
        text: &str,
        (base, inserted): (&str, &[std::ops::Range<usize>]),
        spread: bool,
    ) -> Vec<Leak> {
        let keep = self.longest.max(RUN);
        let (raw, plain) = (text.as_bytes(), edit::plain_insertions);
        let windows = (plain(raw, base.as_bytes(), inserted))
            .then(|| edit::windows(raw, inserted, keep))
            .flatten();
        if let Some(windows) = windows {
            let mut parts = self.parts(base, PIECE);
            parts.extend(
                windows
                    .into_iter()
                    .map(|w| (text.get(w).unwrap_or(text), false)),
            );
            if self
                .read_parts(&parts, PIECE, spread && text.len() >= PARALLEL_SCAN)
                .is_empty()
            {
                return Vec::new();
            }
        }
        self.scan_in_pieces(name, text, PIECE, spread)
    }

    /// [`Scanner::scan`], the output cut into parts of about `piece` bytes where that is safe
    /// (see [`chunk`]), each view folded `piece` bytes at a time; the parts of a large output
    /// are read on every core if `spread`.
    fn scan_in_pieces(&self, name: &str, contents: &str, piece: usize, spread: bool) -> Vec<Leak> {
        let parts = self.parts(contents, piece);
        let hits = self.read_parts(&parts, piece, spread && contents.len() >= PARALLEL_SCAN);
        self.leaks(name, hits)
    }

    /// An output read as it is written (see [`Stream`]); its parts are read on every core if
    /// `spread`.
    pub fn stream(&self, spread: bool) -> Stream<'_> {
        let keep = self.longest.max(RUN);
        Stream {
            scanner: self,
            spread,
            cutter: chunk::Cutter::new(PIECE, keep),
            block: BLOCK,
            piece: PIECE,
            escaped: false,
            hits: Vec::new(),
        }
    }

    /// The leaks of `hits`, found in the output `name`.
    fn leaks(&self, name: &str, hits: Hits) -> Vec<Leak> {
        // Keyed by name, so two clauses of one name are reported once, and sorted as `Leak` is.
        let mut named: Vec<(&str, LeakKind)> = (hits.into_iter())
            .map(|(clause, kind)| (self.name(clause), kind))
            .collect();
        named.sort();
        named.dedup();
        let leak = |(clause, kind): (&str, _)| Leak {
            output: name.into(),
            clause: clause.into(),
            kind,
        };
        named.into_iter().map(leak).collect()
    }

    /// `contents` cut into parts of about `piece` bytes, each followed by the seam around the cut
    /// after it, which holds every match across it (see [`chunk`]); each to be read alone, in
    /// every view; all marked to be remembered.
    fn parts<'a>(&self, contents: &'a str, piece: usize) -> Vec<(&'a str, bool)> {
        let keep = self.longest.max(RUN);
        let ends = chunk::ends(contents, piece, keep);
        // Each part, then the seam of the cut after it: shared out in halves, each core reads
        // about as much.
        let mut parts = Vec::with_capacity(2 * ends.len());
        let mut start = 0;
        for &end in &ends {
            parts.push((contents.get(start..end).unwrap_or_default(), true));
            if end < contents.len() {
                let seam = chunk::seam(contents.as_bytes(), end, keep);
                let seam = seam.and_then(|seam| contents.get(seam));
                parts.push((seam.unwrap_or(contents), true));
            }
            start = end;
        }
        parts
    }

    /// The hits of `parts`, read alone: those marked through the memo, if the scanner remembers
    /// (see [`Scanner::part_hits`]). On every core if `spread`.
    fn read_parts(&self, parts: &[(&str, bool)], piece: usize, spread: bool) -> Hits {
        let read = |&(part, remember): &(&str, bool)| match remember {
            true => self.part_hits(part, piece),
            false => self.read_part(part, piece),
        };
        match spread {
            true => crate::parallel::map_by(parts, 4, read).concat(),
            false => parts.iter().flat_map(read).collect(),
        }
    }

    /// The distinct hits of one part of an output, read alone. If the scanner remembers, a part
    /// met before (the text of the consolidated file in the file of each document) is not read
    /// again: what it held is kept by the SHA-256 of its bytes, which decide every view of it.
    fn part_hits(&self, part: &str, piece: usize) -> Hits {
        let Some(memo) = &self.memo else {
            return self.read_part(part, piece);
        };
        let key: [u8; 32] = Sha256::digest(part.as_bytes()).into();
        let known = memo.lock().ok().and_then(|memo| memo.get(&key).cloned());
        if let Some(hits) = known {
            return hits;
        }
        let hits = self.read_part(part, piece);
        if let Ok(mut memo) = memo.lock() {
            memo.insert(key, hits.clone());
        }
        hits
    }

    /// The distinct hits of `part` in its three views (see the module docs). Without tags the
    /// joined view is the text view, and without tags or letter escapes (`\n`, `\u…`) the
    /// markup view reads the same runs: both are then skipped.
    fn read_part(&self, part: &str, piece: usize) -> Hits {
        #[cfg(test)]
        {
            use std::sync::atomic::Ordering::Relaxed;
            self.reads.fetch_add(1, Relaxed);
            self.read_bytes.fetch_add(part.len(), Relaxed);
        }
        let (pool, keep) = (&self.pool, self.longest.max(RUN));
        let (json, ate_letter) = decode_json(part, pool);
        let (text, tags) = strip_tags(&json, Some(' '), pool);
        let decoded = decode_entities(&text, pool);
        let mut hits = self.scan_view(&decoded, true, piece);
        pool.give(decoded);
        pool.give(text);
        if !tags.is_empty() {
            let (joined, tags) = strip_tags(&json, None, pool);
            for region in joins(&joined, &tags, keep) {
                let decoded = decode_entities(joined.get(region).unwrap_or_default(), pool);
                hits.extend(self.scan_view(&decoded, true, piece));
                pool.give(decoded);
            }
            pool.give(joined);
        }
        pool.give(json);
        if !tags.is_empty() || ate_letter {
            for region in markup_regions(part, keep) {
                let decoded = decode_entities(part.get(region).unwrap_or_default(), pool);
                hits.extend(self.scan_view(&decoded, false, piece));
                pool.give(decoded);
            }
        }
        hits.sort();
        hits.dedup();
        hits
    }

    /// The clause and the start within its words of word `word` of all of them.
    fn word_at(&self, word: usize) -> Option<(usize, usize)> {
        let clause = self
            .word_starts
            .partition_point(|&s| s <= word)
            .checked_sub(1)?;
        Some((clause, word - self.word_starts.get(clause)?))
    }

    fn name(&self, clause: usize) -> &str {
        self.clauses.get(clause).map_or("", |c| c.0.as_str())
    }

    /// The (clause, kind) hits of one decoded view; phrases only if `phrases`.
    fn scan_view(&self, view: &str, phrases: bool, piece: usize) -> Hits {
        let mut scan = ViewScan::new(self, phrases, piece);
        scan.feed(view);
        scan.finish()
    }

    /// Records the hits of matches that start at the first `ready` words of `f`. The bitmap of
    /// runs is megabytes, and most probes of it miss the cache: they are made in a loop of their
    /// own, where none waits for another, so that the processor overlaps their misses; made
    /// between hashing and verifying, each stalled the scan.
    fn scan_words(
        &self,
        f: &Folded,
        phrases: bool,
        ready: usize,
        hits: &mut Hits,
        scratch: &mut Scratch,
    ) {
        let hs = &f.hashes;
        let Scratch { keys, passed } = scratch;
        passed.clear();
        if phrases {
            for (i, &h) in hs.iter().enumerate().take(ready) {
                let one = self.prefixes[0].then(|| gram_hash(&[h]));
                let two = (self.prefixes[1].then(|| hs.get(i + 1)).flatten())
                    .map(|&n| gram_hash(&[h, n]));
                let keys = one.into_iter().chain(two);
                passed.extend(keys.filter(|&k| self.patterns.may_hold(k)).map(|k| (i, k)));
            }
        }
        for &(i, key) in passed.iter() {
            for (clause, kind, words) in self.patterns.get(key) {
                if f.matches(i, words, 0, words.len()) {
                    hits.push((*clause, *kind));
                }
            }
        }
        keys.clear();
        run_hashes(
            hs.get(..(ready + RUN - 1).min(hs.len()))
                .unwrap_or_default(),
            keys,
        );
        passed.clear();
        let through = keys
            .iter()
            .enumerate()
            .filter(|&(_, &k)| self.runs.may_hold(k));
        passed.extend(through.map(|(i, &k)| (i, k)));
        for &(i, key) in passed.iter() {
            for &word in self.runs.get(key) {
                let Some((clause, start)) = self.word_at(word) else {
                    continue;
                };
                let text = self.clauses.get(clause).map(|c| &c.1);
                if text.is_some_and(|text| f.matches(i, text, start, RUN)) {
                    hits.push((clause, LeakKind::Run));
                }
            }
        }
    }
}

/// Decode and fold a text as the scanner sees it: a sequence of lowercase NFKC words, the text
/// view of an output (see the module docs). For tests, which check folding through it.
#[cfg(test)]
fn words(text: &str) -> Vec<String> {
    let folded = source_fold(
        &strip_tags(
            &decode_json(text, &Pool::default()).0,
            Some(' '),
            &Pool::default(),
        )
        .0,
    );
    folded.words().map(str::to_owned).collect()
}

/// Clause material as matched: entities decoded, then folded (see the module docs for why no more).
fn source_fold(text: &str) -> Folded {
    fold(&decode_entities(text, &Pool::default()))
}

/// splitmix64's finaliser: spreads the weak high bits of the multiplicative hashes below, which
/// index the tables.
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A word's hash, eight bytes a step (a byte a step was most of folding's time); written out
/// because std's hashers are not promised to be stable across releases. The bytes are read as
/// whole words, overlapping (which bytes each read covers is fixed by the length, which is
/// hashed first): padding a short chunk through a copy stalled every word on a store.
#[inline]
fn word_hash(word: &[u8]) -> u64 {
    // A step of its own for the length: xor-ed into the first chunk, it let "a" meet "ba".
    let h = hash_step(0xcbf2_9ce4_8422_2325, word.len() as u64);
    let step = hash_step;
    let u64_at = |k: usize| {
        let bytes = word.get(k..k + 8).and_then(|b| <[u8; 8]>::try_from(b).ok());
        bytes.map_or(0, u64::from_le_bytes)
    };
    let u32_at = |k: usize| {
        let bytes = word.get(k..k + 4).and_then(|b| <[u8; 4]>::try_from(b).ok());
        bytes.map_or(0, |b| u64::from(u32::from_le_bytes(b)))
    };
    let byte_at = |k: usize| word.get(k).map_or(0, |&b| u64::from(b));
    mix(match word.len() {
        0 => h,
        n @ 1..4 => step(h, byte_at(0) | byte_at(n / 2) << 8 | byte_at(n - 1) << 16),
        n @ 4..8 => step(h, u32_at(0) | u32_at(n - 4) << 32),
        n => {
            let body = (0..n - 8).step_by(8).fold(h, |h, k| step(h, u64_at(k)));
            step(body, u64_at(n - 8))
        }
    })
}

#[inline]
fn hash_step(h: u64, chunk: u64) -> u64 {
    (h ^ chunk).wrapping_mul(0x0100_0000_01b3).rotate_left(29)
}

/// [`word_hash`] of the first `n` bytes of `lane`, 0 < `n` < 8, read as `word_hash` reads them,
/// from the register the word was folded in.
#[inline]
fn short_word_hash(lane: u64, n: usize) -> u64 {
    let at = |k: usize, bits: u32| lane >> (8 * k) & (u64::MAX >> (64 - bits));
    let h = hash_step(0xcbf2_9ce4_8422_2325, n as u64);
    // Both computed, one chosen: a branch on the length was mispredicted on every other word.
    let short = at(0, 8) | at(n / 2, 8) << 8 | at(n.saturating_sub(1), 8) << 16;
    let long = at(0, 32) | at(n.saturating_sub(4), 32) << 32;
    mix(hash_step(h, if n < 4 { short } else { long }))
}

/// Eight ASCII bytes at a time: which are letters or digits (the high bit of each such byte),
/// and the bytes lowercased. Range tests by adding to each byte: with no high bit set, no sum
/// carries into the next byte.
#[inline]
fn ascii_lanes(x: u64) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    // A byte plus `0x80 - lo` has its high bit set when the byte is at least `lo`.
    let at_least = |lo: u64| x + ONES * (0x80 - lo);
    let digit = at_least(0x30) & !at_least(0x3A);
    let upper = at_least(0x41) & !at_least(0x5B);
    let lower = at_least(0x61) & !at_least(0x7B);
    ((digit | upper | lower) & HIGH, x | (upper & HIGH) >> 2)
}

/// Folds `ascii` (ASCII only) onto the words of `f`, eight bytes at a step: a byte at a step,
/// through a table, was most of folding's time.
fn fold_ascii(f: &mut Folded, ascii: &[u8]) {
    let mut j = 0;
    while j < ascii.len() {
        let rest = ascii.get(j..).unwrap_or_default();
        let take = rest.len().min(8);
        let lane = match rest.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            Some(lane) => lane,
            // Bytes past the end read as a break, which the counts below stop at.
            None => {
                let mut lane = [b' '; 8];
                (lane.iter_mut().zip(rest)).for_each(|(l, &b)| *l = b);
                lane
            }
        };
        let (word, lowered) = ascii_lanes(u64::from_le_bytes(lane));
        // Leading word bytes, else leading breaks.
        let words = (!word & 0x8080_8080_8080_8080).trailing_zeros() as usize / 8;
        let start = f.buf.len();
        if words > 0 {
            f.buf.extend_from_slice(&lowered.to_le_bytes());
            f.buf.truncate(start + words);
            if words < take && !f.open {
                // The whole word, and the break after it (as much of it as is in the lane): most
                // words, in one step.
                f.hashes.push(short_word_hash(lowered, words));
                f.ends.push(start + words);
                let breaks = (word >> (8 * words)).trailing_zeros() as usize / 8;
                j += (words + breaks).min(take);
            } else {
                f.open = true;
                j += words;
            }
        } else {
            f.close();
            j += (word.trailing_zeros() as usize / 8).min(take);
        }
    }
}

/// The multiplier of the polynomial hash of word sequences (see [`gram_hash`]): odd, so that
/// changing one word always changes the sum; 3 mod 8, so that even sums that differ by words
/// trading places meet with a chance of ~2^-60 at most (~2^-64 for most differences).
const POLY: u64 = 0x9e37_79b9_7f4a_7c13;

/// `POLY` to the power `RUN - 1`: the weight of the first word of a run.
const POLY_LAST: u64 = {
    let (mut p, mut k) = (1u64, 1);
    while k < RUN {
        p = p.wrapping_mul(POLY);
        k += 1;
    }
    p
};

/// Hash of a word sequence, from its words' hashes, so each output word is hashed once: the sum
/// of each word's hash times `POLY` to the power of the words after it, mod 2^64, then mixed.
/// A sum, so that a run's hash follows from the last one's in a few steps ([`run_hashes`]).
fn gram_hash(word_hashes: &[u64]) -> u64 {
    mix(word_hashes
        .iter()
        .fold(0, |g, &w| g.wrapping_mul(POLY).wrapping_add(w)))
}

/// The runs of `withheld` (sorted by hash) that an included text also has, by hash, sorted:
/// those are not secrets (shared boilerplate). Included runs are compared by hash only: a
/// collision (~2^-64 a pair) could hide one run. Only the included runs the withheld ones
/// hold are kept: keeping every included run, to sort and compare, was `render`'s peak
/// memory (17 MB at 10,000 clauses).
fn shared_runs<T>(runs: &[(u64, T)], included: &[&[&str]]) -> Vec<u64> {
    let mut unique: Vec<(u64, ())> = runs.iter().map(|r| (r.0, ())).collect();
    unique.dedup_by_key(|r| r.0);
    let withheld = Table::new(unique);
    let per_text = crate::parallel::map(included, |parts| {
        let hashes: Vec<u64> = parts.iter().flat_map(|p| source_fold(p).hashes).collect();
        let mut here = Vec::new();
        run_hashes(&hashes, &mut here);
        // Probed in a loop of their own, as in scanning, to keep cache misses in flight.
        here.retain(|&h| withheld.may_hold(h));
        here.retain(|&h| withheld.get(h).next().is_some());
        // Most texts share nothing with the withheld ones: their runs' room is given back.
        here.shrink_to_fit();
        here
    });
    let mut shared: Vec<u64> = per_text.into_iter().flatten().collect();
    shared.sort_unstable();
    shared.dedup();
    shared
}

/// Appends to `out` the [`gram_hash`] of each run of `RUN` words of `word_hashes`, in order.
fn run_hashes(word_hashes: &[u64], out: &mut Vec<u64>) {
    let Some(first) = word_hashes.get(..RUN) else {
        return;
    };
    let mut rolling = Rolling::default();
    out.push(first.iter().fold(0, |_, &w| rolling.push(w, None)));
    for (&gone, &new) in word_hashes.iter().zip(word_hashes.iter().skip(RUN)) {
        out.push(rolling.push(new, Some(gone)));
    }
}

/// The [`gram_hash`] of the last `RUN` words of a text, kept up to date a word at a time.
#[derive(Default)]
pub(crate) struct Rolling(u64);

impl Rolling {
    /// Adds the word hashed `new`, drops `gone` (the hash of the word `RUN` words back, once
    /// there is one), and returns the hash of the run ending at `new` (meaningful from the
    /// `RUN`th word on).
    #[inline]
    pub(crate) fn push(&mut self, new: u64, gone: Option<u64>) -> u64 {
        let g = self
            .0
            .wrapping_sub(gone.unwrap_or(0).wrapping_mul(POLY_LAST));
        self.0 = g.wrapping_mul(POLY).wrapping_add(new);
        mix(self.0)
    }
}

/// Folded words: their characters back to back in `buf` (UTF-8), nothing between them, with
/// each word's hash, computed as it is folded.
#[derive(Clone, Default)]
struct Folded {
    buf: Vec<u8>,
    /// Where each word ends in `buf`; it starts where the one before it ends, the first at 0.
    /// Ends alone, not spans: a withheld clause's words take a third less memory in the wall.
    ends: Vec<usize>,
    hashes: Vec<u64>,
    /// Whether `buf` ends with a word still open, after the last of `ends`.
    open: bool,
}

impl Folded {
    /// Adds a lowercase character: to the open word if `word`, else as a break.
    #[inline]
    fn push(&mut self, c: char, word: bool) {
        if word {
            self.open = true;
            let mut utf8 = [0; 4];
            self.buf
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        } else {
            self.close();
        }
    }

    /// Ends the open word, if any, and hashes it.
    #[inline]
    fn close(&mut self) {
        if std::mem::take(&mut self.open) {
            let start = self.ends.last().copied().unwrap_or(0);
            let word = self.buf.get(start..).unwrap_or_default();
            self.hashes.push(word_hash(word));
            self.ends.push(self.buf.len());
        }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where word `i` starts in `buf`.
    fn start(&self, i: usize) -> Option<usize> {
        match i.checked_sub(1) {
            None => Some(0),
            Some(before) => self.ends.get(before).copied(),
        }
    }

    /// Forgets the first `n` words, keeping the open one.
    fn drain_front(&mut self, n: usize) {
        let n = n.min(self.ends.len());
        let cut = self.start(n).unwrap_or(0);
        self.buf.drain(..cut);
        self.ends.drain(..n);
        self.hashes.drain(..n);
        self.ends.iter_mut().for_each(|e| *e -= cut);
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Forgets every word, keeping the memory.
    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.hashes.clear();
        self.open = false;
    }

    /// Adds `c` lowercased, from [`lower`] where it has it.
    fn push_folded(&mut self, c: char) {
        match lower(c) {
            0 => c.to_lowercase().for_each(|l| self.push(l, is_word(l))),
            e => self.push(char::from_u32(e & LOWER).unwrap_or(c), e & WORD != 0),
        }
    }

    fn word(&self, i: usize) -> Option<&[u8]> {
        self.buf.get(self.start(i)?..*self.ends.get(i)?)
    }

    /// Whether the `len` words of `other` from its word `start` occur here from word `i`.
    fn matches(&self, i: usize, other: &Folded, start: usize, len: usize) -> bool {
        (0..len).all(|k| matches!(other.word(start + k), Some(w) if self.word(i + k) == Some(w)))
    }

    #[cfg(test)]
    fn words(&self) -> impl Iterator<Item = &str> {
        let word = |i| self.word(i).unwrap_or_default();
        (0..self.len()).map(move |i| std::str::from_utf8(word(i)).unwrap_or_default())
    }
}

/// Default-ignorable code points: invisible, so they must not split or change a word.
fn ignorable(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Folds `text` into words. NFKC runs only on segments that need it: a segment starts at a
/// stable character (see [`STABLE`]) and takes the unstable ones after it, such as the accent in
/// `e\u{301}`; a stable character followed by another is left as it is.
fn fold(text: &str) -> Folded {
    let mut f = Folded::default();
    fold_into(&mut f, text);
    f.close();
    f
}

/// Folds `text` onto the words of `f`, leaving its last word open.
fn fold_into(f: &mut Folded, text: &str) {
    f.buf.reserve(text.len());
    let stable = |c: char| lower(c) & STABLE != 0;
    let (bytes, mut i) = (text.as_bytes(), 0);
    while let Some(&b) = bytes.get(i) {
        // Fast path for the bulk of most outputs: ASCII is stable, so a run of it folds a word at
        // a time through a byte table, except its last byte when a non-ASCII character follows
        // (it may compose with it). The guard makes that run at least two bytes long.
        if b.is_ascii() && bytes.get(i + 1).is_none_or(u8::is_ascii) {
            let rest = bytes.get(i..).unwrap_or_default();
            // Eight bytes a test: a byte a test was a sixth of folding.
            let whole = rest.chunks_exact(8).take_while(|c| c.is_ascii()).count() * 8;
            let tail = rest.get(whole..).unwrap_or_default();
            let end = match tail.iter().position(|c| !c.is_ascii()) {
                Some(k) => i + whole + k - 1,
                None => bytes.len(),
            };
            fold_ascii(f, bytes.get(i..end).unwrap_or_default());
            i = end;
            continue;
        }
        let rest = text.get(i..).unwrap_or_default();
        let mut chars = rest.char_indices().skip(1);
        let end = chars
            .find(|&(_, c)| stable(c))
            .map_or(rest.len(), |(k, _)| k);
        let segment = rest.get(..end).unwrap_or_default();
        let mut one = segment.chars();
        match (one.next(), one.next()) {
            (Some(c), None) if stable(c) => f.push_folded(c),
            _ => (segment.chars().filter(|&c| !ignorable(c)).nfkc()).for_each(|c| f.push_folded(c)),
        }
        i += end.max(1);
    }
}

/// The lowercase character in a [`lower`] entry.
const LOWER: u32 = 0x1F_FFFF;
/// Marks a word character in a [`lower`] entry.
const WORD: u32 = 1 << 31;
/// Marks a segment start: NFKC leaves the character as it is and never composes it with what comes
/// before (NFKC_QC=Yes, combining class 0), and it is not ignorable.
const STABLE: u32 = 1 << 30;

/// For a BMP character, its lowercase (if one character) or-ed with [`WORD`] and [`STABLE`],
/// else 0. Kept in a table: std's `to_lowercase` and `is_alphanumeric` search tables on each
/// call, and NFKC is slower still; they made Cyrillic text five times slower to fold. The table
/// is built 256 characters at a time, when one of them is first met: the whole of it cost more
/// than folding a small draft.
fn lower(c: char) -> u32 {
    static BLOCKS: [OnceLock<[u32; 256]>; 256] = [const { OnceLock::new() }; 256];
    let entry = |c: char| {
        let mut lower = c.to_lowercase();
        let (Some(l), None) = (lower.next(), lower.next()) else {
            return 0;
        };
        let quick = is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
        let stable = quick && canonical_combining_class(c) == 0 && !ignorable(c);
        u32::from(l) | if is_word(l) { WORD } else { 0 } | if stable { STABLE } else { 0 }
    };
    let (block, at) = (c as u32 >> 8, c as usize & 0xFF);
    let Some(entries) = BLOCKS.get(block as usize) else {
        return 0;
    };
    let entries = entries.get_or_init(|| {
        std::array::from_fn(|k| char::from_u32(block << 8 | k as u32).map_or(0, entry))
    });
    entries.get(at).copied().unwrap_or(0)
}

/// Word characters: alphanumerics, and combining marks (Indic vowel signs, accents NFKC cannot
/// compose), which belong to their word.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

/// Memory for decoded copies of parts of outputs, kept from one to the next: fresh memory for each
/// cost the kernel zeroing it.
#[derive(Default)]
struct Pool(std::sync::Mutex<Vec<String>>);

impl Pool {
    /// An empty string with room for `len` bytes.
    fn take(&self, len: usize) -> String {
        let spare = self.0.lock().ok().and_then(|mut spare| spare.pop());
        let mut s = spare.unwrap_or_default();
        s.clear();
        s.reserve(len);
        s
    }

    /// Keeps a copy's memory for the next one.
    fn give(&self, copy: Cow<'_, str>) {
        if let (Cow::Owned(s), Ok(mut spare)) = (copy, self.0.lock()) {
            spare.push(s);
        }
    }
}

/// Copies `s`, offering the text after each `marker` (an ASCII byte: never part of another
/// character) to `f`, which tells what the escape stands for (nothing, for a removed tag) and
/// how many bytes it used; `None` keeps the marker as text. Without a marker, `s` itself: most
/// HTML holds no backslash.
fn decode<'a>(
    s: &'a str,
    marker: u8,
    pool: &Pool,
    mut f: impl FnMut(&str, usize) -> Option<(Option<char>, usize)>,
) -> Cow<'a, str> {
    // memchr's search, many bytes a step: std's `find` took 4% of `publish`.
    let find = |text: &str| memchr::memchr(marker, text.as_bytes());
    if find(s).is_none() {
        return Cow::Borrowed(s);
    }
    let (mut out, mut rest) = (pool.take(s.len()), s);
    while let Some(p) = find(rest) {
        out.push_str(rest.get(..p).unwrap_or_default());
        let after = rest.get(p + 1..).unwrap_or_default();
        let (c, used) = f(after, out.len()).unwrap_or((Some(char::from(marker)), 0));
        out.extend(c);
        // Never drop the rest of an output: a bad length would only keep the escape as text.
        rest = after.get(used..).unwrap_or(after);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Decodes JSON string escapes anywhere; other backslashes stay. Also tells whether an escape ate
/// a letter (`\n`, `\u…`), which the markup view then reads undecoded.
fn decode_json<'a>(s: &'a str, pool: &Pool) -> (Cow<'a, str>, bool) {
    let mut ate_letter = false;
    let out = decode(s, b'\\', pool, |after, _| {
        let hex4 = |at: usize| {
            let h = after.get(at..at + 4)?;
            u32::from_str_radix(h, 16)
                .ok()
                .filter(|_| h.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        let (c, used) = match after.bytes().next()? {
            b @ (b'"' | b'\\' | b'/') => (char::from(b), 1),
            b'b' | b'f' | b'n' | b'r' | b't' => (' ', 1),
            b'u' => {
                let (u, used) = match (hex4(1)?, after.get(5..7), hex4(7)) {
                    (hi @ 0xD800..=0xDBFF, Some("\\u"), Some(lo @ 0xDC00..=0xDFFF)) => {
                        (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 11)
                    }
                    (u, _, _) => (u, 5),
                };
                (char::from_u32(u).unwrap_or('\u{FFFD}'), used)
            }
            _ => return None,
        };
        ate_letter |= after.starts_with(|c| "bfnrtu".contains(c));
        Some((Some(c), used))
    });
    (out, ate_letter)
}

/// Replaces each tag (`<` then a letter, `/`, `!` or `?`, up to the next `>`) by `with`; also
/// tells where in the result tags were (once for tags back to back). A `<` with no `>` after it
/// is text.
fn strip_tags<'a>(s: &'a str, with: Option<char>, pool: &Pool) -> (Cow<'a, str>, Vec<usize>) {
    // Once no `>` follows, none follows any later `<` either: remember, to stay linear.
    let (mut at, mut unclosed) = (Vec::new(), 0);
    let out = decode(s, b'<', pool, |after, here| {
        let opens = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c));
        if !opens || after.len() <= unclosed {
            return None;
        }
        let Some(q) = memchr::memchr(b'>', after.as_bytes()) else {
            unclosed = after.len();
            return None;
        };
        if at.last() != Some(&here) {
            at.push(here);
        }
        Some((with, q + 1))
    });
    (out, at)
}

/// Decodes numeric character references (`;` optional, as browsers read them) and named ones:
/// the markup-significant five, invisible ones as a soft hyphen (removed later), others a space.
fn decode_entities<'a>(s: &'a str, pool: &Pool) -> Cow<'a, str> {
    decode(s, b'&', pool, |after, _| {
        if let Some(num) = after.strip_prefix('#') {
            let (radix, digits) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (16, hex),
                None => (10, num),
            };
            let n = digits
                .bytes()
                .take_while(|b| char::from(*b).is_digit(radix))
                .count();
            let value = u32::from_str_radix(digits.get(..n)?, radix).ok();
            let c = value.and_then(char::from_u32).filter(|&c| c != '\0');
            let semi = usize::from(digits.get(n..n + 1) == Some(";"));
            let used = 1 + usize::from(radix == 16) + n + semi;
            return (n > 0).then_some((Some(c.unwrap_or('\u{FFFD}')), used));
        }
        let n = after
            .bytes()
            .take(32)
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        after.get(n..n + 1).filter(|s| *s == ";" && n > 0)?;
        let c = match after.get(..n)? {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "shy" | "zwj" | "zwnj" | "ZeroWidthSpace" | "NoBreak" | "lrm" | "rlm" => '\u{AD}',
            _ => ' ',
        };
        Some((Some(c), n + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const TEXT: &str =
        "The depot at Kestrel Ridge holds the reserve of fuel for the northern brigades.";
    const C2: &str = "Annex C, clause 2";
    const C3: &str = "Annex C, clause 3";

    fn clause(name: &str, phrases: &[&str], text: &str) -> Withheld {
        let phrases = phrases.iter().map(|p| p.to_string()).collect();
        Withheld {
            name: name.into(),
            phrases,
            text: text.into(),
        }
    }

    #[test]
    fn words_inside_a_tag_are_read_with_those_around_it() {
        // Every run of the clause holds a word that only the markup view reads (the text view
        // drops the tag), with up to seven words of it on either side, far from other tags.
        let secret = "one two three four five six seven eight nine ten eleven twelve";
        let filler = "the parties note that the report was received ".repeat(6);
        let scanner = Scanner::new(&[clause("Annex X", &[], secret)], &[]);
        for out in [
            format!(
                "<p>{filler}one two three four five <six seven> eight nine ten eleven twelve {filler}</p>"
            ),
            format!(
                "{filler}one two three four five six seven <eight nine ten eleven twelve {filler}>"
            ),
        ] {
            let leaks = scanner.scan("out.html", &out);
            let kinds: Vec<LeakKind> = leaks.iter().map(|l| l.kind).collect();
            assert_eq!(kinds, [LeakKind::Run], "{out}");
        }
    }

    #[test]
    fn a_run_with_one_word_in_markup_is_found_far_from_other_markup() {
        // The markup view is read only around markup: far enough around it for a run of which
        // all but one word lie outside a tag (which the text view drops) or an escape (which
        // it decodes), on either side.
        let secret = "quay berth pilot tug hawser anchor buoy channel";
        let escaped = "quay berth pilot tug hawser anchor buoy nchannel";
        let filler = "the parties note that the report was received in good order ".repeat(8);
        let scanner = Scanner::new(
            &[
                clause("Annex X", &[], secret),
                clause("Annex Y", &[], escaped),
            ],
            &[],
        );
        for (out, names) in [
            (
                format!("{filler}quay berth pilot tug hawser anchor buoy <channel> {filler}"),
                &["Annex X"][..],
            ),
            (
                format!("{filler}<quay> berth pilot tug hawser anchor buoy channel {filler}"),
                &["Annex X"],
            ),
            // Decoded, the text view reads Annex X's run; read as written, Annex Y's.
            (
                format!("{filler}quay berth pilot tug hawser anchor buoy \\nchannel {filler}"),
                &["Annex X", "Annex Y"],
            ),
        ] {
            let leaks = scanner.scan("out.html", &out);
            let found: Vec<&str> = leaks.iter().map(|l| l.clause.as_str()).collect();
            assert_eq!(found, names, "{out}");
            assert!(leaks.iter().all(|l| l.kind == LeakKind::Run), "{leaks:?}");
        }
    }

    #[test]
    fn a_large_output_reads_alike_on_one_core_and_on_two() {
        // One clause the text view finds, one only the markup view finds (inside a tag), one
        // only the joined view finds (a tag inside a word), in an output large enough that
        // `scan` reads its views on two threads.
        let text = "one two three four five six seven eight nine ten";
        let attribute = "alpha bravo charlie delta echo foxtrot golf hotel india";
        let split = "kilo lima mike november oscar papa quebec romeo";
        let scanner = Scanner::new(
            &[
                clause("Annex X", &[], text),
                clause("Annex Y", &[], attribute),
                clause("Annex Z", &[], split),
            ],
            &[],
        );
        let filler = "<p>the parties note that the report was received</p>\n".repeat(10_000);
        let out = format!(
            "{filler}<p>{text}</p>{filler}<a title=\"{attribute}\">x</a>{filler}\
             <p>kilo lima mi<b>ke</b> november oscar papa quebec romeo</p>\n{filler}"
        );
        assert!(out.len() >= PARALLEL_SCAN);
        let two = scanner.scan("out.html", &out);
        let clauses: Vec<&str> = two.iter().map(|l| l.clause.as_str()).collect();
        assert_eq!(clauses, ["Annex X", "Annex Y", "Annex Z"], "{two:?}");
        assert_eq!(scanner.scan_on_one_core("out.html", &out), two);
    }

    fn hits(included: &[&str], out: &str) -> Vec<(String, LeakKind)> {
        let c2 = clause(C2, &["Air-Defence Depot", "c-2-depot", ""], TEXT);
        let c3 = clause(C3, &[], "Reserved for *Operation Nightfall*.");
        let d = clause("Annex D", &["Section"], "");
        let included: Vec<&[&str]> = included.iter().map(std::slice::from_ref).collect();
        let leaks = Scanner::new(&[c2, c3, d], &included).scan("out.html", out);
        // The report names the output and the clause, and never quotes the material.
        let report: String = leaks.iter().map(|l| format!("{l} {l:?}")).collect();
        assert!(leaks.iter().all(|l| l.output == "out.html"));
        for word in "depot defence kestrel reserve nightfall operation".split(' ') {
            assert!(!report.to_lowercase().contains(word), "{report}");
        }
        leaks.into_iter().map(|l| (l.clause, l.kind)).collect()
    }

    #[test]
    fn title_is_found_however_encoded() {
        for out in [
            "<h2>Air&#45;Defence&nbsp;D&#x65;p&#111;t</h2>",
            "<p>Air <em>Defence</em></p><p>Depot</p>",
            "<b>Air-De</b>fence Depot",
            "&lt;Air&gt; &lt;Defence Depot&gt;",
            "ＡＩＲ ＤＥＦＥＮＣＥ\u{3000}ＤＥＰＯＴ",
            "air-de\u{200B}fence de&shy;pot",
            r#"{"title": "Air\u2011Def\u0065nce <i>Depot</i>"}"#,
            "see C-2-DEPOT",
        ] {
            assert_eq!(hits(&[], out), [(C2.into(), LeakKind::Phrase)], "{out}");
        }
    }

    #[test]
    fn run_is_found_however_spaced_or_encoded() {
        for out in [
            "<p>the DEPOT at\n  kestrel\tridge HOLDS the  reserve</p>",
            r#"{"body": "\"The d\u0065pot at Kestrel\nRidge holds the \u0072eserve\""}"#,
            "<img alt=\"holds the reserve of fuel for the northern\">",
            "<p>the depot at kestrel ridge holds the reser<b></b>ve</p>",
            "ｔｈｅ ｒｅｓｅｒｖｅ ｏｆ ｆｕｅｌ ｆｏｒ ｔｈｅ ｎｏｒｔｈｅｒｎ ｂｒｉｇａｄｅｓ",
        ] {
            assert_eq!(hits(&[], out), [(C2.into(), LeakKind::Run)], "{out}");
        }
    }

    #[test]
    fn short_text_is_found_whole() {
        let out = "<li>RESERVED for operation\u{AD} night&#102;all</li>";
        assert_eq!(hits(&[], out), [(C3.into(), LeakKind::ShortText)]);
        assert_eq!(hits(&[], "reserved for operation"), []);
    }

    #[test]
    fn run_shared_with_an_included_clause_is_not_reported() {
        let shared = "the depot at kestrel ridge holds the reserve of fuel";
        let included = ["Stocks. The depot at Kestrel Ridge holds the reserve of fuel, as agreed."];
        assert_eq!(hits(&included, shared), []);
        let tail = format!("{shared} for the northern brigades");
        assert_eq!(hits(&included, &tail), [(C2.into(), LeakKind::Run)]);
    }

    #[test]
    fn a_run_is_named_after_its_own_clause_among_many() {
        // Between long clauses, some with no words and one too short for a run: each run
        // found must lead back to the clause it came from.
        let words = |k: usize, from: usize, n: usize| -> Vec<String> {
            (from..from + n).map(|w| format!("w{k}x{w}")).collect()
        };
        let long = |k: usize| words(k, 0, 20).join(" ");
        let withheld = [
            clause("a", &[], &long(1)),
            clause("empty", &[], ""),
            clause("short", &[], "three short words"),
            clause("b", &[], &long(2)),
            clause("blank", &[], " * "),
            clause("c", &[], &long(3)),
        ];
        let scanner = Scanner::new(&withheld, &[]);
        for (name, k) in [("a", 1), ("b", 2), ("c", 3)] {
            for start in [0, 5, 12] {
                let out = format!("before {} after", words(k, start, RUN).join(" "));
                let found: Vec<(String, LeakKind)> = (scanner.scan("o", &out).into_iter())
                    .map(|l| (l.clause, l.kind))
                    .collect();
                assert_eq!(found, [(name.to_string(), LeakKind::Run)], "{out}");
            }
        }
    }

    #[test]
    fn a_run_two_clauses_hold_is_reported_for_both() {
        let text = "the depot at kestrel ridge holds the reserve of fuel";
        let twice = format!("{text}. Again: {text}.");
        let withheld = [clause("a", &[], text), clause("d", &[], &twice)];
        let found: Vec<(String, LeakKind)> = (Scanner::new(&withheld, &[]).scan("o", text))
            .into_iter()
            .map(|l| (l.clause, l.kind))
            .collect();
        let run = |name: &str| (name.to_string(), LeakKind::Run);
        assert_eq!(found, [run("a"), run("d")]);
    }

    #[test]
    fn clean_or_odd_output_yields_nothing() {
        for out in [
            "",
            "<section><p>The depot is elsewhere; nothing reserved.</p></section>",
            "&#99999999999; &#x; &bogus \\u12 \\ud800 \\ <a <b> & é\u{301}<",
            "\u{301}\u{200B}é",
        ] {
            assert_eq!(hits(&[], out), [], "{out}");
        }
    }

    #[test]
    fn every_kind_of_material_is_reported_once() {
        let out =
            format!("{TEXT} {TEXT} Air-Defence Depot c-2-depot reserved for operation nightfall");
        let c3 = (C3.into(), LeakKind::ShortText);
        let expected = [
            (C2.into(), LeakKind::Phrase),
            (C2.into(), LeakKind::Run),
            c3,
        ];
        assert_eq!(hits(&[], &out), expected);
    }

    #[test]
    fn a_view_folded_in_pieces_yields_what_it_yields_whole() {
        let c2 = clause(C2, &["Air-Defence Depot", "c-2-depot"], TEXT);
        let c3 = clause(C3, &[], "Reserved for *Operation Nightfall*.");
        let scanner = Scanner::new(&[c2, c3], &[]);
        let out = format!(
            "<p>x {TEXT}</p>\n<b>Air-De</b>fence  Depot café\u{301} ＲＥＳＥＲＶＥＤ for operation nightfall"
        );
        let whole = scanner.scan_in_pieces("o", &out, usize::MAX, true);
        let kinds: Vec<LeakKind> = whole.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [LeakKind::Phrase, LeakKind::Run, LeakKind::ShortText]
        );
        for piece in 1..out.len() {
            assert_eq!(
                scanner.scan_in_pieces("o", &out, piece, true),
                whole,
                "{piece}"
            );
        }
    }

    #[test]
    fn a_cut_never_parts_words_a_removed_tag_joined() {
        // Only the joined view reads the run: "a</b>a" is "aa" there.
        let secret = "aa bb cc dd ee ff gg hh";
        let scanner = Scanner::new(&[clause("Annex X", &[], secret)], &[]);
        let out = format!("zz <b>a</b>a bb cc dd ee ff gg hh {}", FILLER.repeat(4));
        assert!(chunk::ends(&out, 1, RUN).len() > 1);
        let leaks = scanner.scan_in_pieces("o", &out, 1, true);
        assert_eq!(
            leaks.iter().map(|l| l.kind).collect::<Vec<_>>(),
            [LeakKind::Run]
        );
    }

    #[test]
    fn a_part_met_again_is_not_read_again_and_reports_alike() {
        let secret = "the depot at kestrel ridge holds the reserve of fuel";
        let scanner = Scanner::new(&[clause(C2, &[], secret)], &[]).remembering();
        let reads = || scanner.reads.load(std::sync::atomic::Ordering::Relaxed);
        // Words that do not repeat, as prose does not: repeated text repeats its parts too.
        let prose = |from: usize, n: usize| {
            let word = |k: usize| format!("w{k}{}", if k % 8 == 7 { "\n" } else { " " });
            (from..from + n).map(word).collect::<String>()
        };
        let body = format!("{}<p>{secret}</p>{}", prose(0, 1000), prose(1000, 1000));
        let consolidated = format!("<h1>All</h1>{body}<p>More</p>{}", prose(2000, 2000));
        let document = format!("<h1>One document</h1>{body}");
        let found = scanner.scan_in_pieces("all.html", &consolidated, 512, false);
        assert_eq!(
            found.iter().map(|l| l.kind).collect::<Vec<_>>(),
            [LeakKind::Run]
        );
        let first = reads();
        let again = scanner.scan_in_pieces("one.html", &document, 512, false);
        assert_eq!(
            again.iter().map(|l| &l.output).collect::<Vec<_>>(),
            ["one.html"]
        );
        // The document's text is most of the consolidated file's: a few parts around where they
        // differ are read, not the twenty-odd the consolidated file was cut into.
        assert!(first > 20, "{first}");
        assert!(reads() - first < 6, "{first} then {}", reads());
        // What was remembered is what the part held: with a word of the secret changed (every
        // run of it has that word, and the part its length), the part is read anew and holds
        // nothing.
        let changed = document.replace("kestrel", "kestrex");
        assert_eq!(scanner.scan_in_pieces("x.html", &changed, 512, false), []);
    }

    #[test]
    fn a_file_with_links_rewritten_is_read_around_them_and_reports_alike() {
        let secret = "the depot at kestrel ridge holds the reserve of fuel";
        let wall = || Scanner::new(&[clause(C2, &[], secret)], &[]).remembering();
        let scanner = wall();
        let read = |s: &Scanner| s.read_bytes.load(std::sync::atomic::Ordering::Relaxed);
        let prose = |from: usize, n: usize| {
            let word = |k: usize| format!("w{k}{}", if k % 8 == 7 { "\n" } else { " " });
            (from..from + n).map(word).collect::<String>()
        };
        // A document of the consolidated file, with a link to a clause elsewhere every 300 words,
        // as in the files `publish` writes.
        let link = |k: usize| format!(r##"<a href="#c{k}">see</a> "##);
        let document: String = (0..100).map(|k| prose(300 * k, 300) + &link(k)).collect();
        let consolidated = format!("<h1>All</h1>{document}{}", prose(30_000, 1000));
        assert_eq!(scanner.scan("all.html", &consolidated), []);
        // Its file, each link pointing into the consolidated file: `put` after each `mark`.
        let rewrite = |base: &str, mark: &str, put: &str| {
            let mut inserted = Vec::new();
            let mut text = String::new();
            for (k, piece) in base.split(mark).enumerate() {
                if k > 0 {
                    text.push_str(mark);
                    inserted.push(text.len()..text.len() + put.len());
                    text.push_str(put);
                }
                text.push_str(piece);
            }
            (text, inserted)
        };
        let (file, inserted) = rewrite(&document, "href=\"", "../agreement.html");
        let first = read(&scanner);
        let found = scanner.scan_inserted("one.html", &file, (&document, &inserted), false);
        assert_eq!(found, []);
        // What was read: a window around each link, and the parts where the document's text
        // starts and ends; read as a file of its own, all of it, every part having a link.
        assert!(
            read(&scanner) - first < file.len() / 3,
            "{}",
            read(&scanner) - first
        );
        let plain = wall();
        assert_eq!(plain.scan("all.html", &consolidated), []);
        let first = read(&plain);
        assert_eq!(plain.scan("one.html", &file), []);
        assert!(
            read(&plain) - first >= file.len(),
            "{}",
            read(&plain) - first
        );
        // A leak in the text around the links is reported, under the file's name.
        let leaky = document.replace("w1500 ", &format!("w1500 {secret} "));
        let (file, inserted) = rewrite(&leaky, "href=\"", "../agreement.html");
        let found = scanner.scan_inserted("one.html", &file, (&leaky, &inserted), false);
        assert_eq!(
            found
                .iter()
                .map(|l| (&l.output[..], l.kind))
                .collect::<Vec<_>>(),
            [("one.html", LeakKind::Run)]
        );
        // In Markdown, a link's target is text: one the inserted words complete is reported, and
        // none where they break one up.
        let md: String = (0..20)
            .map(|k| prose(300 * k, 300) + "[see](#c) ")
            .collect();
        // Every run of the secret takes in the inserted word, and some words before the link or
        // after it, far from other links.
        let parted = [
            (
                "the depot at kestrel ridge holds [the](#of) fuel",
                "reserve",
            ),
            (
                "the depot [at](#ridge) holds the reserve of fuel",
                "kestrel",
            ),
        ];
        for (words, put) in parted {
            let parted = md.replace("w2050 ", &format!("w2050 {words} "));
            let (file, inserted) = rewrite(&parted, "](", put);
            assert_eq!(reference(&[clause(C2, &[], secret)], &[], &parted), []);
            let found = scanner.scan_inserted("one.md", &file, (&parted, &inserted), false);
            assert_eq!(found.len(), 1, "{words}: {found:?}");
        }
        let whole = md.replace(
            "w899 ",
            "w899 the depot at kestrel ridge holds [the](#reserve) of fuel ",
        );
        let (file, inserted) = rewrite(&whole, "](", "agreement.md");
        assert_eq!(reference(&[clause(C2, &[], secret)], &[], &whole).len(), 1);
        let found = scanner.scan_inserted("one.md", &file, (&whole, &inserted), false);
        assert_eq!(found, []);
    }

    #[test]
    fn a_short_word_hashes_alike_from_its_register() {
        let lane = u64::from_le_bytes(*b"abcdefgh");
        for n in 1..8 {
            let word = &lane.to_le_bytes()[..n];
            assert_eq!(short_word_hash(lane, n), word_hash(word), "{n}");
        }
        // Bytes after the word do not count.
        let other = u64::from_le_bytes(*b"abcdXYZW");
        assert_eq!(short_word_hash(other, 4), short_word_hash(lane, 4));
        assert_ne!(short_word_hash(other, 5), short_word_hash(lane, 5));
    }

    #[test]
    fn words_decode_and_fold() {
        let text = r"Air-Defence ﬁre ＦＩＲＥ S\u0065cret Sec&#114;et &quot;\ud835\udc00b&quot; ";
        let expected = "air defence fire fire secret secret ab café café дом";
        assert_eq!(
            words(&format!("{text} Cafe\u{301} CAFÉ ДОМ")),
            expected.split(' ').collect::<Vec<_>>()
        );
    }

    #[test]
    fn run_hashes_are_the_hashes_of_the_runs() {
        let text = "One two three four five six seven eight nine ten ELEVEN twelve; one two";
        let hashes = fold(text).hashes;
        let mut rolled = Vec::new();
        run_hashes(&hashes, &mut rolled);
        let whole: Vec<u64> = hashes.windows(RUN).map(gram_hash).collect();
        assert_eq!(rolled, whole);
        assert_eq!(rolled.len(), hashes.len() - RUN + 1);
        run_hashes(hashes.get(..RUN - 1).unwrap_or_default(), &mut rolled);
        assert_eq!(rolled.len(), hashes.len() - RUN + 1);
    }

    #[test]
    fn words_of_every_short_length_hash_apart() {
        // Every word of up to 12 letters over a small alphabet, and words that differ only in
        // one byte or in length: the overlapping reads must not make any two hash alike.
        let mut words: Vec<Vec<u8>> = vec![vec![]];
        for len in 1..=4 {
            let last: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| w.len() == len - 1)
                .cloned()
                .collect();
            for w in last {
                words.extend(b"ab0z".iter().map(|&b| [w.as_slice(), &[b]].concat()));
            }
        }
        for len in 5..=24 {
            words.push(vec![b'a'; len]);
            words.extend(
                (0..len).map(|k| (0..len).map(|j| if j == k { b'b' } else { b'a' }).collect()),
            );
        }
        let mut hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), words.len());
    }

    /// What [`Scanner::scan`] must report, found the slow way: every view read whole, always,
    /// and material compared word by word, with no hashing at all.
    fn reference(withheld: &[Withheld], included: &[&[&str]], out: &str) -> Vec<Leak> {
        let owned = |f: &Folded| f.words().map(str::to_owned).collect::<Vec<_>>();
        let json = decode_json(out, &Pool::default()).0;
        let text = owned(&fold(&decode_entities(
            &strip_tags(&json, Some(' '), &Pool::default()).0,
            &Pool::default(),
        )));
        let joined = owned(&fold(&decode_entities(
            &strip_tags(&json, None, &Pool::default()).0,
            &Pool::default(),
        )));
        let markup = owned(&fold(&decode_entities(out, &Pool::default())));
        let has = |view: &[String], words: &[String]| view.windows(words.len()).any(|w| w == words);
        let shared: BTreeSet<Vec<String>> = (included.iter())
            .flat_map(|parts| {
                let words: Vec<String> =
                    parts.iter().flat_map(|p| owned(&source_fold(p))).collect();
                words
                    .windows(RUN)
                    .map(<[String]>::to_vec)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut leaks = BTreeSet::new();
        for w in withheld {
            let words = owned(&source_fold(&w.text));
            let mut whole: Vec<_> = w
                .phrases
                .iter()
                .map(|p| (LeakKind::Phrase, owned(&source_fold(p))))
                .collect();
            whole.extend((words.len() < RUN).then(|| (LeakKind::ShortText, words.clone())));
            for (kind, phrase) in whole.into_iter().filter(|p| !p.1.is_empty()) {
                if has(&text, &phrase) || has(&joined, &phrase) {
                    leaks.insert((w.name.clone(), kind));
                }
            }
            let runs = words.windows(RUN).filter(|run| !shared.contains(*run));
            if runs
                .into_iter()
                .any(|run| [&text, &joined, &markup].iter().any(|v| has(v, run)))
            {
                leaks.insert((w.name.clone(), LeakKind::Run));
            }
        }
        let leak = |(clause, kind)| Leak {
            output: "o".into(),
            clause,
            kind,
        };
        leaks.into_iter().map(leak).collect()
    }

    /// Words of the generated clauses: cased, accented, fullwidth, Greek, with digits.
    const VOCAB: [&str; 10] = [
        "alpha",
        "Beta",
        "GAMMA",
        "café",
        "ｄｅｌｔａ",
        "δέλτα",
        "x2",
        "fire",
        "ﬁre",
        "eta",
    ];

    /// What the generated outputs put between words, and inside them: spaces, tags, entities,
    /// JSON escapes, invisible and combining characters, punctuation.
    const NOISE: [&str; 24] = [
        " ",
        "\n",
        r"\n",
        r"\t",
        r"\\",
        r"\u0065",
        r#"\""#,
        "<b>",
        "</b>",
        r#"<p class="a b">"#,
        "<!-- c -->",
        "</td><td>",
        "&amp;",
        "&#101;",
        "&shy;",
        "&lt;i&gt;",
        "\u{301}",
        "\u{200B}",
        "—",
        ". ",
        "<",
        ">",
        "&",
        "\\",
    ];

    type Plants = Vec<(usize, prop::sample::Index, usize)>;
    type Inserts = Vec<(prop::sample::Index, &'static str)>;

    /// Two withheld clauses of the words `texts` (indices into [`VOCAB`]) and `phrases`, an
    /// included one whose runs they may share, and an output: stretches of the clause texts and
    /// stray `words`, separated by `seps`, then `inserts` put anywhere, inside words too.
    fn planted(
        texts: &[Vec<usize>],
        phrases: &[Vec<usize>],
        plants: Plants,
        seps: &[&str],
        words: &[&str],
        inserts: Inserts,
    ) -> (Vec<Withheld>, String, String) {
        let text = |ws: &[usize]| {
            ws.iter()
                .filter_map(|&w| VOCAB.get(w).copied())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let texts: Vec<String> = texts.iter().map(|ws| text(ws)).collect();
        let phrases: Vec<String> = phrases.iter().map(|ws| text(ws)).collect();
        let withheld: Vec<Withheld> = (0..2)
            .map(|k| clause(&format!("c{k}"), &[&phrases[k], "eta x2"], &texts[k]))
            .collect();
        let mut sep = seps.iter().cycle();
        let mut out = String::new();
        for (t, at, len) in plants {
            let ws: Vec<&str> = texts[t].split(' ').collect();
            let start = at.index(ws.len().saturating_sub(RUN) + 1);
            for w in ws.iter().skip(start).take(len).chain(words) {
                out.push_str(w);
                out.push_str(sep.next().copied().unwrap_or(" "));
            }
        }
        let mut out: Vec<char> = out.chars().collect();
        for (at, what) in inserts {
            out.splice(
                at.index(out.len() + 1)..at.index(out.len() + 1),
                what.chars(),
            );
        }
        (withheld, texts[2].clone(), out.into_iter().collect())
    }

    /// Plain prose, long enough that an output may be cut in it (see [`chunk`]).
    const FILLER: &str = " and the parties shall meet at the place they agree on in the month \
        that follows each report on the work done so far by the joint commission ";

    /// Outputs cut into parts, each read by a scanner of its own, and in turn by one that
    /// remembers parts: the output, the same after a head of its own, and with text put in.
    /// A runner of `cases` generated cases from a fixed seed, so that a run is repeatable.
    fn runner(cases: u32, seed: u64) -> proptest::test_runner::TestRunner {
        use proptest::test_runner::{Config, RngSeed, TestRunner};
        TestRunner::new(Config {
            cases,
            rng_seed: RngSeed::Fixed(seed),
            failure_persistence: None,
            ..Config::default()
        })
    }

    /// The words of three clause texts and of two clauses' phrases, for [`planted`].
    fn clause_words() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<Vec<usize>>)> {
        (
            prop::collection::vec(prop::collection::vec(0..VOCAB.len(), 4..16), 3),
            prop::collection::vec(prop::collection::vec(0..VOCAB.len(), 0..3), 2),
        )
    }

    #[test]
    fn outputs_cut_into_parts_report_what_the_reference_finds() {
        let mut runner = runner(256, 0x0c07_0c07);
        let mut seps = NOISE.to_vec();
        seps.extend([FILLER; 8]);
        let strategy = (
            clause_words(),
            prop::collection::vec((0..3usize, any::<prop::sample::Index>(), 4..16usize), 1..5),
            prop::collection::vec(prop::sample::select(seps), 1..16),
            prop::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    prop::sample::select(NOISE.to_vec()),
                ),
                0..12,
            ),
            prop::collection::vec(prop::sample::select(NOISE.to_vec()), 1..4),
            1usize..100,
            1usize..3000,
        );
        let cut = std::cell::Cell::new(0);
        let result = runner.run(
            &strategy,
            |((texts, phrases), plants, seps, inserts, prefix, piece, feed)| {
                let (withheld, included, out) =
                    planted(&texts, &phrases, plants.clone(), &seps, &[], vec![]);
                let changed = planted(&texts, &phrases, plants, &seps, &[], inserts).2;
                let included: [&[&str]; 1] = [&[included.as_str()]];
                let scanner = Scanner::new(&withheld, &included);
                let parts = chunk::ends(&changed, piece, scanner.longest.max(RUN)).len();
                cut.set(cut.get() + usize::from(parts > 1));
                let expected = reference(&withheld, &included, &changed);
                let found = scanner.scan_in_pieces("o", &changed, piece, true);
                prop_assert_eq!(found, expected, "{:?}", changed);
                let remembering = Scanner::new(&withheld, &included).remembering();
                let prefixed = format!("{}{FILLER}{out}", prefix.concat());
                for out in [&out, &prefixed, &changed] {
                    let expected = reference(&withheld, &included, out);
                    let found = remembering.scan_in_pieces("o", out, piece, false);
                    prop_assert_eq!(&found, &expected, "{:?}", out);
                    let streamed = streamed(&remembering, out, piece, feed);
                    prop_assert_eq!(streamed, expected, "{:?}", out);
                }
                Ok(())
            },
        );
        result.unwrap();
        // Most outputs were cut: the property was tested where it matters.
        assert!(cut.get() > 128, "{}", cut.get());
    }

    /// What `scanner` finds in `out` read as it is written, `feed` bytes at a time (at a
    /// character's end), in parts of about `piece` bytes, a few kilobytes read at a time.
    fn streamed(scanner: &Scanner, out: &str, piece: usize, feed: usize) -> Vec<Leak> {
        let mut stream = scanner.stream(false);
        stream.cutter = chunk::Cutter::new(piece, scanner.longest.max(RUN));
        (stream.piece, stream.block) = (piece, 2000);
        let mut rest = out;
        while !rest.is_empty() {
            let mut at = feed.min(rest.len());
            while !rest.is_char_boundary(at) {
                at += 1;
            }
            let (fed, after) = rest.split_at(at);
            stream.feed(fed);
            rest = after;
        }
        let whole = || Ok::<_, ()>(out.to_string());
        stream.finish("o", &mut { whole }).unwrap()
    }

    #[test]
    fn an_output_with_escaped_angles_is_read_whole_wherever_its_feeds_end() {
        let scanner = Scanner::new(&[clause(C2, &[], TEXT)], &[]);
        let prose = format!("{FILLER}\n").repeat(200);
        // The secret's words inside an attribute of a tag JSON's escapes hide.
        let out = format!("{prose}\\u003ca title=\\\"{TEXT}\\\"\\u003e{prose}");
        let escape = out.find("\\u003c").unwrap();
        for feed in [3, escape + 2, escape + 4, 5000] {
            let mut stream = scanner.stream(false);
            stream.block = 3000;
            for piece in out.as_bytes().chunks(feed) {
                stream.feed(std::str::from_utf8(piece).unwrap());
            }
            let mut asked = 0;
            let mut whole = || {
                asked += 1;
                Ok::<_, ()>(out.clone())
            };
            let found = stream.finish("o", &mut whole).unwrap();
            assert_eq!(asked, 1, "{feed}");
            assert_eq!(found, scanner.scan("o", &out), "{feed}");
        }
        // Without them, it is read as it came.
        let mut stream = scanner.stream(false);
        stream.feed(&prose);
        assert_eq!(stream.finish("o", &mut || Err(())), Ok(vec![]));
    }

    /// Outputs that are another with text put in, as a document's file is the consolidated file
    /// with its links rewritten, read as their base and around each insertion by a scanner that
    /// met the base's text before: they report what the reference finds in them, whether the
    /// insertions complete a match, break one up, or are not plain (then the output is read whole).
    #[test]
    fn outputs_with_text_put_in_report_what_the_reference_finds() {
        let mut runner = runner(1024, 0x1d5e_27ed);
        // Links, where `publish` puts text in (before their `#`), of words a match may take in.
        let links = [" [alpha](#eta) ", r##" <a href="#x2">fire</a> "##, "](#"];
        let mut seps = NOISE.to_vec();
        seps.extend([FILLER; 4]);
        seps.extend(links.iter().flat_map(|l| [*l; 4]));
        let puts = [
            "../agreement.html",
            "x2",
            "alpha.Beta",
            "eta/x2",
            "fire-eta",
            "GAMMA_x2",
        ];
        let strategy = (
            clause_words(),
            // Stretches of withheld text mostly shorter than a run: outputs whose base is clean.
            prop::collection::vec((0..3usize, any::<prop::sample::Index>(), 1..10usize), 1..5),
            prop::collection::vec(prop::sample::select(seps), 1..24),
            prop::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    prop::sample::select(puts.to_vec()),
                ),
                1..8,
            ),
            // Now and then text put in anywhere, most often where it is not plain.
            prop::option::weighted(0.2, (any::<prop::sample::Index>(), "[a-z<&;#]{1,3}")),
        );
        let (fast, made) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let result = runner.run(
            &strategy,
            |((texts, phrases), plants, seps, puts, stray)| {
                let (withheld, included, base) =
                    planted(&texts, &phrases, plants, &seps, &[], vec![]);
                let sites: Vec<usize> = (base.match_indices("(#").map(|(k, _)| k + 1))
                    .chain(base.match_indices("\"#").map(|(k, _)| k + 1))
                    .collect();
                let mut at: Vec<(usize, String)> = (puts.iter())
                    .filter(|_| !sites.is_empty())
                    .map(|(k, put)| (sites[k.index(sites.len())], put.to_string()))
                    .collect();
                if let Some((k, put)) = stray {
                    let chars: Vec<usize> = (base.char_indices().map(|(k, _)| k)).collect();
                    at.push((chars[k.index(chars.len())], put));
                }
                at.sort();
                at.dedup_by_key(|a| a.0);
                let (mut text, mut inserted, mut from) = (String::new(), Vec::new(), 0);
                for (k, put) in at {
                    text.push_str(&base[from..k]);
                    inserted.push(text.len()..text.len() + put.len());
                    text.push_str(&put);
                    from = k;
                }
                text.push_str(&base[from..]);
                let included: [&[&str]; 1] = [&[included.as_str()]];
                let expected = reference(&withheld, &included, &text);
                let scanner = Scanner::new(&withheld, &included).remembering();
                prop_assert_eq!(
                    scanner.scan("o", &base),
                    reference(&withheld, &included, &base)
                );
                let found = scanner.scan_inserted("o", &text, (&base, &inserted), false);
                prop_assert_eq!(found, expected.clone(), "{:?}", text);
                let plain = edit::plain_insertions(text.as_bytes(), base.as_bytes(), &inserted);
                let keep = scanner.longest.max(RUN);
                fast.set(
                    fast.get()
                        + usize::from(
                            plain && edit::windows(text.as_bytes(), &inserted, keep).is_some(),
                        ),
                );
                let clean = reference(&withheld, &included, &base).is_empty();
                made.set(made.get() + usize::from(plain && clean && !expected.is_empty()));
                Ok(())
            },
        );
        result.unwrap();
        // Most outputs were read as their base and windows, and some insertions made or broke a
        // match: the property was tested where it matters.
        assert!(fast.get() > 512, "{}", fast.get());
        assert!(made.get() > 32, "{}", made.get());
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x0e17_e17e),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]
        #[test]
        fn scan_reports_what_the_reference_finds(
            texts in prop::collection::vec(prop::collection::vec(0..VOCAB.len(), 4..16), 3),
            phrases in prop::collection::vec(prop::collection::vec(0..VOCAB.len(), 0..3), 2),
            plants in prop::collection::vec((0..3usize, any::<prop::sample::Index>(), 4..16usize), 1..5),
            seps in prop::collection::vec(prop::sample::select(NOISE.to_vec()), 1..16),
            words in prop::collection::vec(prop::sample::select(VOCAB.to_vec()), 0..12),
            inserts in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(NOISE.to_vec())), 0..12),
            piece in 1usize..200,
            backslashes in any::<bool>(),
        ) {
            let (withheld, included, out) = planted(&texts, &phrases, plants, &seps, &words, inserts);
            // Half the outputs have no backslash, as most HTML and Markdown outputs.
            let out: String = out.chars().filter(|&c| backslashes || c != '\\').collect();
            let included: [&[&str]; 1] = [&[included.as_str()]];
            let scanner = Scanner::new(&withheld, &included);
            let expected = reference(&withheld, &included, &out);
            prop_assert_eq!(scanner.scan("o", &out), expected.clone(), "{:?}", out);
            prop_assert_eq!(scanner.scan_in_pieces("o", &out, piece, true), expected, "{:?}", out);
        }

        #[test]
        fn ascii_folds_into_its_lowercased_letter_and_digit_runs(
            text in "[a-zA-Z0-9 .,;\n-]{0,80}",
            split in any::<prop::sample::Index>(),
        ) {
            let expected: Vec<String> = text
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
            // Folded whole, and in two parts cut anywhere.
            let (a, b) = text.split_at(split.index(text.len() + 1));
            let mut parts = Folded::default();
            fold_into(&mut parts, a);
            fold_into(&mut parts, b);
            parts.close();
            for f in [fold(&text), parts] {
                prop_assert_eq!(f.words().collect::<Vec<_>>(), expected.clone());
                let hashes: Vec<u64> = expected.iter().map(|w| word_hash(w.as_bytes())).collect();
                prop_assert_eq!(&f.hashes, &hashes);
            }
        }

        #[test]
        fn any_window_is_found(
            text in prop::collection::vec("[a-z0-9]{1,8}", RUN..40),
            at in any::<prop::sample::Index>(),
            around in prop::collection::vec("[a-z]{1,8}", 0..30),
            split in any::<prop::sample::Index>(),
            seps in prop::collection::vec("[ \t\r\n.,;:!?()\u{a0}\u{3000}-]{1,3}", RUN),
            upper in prop::collection::vec(any::<bool>(), 64),
            piece in 1usize..64,
        ) {
            let start = at.index(text.len() - RUN + 1);
            let mut window = String::new();
            for (k, w) in text.iter().skip(start).take(RUN).enumerate() {
                let up = |(j, c): (usize, char)| if upper[(k * 8 + j) % 64] { c.to_ascii_uppercase() } else { c };
                window.extend(w.chars().enumerate().map(up));
                window.push_str(&seps[k]);
            }
            let (before, after) = around.split_at(split.index(around.len() + 1));
            let out = format!("{} {window} {}", before.join(" "), after.join(" "));
            let scanner = Scanner::new(&[clause("c", &[], &text.join(" "))], &[]);
            let leaks = scanner.scan_in_pieces("o", &out, piece, true);
            prop_assert!(leaks.iter().any(|l| l.kind == LeakKind::Run), "{out}");
        }

        #[test]
        fn the_joined_view_read_around_joins_finds_what_it_finds_read_whole(
            inserts in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
                "<b>", "</b>", "<td>", "</td><td>", "<p class=\"x\">", " ", "\n", "&amp;", "&am",
                "p;", "&#101;", ";", ".", "\u{301}", "é", "—", "\u{200B}", "<!---->", "word",
            ])), 0..64),
        ) {
            let c2 = clause(C2, &["Air-Defence Depot", "kestrel"], TEXT);
            let c3 = clause(C3, &[], "the depot holds");
            let scanner = Scanner::new(&[c2, c3], &[]);
            // The material, with tags and other text put anywhere, inside words too.
            let mut out: Vec<char> = format!("{TEXT} Air-Defence Depot, the depot holds").chars().collect();
            for (at, what) in inserts {
                out.splice(at.index(out.len() + 1)..at.index(out.len() + 1), what.chars());
            }
            let out: String = out.into_iter().collect();
            let (joined, tags) = strip_tags(&out, None, &Pool::default());
            let read = |view: &str| scanner.scan_view(&decode_entities(view, &Pool::default()), true, usize::MAX);
            let whole: BTreeSet<_> = read(&joined).into_iter().collect();
            let mut found: BTreeSet<_> = read(&strip_tags(&out, Some(' '), &Pool::default()).0).into_iter().collect();
            for region in joins(&joined, &tags, scanner.longest.max(RUN)) {
                found.extend(read(joined.get(region).unwrap_or_default()));
            }
            prop_assert!(whole.is_subset(&found), "{out:?}: {whole:?} {found:?}");
        }
    }
}
