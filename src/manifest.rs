//! `entente.toml` (SPEC §1.1): read into typed values with spans, every problem reported.
//!
//! Clause entries stay unresolved here (ids or paths with their spans); `load` finds the
//! files they name.

use std::collections::BTreeSet;
use std::ops::Range;

use toml::de::DeTable;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{Edition, Level, Party, Scheme};
use crate::numbering;
use crate::toml_read::{At, Reader};

/// The manifest's file name.
pub const FILE: &str = "entente.toml";

/// The manifest, with clause entries still to be resolved.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// `[agreement] title`.
    pub title: String,
    /// `[agreement] date`.
    pub date: Option<String>,
    /// The parties with their names.
    pub parties: Vec<Party>,
    /// The classification scheme.
    pub scheme: Scheme,
    /// The editions (the default pair when the manifest defines none).
    pub editions: Vec<Edition>,
    /// The documents.
    pub documents: Vec<DocumentEntry>,
}

/// A `[[documents]]` table.
#[derive(Debug, Clone)]
pub struct DocumentEntry {
    /// Its id, with span.
    pub id: At<String>,
    /// Its title.
    pub title: String,
    /// Its numbering pattern.
    pub numbering: String,
    /// Its clause entries: ids, or paths to `.md` files.
    pub clauses: Vec<At<String>>,
    /// Headings between its clauses.
    pub headings: Vec<HeadingEntry>,
    /// The level of clause headings in the source text (`heading-level`, from `import`).
    pub heading_level: Option<u8>,
    /// Its annexes.
    pub annexes: Vec<AnnexEntry>,
}

/// A heading entry of a document's `clauses`: `(entries before it, level, text)`.
pub type HeadingEntry = (usize, u8, String);

/// A `[[documents.annexes]]` table.
#[derive(Debug, Clone)]
pub struct AnnexEntry {
    /// Its id, with span.
    pub id: At<String>,
    /// Its title.
    pub title: String,
    /// Its own level, the default of its clauses.
    pub level: Option<Level>,
    /// Its clause entries.
    pub clauses: Vec<At<String>>,
}

/// Whether `id` is a valid id: `[a-z0-9][a-z0-9-]*` (SPEC §1.2).
pub fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z' | '0'..='9'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'))
}

/// A valid id made from arbitrary text: lower case, runs of other characters as `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Parses the manifest text, reporting every problem into `diagnostics`.
pub fn parse(text: &str, diagnostics: &mut Vec<Diagnostic>) -> Manifest {
    // A byte-order mark is not TOML; positions still count it, as the file has it.
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut r = Reader {
        file: FILE.to_string(),
        offset: bom,
        diagnostics,
    };
    let root = r.parse(&text[bom..]);
    let root = root.get_ref();
    r.unknown_keys(
        root,
        &[
            "agreement",
            "parties",
            "classification",
            "editions",
            "documents",
        ],
        "the manifest",
    );

    let mut m = Manifest::default();
    match r.table(root, "agreement") {
        Some((agreement, _)) => {
            r.unknown_keys(agreement, &["title", "parties", "date"], "`[agreement]`");
            m.title = required_string(&mut r, agreement, "title", "`[agreement]`", 0..0);
            m.date = r.string(agreement, "date").map(|d| d.value);
            m.parties = parties(&mut r, agreement, root);
        }
        None => r.diagnostics.push(
            Diagnostic::error(
                "missing-key",
                FILE,
                Some(0..0),
                "the manifest has no `[agreement]` table".into(),
            )
            .with_hint("add `[agreement]` with `title = \"...\"` and `parties = [...]`"),
        ),
    }
    m.scheme = scheme(&mut r, root);
    m.editions = editions(&mut r, root, &m.scheme);
    m.documents = documents(&mut r, root, &m.scheme);
    m
}

fn required_string(
    r: &mut Reader<'_>,
    table: &DeTable<'_>,
    key: &str,
    what: &str,
    span: Range<usize>,
) -> String {
    match r.string(table, key) {
        Some(s) => s.value,
        None => {
            if table.get(key).is_none() {
                r.error(
                    "missing-key",
                    span,
                    format!("{what} has no `{key}`"),
                    Some(format!("add `{key} = \"...\"`")),
                );
            }
            String::new()
        }
    }
}

fn parties(r: &mut Reader<'_>, agreement: &DeTable<'_>, root: &DeTable<'_>) -> Vec<Party> {
    let ids = r.strings(agreement, "parties");
    let mut names = Vec::new();
    if let Some((table, _)) = r.table(root, "parties") {
        for (key, value) in table.iter() {
            let id = key.get_ref().to_string();
            let span = r.span(key.span());
            if !ids.iter().any(|p| p.value == id) {
                let hint = did_you_mean(&id, ids.iter().map(|p| p.value.as_str()))
                    .unwrap_or_else(|| format!("add `{id}` to `parties` in `[agreement]`"));
                r.error(
                    "unknown-party",
                    span,
                    format!("`[parties.{id}]` names a party not in `[agreement] parties`"),
                    Some(hint),
                );
            }
            if let toml::de::DeValue::Table(t) = value.get_ref() {
                r.unknown_keys(t, &["name"], &format!("`[parties.{id}]`"));
                if let Some(name) = r.string(t, "name") {
                    names.push((id, name.value));
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for id in ids {
        if !valid_id(&id.value) {
            r.error(
                "invalid-id",
                id.span.clone(),
                format!("party id `{}` is not a valid id", id.value),
                Some(id_hint(&id.value)),
            );
        }
        if !seen.insert(id.value.clone()) {
            r.error(
                "duplicate-id",
                id.span.clone(),
                format!("party `{}` is listed twice", id.value),
                Some("remove one of them".into()),
            );
            continue;
        }
        let name = names
            .iter()
            .find(|(p, _)| *p == id.value)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.value.clone());
        out.push(Party { id: id.value, name });
    }
    out
}

/// The hint for an invalid id.
pub fn id_hint(id: &str) -> String {
    let s = slug(id);
    if s.is_empty() {
        "ids use lower-case letters, digits and `-`, starting with a letter or digit".into()
    } else {
        format!("ids use lower-case letters, digits and `-`; try `{s}`")
    }
}

fn scheme(r: &mut Reader<'_>, root: &DeTable<'_>) -> Scheme {
    let Some((table, span)) = r.table(root, "classification") else {
        return Scheme::default();
    };
    r.unknown_keys(table, &["levels", "marks", "default"], "`[classification]`");
    let mut scheme = Scheme::default();
    let levels = r.strings(table, "levels");
    if !levels.is_empty() {
        scheme.levels = levels.iter().map(|l| l.value.clone()).collect();
        let mut seen = BTreeSet::new();
        for l in &levels {
            if !seen.insert(l.value.clone()) {
                r.error(
                    "duplicate-level",
                    l.span.clone(),
                    format!("level `{}` is listed twice", l.value),
                    None,
                );
            }
        }
    } else if table.get("levels").is_some() {
        r.error(
            "empty-levels",
            span.clone(),
            "`levels` is empty".into(),
            Some("list the levels, lowest first".into()),
        );
    }
    let marks = r.strings(table, "marks");
    if !marks.is_empty() || table.get("marks").is_some() {
        scheme.marks = marks.iter().map(|m| m.value.clone()).collect();
    } else if !levels.is_empty() {
        // Without marks, each level marks itself by its initials.
        scheme.marks = scheme
            .levels
            .iter()
            .map(|l| {
                l.split_whitespace()
                    .filter_map(|w| w.chars().next())
                    .collect()
            })
            .collect();
    }
    if scheme.marks.len() != scheme.levels.len() {
        r.error(
            "marks-mismatch",
            span.clone(),
            format!(
                "`[classification]` has {} levels but {} marks",
                scheme.levels.len(),
                scheme.marks.len()
            ),
            Some("give one portion mark per level, in the same order".into()),
        );
        scheme.marks.resize(scheme.levels.len(), String::new());
    }
    scheme.default = 0;
    if let Some(default) = r.string(table, "default") {
        match scheme.level(&default.value) {
            Some(level) => scheme.default = level,
            None => r.error(
                "unknown-level",
                default.span,
                format!("unknown classification level `{}`", default.value),
                Some(level_hint(&default.value, &scheme)),
            ),
        }
    }
    scheme
}

/// "did you mean" among the scheme's levels, or the list of them.
pub fn level_hint(name: &str, scheme: &Scheme) -> String {
    did_you_mean(name, scheme.levels.iter().map(String::as_str)).unwrap_or_else(|| {
        let names: Vec<&str> = scheme.levels.iter().map(String::as_str).collect();
        format!("the levels are {}", crate::toml_read::list(&names))
    })
}

fn editions(r: &mut Reader<'_>, root: &DeTable<'_>, scheme: &Scheme) -> Vec<Edition> {
    let Some((table, _)) = r.table(root, "editions") else {
        // SPEC §1.1: without `[editions]`, `public` (lowest level) and `full` (all, annotated).
        return vec![
            Edition {
                name: "public".into(),
                max: 0,
                annotations: false,
                name_withheld_level: false,
            },
            Edition {
                name: "full".into(),
                max: scheme.top(),
                annotations: true,
                name_withheld_level: false,
            },
        ];
    };
    let mut out = Vec::new();
    for (key, value) in table.iter() {
        let name = key.get_ref().to_string();
        let key_span = r.span(key.span());
        if !valid_id(&name) {
            r.error(
                "invalid-id",
                key_span.clone(),
                format!("edition name `{name}` is not a valid name"),
                Some(format!(
                    "{} (it names the edition's output folder)",
                    id_hint(&name)
                )),
            );
        }
        let toml::de::DeValue::Table(t) = value.get_ref() else {
            r.error(
                "wrong-type",
                key_span,
                format!("`editions.{name}` must be a table"),
                None,
            );
            continue;
        };
        r.unknown_keys(
            t,
            &["max", "annotations", "name-withheld-level"],
            &format!("`[editions.{name}]`"),
        );
        let max = match r.string(t, "max") {
            Some(max) => match scheme.level(&max.value) {
                Some(level) => level,
                None => {
                    r.error(
                        "unknown-level",
                        max.span,
                        format!("unknown classification level `{}`", max.value),
                        Some(level_hint(&max.value, scheme)),
                    );
                    0
                }
            },
            None => {
                if t.get("max").is_none() {
                    r.error(
                        "missing-key",
                        key_span,
                        format!("edition `{name}` has no `max`"),
                        Some("add `max = \"...\"`: the highest level it includes".into()),
                    );
                }
                0
            }
        };
        out.push(Edition {
            name,
            max,
            annotations: r.boolean(t, "annotations").unwrap_or(false),
            name_withheld_level: r.boolean(t, "name-withheld-level").unwrap_or(false),
        });
    }
    out
}

/// A document's or annex's `clauses`: ids or paths, and (in documents) headings that
/// structure them, written `{ heading = "Part II", level = 1 }`.
fn clause_entries(
    r: &mut Reader<'_>,
    table: &DeTable<'_>,
    span: &Range<usize>,
    what: &str,
) -> (Vec<At<String>>, Vec<HeadingEntry>) {
    use toml::de::DeValue;
    let Some(value) = table.get("clauses") else {
        r.error(
            "missing-key",
            span.clone(),
            format!("{what} has no `clauses`"),
            Some("add `clauses = [\"first-clause-id\", ...]`".into()),
        );
        return (Vec::new(), Vec::new());
    };
    let DeValue::Array(items) = value.get_ref() else {
        return (r.strings(table, "clauses"), Vec::new());
    };
    let mut clauses = Vec::new();
    let mut headings = Vec::new();
    for item in items.iter() {
        let item_span = r.span(item.span());
        match item.get_ref() {
            DeValue::String(s) => clauses.push(At {
                value: s.to_string(),
                span: item_span,
            }),
            DeValue::Table(t) => {
                r.unknown_keys(t, &["heading", "level"], "a heading entry");
                let text = r.string(t, "heading").map(|h| h.value);
                let level = match t.get("level").map(|l| l.get_ref()) {
                    Some(DeValue::Integer(i)) => i
                        .to_string()
                        .parse::<u8>()
                        .ok()
                        .filter(|l| (1..=6).contains(l)),
                    _ => None,
                };
                match (text, level) {
                    (Some(text), Some(level)) => headings.push((clauses.len(), level, text)),
                    _ => r.error(
                        "bad-heading",
                        item_span,
                        "a heading entry needs `heading` (its text) and `level` (1 to 6)".into(),
                        Some("write it as `{ heading = \"Part II\", level = 1 }`".into()),
                    ),
                }
            }
            _ => r.error(
                "wrong-type",
                item_span,
                "an entry of `clauses` must be a clause id, a path, or a heading table".into(),
                Some("write a clause id in double quotes: `\"force-size\"`".into()),
            ),
        }
    }
    (clauses, headings)
}

fn documents(r: &mut Reader<'_>, root: &DeTable<'_>, scheme: &Scheme) -> Vec<DocumentEntry> {
    let docs = r.tables(root, "documents");
    if docs.is_empty() && root.get("documents").is_none() {
        r.diagnostics.push(
            Diagnostic::error(
                "missing-key",
                FILE,
                Some(0..0),
                "the manifest has no `[[documents]]`".into(),
            )
            .with_hint("add a `[[documents]]` table with `id`, `title` and `clauses`"),
        );
    }
    let mut out = Vec::new();
    for (doc, span) in docs {
        r.unknown_keys(
            doc,
            &[
                "id",
                "title",
                "numbering",
                "clauses",
                "annexes",
                "heading-level",
            ],
            "`[[documents]]`",
        );
        let id = entry_id(r, doc, &span, "`[[documents]]`");
        let what = format!("document `{}`", id.value);
        let title = required_string(r, doc, "title", &what, span.clone());
        let numbering = match r.string(doc, "numbering") {
            Some(n) => {
                if let Some(problem) = numbering::pattern_problem(&n.value) {
                    r.error("bad-numbering", n.span, problem, Some("use one of `{n}` (1 2 3), `{A}` (A B C), `{a}` (a b c) or `{I}` (I II III), as in `Point {n}`".into()));
                }
                n.value
            }
            None => "{n}".to_string(),
        };
        let (clauses, headings) = clause_entries(r, doc, &span, &what);
        let heading_level = doc.get("heading-level").and_then(|l| match l.get_ref() {
            toml::de::DeValue::Integer(i) => i
                .to_string()
                .parse::<u8>()
                .ok()
                .filter(|l| (1..=6).contains(l)),
            _ => None,
        });
        let mut annexes = Vec::new();
        for (annex, span) in r.tables(doc, "annexes") {
            r.unknown_keys(
                annex,
                &["id", "title", "classification", "clauses"],
                "`[[documents.annexes]]`",
            );
            let id = entry_id(r, annex, &span, "`[[documents.annexes]]`");
            let what = format!("annex `{}`", id.value);
            let title = required_string(r, annex, "title", &what, span.clone());
            let level = r.string(annex, "classification").and_then(|l| {
                let level = scheme.level(&l.value);
                if level.is_none() {
                    r.error(
                        "unknown-level",
                        l.span,
                        format!("unknown classification level `{}`", l.value),
                        Some(level_hint(&l.value, scheme)),
                    );
                }
                level
            });
            let (clauses, _) = clause_entries(r, annex, &span, &what);
            annexes.push(AnnexEntry {
                id,
                title,
                level,
                clauses,
            });
        }
        out.push(DocumentEntry {
            id,
            title,
            numbering,
            clauses,
            headings,
            heading_level,
            annexes,
        });
    }
    out
}

fn entry_id(
    r: &mut Reader<'_>,
    table: &DeTable<'_>,
    span: &Range<usize>,
    what: &str,
) -> At<String> {
    match r.string(table, "id") {
        Some(id) => {
            if !valid_id(&id.value) {
                r.error(
                    "invalid-id",
                    id.span.clone(),
                    format!("`{}` is not a valid id", id.value),
                    Some(id_hint(&id.value)),
                );
            }
            id
        }
        None => {
            if table.get("id").is_none() {
                r.error(
                    "missing-key",
                    span.clone(),
                    format!("{what} has no `id`"),
                    Some("add `id = \"...\"`".into()),
                );
            }
            At {
                value: String::new(),
                span: span.clone(),
            }
        }
    }
}
