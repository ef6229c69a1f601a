//! Splitting an existing Markdown document into clauses (SPEC §2, `import`): one clause
//! per heading at the split level, structure above it kept as headings, official
//! designations kept as labels, and no word lost.
//!
//! Everything here is pure: text in, units and warnings out. `commands/import.rs` writes
//! the files and the manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::manifest::slug;

/// Which heading level makes clauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// This level.
    Fixed(u8),
    /// The level that carries the most numbered headings.
    Auto,
}

/// A piece of the imported document, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// A heading above the split level ("Part II"), kept as structure.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Its text as written.
        text: String,
    },
    /// A clause.
    Clause(Piece),
}

/// A clause cut from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Its id: a slug of its designation, or of its title.
    pub id: String,
    /// Its designation ("A.", "§ 9a", "Article 5"), if its heading had one.
    pub label: Option<String>,
    /// Its heading without the designation.
    pub title: Option<String>,
    /// Its text, sub-headings included.
    pub body: String,
    /// The line of its heading in the source (1-based), for messages.
    pub line: usize,
}

/// The result of splitting a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The title from the source's front matter, if any.
    pub title: Option<String>,
    /// Front-matter keys that have no place in a draft, dropped.
    pub dropped: Vec<String>,
    /// The split level used.
    pub level: u8,
    /// How many headings at that level carry a designation.
    pub numbered: usize,
    /// The pieces, in order.
    pub units: Vec<Unit>,
    /// Quirks met, each with its line in the source (0: the whole file).
    pub warnings: Vec<(usize, String)>,
}

impl Imported {
    /// The clauses only.
    pub fn pieces(&self) -> impl Iterator<Item = &Piece> {
        self.units.iter().filter_map(|u| match u {
            Unit::Clause(p) => Some(p),
            Unit::Heading { .. } => None,
        })
    }
}

/// Words that introduce a designation: `Article 5`, `§ 9a`, `Section 2.1`.
const KEYWORDS: [&str; 22] = [
    "§§",
    "§",
    "article",
    "art.",
    "section",
    "sec.",
    "chapter",
    "part",
    "annex",
    "schedule",
    "appendix",
    "rule",
    "paragraph",
    "clause",
    "point",
    "title",
    "abschnitt",
    "artikel",
    "kapitel",
    "teil",
    "titel",
    "anhang",
];

fn is_roman(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M'))
}

/// Whether `token` numbers something: `1.`, `2.1`, `A.`, `IV.`, `(a)`, `a)`, `9a`.
fn is_number(token: &str) -> bool {
    let t = token.trim_end_matches(['.', ':']);
    if let Some(inner) = t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        return !inner.is_empty() && inner.len() <= 4 && inner.chars().all(char::is_alphanumeric);
    }
    if let Some(inner) = t.strip_suffix(')') {
        return !inner.is_empty() && inner.len() <= 3 && inner.chars().all(char::is_alphanumeric);
    }
    // A bare number counts up to three digits (`12 Scope`), not a year (`2019 amendments`).
    let dotted = !t.is_empty()
        && t.split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        && (token.contains('.') || t.len() <= 3);
    let digits_then_letters = t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_alphanumeric())
        && t.chars()
            .skip_while(char::is_ascii_digit)
            .all(|c| c.is_ascii_lowercase())
        && (1..=2).contains(&t.chars().filter(char::is_ascii_lowercase).count())
        && t.chars().take_while(char::is_ascii_digit).count() <= 3;
    let letter = token.ends_with('.')
        && t.chars().count() == 1
        && t.chars().all(|c| c.is_ascii_alphabetic());
    dotted || digits_then_letters || letter || (token.ends_with('.') && is_roman(t))
}

/// Splits a heading into its designation and the rest: `A. Definitions` → (`A.`,
/// `Definitions`); `§ 9a Short title` → (`§ 9a`, `Short title`).
pub fn designation(heading: &str) -> (Option<String>, Option<String>) {
    let text = heading.trim();
    let lower = text.to_lowercase();
    let mut end = None;
    for keyword in KEYWORDS {
        let Some(after) = lower.strip_prefix(keyword) else {
            continue;
        };
        let spaced = after.trim_start();
        if spaced.len() == after.len() && !keyword.starts_with('§') {
            continue;
        }
        let start = text.len() - spaced.len();
        let token_end = spaced.find(char::is_whitespace).unwrap_or(spaced.len());
        let token = &text[start..start + token_end];
        if is_number(token)
            || is_roman(token.trim_end_matches(['.', ':']))
            || (token.len() == 1 && token.chars().all(|c| c.is_ascii_alphabetic()))
        {
            let mut e = start + token_end;
            let rest = text[e..].trim_start();
            for suffix in ["bis", "ter", "quater"] {
                if rest.to_lowercase().starts_with(suffix)
                    && rest[suffix.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric())
                {
                    e = text.len() - rest.len() + suffix.len();
                }
            }
            end = Some(e);
        }
        break;
    }
    if end.is_none() {
        let first = text.split_whitespace().next().unwrap_or("");
        if is_number(first) {
            end = Some(text.find(first).unwrap_or(0) + first.len());
        }
    }
    match end {
        Some(e) => {
            let label = text[..e].trim().trim_end_matches(':').to_string();
            let rest = text[e..]
                .trim_start_matches([' ', '\t', ':', '–', '—', '-'])
                .trim();
            (Some(label), (!rest.is_empty()).then(|| rest.to_string()))
        }
        None => (None, (!text.is_empty()).then(|| text.to_string())),
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
pub fn github_anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Front matter of the source: YAML between `---` or TOML between `+++`.
fn front_matter(text: &str) -> (usize, Option<String>, Vec<String>) {
    let fence = if text.starts_with("---\n") {
        "---"
    } else if text.starts_with("+++\n") {
        "+++"
    } else {
        return (0, None, Vec::new());
    };
    let Some(close) = text[4..]
        .find(&format!("\n{fence}\n"))
        .map(|i| i + 4)
        .or_else(|| {
            text[4..]
                .ends_with(&format!("\n{fence}"))
                .then(|| text.len() - fence.len() - 1)
        })
    else {
        return (0, None, Vec::new());
    };
    let block = &text[4..close];
    let end = (close + fence.len() + 2).min(text.len());
    let mut title = None;
    let mut keys = Vec::new();
    if fence == "+++" {
        if let Ok(table) = block.parse::<toml::Table>() {
            for (key, value) in table {
                match (key.as_str(), value) {
                    ("title", toml::Value::String(s)) => title = Some(s),
                    _ => keys.push(key),
                }
            }
        }
    } else {
        // Top-level YAML keys only: `key: value` at the start of a line.
        for line in block.lines() {
            if line.starts_with([' ', '\t', '-', '#']) {
                continue;
            }
            if let Some((key, value)) = line.split_once(':') {
                let value = value.trim().trim_matches(['"', '\'']).to_string();
                if key.trim() == "title" && !value.is_empty() {
                    title = Some(value);
                } else {
                    keys.push(key.trim().to_string());
                }
            }
        }
    }
    (end, title, keys)
}

/// A heading found by the Markdown parser.
struct Found {
    level: u8,
    text: String,
    span: Range<usize>,
}

fn headings(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut open: Option<(u8, usize, String)> = None;
    for (event, span) in Parser::new_ext(text, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some((level as u8, span.start, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, text)) = open.take() {
                    out.push(Found {
                        level,
                        text: text.trim().to_string(),
                        span: start..span.end,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, s)) = open.as_mut() {
                    s.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, s)) = open.as_mut() {
                    s.push(' ');
                }
            }
            _ => {}
        }
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Splits a document. `taken` holds ids already used in the package.
pub fn split(source: &str, level: Level, document: &str, taken: &BTreeSet<String>) -> Imported {
    let mut warnings = Vec::new();
    let mut text = source
        .strip_prefix('\u{feff}')
        .unwrap_or(source)
        .to_string();
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
        warnings.push((0, "CRLF line endings converted to LF".to_string()));
    }
    let (start, title, dropped) = front_matter(&text);
    let text = &text[start..];
    let found = headings(text);
    let numbered_at = |l: u8| {
        found
            .iter()
            .filter(|h| h.level == l && designation(&h.text).0.is_some())
            .count()
    };
    let level = match level {
        Level::Fixed(l) => l,
        Level::Auto => {
            let best = (1..=6)
                .max_by_key(|&l| (numbered_at(l), std::cmp::Reverse(l)))
                .unwrap_or(2);
            if numbered_at(best) == 0 {
                found.iter().map(|h| h.level).min().map_or(2, |top| {
                    if found.iter().any(|h| h.level == top + 1) {
                        top + 1
                    } else {
                        top
                    }
                })
            } else {
                best
            }
        }
    };
    let cuts: Vec<&Found> = found.iter().filter(|h| h.level <= level).collect();
    let mut ids = taken.clone();
    let mut unique = |base: String, line: usize, warnings: &mut Vec<(usize, String)>| -> String {
        let base = if base.is_empty() {
            "clause".to_string()
        } else {
            base
        };
        let mut id = base.clone();
        let mut n = 2;
        let first = id.clone();
        while ids.contains(&id) {
            id = format!("{first}-{n}");
            n += 1;
        }
        if n > 2 {
            warnings.push((
                line,
                format!("designation `{base}` is used twice; this one is `{id}`"),
            ));
        }
        ids.insert(id.clone());
        id
    };
    let mut units = Vec::new();
    // Where each clause starts in the text, to find which clause holds a heading.
    let mut starts: Vec<(usize, String)> = Vec::new();
    let preamble_end = cuts.first().map_or(text.len(), |h| h.span.start);
    let preamble = &text[..preamble_end];
    if !preamble.trim().is_empty() {
        let id = unique(format!("{document}-preamble"), 1, &mut warnings);
        starts.push((0, id.clone()));
        units.push(Unit::Clause(Piece {
            id,
            label: Some(crate::render::view::PREAMBLE.to_string()),
            title: None,
            body: preamble.trim().to_string(),
            line: 1,
        }));
    }
    // The designation of the nearest structural heading, to qualify `1.` under `B.`.
    let mut parent: Option<String> = None;
    for (k, h) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).map_or(text.len(), |next| next.span.start);
        let body = text[h.span.end.min(end)..end].trim().to_string();
        let line = line_of(text, h.span.start);
        let (label, title) = designation(&h.text);
        if h.text.is_empty() {
            warnings.push((
                line,
                "empty heading; its text is kept as a clause without title".to_string(),
            ));
        }
        if h.level < level {
            units.push(Unit::Heading {
                level: h.level,
                text: h.text.clone(),
            });
            parent = label.as_deref().map(slug).filter(|s| !s.is_empty());
            if !body.is_empty() {
                // A heading with no ASCII letter or digit (`# Часть`, `# ***`) has no slug.
                let base = Some(slug(&h.text))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "part".to_string());
                let id = unique(format!("{base}-intro"), line, &mut warnings);
                starts.push((h.span.start, id.clone()));
                units.push(Unit::Clause(Piece {
                    id,
                    label: None,
                    title: None,
                    body,
                    line,
                }));
            }
            continue;
        }
        let base = label
            .as_deref()
            .map(slug)
            .filter(|s| !s.is_empty())
            .or_else(|| title.as_deref().map(slug))
            .unwrap_or_default();
        // Designations such as `1.` repeat in every section: qualify them by the section.
        // `1.` under `B.` is B.1: plain numbers restart in each designated section, while
        // keyword designations (`§ 9a`, `Article 5`) run through the document.
        let plain = label
            .as_deref()
            .is_some_and(|l| l.starts_with(|c: char| c.is_alphanumeric() || c == '('))
            && label.as_deref().is_some_and(|l| {
                designation(l).0.as_deref() == Some(l)
                    && !KEYWORDS.iter().any(|k| l.to_lowercase().starts_with(k))
            });
        let qualified = match &parent {
            Some(p) if plain => format!("{p}-{base}"),
            _ => base,
        };
        let id = unique(qualified, line, &mut warnings);
        starts.push((h.span.start, id.clone()));
        units.push(Unit::Clause(Piece {
            id,
            label,
            title,
            body,
            line,
        }));
    }
    let numbered = numbered_at(level);
    let mut imported = Imported {
        title,
        dropped,
        level,
        numbered,
        units,
        warnings,
    };
    relink(&mut imported, &found, &starts);
    strip_comments(&mut imported);
    imported
}

/// Points in-page links (`#a-definitions`, GitHub's heading anchors) at the clause that
/// holds the heading, so they keep working as cross-references.
fn relink(imported: &mut Imported, found: &[Found], starts: &[(usize, String)]) {
    // A heading belongs to the last clause starting at or before it, or else the next one.
    let owner = |offset: usize| {
        starts
            .iter()
            .rev()
            .find(|(s, _)| *s <= offset)
            .or_else(|| starts.iter().find(|(s, _)| *s > offset))
            .map(|(_, id)| id.clone())
    };
    let mut anchors: BTreeMap<String, String> = BTreeMap::new();
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for h in found {
        let Some(id) = owner(h.span.start) else {
            continue;
        };
        anchors
            .entry(github_anchor(&h.text))
            .or_insert_with(|| id.clone());
        if let Some(label) = designation(&h.text).0 {
            labels.entry(slug(&label)).or_insert(id);
        }
    }
    let ids: BTreeSet<String> = imported.pieces().map(|p| p.id.clone()).collect();
    let resolve = |anchor: &str| -> Option<String> {
        if ids.contains(anchor) {
            return None;
        }
        anchors.get(anchor).cloned().or_else(|| {
            let prefixed: Vec<&String> = anchors
                .iter()
                .filter(|(a, _)| a.starts_with(anchor))
                .map(|(_, id)| id)
                .collect();
            match prefixed.as_slice() {
                [one] => Some((*one).clone()),
                _ => anchor
                    .split('-')
                    .next()
                    .and_then(|first| labels.get(first).cloned()),
            }
        })
    };
    let mut unresolved = Vec::new();
    for unit in &mut imported.units {
        let Unit::Clause(piece) = unit else { continue };
        let mut edits = Vec::new();
        for (event, span) in
            Parser::new_ext(&piece.body, crate::markdown::options()).into_offset_iter()
        {
            let Event::Start(Tag::Link { dest_url, .. }) = event else {
                continue;
            };
            let Some(anchor) = dest_url.strip_prefix('#') else {
                continue;
            };
            let needle = format!("(#{anchor}");
            let Some(at) = piece.body[span.clone()].rfind(&needle) else {
                continue;
            };
            match resolve(anchor) {
                Some(id) => {
                    edits.push((span.start + at + 2..span.start + at + 2 + anchor.len(), id))
                }
                None if !ids.contains(anchor) => unresolved.push((
                    piece.line,
                    format!("link to `#{anchor}` matches no heading; fix it before `check`"),
                )),
                None => {}
            }
        }
        for (range, id) in edits.into_iter().rev() {
            piece.body.replace_range(range, &id);
        }
    }
    imported.warnings.extend(unresolved);
}

/// HTML comments are not text; raw HTML is refused in clauses, so comments go, with a word.
fn strip_comments(imported: &mut Imported) {
    let mut notes = Vec::new();
    for unit in &mut imported.units {
        let Unit::Clause(piece) = unit else { continue };
        while let Some(start) = piece.body.find("<!--") {
            let Some(len) = piece.body[start..].find("-->") else {
                break;
            };
            piece.body.replace_range(start..start + len + 3, "");
            notes.push((
                piece.line,
                "HTML comment dropped (clauses hold no raw HTML)".to_string(),
            ));
        }
        piece.body = piece.body.trim().to_string();
    }
    imported.warnings.extend(notes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designations_of_real_texts() {
        let cases = [
            ("A. Definitions", Some("A."), Some("Definitions")),
            ("1. Account Controls", Some("1."), Some("Account Controls")),
            (
                "§ 9a Übergangsregelung",
                Some("§ 9a"),
                Some("Übergangsregelung"),
            ),
            ("§9a", Some("§9a"), None),
            (
                "Article 5 bis – Review",
                Some("Article 5 bis"),
                Some("Review"),
            ),
            ("Section 2.1 Scope", Some("Section 2.1"), Some("Scope")),
            (
                "IV. Final provisions",
                Some("IV."),
                Some("Final provisions"),
            ),
            ("(a) Notices", Some("(a)"), Some("Notices")),
            (
                "Abschnitt 3: Pflichten",
                Some("Abschnitt 3"),
                Some("Pflichten"),
            ),
            ("Summary", None, Some("Summary")),
            ("A new approach", None, Some("A new approach")),
            ("Partners and parties", None, Some("Partners and parties")),
            ("2019 amendments", None, Some("2019 amendments")),
        ];
        for (heading, label, title) in cases {
            let (l, t) = designation(heading);
            assert_eq!((l.as_deref(), t.as_deref()), (label, title), "{heading}");
        }
    }

    #[test]
    fn splits_keep_structure_preamble_and_every_word() {
        let doc = "---\ntitle: Terms\nversions:\n  fpt: '*'\n---\nWelcome.\n\n# Part I\n\nIntro text.\n\n## 1. First\n\nOne.\n\n### Detail\n\nMore.\n\n```\n## not a heading\n```\n\n## 2. Second\n\nTwo, see [above](#1-first).\n";
        let imported = split(doc, Level::Fixed(2), "terms", &BTreeSet::new());
        assert_eq!(imported.title.as_deref(), Some("Terms"));
        assert_eq!(imported.dropped, ["versions"]);
        let ids: Vec<&str> = imported.pieces().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            ["terms-preamble", "part-i-intro", "part-i-1", "part-i-2"]
        );
        assert_eq!(
            imported.units[1],
            Unit::Heading {
                level: 1,
                text: "Part I".into()
            }
        );
        let first = imported.pieces().nth(2).unwrap();
        assert_eq!(
            (first.label.as_deref(), first.title.as_deref()),
            (Some("1."), Some("First"))
        );
        assert_eq!(
            first.body,
            "One.\n\n### Detail\n\nMore.\n\n```\n## not a heading\n```"
        );
        assert_eq!(
            imported.pieces().nth(3).unwrap().body,
            "Two, see [above](#part-i-1)."
        );
    }

    #[test]
    fn auto_picks_the_level_of_numbered_headings() {
        let doc = "# Title\n\n## A. One\n\n### 1. a\n\n### 2. b\n\n## B. Two\n\n### 1. c\n";
        let imported = split(doc, Level::Auto, "d", &BTreeSet::new());
        assert_eq!((imported.level, imported.numbered), (3, 3));
        let ids: Vec<&str> = imported.pieces().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a-1", "a-2", "b-1"]);
    }

    #[test]
    fn headings_without_ascii_still_give_valid_ids() {
        // Found by the `import` fuzz target: a structural heading that slugs to nothing
        // gave its introduction the id `-intro`.
        let doc = "# Часть первая\n\nВступление.\n\n## Статья 1\n\nТекст.\n\n# ***\n\nMore.\n\n## 2. B\n\ny\n";
        let imported = split(doc, Level::Fixed(2), "d", &BTreeSet::new());
        let ids: Vec<&str> = imported.pieces().map(|p| p.id.as_str()).collect();
        assert!(
            ids.iter().all(|id| crate::manifest::valid_id(id)),
            "{ids:?}"
        );
        assert_eq!(ids, ["part-intro", "1", "part-intro-2", "2"]);
    }

    #[test]
    fn quirks_warn_and_keep_the_text() {
        let doc = "\u{feff}## 1. A\r\n\r\nx\r\n\r\n## 1. A\r\n\r\ny\r\n\r\n##\r\n\r\nz\r\n";
        let imported = split(doc, Level::Fixed(2), "d", &BTreeSet::new());
        let ids: Vec<&str> = imported.pieces().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["1", "1-2", "clause"]);
        assert_eq!(
            imported
                .pieces()
                .map(|p| p.body.as_str())
                .collect::<Vec<_>>(),
            ["x", "y", "z"]
        );
        assert!(
            imported
                .warnings
                .iter()
                .any(|(_, w)| w.contains("line endings"))
        );
        assert!(
            imported
                .warnings
                .iter()
                .any(|(_, w)| w.contains("used twice"))
        );
        assert!(
            imported
                .warnings
                .iter()
                .any(|(_, w)| w.contains("empty heading"))
        );
    }
}
