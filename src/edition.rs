//! Editions as projections (SPEC §3): what one edition may see of an agreement, made
//! before anything is rendered, diffed or counted.
//!
//! A withheld clause or annex becomes a [`Placeholder`] that carries its label and
//! anchor and nothing else: no title, id, file name, notes, status, positions, tags,
//! text or size. Every presenter receives only a [`Projection`], so a template or a
//! report cannot print what it was never given.

use std::collections::BTreeMap;

use crate::model::{Agreement, Clause, Edition, Level, Party, Position, Status};
use crate::numbering::Numbers;

/// An edition's view of the agreement.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marking {
    /// The highest level included.
    pub level: Level,
    /// Its name, for the banner.
    pub banner: String,
}

/// A document as an edition sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentView {
    /// Its id (documents are never withheld).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its anchor.
    pub anchor: String,
    /// Its clauses and placeholders, in order; withdrawn clauses are not here.
    pub clauses: Vec<Part>,
    /// Its annexes and placeholders, in order.
    pub annexes: Vec<AnnexPart>,
}

/// A clause, or the placeholder of a withheld one.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Included.
    Clause(Box<ClauseView>),
    /// Withheld.
    Withheld(Placeholder),
}

/// An annex, or the placeholder of a withheld one.
#[derive(Debug, Clone, PartialEq)]
pub enum AnnexPart {
    /// Included.
    Annex(AnnexView),
    /// Withheld whole.
    Withheld(Placeholder),
}

/// What a withheld part leaves behind: where it was, and nothing of what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Its label ("Point 12", "Annex C").
    pub label: String,
    /// Its anchor, made from the label.
    pub anchor: String,
    /// The fixed notice, naming the level only if the edition asks for it.
    pub notice: String,
}

/// An included annex.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct ClauseView {
    /// Its id.
    pub id: String,
    /// Its file.
    pub path: String,
    /// "Point 4" or its fixed label.
    pub label: String,
    /// Its anchor.
    pub anchor: String,
    /// Its title.
    pub title: Option<String>,
    /// Its level.
    pub level: Level,
    /// Its status.
    pub status: Status,
    /// Party → position.
    pub positions: BTreeMap<String, Position>,
    /// Drafters' notes.
    pub notes: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Its Markdown body, as written.
    pub body: String,
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

/// Whether an edition includes a clause at `level` inside a part at `container` level.
fn includes(edition: &Edition, level: Level) -> bool {
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
                Part::Clause(Box::new(ClauseView {
                    id: clause.id.clone(),
                    path: clause.path.clone(),
                    label,
                    anchor,
                    title: clause.title.clone(),
                    level: clause.level,
                    status: clause.status,
                    positions: clause.positions.clone(),
                    notes: clause.notes.clone(),
                    tags: clause.tags.clone(),
                    body: clause.body.clone(),
                }))
            } else {
                Part::Withheld(Placeholder {
                    label,
                    anchor,
                    notice: notice(edition, agreement, clause.level),
                })
            })
        };
        let clauses: Vec<Part> = doc
            .clauses
            .iter()
            .filter_map(|c| part(c, &mut seen))
            .collect();
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
            annexes,
        });
    }
    let marking = highest.filter(|&h| h > 0).map(|level| Marking {
        level,
        banner: agreement.scheme.name(level).to_string(),
    });
    Projection {
        edition: edition.clone(),
        title: agreement.title.clone(),
        date: agreement.date.clone(),
        parties: agreement.parties.clone(),
        marking,
        documents,
    }
}

impl Projection {
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
pub fn withheld_material(
    agreement: &Agreement,
    numbers: &Numbers,
    edition: &Edition,
) -> (Vec<crate::leak::Withheld>, Vec<String>) {
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
                included.push(format!(
                    "{}\n{}",
                    clause.title.as_deref().unwrap_or(""),
                    clause.body
                ));
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
        phrases.extend(clause.title.clone());
        phrases.extend(clause.notes.iter().cloned());
        withheld.push(crate::leak::Withheld {
            name: name(&clause.id, &clause.path),
            phrases,
            text: clause.body.clone(),
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
