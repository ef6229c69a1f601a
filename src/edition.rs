//! Editions as projections (SPEC §3): what one edition may see of an agreement, made
//! before anything is rendered, diffed or counted.
//!
//! A withheld clause or annex becomes a [`Placeholder`] that carries its label and
//! anchor and nothing else: no title, id, file name, notes, status, positions, tags,
//! text or size. Every presenter receives only a [`Projection`], so a template or a
//! report cannot print what it was never given.

use crate::model::{Agreement, Clause, Edition, Level, Party, Status};
use crate::numbering::Numbers;
use std::borrow::Cow;

/// An edition's view of the agreement.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Projection {
    /// The edition.
    pub edition: Edition,
    /// The agreement's title.
    pub title: String,
    /// The agreement's date.
    pub date: Option<String>,
    /// The parties.
    pub parties: Vec<Party>,
    /// The highest level of what is included, when it is above the lowest level: the
    /// edition is then marked (banner and portion marks).
    pub marking: Option<Marking>,
    /// The documents, in manifest order.
    pub documents: Vec<DocumentView>,
}

/// The banner of a marked edition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Marking {
    /// The highest level included.
    pub level: Level,
    /// Its name, for the banner.
    pub banner: String,
}

/// A document as an edition sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocumentView {
    /// Its id (documents are never withheld).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its anchor.
    pub anchor: String,
    /// Its clauses and placeholders, in order; withdrawn clauses are not here.
    pub clauses: Vec<Part>,
    /// Headings between its clauses; `before` counts the entries of `clauses` before each.
    pub headings: Vec<crate::model::Heading>,
    /// The level of clause headings in the source text.
    pub heading_level: Option<u8>,
    /// Its annexes and placeholders, in order.
    pub annexes: Vec<AnnexPart>,
}

/// A clause, or the placeholder of a withheld one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Part {
    /// Included.
    Clause(Box<ClauseView>),
    /// Withheld.
    Withheld(Placeholder),
}

/// An annex, or the placeholder of a withheld one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AnnexPart {
    /// Included.
    Annex(AnnexView),
    /// Withheld whole.
    Withheld(Placeholder),
}

/// What a withheld part leaves behind: where it was, and nothing of what it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Placeholder {
    /// Its label ("Point 12", "Annex C").
    pub label: String,
    /// Its anchor, made from the label.
    pub anchor: String,
    /// The fixed notice, naming the level only if the edition asks for it.
    pub notice: String,
}

/// An included annex.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AnnexView {
    /// Its id.
    pub id: String,
    /// "Annex B".
    pub label: String,
    /// Its anchor.
    pub anchor: String,
    /// Its title.
    pub title: String,
    /// Its level.
    pub level: Level,
    /// Its clauses and placeholders.
    pub clauses: Vec<Part>,
}

/// An included clause.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClauseView {
    /// Its id.
    pub id: String,
    /// Its file. Not kept in the cache (see [`ClauseView::body`]), nor the fixed label or
    /// the anchor: a comparison of two versions, which is all the cache serves, reads none
    /// of them, and at 10,000 clauses they were a sixth of reading an entry back.
    #[serde(skip)]
    pub path: std::sync::Arc<str>,
    /// "Point 4" or its fixed label.
    pub label: String,
    /// Its fixed label, if it has one (as written in the source).
    #[serde(skip)]
    pub fixed_label: Option<String>,
    /// Its anchor.
    #[serde(skip)]
    pub anchor: String,
    /// Its title, shared with the model, as its file is.
    #[serde(deserialize_with = "crate::model::shared_title")]
    pub title: Option<std::sync::Arc<str>>,
    /// Its level.
    pub level: Level,
    /// Its status.
    pub status: Status,
    /// Party → position.
    #[serde(deserialize_with = "crate::model::shared_positions")]
    pub positions: crate::model::Positions,
    /// Drafters' notes.
    #[serde(deserialize_with = "crate::model::shared_strings")]
    pub notes: crate::model::Strings,
    /// Tags.
    #[serde(deserialize_with = "crate::model::shared_strings")]
    pub tags: crate::model::Strings,
    /// Its Markdown body, as written. Not serialized: the cache keeps bodies apart, to read
    /// only those it needs.
    #[serde(skip)]
    pub body: crate::model::Body,
}

/// The anchor of a label within a document: `framework-point-12`, `security-annex-c`.
/// Anchors come from labels, never ids, so withheld parts cannot be named by them.
pub fn anchor(document: &str, label: &str) -> String {
    let slug = crate::manifest::slug(label);
    if slug.is_empty() {
        document.to_string()
    } else {
        format!("{document}-{slug}")
    }
}

/// What `[](#id)` in document `from` becomes: the target's label (with "of the TITLE"
/// when it is in another document) and its anchor, or, for a clause whose own anchor the
/// output lacks (inside a withheld annex), the anchor of its annex.
pub fn target(
    numbers: &Numbers,
    titles: &[(String, String)],
    from: &str,
    id: &str,
    has_anchor: &dyn Fn(&str) -> bool,
) -> Option<crate::markdown::Target> {
    if let Some((doc, title)) = titles.iter().find(|(d, _)| d == id) {
        return Some(crate::markdown::Target {
            text: title.clone(),
            href: format!("#{doc}"),
        });
    }
    let label = numbers.label(id).filter(|l| !l.is_empty())?;
    let doc = numbers.document_of(id).unwrap_or(from);
    let text = if doc == from {
        label.to_string()
    } else {
        let title = titles
            .iter()
            .find(|(d, _)| d == doc)
            .map_or("", |(_, t)| t.as_str());
        format!("{label} of the {title}")
    };
    let mut href = anchor(doc, label);
    if !has_anchor(&href) {
        if let Some(annex_label) = numbers.annex_of(id).and_then(|a| numbers.label(a)) {
            href = anchor(doc, annex_label);
        }
    }
    Some(crate::markdown::Target {
        text,
        href: format!("#{href}"),
    })
}

/// The edition that shows everything, annotations and all: a `diff`, `status` or `log`
/// without `--edition`.
pub fn everything(agreement: &Agreement) -> Edition {
    Edition {
        name: "all".into(),
        max: agreement.scheme.top(),
        annotations: true,
        name_withheld_level: false,
    }
}

/// Each included clause's id and body, trimmed (for tests).
#[cfg(test)]
pub(crate) fn bodies(projection: &Projection) -> Vec<(&str, &str)> {
    let clauses = projection
        .clauses()
        .map(|(_, _, c)| (c.id.as_str(), c.body.trim()));
    clauses.collect()
}

/// Whether `edition` includes what is at `level` (SPEC §3).
pub(crate) fn includes(edition: &Edition, level: Level) -> bool {
    level <= edition.max
}

fn notice(edition: &Edition, agreement: &Agreement, level: Level) -> String {
    if edition.name_withheld_level {
        format!(
            "Withheld from this edition ({}).",
            agreement.scheme.name(level)
        )
    } else {
        "Withheld from this edition.".to_string()
    }
}

/// Projects an agreement onto an edition.
pub fn project(agreement: &Agreement, numbers: &Numbers, edition: &Edition) -> Projection {
    let mut highest: Option<Level> = None;
    let mut seen = |level: Level| highest = Some(highest.map_or(level, |h: Level| h.max(level)));
    let mut documents = Vec::new();
    for doc in &agreement.documents {
        let label_of = |id: &str| numbers.label(id).unwrap_or_default().to_string();
        let part = |clause: &Clause, seen: &mut dyn FnMut(Level)| -> Option<Part> {
            if clause.status == Status::Withdrawn {
                return None;
            }
            let label = label_of(&clause.id);
            let anchor = anchor(&doc.id, &label);
            Some(if includes(edition, clause.level) {
                seen(clause.level);
                Part::Clause(Box::new(view(clause, label, anchor)))
            } else {
                Part::Withheld(Placeholder {
                    label,
                    anchor,
                    notice: notice(edition, agreement, clause.level),
                })
            })
        };
        // Headings count the clauses shown before them, withdrawn ones left out.
        let mut clauses: Vec<Part> = Vec::with_capacity(doc.clauses.len());
        let mut headings = Vec::new();
        for (k, clause) in doc.clauses.iter().enumerate() {
            for h in doc.headings.iter().filter(|h| h.before == k) {
                headings.push(crate::model::Heading {
                    before: clauses.len(),
                    ..h.clone()
                });
            }
            clauses.extend(part(clause, &mut seen));
        }
        for h in doc
            .headings
            .iter()
            .filter(|h| h.before >= doc.clauses.len())
        {
            headings.push(crate::model::Heading {
                before: clauses.len(),
                ..h.clone()
            });
        }
        let mut annexes = Vec::new();
        for annex in &doc.annexes {
            let label = label_of(&annex.id);
            let anchor = anchor(&doc.id, &label);
            // SPEC §3: an annex above `max` is withheld whole.
            if includes(edition, annex.level) {
                seen(annex.level);
                let clauses = annex
                    .clauses
                    .iter()
                    .filter_map(|c| part(c, &mut seen))
                    .collect();
                annexes.push(AnnexPart::Annex(AnnexView {
                    id: annex.id.clone(),
                    label,
                    anchor,
                    title: annex.title.clone(),
                    level: annex.level,
                    clauses,
                }));
            } else {
                annexes.push(AnnexPart::Withheld(Placeholder {
                    label,
                    anchor,
                    notice: notice(edition, agreement, annex.level),
                }));
            }
        }
        documents.push(DocumentView {
            id: doc.id.clone(),
            title: doc.title.clone(),
            anchor: doc.id.clone(),
            clauses,
            headings,
            heading_level: doc.heading_level,
            annexes,
        });
    }
    let marking = highest.filter(|&h| h > 0).map(|level| Marking {
        level,
        banner: agreement.scheme.name(level).to_string(),
    });
    let mut projection = Projection {
        edition: edition.clone(),
        title: agreement.title.clone(),
        date: agreement.date.clone(),
        parties: agreement.parties.clone(),
        marking,
        documents,
    };
    hide_withheld_references(&mut projection, numbers);
    projection
}

/// The view of an included clause, under its number and anchor.
pub fn view(clause: &Clause, label: String, anchor: String) -> ClauseView {
    ClauseView {
        id: clause.id.clone(),
        path: clause.path.clone(),
        label,
        fixed_label: clause.label.clone(),
        anchor,
        title: clause.title.clone(),
        level: clause.level,
        status: clause.status,
        positions: clause.positions.clone(),
        notes: clause.notes.clone(),
        tags: clause.tags.clone(),
        body: clause.body.clone(),
    }
}

/// Rewrites every reference to something the edition withholds into its label and
/// anchor, so that not even an included clause's source names a withheld id to the
/// renderers, diffs and reports that read the projection.
fn hide_withheld_references(projection: &mut Projection, numbers: &Numbers) {
    // Found first and put in after, so that what may be pointed at is read from the
    // projection rather than copied out of it: the copies were a fifth of its memory.
    let hidden: Vec<(usize, crate::model::Body)> = {
        let references = References::of(projection);
        let clauses = projection.clauses().enumerate();
        let hide = |(k, (doc, _, c)): (usize, (&DocumentView, _, &ClauseView))| {
            Some((k, references.hide(&c.body, &doc.id, numbers)?))
        };
        clauses.filter_map(hide).collect()
    };
    let mut hidden = hidden.into_iter().peekable();
    for (k, clause) in projection.clauses_mut().enumerate() {
        if let Some((_, body)) = hidden.next_if(|(at, _)| *at == k) {
            clause.body = body;
        }
    }
}

/// What an edition's references may point at: what it includes, and the anchors and
/// document titles a reference to what it withholds is rewritten into; read from a
/// projection, or kept apart from it ([`References::into_owned`]).
pub struct References<'a> {
    present: std::collections::BTreeSet<Cow<'a, str>>,
    anchors: std::collections::BTreeSet<Cow<'a, str>>,
    titles: Vec<(String, String)>,
}

impl<'a> References<'a> {
    /// Those of a projection, before or after its references are hidden.
    pub fn of(projection: &'a Projection) -> References<'a> {
        let mut present: std::collections::BTreeSet<Cow<'a, str>> = (projection.clauses())
            .map(|(_, _, c)| Cow::from(c.id.as_str()))
            .collect();
        for doc in &projection.documents {
            present.insert(Cow::from(doc.id.as_str()));
            present.extend(doc.annexes.iter().filter_map(|a| match a {
                AnnexPart::Annex(a) => Some(Cow::from(a.id.as_str())),
                AnnexPart::Withheld(_) => None,
            }));
        }
        let titles = (projection.documents.iter())
            .map(|d| (d.id.clone(), d.title.clone()))
            .collect();
        References {
            present,
            anchors: projection.anchors().into_iter().map(Cow::from).collect(),
            titles,
        }
    }

    /// The same, kept apart from the projection they were read from.
    pub fn into_owned(self) -> References<'static> {
        let owned = |set: std::collections::BTreeSet<Cow<'a, str>>| {
            set.into_iter()
                .map(|s| Cow::Owned(s.into_owned()))
                .collect()
        };
        References {
            present: owned(self.present),
            anchors: owned(self.anchors),
            titles: self.titles,
        }
    }

    /// `body` of a clause of document `doc_id` with its references to what is not present
    /// rewritten, if it has any.
    pub fn hide(
        &self,
        body: &crate::model::Body,
        doc_id: &str,
        numbers: &Numbers,
    ) -> Option<crate::model::Body> {
        if !may_link_elsewhere(body, &self.present) {
            return None;
        }
        let has_anchor = |a: &str| self.anchors.contains(a);
        let resolve = |id: &str| {
            if self.present.contains(id) {
                None
            } else {
                target(numbers, &self.titles, doc_id, id, &has_anchor)
            }
        };
        Some(crate::markdown::to_markdown(body, None, &resolve).into())
    }
}

/// Whether `body` may link to an id not in `present`: parsing every body to find the few
/// that do was most of the projection's time. Each `#` must be followed by a present id
/// that ends where a link destination ends; anything else (`&num;`, `#` then an unknown
/// id, an escape or an odd character) is left to the parser.
fn may_link_elsewhere(body: &str, present: &std::collections::BTreeSet<Cow<'_, str>>) -> bool {
    let id_char = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    body.contains("&num;")
        || body.match_indices('#').any(|(at, _)| {
            let after = body.get(at + 1..).unwrap_or_default();
            let end = after.find(|c: char| !id_char(c)).unwrap_or(after.len());
            let (id, next) = after.split_at(end);
            let ends = next
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || ")>".contains(c));
            let known = ends && present.contains(id);
            !id.is_empty() && !known
        })
}

impl DocumentView {
    /// Its clauses and placeholders, then those of its included annexes, in order.
    pub fn parts_mut(&mut self) -> impl Iterator<Item = &mut Part> {
        let annexed = self.annexes.iter_mut().flat_map(|a| match a {
            AnnexPart::Annex(annex) => annex.clauses.iter_mut(),
            AnnexPart::Withheld(_) => [].iter_mut(),
        });
        self.clauses.iter_mut().chain(annexed)
    }
}

impl Projection {
    /// Every included clause, in the order of [`Projection::clauses`], to change.
    pub fn clauses_mut(&mut self) -> impl Iterator<Item = &mut ClauseView> {
        (self.documents.iter_mut().flat_map(DocumentView::parts_mut)).filter_map(|p| match p {
            Part::Clause(c) => Some(c.as_mut()),
            Part::Withheld(_) => None,
        })
    }

    /// Every anchor this edition's consolidated output has.
    pub fn anchors(&self) -> std::collections::BTreeSet<&str> {
        fn part_anchor(p: &Part) -> &str {
            match p {
                Part::Clause(c) => &c.anchor,
                Part::Withheld(w) => &w.anchor,
            }
        }
        let mut out = std::collections::BTreeSet::new();
        for doc in &self.documents {
            out.insert(doc.anchor.as_str());
            out.extend(doc.clauses.iter().map(part_anchor));
            for annex in &doc.annexes {
                match annex {
                    AnnexPart::Annex(a) => {
                        out.insert(a.anchor.as_str());
                        out.extend(a.clauses.iter().map(part_anchor));
                    }
                    AnnexPart::Withheld(w) => {
                        out.insert(w.anchor.as_str());
                    }
                }
            }
        }
        out
    }

    /// Every included clause, in order, with the id of its document.
    pub fn clauses(
        &self,
    ) -> impl Iterator<Item = (&DocumentView, Option<&AnnexView>, &ClauseView)> {
        self.documents.iter().flat_map(|doc| {
            let own = doc.clauses.iter().filter_map(move |p| match p {
                Part::Clause(c) => Some((doc, None, c.as_ref())),
                Part::Withheld(_) => None,
            });
            let annexed = doc.annexes.iter().flat_map(move |a| match a {
                AnnexPart::Annex(annex) => annex
                    .clauses
                    .iter()
                    .filter_map(move |p| match p {
                        Part::Clause(c) => Some((doc, Some(annex), c.as_ref())),
                        Part::Withheld(_) => None,
                    })
                    .collect::<Vec<_>>(),
                AnnexPart::Withheld(_) => Vec::new(),
            });
            own.chain(annexed)
        })
    }
}

/// What the leak wall looks for in an edition's outputs: the material of every clause
/// and annex it withholds (titles, ids, file names, notes, texts), and the texts of what it
/// includes, whose shared runs are not secrets (SPEC §3). Withdrawn clauses above the
/// edition's level count as withheld: being dropped does not declassify them.
pub fn withheld_material<'a>(
    agreement: &'a Agreement,
    numbers: &Numbers,
    edition: &Edition,
) -> (Vec<crate::leak::Withheld>, Vec<[&'a str; 2]>) {
    let mut withheld = Vec::new();
    let mut included = Vec::new();
    let name = |id: &str, path: &str| match numbers.label(id) {
        Some(label) => format!("{label} (`{path}`)"),
        None => format!("withdrawn clause `{path}`"),
    };
    for (_, annex, clause) in agreement.clauses() {
        let annex_withheld = annex.is_some_and(|a| !includes(edition, a.level));
        if includes(edition, clause.level) && !annex_withheld {
            if clause.status != Status::Withdrawn {
                included.push([clause.title.as_deref().unwrap_or(""), &clause.body]);
            }
            continue;
        }
        let stem = clause
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&clause.path)
            .trim_end_matches(".md")
            .to_string();
        let mut phrases = vec![clause.id.clone(), stem];
        phrases.extend(clause.title.as_deref().map(str::to_string));
        phrases.extend(clause.notes.iter().cloned());
        withheld.push(crate::leak::Withheld {
            name: name(&clause.id, &clause.path),
            phrases,
            text: clause.body.to_string(),
        });
    }
    for doc in &agreement.documents {
        for annex in doc.annexes.iter().filter(|a| !includes(edition, a.level)) {
            let label = numbers.label(&annex.id).unwrap_or_default();
            withheld.push(crate::leak::Withheld {
                name: format!("{label} of `{}`", doc.id),
                phrases: vec![annex.id.clone(), annex.title.clone()],
                text: String::new(),
            });
        }
    }
    (withheld, included)
}

#[cfg(test)]
mod tests {
    use super::may_link_elsewhere;

    #[test]
    fn only_bodies_that_may_link_to_an_absent_id_are_parsed() {
        let present = ["a".into(), "b-2".into()].into();
        for (body, parse) in [
            ("No link at all.", false),
            ("# A heading, then [](#a) and [see](#b-2 \"title\").", false),
            ("[r]: #a\n\n[x][r]", false),
            ("[x](#c)", true),
            ("[x](#a%20b)", true),
            ("[x](&num;c)", true),
            ("[x](#a\\-b)", true),
            ("item #3", true),
        ] {
            assert_eq!(may_link_elsewhere(body, &present), parse, "{body}");
        }
    }
}
