//! Deterministic synthetic draft repositories, for benchmarking entente (see `bench/README.md`).
//!
//! ```sh
//! cargo run --release --example synth -- --clauses N --seed S --out DIR \
//!     [--rounds K] [--edit-share 0.05] [--move-share 0.01]
//! ```
//!
//! Writes a complete draft repository to DIR: an `entente.toml` with three documents
//! (`Article {n}`, `Section {A}`, `Point {n}`), each with two or three annexes at three
//! levels, editions `public`, `restricted` and `full`, three parties, and N clause files of
//! about 1 KB of legal Markdown, laid out as `doc-2/annex-b/k-000123.md`.
//!
//! With `--rounds K` it also makes DIR a git repository holding K rounds of negotiation,
//! tagged `r0` ... `r{K-1}`: round 0 is the initial draft; each later round edits a few words
//! in `--edit-share` of the clauses (always including `c-000001`), moves `--move-share` of
//! them within their list, inserts and removes about 0.2% (at least one each) and changes
//! the status of about 1%. Author, committer and timestamps are fixed, so commit ids are too.
//!
//! Everything comes from a SplitMix64 generator seeded with `--seed`, and nothing iterates a
//! hashed collection: the same arguments give byte-identical files and the same commit ids.
//! Round k depends only on the seed and the rounds before it, so `--rounds 2` and
//! `--rounds 200` share `r0` and `r1`.
//!
//! Every round is valid (`entente check` exits 0) and publishable (`entente publish` exits 0):
//!
//! - each classification level above UNCLASSIFIED has its own pool of invented codewords
//!   ("Vesk", "Norvath", "Xandrel", ...), disjoint from each other and from every word
//!   the unclassified text is made of (asserted at start-up);
//! - a clause's text only uses codewords of its own level, and a classified clause's text
//!   is checked to have a codeword of its level in *every* window of eight consecutive words
//!   (as the leak wall splits words), after generation and after every edit. So no run of
//!   eight words of a withheld clause can occur in anything an edition includes, nor
//!   straddle two included clauses in an output;
//! - titles, notes and annex ids/titles of classified material carry a codeword; classified
//!   clause ids are `k-NNNNNN`, unclassified ones `c-NNNNNN`, and no text contains `k`
//!   as a word;
//! - cross-references never target withdrawn clauses; clauses that are referenced are never
//!   withdrawn or removed; no raw HTML is written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

// ---------------------------------------------------------------------------------------------
// Randomness

/// SplitMix64: tiny, fast, and the same on every platform and Rust release.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// One of a pool of words.
    fn word(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary. Unclassified text is made only of the pools below; classified text adds the
// codewords of its level. The pools are the generator's own wording.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Level {
    U = 0,
    C = 1,
    S = 2,
    T = 3,
}

const LEVEL_NAMES: [&str; 4] = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"];

const CODEWORDS: [&[&str]; 4] = [
    &[],
    &[
        "Vesk", "Orlan", "Tiramet", "Karsk", "Quelvane", "Mordrith", "Saskar", "Trevond", "Ulmak",
        "Zerath", "Heskel", "Draveth", "Ostrin", "Pallex", "Rivok", "Sondar", "Tarnek", "Valmir",
        "Yskar", "Gorvel", "Haldrin", "Jestrel", "Kvarn", "Lothrim",
    ],
    &[
        "Norvath", "Aldrek", "Brennic", "Dusketh", "Ervask", "Falkor", "Grimmet", "Hovrand",
        "Istrel", "Jorvane", "Kelvast", "Lumrik", "Morvask", "Nestrel", "Oskarn", "Prevath",
        "Quessar", "Rundak", "Skelvar", "Torvane", "Uskareth", "Vindrel", "Wolmark", "Zandrik",
    ],
    &[
        "Xandrel", "Ymrith", "Zolvek", "Quorath", "Thessik", "Vorlane", "Wystrel", "Askhar",
        "Bryndor", "Cythrel", "Dravost", "Elvaskar", "Fenrath", "Gulvorn", "Hextrim", "Ithrask",
    ],
];

const PARTIES: [(&str, &str); 3] = [
    ("arden", "Republic of Arden"),
    ("belmora", "Kingdom of Belmora"),
    ("corvassa", "Corvassan Federation"),
];

const SUBJECTS: &[&str] = &[
    "the Parties",
    "each Party",
    "the Joint Commission",
    "the Implementation Board",
    "the Secretariat",
    "the competent authorities of each Party",
    "the Monitoring Mission",
    "the Depositary",
    "either Party",
    "the Coordinating Committee",
    "the Arbitral Tribunal",
    "the Working Group",
    "the Contracting Parties",
    "the Ombudsperson",
    "the Steering Council",
    "the Audit Office",
    "the host Party",
    "the requesting Party",
    "the Chair of the Joint Commission",
    "the Government of Arden",
    "the Government of Belmora",
    "the Corvassan authorities",
];

const VERBS_SHORT: &[&str] = &[
    "establish",
    "maintain",
    "notify",
    "review",
    "ensure",
    "adopt",
    "implement",
    "coordinate",
    "monitor",
    "update",
    "record",
    "secure",
    "inspect",
    "report on",
    "relocate",
    "replenish",
    "safeguard",
    "verify",
];

const VERBS_LONG: &[&str] = &[
    "take all necessary measures to implement",
    "cooperate in the preparation of",
    "give due consideration to",
    "make publicly available",
    "provide technical assistance for",
    "publish",
    "facilitate",
    "promote",
    "support",
    "finance",
    "approve",
    "examine",
    "designate",
    "provide for",
];

const NEG_VERBS: &[&str] = &[
    "impede",
    "restrict",
    "obstruct",
    "suspend",
    "withdraw from",
    "alter unilaterally",
    "discriminate against",
];

const DETS: &[&str] = &["the", "all", "any", "such", "the relevant"];

const ADJS: &[&str] = &[
    "appropriate",
    "annual",
    "national",
    "joint",
    "technical",
    "provisional",
    "binding",
    "independent",
    "transparent",
    "comprehensive",
    "reciprocal",
    "interim",
    "public",
    "effective",
    "regional",
    "multi-year",
    "consolidated",
    "detailed",
];

const NOUNS: &[&str] = &[
    "measures",
    "procedures",
    "register",
    "report",
    "framework",
    "schedule",
    "arrangements",
    "mechanism",
    "plan",
    "rules",
    "obligations",
    "assistance",
    "inspections",
    "guidelines",
    "standards",
    "list of contact points",
    "consultations",
    "fund",
    "programme",
    "budget",
    "assessment",
    "review",
    "certificates",
    "roadmap",
];

const TOPICS: &[&str] = &[
    "cross-border trade",
    "the return of displaced persons",
    "energy infrastructure",
    "inland navigation",
    "public procurement",
    "customs cooperation",
    "the exchange of information",
    "reconstruction financing",
    "environmental protection",
    "demining operations",
    "civil aviation",
    "water resources",
    "data protection",
    "cultural heritage",
    "the settlement of disputes",
    "humanitarian access",
    "the protection of investments",
    "maritime safety",
    "railway connections",
    "telecommunications",
    "veterans and their families",
    "the restoration of housing",
    "agricultural exports",
    "grain corridors",
];

const TAILS: &[&str] = &[
    "within {n} days of the entry into force of this Agreement",
    "no later than {n} months after signature",
    "without undue delay",
    "in good faith",
    "on a reciprocal basis",
    "in accordance with their domestic law",
    "at the request of either Party",
    "subject to the availability of funds",
    "to the extent permitted by applicable law",
    "at least once every {n} months",
    "in consultation with the Joint Commission",
    "before the end of each calendar year",
];

const STARTERS: &[&str] = &[
    "Without prejudice to {ref}, ",
    "Subject to {ref}, ",
    "Notwithstanding {ref}, ",
    "In accordance with {ref}, ",
    "For the purposes of this Agreement, ",
    "Unless otherwise agreed, ",
    "Upon request, ",
    "Where {cond}, ",
];

const CONDS: &[&str] = &[
    "a Party considers that an obligation under this Agreement has not been met",
    "the Joint Commission so decides",
    "a dispute arises concerning the interpretation of this Agreement",
    "consultations fail to produce a solution within {n} days",
    "the circumstances so require",
];

const REF_WORDS: &[&str] = &[
    "this Agreement",
    "the preceding paragraph",
    "the relevant provisions of this Agreement",
    "paragraph 2",
    "its rules of procedure",
    "the applicable international law",
];

const PROVISOS: &[&str] = &[
    "has been consulted in advance",
    "has been notified in writing",
    "does not object within {n} days",
    "has given its prior consent",
];

const PASSIVES: &[&str] = &[
    "reviewed",
    "adopted",
    "published",
    "made available to the public",
    "notified to the Depositary",
    "updated annually",
    "submitted to the Joint Commission",
    "examined by the Working Group",
];

const PASSIVES_SHORT: &[&str] = &[
    "reviewed",
    "updated",
    "notified",
    "recorded",
    "inspected",
    "relocated",
    "verified",
    "sealed",
    "rotated",
];

const TERMS: &[&str] = &[
    "competent authority",
    "contact point",
    "entry into force",
    "implementing measure",
    "protected site",
    "transit route",
    "working day",
    "displaced person",
    "financing facility",
    "reporting period",
];

const FREQS: &[&str] = &[
    "at least twice a year",
    "once every {n} months",
    "at the request of any Party",
    "as often as necessary",
];

const DECISIONS: &[&str] = &["consensus", "a two-thirds majority", "a simple majority"];

const FOOTNOTES: &[&str] = &[
    "See also the declaration made by the Parties on signature.",
    "The Parties understand this term in the sense used in their earlier arrangements.",
    "This wording follows the text agreed at the technical level.",
    "The time limit runs from the day after the notification is received.",
];

const TABLE_HEAD: &str = "| Measure | Responsible body | Time limit |";

const SUBJ_C: &[&str] = &[
    "the {cw} cell",
    "the {cw} detachment",
    "{cw} Command",
    "the {cw} liaison team",
    "the {cw} duty officer",
    "the {cw} working party",
];

const NOUNS_C: &[&str] = &[
    "stockpile",
    "staging area",
    "rotation schedule",
    "signals link",
    "reserve battery",
    "transit corridor",
    "storage site",
    "air-defence sector",
    "fuel depot",
    "relay station",
    "intercept log",
    "reporting channel",
    "deployment roster",
    "sensor array",
    "supply convoy",
    "escort plan",
    "launch positions",
    "frequency plan",
    "holding area",
    "inventory",
];

const OBJ_C: &[&str] = &[
    "the {cw} {nc}",
    "{cw} {nc}",
    "the {nc} at {cw}",
    "all {cw} {nc}",
];

const TAILS_C: &[&str] = &[
    "before {cw} day {n}",
    "through the {cw} channel",
    "within {n} hours of a {cw} alert",
    "at {cw} readiness level {n}",
    "under {cw} rules",
    "as directed by {cw} Command",
    "",
    "",
];

const STARTERS_C: &[&str] = &[
    "On activation of {cw}, ",
    "Until {cw} is lifted, ",
    "Notwithstanding {ref}, ",
    "In the event of a {cw} alert, ",
    "",
    "",
    "",
];

const EDIT_WORDS: &[&str] = &[
    "appropriate",
    "relevant",
    "necessary",
    "further",
    "competent",
    "joint",
    "prompt",
    "effective",
    "additional",
    "specific",
    "reasonable",
    "adequate",
    "timely",
    "all",
    "duly",
];

const EDIT_INSERTS: &[&str] = &[
    "promptly",
    "in good faith",
    "where appropriate",
    "as a matter of priority",
    "jointly",
    "in writing",
    "without undue delay",
    "in full",
    "expressly",
];

const HEADINGS: &[&str] = &[
    "Scope",
    "Review",
    "Notification",
    "Implementation",
    "Cooperation",
    "Exchange of information",
    "Financing",
    "Oversight",
    "Protection",
    "Settlement of disputes",
    "Consultations",
    "Reporting",
    "Transitional arrangements",
    "Obligations",
    "Standards",
    "Access",
];

const TAGS: &[&str] = &[
    "security",
    "economic",
    "humanitarian",
    "energy",
    "transport",
    "institutional",
    "final-provisions",
    "monitoring",
    "finance",
    "legal",
    "open-issue",
    "environment",
];

const NOTES_U: &[&str] = &[
    "Delegations to revert on the wording of the second paragraph.",
    "Text agreed at technical level; awaiting legal scrubbing.",
    "Drafting suggestion by Belmora under consideration.",
    "Cross-check the time limits with the implementation timetable.",
    "Translation to be verified against the other language versions.",
    "Arden asks for a shorter time limit.",
];

const NOTES_C: &[&str] = &[
    "{cw} figures to be confirmed by the ministries of defence.",
    "Keep aligned with the {cw} tables.",
    "{cw} wording cleared by the security services.",
    "Check the {cw} numbers against the latest returns.",
];

const STATUSES: [&str; 7] = [
    "draft",
    "proposed",
    "bracketed",
    "agreed-ad-referendum",
    "initialled",
    "agreed",
    "withdrawn",
];
const STATUS_WEIGHTS: [u32; 7] = [14, 18, 15, 12, 12, 28, 1];
const BRACKETED: usize = 2;
const WITHDRAWN: usize = 6;

const POSITIONS: [&str; 4] = ["agrees", "objects", "reserves", "pending"];
const POSITION_WEIGHTS: [u32; 4] = [50, 15, 15, 20];

/// Lowercase words as the leak wall splits them: runs of ASCII alphanumerics (the generator
/// writes ASCII only).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The lowercase codewords of each level, sorted, for lookups.
struct Secrets([Vec<String>; 4]);

impl Secrets {
    fn new() -> Secrets {
        let sorted = |l: usize| {
            let mut v: Vec<String> = CODEWORDS[l].iter().map(|w| w.to_lowercase()).collect();
            v.sort();
            v
        };
        Secrets([sorted(0), sorted(1), sorted(2), sorted(3)])
    }

    fn is(&self, level: Level, word: &str) -> bool {
        let set = &self.0[level as usize];
        // Codewords are capitalised in the text; compare case-insensitively without allocating.
        set.binary_search_by(|s| s.bytes().cmp(word.bytes().map(|b| b.to_ascii_lowercase())))
            .is_ok()
    }

    /// Whether every window of eight consecutive words of `text` holds a codeword of `level`.
    fn dense(&self, level: Level, text: &str) -> bool {
        let mut gap = 0;
        for w in words(text) {
            if self.is(level, w) {
                gap = 0;
            } else {
                gap += 1;
                if gap >= 8 {
                    return false;
                }
            }
        }
        true
    }

    /// (words before the first codeword, longest run without one, words after the last).
    fn gaps(&self, level: Level, text: &str) -> (usize, usize, usize) {
        let (mut lead, mut inner, mut gap, mut seen) = (0, 0, 0, false);
        for w in words(text) {
            if self.is(level, w) {
                if !seen {
                    lead = gap;
                    seen = true;
                }
                inner = inner.max(gap);
                gap = 0;
            } else {
                gap += 1;
            }
        }
        if !seen {
            return (usize::MAX, usize::MAX, usize::MAX);
        }
        (lead, inner, gap)
    }
}

/// Fails if a codeword could occur in unclassified text, or two levels share one.
fn assert_vocabulary() {
    let mut plain: Vec<String> = Vec::new();
    let pools: [&[&str]; 31] = [
        SUBJECTS,
        VERBS_SHORT,
        VERBS_LONG,
        NEG_VERBS,
        DETS,
        ADJS,
        NOUNS,
        TOPICS,
        TAILS,
        STARTERS,
        CONDS,
        REF_WORDS,
        PROVISOS,
        PASSIVES,
        PASSIVES_SHORT,
        TERMS,
        FREQS,
        DECISIONS,
        FOOTNOTES,
        &[TABLE_HEAD],
        SUBJ_C,
        NOUNS_C,
        EDIT_WORDS,
        EDIT_INSERTS,
        HEADINGS,
        TAGS,
        NOTES_U,
        OBJ_C,
        TAILS_C,
        STARTERS_C,
        NOTES_C,
    ];
    for pool in pools {
        for s in pool.iter() {
            plain.extend(words(s).map(str::to_lowercase));
        }
    }
    for (_, name) in PARTIES {
        plain.extend(words(name).map(str::to_lowercase));
    }
    for s in STATUSES.iter().chain(&POSITIONS).chain(&LEVEL_NAMES) {
        plain.extend(words(s).map(str::to_lowercase));
    }
    plain.sort();
    plain.dedup();
    assert!(
        plain.binary_search(&"k".to_string()).is_err(),
        "`k` would be a word"
    );
    let mut all: Vec<String> = Vec::new();
    for pool in CODEWORDS {
        for w in pool {
            let w = w.to_lowercase();
            assert!(
                plain.binary_search(&w).is_err(),
                "codeword {w} is also a plain word"
            );
            all.push(w);
        }
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(n, all.len(), "a codeword is in two levels");
}

// ---------------------------------------------------------------------------------------------
// Text

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Fills `{n}` (a number), `{cw}` (a codeword of the level), `{nc}`, `{ref}` and `{cond}`.
struct Filler<'a> {
    rng: &'a mut Rng,
    level: Level,
    /// Cross-references still to place, as `[](#id)`.
    refs: Vec<String>,
}

impl Filler<'_> {
    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(p) = rest.find('{') {
            out.push_str(&rest[..p]);
            let end = p + rest[p..].find('}').unwrap_or(0);
            match &rest[p + 1..end] {
                "n" => {
                    let n = *self
                        .rng
                        .pick(&[3, 6, 7, 10, 12, 14, 15, 20, 21, 30, 45, 60, 90]);
                    write!(out, "{n}").ok();
                }
                "cw" => out.push_str(self.rng.word(CODEWORDS[self.level as usize])),
                "nc" => out.push_str(self.rng.word(NOUNS_C)),
                "ref" => {
                    let r = self.reference();
                    out.push_str(&r);
                }
                "cond" => {
                    let c = *self.rng.pick(CONDS);
                    let c = self.fill(c);
                    out.push_str(&c);
                }
                other => out.push_str(other),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A pending cross-reference, or words that read like one.
    fn reference(&mut self) -> String {
        match self.refs.pop() {
            Some(r) => r,
            None => (*self.rng.pick(REF_WORDS)).to_string(),
        }
    }

    fn object(&mut self, with_refs: bool) -> String {
        let r = &mut *self.rng;
        let mut s = (*r.pick(DETS)).to_string();
        if r.chance(0.6) {
            s.push(' ');
            s.push_str(r.word(ADJS));
        }
        s.push(' ');
        s.push_str(r.word(NOUNS));
        match r.below(6) {
            0 => write!(s, " relating to {}", r.pick(TOPICS)).ok(),
            1 => write!(s, " concerning {}", r.pick(TOPICS)).ok(),
            2 => write!(s, " for {}", r.pick(TOPICS)).ok(),
            3 if with_refs && !self.refs.is_empty() => {
                let verb = *r.pick(&["referred to in", "set out in"]);
                let rf = self.reference();
                write!(s, " {verb} {rf}").ok()
            }
            _ => None,
        };
        s
    }

    fn tail(&mut self) -> String {
        if self.rng.chance(0.3) {
            return String::new();
        }
        let t = *self.rng.pick(TAILS);
        format!(" {}", self.fill(t))
    }

    fn starter(&mut self) -> String {
        let want_ref = !self.refs.is_empty() && self.rng.chance(0.5);
        if want_ref {
            let t = *self.rng.pick(&STARTERS[..4]);
            return self.fill(t);
        }
        if self.rng.chance(0.6) {
            return String::new();
        }
        let t = *self.rng.pick(&STARTERS[4..]);
        self.fill(t)
    }

    /// One unclassified sentence; `bracketed` puts two alternatives in square brackets.
    fn sentence_u(&mut self, bracketed: bool) -> String {
        if bracketed {
            let subj = *self.rng.pick(SUBJECTS);
            let verb = *self.rng.pick(VERBS_SHORT);
            let (a, b) = (self.object(false), self.object(false));
            return if self.rng.chance(0.5) {
                let (n, m) = (self.rng.range(2, 30), self.rng.range(31, 120));
                format!(
                    "{} shall {verb} {a} within [{n}] or [{m}] days of the entry into force of this Agreement.",
                    cap(subj)
                )
            } else {
                format!("{} shall {verb} [{a}] or [{b}].", cap(subj))
            };
        }
        let start = self.starter();
        let subj = |s: &str, start: &str| {
            if start.is_empty() {
                cap(s)
            } else {
                format!("{start}{s}")
            }
        };
        match self.rng.weighted(&[35, 12, 10, 15, 10, 8, 10]) {
            0 => {
                let s = subj(self.rng.word(SUBJECTS), &start);
                let verbs = if self.rng.chance(0.5) {
                    VERBS_SHORT
                } else {
                    VERBS_LONG
                };
                let v = *self.rng.pick(verbs);
                let o = self.object(true);
                let t = self.tail();
                format!("{s} shall {v} {o}{t}.")
            }
            1 => {
                let s = subj(self.rng.word(SUBJECTS), &start);
                let v = *self.rng.pick(VERBS_SHORT);
                let o = self.object(true);
                let s2 = *self.rng.pick(SUBJECTS);
                let p = *self.rng.pick(PROVISOS);
                let p = self.fill(p);
                format!("{s} may {v} {o}, provided that {s2} {p}.")
            }
            2 => {
                let v = *self.rng.pick(NEG_VERBS);
                let o = self.object(true);
                let t = self.tail();
                let no = if start.is_empty() { "No" } else { "no" };
                format!("{start}{no} Party shall {v} {o}{t}.")
            }
            3 => {
                let o = self.object(true);
                let p = *self.rng.pick(PASSIVES);
                let t = self.tail();
                format!("{} shall be {p}{t}.", subj(&o, &start))
            }
            4 => {
                let s = subj(self.rng.word(SUBJECTS), &start);
                let s2 = *self.rng.pick(SUBJECTS);
                let o = self.object(true);
                let t = self.tail();
                format!("{s} shall inform {s2} of {o}{t}.")
            }
            5 => {
                let term = *self.rng.pick(TERMS);
                let o = self.object(false);
                let topic = *self.rng.pick(TOPICS);
                format!(
                    "For the purposes of this Agreement, **\"{}\"** means {o} in the field of {topic}.",
                    cap(term)
                )
            }
            _ => {
                let s = subj(self.rng.word(SUBJECTS), &start);
                let f = *self.rng.pick(FREQS);
                let f = self.fill(f);
                let d = *self.rng.pick(DECISIONS);
                format!("{s} shall meet {f} and shall adopt its decisions by {d}.")
            }
        }
    }

    /// One classified sentence, dense in codewords; the caller checks the gaps.
    fn sentence_c(&mut self, bracketed: bool) -> String {
        let subj = |f: &mut Self| {
            let t = *f.rng.pick(SUBJ_C);
            f.fill(t)
        };
        let obj = |f: &mut Self| {
            let t = *f.rng.pick(OBJ_C);
            f.fill(t)
        };
        let tail = |f: &mut Self| {
            let t = *f.rng.pick(TAILS_C);
            let t = f.fill(t);
            if t.is_empty() { t } else { format!(" {t}") }
        };
        if bracketed {
            let s = subj(self);
            let (a, b) = (obj(self), obj(self));
            let v = *self.rng.pick(VERBS_SHORT);
            return format!("{} shall {v} [{a}] or [{b}].", cap(&s));
        }
        let start = {
            let t = *self.rng.pick(STARTERS_C);
            if t.contains("{ref}") && self.refs.is_empty() {
                String::new()
            } else {
                self.fill(t)
            }
        };
        let lead = |s: String, start: &str| {
            if start.is_empty() {
                cap(&s)
            } else {
                format!("{start}{s}")
            }
        };
        match self.rng.weighted(&[40, 20, 15, 10, 15]) {
            0 => {
                let s = lead(subj(self), &start);
                let v = *self.rng.pick(VERBS_SHORT);
                let o = obj(self);
                let t = tail(self);
                format!("{s} shall {v} {o}{t}.")
            }
            1 => {
                let o = lead(obj(self), &start);
                let p = *self.rng.pick(PASSIVES_SHORT);
                let t = tail(self);
                format!("{o} shall be {p}{t}.")
            }
            2 => {
                let s = lead(subj(self), &start);
                let s2 = subj(self);
                let o = obj(self);
                format!("{s} shall inform {s2} of {o}.")
            }
            3 if !self.refs.is_empty() => {
                let s = cap(&subj(self));
                let r = self.reference();
                let t = tail(self);
                format!("{s} shall apply {r}{t}.")
            }
            _ => {
                let cw = *self.rng.pick(CODEWORDS[self.level as usize]);
                let n = self.rng.range(2, 400);
                let t = tail(self);
                format!("{cw} stocks shall not exceed {n} units{t}.")
            }
        }
    }

    /// A sentence of the filler's level. Classified ones are retried until a codeword is at
    /// most three words from either end and at most seven apart inside, so that sentences
    /// can be put together freely (see [`Secrets::dense`]).
    fn sentence(&mut self, secrets: &Secrets, bracketed: bool) -> String {
        if self.level == Level::U {
            return self.sentence_u(bracketed);
        }
        for _ in 0..1000 {
            let saved = self.refs.clone();
            let s = self.sentence_c(bracketed);
            let (lead, inner, trail) = secrets.gaps(self.level, &s);
            if lead <= 3 && inner <= 7 && trail <= 3 {
                return s;
            }
            self.refs = saved;
        }
        unreachable!("no dense classified sentence in 1000 tries")
    }
}

/// A clause body: blocks of text, then footnotes. Paragraphs are kept as tokens so that
/// rounds can edit words.
#[derive(Clone)]
struct Body {
    blocks: Vec<Block>,
    footnotes: Vec<String>,
}

#[derive(Clone)]
enum Block {
    /// Words separated by single spaces.
    Para(String),
    /// An introductory sentence and the items.
    List(String, Vec<String>),
    Table(Vec<[String; 3]>),
}

fn tokens(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}

/// Appends the words of `text` wrapped at 90 columns; no line starts with something Markdown
/// could read as a list, heading, quote or table.
fn wrap(out: &mut String, text: &str, first: &str, cont: &str) {
    let mut col = first.len();
    out.push_str(first);
    for (i, t) in text.split(' ').filter(|t| !t.is_empty()).enumerate() {
        let safe = !t.starts_with(|c: char| c.is_ascii_digit() || "-+*#>|=~`:".contains(c));
        if i > 0 {
            if col + 1 + t.len() > 90 && safe {
                out.push('\n');
                out.push_str(cont);
                col = cont.len();
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(t);
        col += t.len();
    }
    out.push('\n');
}

impl Body {
    fn render(&self, out: &mut String) {
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match b {
                Block::Para(t) => wrap(out, t, "", ""),
                Block::List(intro, items) => {
                    wrap(out, intro, "", "");
                    out.push('\n');
                    for (k, item) in items.iter().enumerate() {
                        let first = format!("{}. ", k + 1);
                        wrap(out, item, &first, "   ");
                    }
                }
                Block::Table(rows) => {
                    out.push_str(TABLE_HEAD);
                    out.push_str("\n| --- | --- | --- |\n");
                    for r in rows {
                        writeln!(out, "| {} | {} | {} |", r[0], r[1], r[2]).ok();
                    }
                }
            }
        }
        for (k, f) in self.footnotes.iter().enumerate() {
            out.push('\n');
            let first = format!("[^{}]: ", k + 1);
            wrap(out, f, &first, "    ");
        }
    }

    fn text(&self) -> String {
        let mut s = String::with_capacity(1024);
        self.render(&mut s);
        s
    }
}

/// What a clause is made from: its level, whether bracketed, and whom it refers to.
fn make_body(
    rng: &mut Rng,
    secrets: &Secrets,
    level: Level,
    bracketed: bool,
    refs: &[String],
    table: bool,
) -> Body {
    for _ in 0..100 {
        let mut f = Filler {
            rng: &mut *rng,
            level,
            refs: refs.iter().rev().cloned().collect(),
        };
        let body = make_body_once(&mut f, secrets, bracketed, table);
        if level == Level::U || secrets.dense(level, &body.text()) {
            return body;
        }
    }
    unreachable!("no dense classified body in 100 tries")
}

fn make_body_once(f: &mut Filler<'_>, secrets: &Secrets, bracketed: bool, table: bool) -> Body {
    let paras = 1 + f.rng.weighted(&[20, 35, 30, 15]);
    let budget = f.rng.range(620, 900);
    let per = budget / paras;
    let list_at = if paras > 1 && f.rng.chance(0.3) {
        Some(f.rng.range(1, paras - 1))
    } else {
        None
    };
    let table_at = if table {
        Some(f.rng.range(1, paras))
    } else {
        None
    };
    let footnote = f.rng.chance(0.1);
    let mut body = Body {
        blocks: Vec::new(),
        footnotes: Vec::new(),
    };
    let mut bracket_left = bracketed;
    for p in 0..paras {
        if Some(p) == table_at {
            body.blocks.push(make_table(f));
        }
        if Some(p) == list_at {
            body.blocks.push(make_list(f, secrets));
            continue;
        }
        let mut para = String::with_capacity(per + 100);
        while para.len() < per {
            let b = bracket_left && f.rng.chance(0.5);
            let s = f.sentence(secrets, b);
            if s.contains("] or [") {
                bracket_left = false;
            }
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(&s);
        }
        body.blocks.push(Block::Para(para));
    }
    if table_at == Some(paras) {
        body.blocks.push(make_table(f));
    }
    // Cross-references not placed yet, and any brackets still owed, go in a last sentence.
    if bracket_left || !f.refs.is_empty() {
        let mut extra: Vec<String> = Vec::new();
        if bracket_left {
            extra.push(f.sentence(secrets, true));
        }
        while !f.refs.is_empty() {
            let s = if f.level == Level::U {
                let r = f.reference();
                format!("This provision shall be read together with {r}.")
            } else {
                f.fill("The {cw} cell shall apply {ref} under {cw} rules.")
            };
            extra.push(s);
        }
        body.blocks.push(Block::Para(extra.join(" ")));
    }
    if footnote {
        // The marker goes at the end of the first paragraph.
        if let Some(Block::Para(t)) = body.blocks.first_mut() {
            t.push_str("[^1]");
        }
        let note = if f.level == Level::U {
            (*f.rng.pick(FOOTNOTES)).to_string()
        } else {
            f.sentence(secrets, false)
        };
        body.footnotes.push(note);
    }
    body
}

fn make_list(f: &mut Filler<'_>, secrets: &Secrets) -> Block {
    let n = f.rng.range(2, 5);
    let (intro, items) = if f.level == Level::U {
        let s = *f.rng.pick(SUBJECTS);
        let intro = format!("{} shall, in particular:", cap(s));
        let items = (0..n)
            .map(|k| {
                let v = *f.rng.pick(VERBS_LONG);
                let o = f.object(true);
                let t = f.tail();
                let end = if k + 1 == n { "." } else { ";" };
                format!("{v} {o}{t}{end}")
            })
            .collect();
        (intro, items)
    } else {
        let intro = f.fill("Under {cw}, the {cw} duty officer shall:");
        let items = (0..n)
            .map(|k| {
                loop {
                    let v = *f.rng.pick(VERBS_SHORT);
                    let (o, t) = (f.rng.word(OBJ_C), f.rng.word(TAILS_C));
                    let (o, t) = (f.fill(o), f.fill(t));
                    let end = if k + 1 == n { "." } else { ";" };
                    let item = if t.is_empty() {
                        format!("{v} {o}{end}")
                    } else {
                        format!("{v} {o} {t}{end}")
                    };
                    let (lead, inner, trail) = secrets.gaps(f.level, &item);
                    if lead <= 3 && inner <= 7 && trail <= 3 {
                        break item;
                    }
                }
            })
            .collect();
        (intro, items)
    };
    Block::List(intro, items)
}

fn make_table(f: &mut Filler<'_>) -> Block {
    let rows = f.rng.range(2, 4);
    let rows = (0..rows)
        .map(|_| {
            if f.level == Level::U {
                let m = cap(&format!("{} {}", f.rng.pick(ADJS), f.rng.pick(NOUNS)));
                let b = cap(f.rng.word(SUBJECTS));
                let d = format!("{} days", f.rng.pick(&[10, 30, 60, 90, 180]));
                [m, b, d]
            } else {
                let m = f.fill("{cw} {nc}");
                let b = f.fill("{cw} Command");
                let d = f.fill("{cw} day {n}");
                [m, b, d]
            }
        })
        .collect();
    Block::Table(rows)
}

// ---------------------------------------------------------------------------------------------
// The draft

struct Clause {
    id: String,
    list: usize,
    level: Level,
    /// Whether `classification` is written (the clause differs from its part).
    marked: bool,
    title: String,
    status: usize,
    tags: Vec<&'static str>,
    notes: Vec<String>,
    positions: Vec<(usize, usize)>,
    body: Body,
    refs: Vec<usize>,
    refcount: u32,
    live: bool,
}

struct List {
    doc: usize,
    annex: Option<usize>,
    level: Level,
    folder: String,
    items: Vec<usize>,
}

struct Annex {
    id: String,
    title: String,
    level: Level,
}

struct Doc {
    id: &'static str,
    title: &'static str,
    numbering: &'static str,
    annexes: Vec<Annex>,
}

struct Draft {
    seed: u64,
    docs: Vec<Doc>,
    lists: Vec<List>,
    clauses: Vec<Clause>,
    next_number: usize,
}

/// (level, id stem or codeword title pattern, title) of each document's annexes.
const ANNEXES: [&[(Level, &str, &str)]; 3] = [
    &[
        (
            Level::U,
            "implementation-timetable",
            "Implementation Timetable",
        ),
        (Level::C, "", "{cw} Liaison Protocol"),
        (Level::S, "", "{cw} Reserve Posture"),
    ],
    &[
        (Level::U, "financing-facility", "Financing Facility"),
        (Level::S, "", "{cw} Stockpile Arrangements"),
    ],
    &[
        (
            Level::U,
            "verification-procedures",
            "Verification Procedures",
        ),
        (Level::C, "", "{cw} Sensor Coverage"),
        (Level::S, "", "{cw} Contingency Plans"),
    ],
];

/// Share of the clauses (per mille) in each list: three document bodies, then the annexes.
const SHARES: [u32; 11] = [200, 170, 150, 60, 60, 60, 60, 60, 60, 60, 60];

impl Draft {
    fn new(seed: u64, n: usize, rng: &mut Rng, secrets: &Secrets) -> Draft {
        let mut docs = vec![
            Doc {
                id: "doc-1",
                title: "General Framework Agreement",
                numbering: "Article {n}",
                annexes: Vec::new(),
            },
            Doc {
                id: "doc-2",
                title: "Agreement on Economic Recovery and Reconstruction",
                numbering: "Section {A}",
                annexes: Vec::new(),
            },
            Doc {
                id: "doc-3",
                title: "Protocol on Monitoring and Verification",
                numbering: "Point {n}",
                annexes: Vec::new(),
            },
        ];
        let mut lists = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            lists.push(List {
                doc: d,
                annex: None,
                level: Level::U,
                folder: doc.id.to_string(),
                items: Vec::new(),
            });
        }
        let mut used_codewords: Vec<&str> = Vec::new();
        for (d, specs) in ANNEXES.iter().enumerate() {
            for (a, &(level, id, title)) in specs.iter().enumerate() {
                let (id, title) = if level == Level::U {
                    (id.to_string(), title.to_string())
                } else {
                    let cw = loop {
                        let cw = *rng.pick(CODEWORDS[level as usize]);
                        if !used_codewords.contains(&cw) {
                            used_codewords.push(cw);
                            break cw;
                        }
                    };
                    (
                        format!("annex-{}", cw.to_lowercase()),
                        title.replace("{cw}", cw),
                    )
                };
                docs[d].annexes.push(Annex { id, title, level });
                let letter = (b'a' + a as u8) as char;
                lists.push(List {
                    doc: d,
                    annex: Some(a),
                    level,
                    folder: format!("{}/annex-{letter}", docs[d].id),
                    items: Vec::new(),
                });
            }
        }
        // Lists are docs 0..3 then annexes in order: match SHARES to that order.
        let mut counts: Vec<usize> = SHARES.iter().map(|&s| n * s as usize / 1000).collect();
        let mut k = 0;
        while counts.iter().sum::<usize>() < n {
            let len = counts.len();
            counts[k % len] += 1;
            k += 1;
        }
        let mut draft = Draft {
            seed,
            docs,
            lists,
            clauses: Vec::new(),
            next_number: 1,
        };
        // First every clause's metadata (so that references can avoid withdrawn ones)...
        for (l, &count) in counts.iter().enumerate() {
            for _ in 0..count {
                let c = draft.new_clause(l, rng);
                draft.lists[l].items.push(c);
            }
        }
        // ... then the bodies.
        let live: Vec<usize> = (0..draft.clauses.len()).collect();
        for c in 0..draft.clauses.len() {
            draft.fill_body(c, &live, rng, secrets);
        }
        draft
    }

    /// A clause of list `l` with metadata and an empty body.
    fn new_clause(&mut self, l: usize, rng: &mut Rng) -> usize {
        let number = self.next_number;
        self.next_number += 1;
        let part = self.lists[l].level;
        let first = number == 1;
        let level = match part {
            Level::U if !first && rng.chance(0.1) => Level::C,
            Level::S if rng.chance(0.08) => Level::T,
            p => p,
        };
        let prefix = if level == Level::U { 'c' } else { 'k' };
        let id = format!("{prefix}-{number:06}");
        let mut status = rng.weighted(&STATUS_WEIGHTS);
        while first && status == WITHDRAWN {
            status = rng.weighted(&STATUS_WEIGHTS);
        }
        let mut f = Filler {
            rng: &mut *rng,
            level,
            refs: Vec::new(),
        };
        let title = if level == Level::U {
            let h = *f.rng.pick(HEADINGS);
            if f.rng.chance(0.7) {
                format!("{h} on {}", f.rng.pick(TOPICS))
            } else {
                h.to_string()
            }
        } else {
            let n = f.rng.range(1, 99);
            f.fill(&format!("{{cw}} {{nc}} {n}"))
        };
        let title = cap(&title);
        let mut tags: Vec<&'static str> = Vec::new();
        for _ in 0..f.rng.range(1, 3) {
            let t = *f.rng.pick(TAGS);
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let mut notes = Vec::new();
        if f.rng.chance(0.15) {
            let n = if level == Level::U {
                (*f.rng.pick(NOTES_U)).to_string()
            } else {
                let t = *f.rng.pick(NOTES_C);
                f.fill(t)
            };
            notes.push(n);
        }
        let mut positions = Vec::new();
        if f.rng.chance(0.6) {
            for p in 0..PARTIES.len() {
                if f.rng.chance(0.6) {
                    positions.push((p, f.rng.weighted(&POSITION_WEIGHTS)));
                }
            }
        }
        self.clauses.push(Clause {
            id,
            list: l,
            level,
            marked: level != part,
            title,
            status,
            tags,
            notes,
            positions,
            body: Body {
                blocks: Vec::new(),
                footnotes: Vec::new(),
            },
            refs: Vec::new(),
            refcount: 0,
            live: true,
        });
        self.clauses.len() - 1
    }

    /// Writes clause `c`'s body, with 0-2 references to clauses of `pool` that are live and
    /// not withdrawn.
    fn fill_body(&mut self, c: usize, pool: &[usize], rng: &mut Rng, secrets: &Secrets) {
        let nrefs = rng.weighted(&[45, 35, 20]);
        let mut refs: Vec<usize> = Vec::new();
        for _ in 0..nrefs * 4 {
            if refs.len() == nrefs {
                break;
            }
            let t = *rng.pick(pool);
            let tc = &self.clauses[t];
            if t != c && tc.live && tc.status != WITHDRAWN && !refs.contains(&t) {
                refs.push(t);
            }
        }
        let links: Vec<String> = refs
            .iter()
            .map(|&t| format!("[](#{})", self.clauses[t].id))
            .collect();
        for &t in &refs {
            self.clauses[t].refcount += 1;
        }
        let clause = &self.clauses[c];
        let table = clause.id.ends_with('0') && rng.chance(0.5);
        let body = make_body(
            rng,
            secrets,
            clause.level,
            clause.status == BRACKETED,
            &links,
            table,
        );
        let clause = &mut self.clauses[c];
        clause.body = body;
        clause.refs = refs;
    }

    fn path(&self, c: usize) -> String {
        let clause = &self.clauses[c];
        format!("{}/{}.md", self.lists[clause.list].folder, clause.id)
    }

    fn render_clause(&self, c: usize, out: &mut String) {
        let clause = &self.clauses[c];
        out.push_str("+++\n");
        writeln!(out, "title = {}", quote(&clause.title)).ok();
        writeln!(out, "status = \"{}\"", STATUSES[clause.status]).ok();
        if clause.marked {
            writeln!(
                out,
                "classification = \"{}\"",
                LEVEL_NAMES[clause.level as usize]
            )
            .ok();
        }
        let tags: Vec<String> = clause.tags.iter().map(|t| quote(t)).collect();
        writeln!(out, "tags = [{}]", tags.join(", ")).ok();
        if !clause.notes.is_empty() {
            let notes: Vec<String> = clause.notes.iter().map(|t| quote(t)).collect();
            writeln!(out, "notes = [{}]", notes.join(", ")).ok();
        }
        if !clause.positions.is_empty() {
            out.push_str("\n[positions]\n");
            for &(p, pos) in &clause.positions {
                writeln!(out, "{} = \"{}\"", PARTIES[p].0, POSITIONS[pos]).ok();
            }
        }
        out.push_str("+++\n\n");
        clause.body.render(out);
    }

    fn render_manifest(&self) -> String {
        let mut out = String::with_capacity(self.clauses.len() * 14 + 4096);
        writeln!(
            out,
            "# A synthetic draft written by entente's examples/synth.rs (seed {}).\n\
             # Its wording is generated; codewords mark classified material.\n",
            self.seed
        )
        .ok();
        out.push_str("[agreement]\n");
        writeln!(
            out,
            "title = \"Synthetic Agreement on Peace, Security and Recovery\""
        )
        .ok();
        let ids: Vec<String> = PARTIES.iter().map(|p| quote(p.0)).collect();
        writeln!(out, "parties = [{}]", ids.join(", ")).ok();
        out.push_str("date = \"2026-01-15\"\n");
        for (id, name) in PARTIES {
            writeln!(out, "\n[parties.{id}]\nname = {}", quote(name)).ok();
        }
        out.push_str(
            "\n[classification]\n\
             levels = [\"UNCLASSIFIED\", \"CONFIDENTIAL\", \"SECRET\", \"TOP SECRET\"]\n\
             marks = [\"U\", \"C\", \"S\", \"TS\"]\n\
             default = \"UNCLASSIFIED\"\n\n\
             [editions.public]\nmax = \"UNCLASSIFIED\"\n\n\
             [editions.restricted]\nmax = \"SECRET\"\n\n\
             [editions.full]\nmax = \"TOP SECRET\"\nannotations = true\n",
        );
        let write_list = |out: &mut String, items: &[usize]| {
            out.push_str("clauses = [\n");
            for &c in items {
                writeln!(out, "  \"{}\",", self.clauses[c].id).ok();
            }
            out.push_str("]\n");
        };
        for (d, doc) in self.docs.iter().enumerate() {
            writeln!(
                out,
                "\n[[documents]]\nid = \"{}\"\ntitle = {}\nnumbering = \"{}\"",
                doc.id,
                quote(doc.title),
                doc.numbering
            )
            .ok();
            let main = self
                .lists
                .iter()
                .position(|l| l.doc == d && l.annex.is_none());
            write_list(&mut out, &self.lists[main.unwrap_or(0)].items);
            for (a, annex) in doc.annexes.iter().enumerate() {
                writeln!(
                    out,
                    "\n[[documents.annexes]]\nid = \"{}\"\ntitle = {}",
                    annex.id,
                    quote(&annex.title)
                )
                .ok();
                if annex.level != Level::U {
                    writeln!(
                        out,
                        "classification = \"{}\"",
                        LEVEL_NAMES[annex.level as usize]
                    )
                    .ok();
                }
                let l = self
                    .lists
                    .iter()
                    .position(|l| l.doc == d && l.annex == Some(a));
                write_list(&mut out, &self.lists[l.unwrap_or(0)].items);
            }
        }
        out
    }

    fn live(&self) -> Vec<usize> {
        (0..self.clauses.len())
            .filter(|&c| self.clauses[c].live)
            .collect()
    }

    /// One round of negotiation; returns the clauses written and the paths removed.
    fn round(
        &mut self,
        rng: &mut Rng,
        secrets: &Secrets,
        edit_share: f64,
        move_share: f64,
    ) -> (Vec<usize>, Vec<String>, String) {
        let live = self.live();
        let n = live.len();
        let share = |s: f64| ((n as f64 * s).round() as usize).min(n);
        let mut dirty = vec![false; self.clauses.len()];

        // Status changes, ~1%.
        let mut statuses = 0;
        for _ in 0..share(0.01).max(1) {
            let c = *rng.pick(&live);
            let clause = &mut self.clauses[c];
            let mut s = rng.weighted(&STATUS_WEIGHTS);
            if s == clause.status {
                s = (s + 1) % STATUSES.len();
            }
            if s == WITHDRAWN && (clause.refcount > 0 || c == 0) {
                continue;
            }
            clause.status = s;
            dirty[c] = true;
            statuses += 1;
        }

        // Edits: `edit_share` of the clauses, and always c-000001 (index 0).
        let mut edited = vec![false; self.clauses.len()];
        let mut targets = vec![0usize];
        edited[0] = true;
        let want = share(edit_share).max(1);
        let mut tries = 0;
        while targets.len() < want && tries < want * 20 {
            tries += 1;
            let c = *rng.pick(&live);
            if !edited[c] {
                edited[c] = true;
                targets.push(c);
            }
        }
        for &c in &targets {
            self.edit(c, rng, secrets);
            dirty[c] = true;
        }

        // Moves within a list.
        let mut moves = 0;
        for _ in 0..share(move_share) {
            let c = *rng.pick(&live);
            let items = &mut self.lists[self.clauses[c].list].items;
            if items.len() < 2 {
                continue;
            }
            let Some(from) = items.iter().position(|&x| x == c) else {
                continue;
            };
            items.remove(from);
            let mut to = rng.below(items.len() + 1);
            if to == from {
                to = (to + 1) % (items.len() + 1);
            }
            items.insert(to, c);
            moves += 1;
        }

        // Removals, ~0.2%, at least one: never a referenced clause, never c-000001.
        let mut removed = Vec::new();
        let want = share(0.002).max(1);
        let mut tries = 0;
        while removed.len() < want && tries < 1000 {
            tries += 1;
            let c = *rng.pick(&live);
            let clause = &self.clauses[c];
            if c == 0 || !clause.live || clause.refcount > 0 {
                continue;
            }
            removed.push(self.path(c));
            self.clauses[c].live = false;
            dirty[c] = false;
            let items = &mut self.lists[self.clauses[c].list].items;
            items.retain(|&x| x != c);
            for t in std::mem::take(&mut self.clauses[c].refs) {
                self.clauses[t].refcount -= 1;
            }
        }

        // Insertions, ~0.2%, at least one, beside a random live clause.
        let live = self.live();
        let mut inserted = Vec::new();
        for _ in 0..share(0.002).max(1) {
            let near = *rng.pick(&live);
            let l = self.clauses[near].list;
            let c = self.new_clause(l, rng);
            if self.clauses[c].status == WITHDRAWN {
                self.clauses[c].status = 0;
            }
            self.fill_body(c, &live, rng, secrets);
            let at = rng.below(self.lists[l].items.len() + 1);
            self.lists[l].items.insert(at, c);
            dirty.push(true);
            inserted.push(c);
        }

        let written: Vec<usize> = (0..dirty.len()).filter(|&c| dirty[c]).collect();
        let summary = format!(
            "{} edited, {moves} moved, {} inserted, {} removed, {statuses} status changes",
            targets.len(),
            inserted.len(),
            removed.len()
        );
        (written, removed, summary)
    }

    /// Replaces, inserts or deletes a few words in one paragraph of clause `c`.
    fn edit(&mut self, c: usize, rng: &mut Rng, secrets: &Secrets) {
        let level = self.clauses[c].level;
        let original = self.clauses[c].body.clone();
        let before = original.text();
        for attempt in 0..50 {
            let mut body = original.clone();
            let paras: Vec<usize> = (0..body.blocks.len())
                .filter(|&b| matches!(body.blocks[b], Block::Para(_)))
                .collect();
            let Some(&b) = (!paras.is_empty()).then(|| rng.pick(&paras)) else {
                return;
            };
            let Block::Para(para) = &mut body.blocks[b] else {
                return;
            };
            let mut t = tokens(para);
            let plain = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase());
            let codeword = |rng: &mut Rng| (*rng.pick(CODEWORDS[level as usize])).to_string();
            // Late attempts for classified text only replace a word by a codeword, which
            // always keeps it dense.
            let op = if attempt > 40 { 0 } else { rng.below(3) };
            match op {
                0 => {
                    let cands: Vec<usize> = (1..t.len()).filter(|&i| plain(&t[i])).collect();
                    if cands.is_empty() {
                        continue;
                    }
                    let i = *rng.pick(&cands);
                    let mut w = if level != Level::U && (attempt > 40 || rng.chance(0.5)) {
                        codeword(rng)
                    } else {
                        (*rng.pick(EDIT_WORDS)).to_string()
                    };
                    if w == t[i] {
                        w = "duly".to_string();
                    }
                    t[i] = w;
                }
                1 => {
                    let i = rng.range(1, t.len());
                    let phrase = if level != Level::U && rng.chance(0.5) {
                        format!("under {}", codeword(rng))
                    } else {
                        (*rng.pick(EDIT_INSERTS)).to_string()
                    };
                    for (k, w) in tokens(&phrase).into_iter().enumerate() {
                        t.insert(i + k, w);
                    }
                }
                _ => {
                    let k = rng.range(1, 2);
                    let cands: Vec<usize> = (1..t.len().saturating_sub(k))
                        .filter(|&i| t[i..i + k].iter().all(|w| plain(w)))
                        .collect();
                    if t.len() < 12 || cands.is_empty() {
                        continue;
                    }
                    let i = *rng.pick(&cands);
                    t.drain(i..i + k);
                }
            }
            *para = t.join(" ");
            let text = body.text();
            if text != before && (level == Level::U || secrets.dense(level, &text)) {
                self.clauses[c].body = body;
                return;
            }
        }
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Files and git

struct Args {
    clauses: usize,
    seed: u64,
    out: PathBuf,
    rounds: usize,
    edit_share: f64,
    move_share: f64,
}

const USAGE: &str = "usage: synth --clauses N --seed S --out DIR [--rounds K] [--edit-share 0.05] [--move-share 0.01]";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut clauses, mut seed, mut out) = (None, None, None);
    let (mut rounds, mut edit_share, mut move_share) = (0usize, 0.05f64, 0.01f64);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let bad = |name: &str, v: &str| format!("{name}: cannot read `{v}`");
        match a.as_str() {
            "--clauses" => {
                let v = value(&a)?;
                clauses = Some(v.parse().map_err(|_| bad(&a, &v))?);
            }
            "--seed" => {
                let v = value(&a)?;
                seed = Some(v.parse().map_err(|_| bad(&a, &v))?);
            }
            "--out" => out = Some(PathBuf::from(value(&a)?)),
            "--rounds" => {
                let v = value(&a)?;
                rounds = v.parse().map_err(|_| bad(&a, &v))?;
            }
            "--edit-share" => {
                let v = value(&a)?;
                edit_share = v.parse().map_err(|_| bad(&a, &v))?;
            }
            "--move-share" => {
                let v = value(&a)?;
                move_share = v.parse().map_err(|_| bad(&a, &v))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let clauses: usize = clauses.ok_or(format!("--clauses is required\n{USAGE}"))?;
    if !(20..=999_999).contains(&clauses) {
        return Err("--clauses must be between 20 and 999999".into());
    }
    if !(0.0..=1.0).contains(&edit_share) || !(0.0..=1.0).contains(&move_share) {
        return Err("--edit-share and --move-share must be between 0 and 1".into());
    }
    Ok(Args {
        clauses,
        seed: seed.ok_or(format!("--seed is required\n{USAGE}"))?,
        out: out.ok_or(format!("--out is required\n{USAGE}"))?,
        rounds,
        edit_share,
        move_share,
    })
}

fn write_clause(draft: &Draft, c: usize, root: &Path, buf: &mut String) -> std::io::Result<u64> {
    buf.clear();
    draft.render_clause(c, buf);
    let path = root.join(draft.path(c));
    std::fs::write(&path, buf.as_bytes())?;
    Ok(buf.len() as u64)
}

struct Git {
    repo: git2::Repository,
    parent: std::cell::Cell<Option<git2::Oid>>,
}

impl Git {
    fn init(root: &Path) -> Result<Git, git2::Error> {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = git2::Repository::init_opts(root, &opts)?;
        Ok(Git {
            repo,
            parent: std::cell::Cell::new(None),
        })
    }

    /// Stages `paths` (added or changed) and `removed`, commits round `k`, and tags it `rk`.
    fn commit(
        &self,
        k: usize,
        paths: &[String],
        removed: &[String],
        message: &str,
    ) -> Result<git2::Oid, git2::Error> {
        let mut index = self.repo.index()?;
        for p in paths {
            index.add_path(Path::new(p))?;
        }
        for p in removed {
            index.remove_path(Path::new(p))?;
        }
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        // 2026-01-05 09:00 UTC plus one day a round.
        let time = git2::Time::new(1_767_603_600 + 86_400 * k as i64, 0);
        let sig = git2::Signature::new("Synth", "synth@example.org", &time)?;
        let parents: Vec<git2::Commit<'_>> = match self.parent.get() {
            Some(p) => vec![self.repo.find_commit(p)?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let oid = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)?;
        let obj = self.repo.find_object(oid, None)?;
        self.repo.tag_lightweight(&format!("r{k}"), &obj, false)?;
        self.parent.set(Some(oid));
        Ok(oid)
    }
}

/// Writes the objects collected in `mempack` as a pack file, and empties it.
fn flush(
    repo: &git2::Repository,
    odb: &git2::Odb<'_>,
    mempack: &git2::Mempack<'_>,
) -> Result<(), git2::Error> {
    use std::io::Write as _;
    let mut buf = git2::Buf::new();
    mempack.dump(repo, &mut buf)?;
    let mut writer = odb.packwriter()?;
    writer
        .write_all(&buf)
        .map_err(|e| git2::Error::from_str(&e.to_string()))?;
    writer.commit()?;
    mempack.reset()?;
    odb.refresh()
}

fn run(args: &Args) -> Result<String, String> {
    let start = Instant::now();
    assert_vocabulary();
    let root = &args.out;
    if root.exists() {
        let mut entries =
            std::fs::read_dir(root).map_err(|e| format!("{}: {e}", root.display()))?;
        if entries.next().is_some() {
            return Err(format!("{} exists and is not empty", root.display()));
        }
    }
    std::fs::create_dir_all(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let io = |e: std::io::Error| e.to_string();
    let gerr = |e: git2::Error| format!("git: {}", e.message());

    let secrets = Secrets::new();
    let mut rng = Rng::new(args.seed);
    let mut draft = Draft::new(args.seed, args.clauses, &mut rng, &secrets);
    for l in &draft.lists {
        std::fs::create_dir_all(root.join(&l.folder)).map_err(io)?;
    }
    let manifest = draft.render_manifest();
    std::fs::write(root.join("entente.toml"), &manifest).map_err(io)?;
    let mut buf = String::with_capacity(4096);
    let mut paths = vec!["entente.toml".to_string()];
    for c in 0..draft.clauses.len() {
        write_clause(&draft, c, root, &mut buf).map_err(io)?;
        paths.push(draft.path(c));
    }
    let mut commits = 0;
    if args.rounds >= 1 {
        let git = Git::init(root).map_err(gerr)?;
        // Objects are collected in memory and written as one pack at the end (or every
        // 256 MB): 100,000 loose objects would cost more than everything else together, and
        // a pack a round would leave a long history in hundreds of packs, which slows down
        // every later read of it. Deltas would cost more still (they made 100,000 clauses three times slower), and
        // the packs need none: libgit2 1.9 takes the size above which it tries no delta from
        // `pack.deltaCacheSize`, so that is set to 1 while generating, then removed. If a
        // later libgit2 reads it from elsewhere, packs just get deltas: slower, same commits.
        let mut config = git.repo.config().map_err(gerr)?;
        config.set_i64("pack.deltaCacheSize", 1).map_err(gerr)?;
        let odb = git.repo.odb().map_err(gerr)?;
        let mempack = odb.add_new_mempack_backend(1000).map_err(gerr)?;
        let msg = format!(
            "Round 0: initial draft, {} clauses (synth seed {})",
            args.clauses, args.seed
        );
        git.commit(0, &paths, &[], &msg).map_err(gerr)?;
        commits += 1;
        let mut pending = 0u64;
        for k in 1..args.rounds {
            let mut rng = Rng::new(args.seed ^ (k as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
            let (written, removed, summary) =
                draft.round(&mut rng, &secrets, args.edit_share, args.move_share);
            let mut paths = vec!["entente.toml".to_string()];
            for p in &removed {
                std::fs::remove_file(root.join(p)).map_err(io)?;
            }
            if pending > 256 << 20 {
                flush(&git.repo, &odb, &mempack).map_err(gerr)?;
                pending = 0;
            }
            for &c in &written {
                pending += write_clause(&draft, c, root, &mut buf).map_err(io)?;
                paths.push(draft.path(c));
            }
            let manifest = draft.render_manifest();
            pending += manifest.len() as u64;
            std::fs::write(root.join("entente.toml"), manifest).map_err(io)?;
            let msg = format!("Round {k}: {summary}");
            git.commit(k, &paths, &removed, &msg).map_err(gerr)?;
            commits += 1;
        }
        flush(&git.repo, &odb, &mempack).map_err(gerr)?;
    }
    if args.rounds >= 1 {
        let mut config = git2::Repository::open(root)
            .and_then(|r| r.config())
            .map_err(gerr)?;
        config.remove("pack.deltaCacheSize").map_err(gerr)?;
    }
    // What the working tree holds now.
    let live = draft.live();
    let mut bytes = std::fs::metadata(root.join("entente.toml"))
        .map_err(io)?
        .len();
    for &c in &live {
        bytes += std::fs::metadata(root.join(draft.path(c)))
            .map_err(io)?
            .len();
    }
    Ok(format!(
        "synth: {} clause files + entente.toml, {:.1} MB, {commits} commits{} in {} ({:.1} s)",
        live.len(),
        bytes as f64 / 1e6,
        if commits > 0 {
            format!(" (tags r0..r{})", commits - 1)
        } else {
            String::new()
        },
        root.display(),
        start.elapsed().as_secs_f64()
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("synth: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth: {e}");
            ExitCode::FAILURE
        }
    }
}
