//! Clause-level comparison of two versions of a draft, with word-level redlines.
//!
//! The diff is computed between two edition projections, so a diff for an edition is
//! made only of what that edition shows: nothing it withholds is compared, counted or
//! paired (SPEC §3). The result is plain data ([`Report`]); `present` turns it into text.

mod one;
mod pair;
pub mod present;
pub mod redline;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::edition::{ClauseView, Projection};
use crate::model::Scheme;
pub(crate) use one::Spot;
pub use pair::THRESHOLD;
use redline::Span;

/// Which version a side of the diff is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The REV as given.
    pub rev: String,
    /// Its commit, if any.
    pub commit: Option<String>,
}

/// How a clause fared between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with a change of text, title, metadata or place.
    Changed,
    /// In both, the same (perhaps renumbered).
    Unchanged,
}

/// Counts of each kind of change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Clauses added.
    pub added: usize,
    /// Clauses removed.
    pub removed: usize,
    /// Clauses changed in any way (text, title, metadata, place).
    pub changed: usize,
    /// Clauses moved among their neighbours or to another document or annex.
    pub moved: usize,
    /// Clauses the same in both versions.
    pub unchanged: usize,
    /// Clauses whose text changed.
    pub text_changed: usize,
    /// Clauses whose title changed.
    pub title_changed: usize,
    /// Clauses whose status, classification, positions, tags or notes changed.
    pub metadata_changed: usize,
    /// Clauses whose number changed only because something before them changed.
    pub renumbered: usize,
}

/// A document's share of the changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    /// Document id.
    pub id: String,
    /// Its title (the new one, or the old one if it was removed).
    pub title: String,
    /// Its counts.
    pub summary: Summary,
}

/// Where a clause sits: a document, and perhaps one of its annexes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// Document id.
    pub document: String,
    /// Annex id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annex: Option<String>,
}

/// An old and a new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    /// Before.
    pub old: T,
    /// After.
    pub new: T,
}

/// A metadata field that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// `status`, `classification`, `positions.<party>`, `tags` or `notes`.
    pub field: String,
    /// Before (`null` when absent).
    pub old: Option<String>,
    /// After (`null` when absent).
    pub new: Option<String>,
}

/// One clause of either version, and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseDiff {
    /// Its id (the new one when it changed).
    pub id: String,
    /// Its old id, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_id: Option<String>,
    /// Its document (the new one, or the old one if removed).
    pub document: String,
    /// Its annex, if in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annex: Option<String>,
    /// Added, removed, changed or unchanged.
    pub status: Status,
    /// Its label before.
    pub old_number: Option<String>,
    /// Its label after.
    pub new_number: Option<String>,
    /// Its heading, for display: the new title, or the old one if removed.
    pub heading: Option<std::sync::Arc<str>>,
    /// Its place among its neighbours changed, or it went to another document or annex.
    pub moved: bool,
    /// Where it was, when it went to another document or annex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<Place>,
    /// Its number changed without it moving.
    pub renumbered: bool,
    /// Its text changed.
    pub text_changed: bool,
    /// Its title, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Change<Option<std::sync::Arc<str>>>>,
    /// Metadata fields that changed.
    pub metadata: Vec<Field>,
    /// The word-level redline of its text, when it changed (all insert or all delete for
    /// added and removed clauses).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redline: Vec<Span>,
    /// The text of an unchanged clause, when the report was asked to keep it; else empty.
    #[serde(skip)]
    pub text: String,
}

/// The comparison of two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The old version.
    pub old: Version,
    /// The new version.
    pub new: Version,
    /// The edition compared, if the diff is taken for one.
    pub edition: Option<String>,
    /// Counts over every clause.
    pub summary: Summary,
    /// Counts per document.
    pub documents: Vec<DocumentSummary>,
    /// Every clause of either version, in the new version's order, removed ones after
    /// their old predecessor.
    pub clauses: Vec<ClauseDiff>,
}

fn keys<'a>(spots: &[Spot<'a>]) -> Vec<pair::Key<'a>> {
    spots
        .iter()
        .map(|s| pair::Key {
            id: &s.clause.id,
            body: s.clause.body.trim(),
        })
        .collect()
}

/// What the metadata comparison may look at: annotations are compared only where the
/// edition shows them.
fn metadata(
    old: &ClauseView,
    new: &ClauseView,
    old_scheme: &Scheme,
    new_scheme: &Scheme,
    annotations: bool,
) -> Vec<Field> {
    let same_level = old_scheme.name(old.level) == new_scheme.name(new.level);
    let same_annotations = old.status == new.status
        && old.positions == new.positions
        && old.tags == new.tags
        && old.notes == new.notes;
    // Most clauses of two versions differ in none of these: nothing to build.
    if same_level && (same_annotations || !annotations) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut field = |name: String, a: Option<String>, b: Option<String>| {
        if a != b {
            out.push(Field {
                field: name,
                old: a,
                new: b,
            });
        }
    };
    field(
        "classification".into(),
        Some(old_scheme.name(old.level).to_string()),
        Some(new_scheme.name(new.level).to_string()),
    );
    if !annotations {
        return out;
    }
    field(
        "status".into(),
        Some(old.status.as_str().into()),
        Some(new.status.as_str().into()),
    );
    let parties: BTreeSet<&String> = old.positions.keys().chain(new.positions.keys()).collect();
    for party in parties {
        let get = |c: &ClauseView| c.positions.get(party).map(|p| p.as_str().to_string());
        field(format!("positions.{party}"), get(old), get(new));
    }
    let joined = |v: &[String], sep: &str| (!v.is_empty()).then(|| v.join(sep));
    field(
        "tags".into(),
        joined(&old.tags, ", "),
        joined(&new.tags, ", "),
    );
    field(
        "notes".into(),
        joined(&old.notes, "; "),
        joined(&new.notes, "; "),
    );
    out
}

/// The clauses of two versions, paired, with those that moved among their neighbours.
struct Matching<'a> {
    olds: Vec<Spot<'a>>,
    news: Vec<Spot<'a>>,
    /// (old index, new index), sorted.
    pairs: Vec<(usize, usize)>,
    /// By new index: whether the clause, paired and staying in its place, is not in the
    /// longest run of it kept in order.
    moved_new: Vec<bool>,
    /// Old index by new index (indexed, as the two below: maps of every clause took a tenth
    /// of a cached comparison's matching).
    new_partner: Vec<Option<usize>>,
}

impl Matching<'_> {
    fn of<'a>(old: &'a Projection, new: &'a Projection) -> Matching<'a> {
        let (olds, news) = (Spot::all(old), Spot::all(new));
        let pairs = pair::pair(&keys(&olds), &keys(&news));
        // By document and annex.
        type Places<'a> = BTreeMap<(&'a str, Option<&'a str>), Vec<(usize, usize)>>;
        let mut by_place: Places<'_> = BTreeMap::new();
        for &(i, j) in &pairs {
            if olds[i].same_place(&news[j]) {
                let place = (news[j].document, news[j].annex);
                by_place.entry(place).or_default().push((i, j));
            }
        }
        let mut moved_new = vec![false; news.len()];
        for list in by_place.values_mut() {
            list.sort_by_key(|&(_, j)| j);
            let sequence: Vec<usize> = list.iter().map(|&(i, _)| i).collect();
            for k in pair::moved(&sequence) {
                moved_new[list[k].1] = true;
            }
        }
        let mut new_partner = vec![None; news.len()];
        for &(i, j) in &pairs {
            new_partner[j] = Some(i);
        }
        Matching {
            olds,
            news,
            pairs,
            moved_new,
            new_partner,
        }
    }
}

/// What [`compare`] reports for the clause of the new version with id `id`, if it has one:
/// every clause is paired and placed as there, but only this one's diff is made.
pub fn compare_one(
    old: &Projection,
    new: &Projection,
    [old_scheme, new_scheme]: [&Scheme; 2],
    id: &str,
) -> Option<ClauseDiff> {
    let annotations = old.edition.annotations && new.edition.annotations;
    if let Some((spot, partner)) = one::matched(old, new, id) {
        return Some(match partner {
            None => one_sided(&spot, Status::Added),
            Some((o, reordered)) => paired(
                [&o, &spot],
                reordered,
                [old_scheme, new_scheme],
                annotations,
                false,
            ),
        });
    }
    let m = Matching::of(old, new);
    let (j, spot) = (m.news.iter().enumerate()).find(|(_, s)| s.clause.id == id)?;
    Some(match m.new_partner[j] {
        None => one_sided(spot, Status::Added),
        Some(i) => paired(
            [&m.olds[i], spot],
            m.moved_new[j],
            [old_scheme, new_scheme],
            annotations,
            false,
        ),
    })
}

/// Keeps, of two versions' bodies, only what a comparison that shows no unchanged text reads.
/// A clause whose id and body both versions share has its body emptied in both: the pair
/// compares alike either way, as the cache's entries are read (see
/// [`crate::cache::for_comparison`]). Every other body is copied out of its file's text, so
/// that the texts of versions loaded whole are let go of: with most clauses gone from them,
/// the rest still held nearly every page of their memory (a comparison of two versions loaded
/// from git held 10 MB more at 10,000 clauses, for 600 changed clauses).
pub fn keep_changed_bodies(old: &mut Projection, new: &mut Projection) {
    let (mut in_old, mut in_new) = (Vec::new(), Vec::new());
    {
        let mut news: Vec<(&str, usize, &crate::model::Body)> = (new.clauses().enumerate())
            .map(|(k, (_, _, c))| (c.id.as_str(), k, &c.body))
            .collect();
        news.sort_unstable_by_key(|n| n.0);
        for (i, (_, _, c)) in old.clauses().enumerate() {
            let found = news.binary_search_by_key(&c.id.as_str(), |n| n.0).ok();
            if let Some(&(_, j, body)) = found.and_then(|at| news.get(at)) {
                if *body == c.body {
                    in_old.push(i);
                    in_new.push(j);
                }
            }
        }
    }
    in_new.sort_unstable();
    for (projection, shared) in [(old, in_old), (new, in_new)] {
        let mut shared = shared.into_iter().peekable();
        for (k, clause) in projection.clauses_mut().enumerate() {
            if shared.next_if_eq(&k).is_some() {
                clause.body = crate::model::Body::default();
            } else {
                clause.body = crate::model::Body::from(clause.body.as_str());
            }
        }
    }
}

/// Compares two projections of the same edition (or of everything); `texts` keeps each
/// unchanged clause's text in the report, for a presenter that shows it.
pub fn compare(
    old: &Projection,
    new: &Projection,
    old_scheme: &Scheme,
    new_scheme: &Scheme,
    versions: (Version, Version),
    edition: Option<String>,
    texts: bool,
) -> Report {
    let annotations = old.edition.annotations && new.edition.annotations;
    let Matching {
        olds,
        news,
        pairs,
        moved_new,
        new_partner,
    } = Matching::of(old, new);
    let mut old_partner = vec![None; olds.len()];
    for &(i, j) in &pairs {
        old_partner[i] = Some(j);
    }
    // Every clause in the report's order: each new one in its place, each removed one after
    // the new place of the nearest earlier old clause that survived (or first). Ordered
    // before the diffs are made, so that they are made in place: a clause diff is large,
    // and moving them about took longer than making them.
    let mut work: Vec<((usize, u8, usize), Side)> =
        Vec::with_capacity(news.len() + olds.len() - pairs.len());
    work.extend((0..news.len()).map(|j| ((j, 1, 0), Side::New(j))));
    // The nearest earlier survivor is carried along: looked for anew from each removed
    // clause, a version whose clauses all went took time as the square of their number.
    let mut survivor = None;
    for (i, partner) in old_partner.iter().enumerate() {
        match *partner {
            Some(j) => survivor = Some(j),
            None => work.push((survivor.map_or((0, 0, i), |j| (j, 2, i)), Side::Old(i))),
        }
    }
    work.sort_unstable_by_key(|w| w.0);
    // Each clause's diff stands alone, redline and all: made on every core.
    let clauses = crate::parallel::map(&work, |(_, side)| match *side {
        Side::Old(i) => one_sided(&olds[i], Status::Removed),
        Side::New(j) => match new_partner[j] {
            None => one_sided(&news[j], Status::Added),
            Some(i) => paired(
                [&olds[i], &news[j]],
                moved_new[j],
                [old_scheme, new_scheme],
                annotations,
                texts,
            ),
        },
    });

    let mut documents: Vec<DocumentSummary> = new
        .documents
        .iter()
        .chain(
            old.documents
                .iter()
                .filter(|d| !new.documents.iter().any(|n| n.id == d.id)),
        )
        .map(|d| DocumentSummary {
            id: d.id.clone(),
            title: d.title.clone(),
            summary: Summary::default(),
        })
        .collect();
    let mut summary = Summary::default();
    for c in &clauses {
        count(&mut summary, c);
        if let Some(doc) = documents.iter_mut().find(|d| d.id == c.document) {
            count(&mut doc.summary, c);
        }
    }
    documents.retain(|d| d.summary != Summary::default());
    Report {
        old: versions.0,
        new: versions.1,
        edition,
        summary,
        documents,
        clauses,
    }
}

/// A clause of the report: by its index in the new version, or, removed, in the old.
enum Side {
    New(usize),
    Old(usize),
}

/// What happened to a clause between its old and new views, each with where it sits;
/// `reordered` if, staying in its place, it left the longest run of its neighbours kept in
/// order.
pub(crate) fn paired(
    [old, new]: [&Spot<'_>; 2],
    reordered: bool,
    [old_scheme, new_scheme]: [&Scheme; 2],
    annotations: bool,
    texts: bool,
) -> ClauseDiff {
    let (o, c) = (old.clause, new.clause);
    let other_place = !old.same_place(new);
    let moved = other_place || reordered;
    let text_changed = o.body.trim() != c.body.trim();
    let title = (o.title != c.title).then(|| Change {
        old: o.title.clone(),
        new: c.title.clone(),
    });
    let metadata = metadata(o, c, old_scheme, new_scheme, annotations);
    let changed = moved || text_changed || title.is_some() || !metadata.is_empty() || o.id != c.id;
    ClauseDiff {
        id: c.id.clone(),
        old_id: (o.id != c.id).then(|| o.id.clone()),
        document: new.document.to_string(),
        annex: new.annex.map(str::to_string),
        status: if changed {
            Status::Changed
        } else {
            Status::Unchanged
        },
        old_number: Some(o.label.clone()),
        new_number: Some(c.label.clone()),
        heading: c.title.clone(),
        moved,
        moved_from: other_place.then(|| old.place()),
        renumbered: !moved && o.label != c.label,
        text_changed,
        title,
        metadata,
        redline: if text_changed {
            redline::redline(o.body.trim(), c.body.trim())
        } else {
            Vec::new()
        },
        text: match texts && !changed {
            true => c.body.trim().to_string(),
            false => String::new(),
        },
    }
}

/// An added or removed clause: its whole text inserted or deleted.
fn one_sided(spot: &Spot<'_>, status: Status) -> ClauseDiff {
    let c = spot.clause;
    let (old_number, new_number, redline) = match status {
        Status::Removed => (
            Some(c.label.clone()),
            None,
            redline::redline(c.body.trim(), ""),
        ),
        _ => (
            None,
            Some(c.label.clone()),
            redline::redline("", c.body.trim()),
        ),
    };
    ClauseDiff {
        id: c.id.clone(),
        old_id: None,
        document: spot.document.to_string(),
        annex: spot.annex.map(str::to_string),
        status,
        old_number,
        new_number,
        heading: c.title.clone(),
        moved: false,
        moved_from: None,
        renumbered: false,
        text_changed: false,
        title: None,
        metadata: Vec::new(),
        redline,
        text: String::new(),
    }
}

fn count(s: &mut Summary, c: &ClauseDiff) {
    match c.status {
        Status::Added => s.added += 1,
        Status::Removed => s.removed += 1,
        Status::Changed => s.changed += 1,
        Status::Unchanged => s.unchanged += 1,
    }
    s.moved += usize::from(c.moved);
    s.text_changed += usize::from(c.text_changed);
    s.title_changed += usize::from(c.title.is_some());
    s.metadata_changed += usize::from(!c.metadata.is_empty());
    s.renumbered += usize::from(c.renumbered);
}

/// Pairs texts by content alone (identical, then similar), ignoring ids: for `import`,
/// which must recognise a provision in the next version of a document.
pub fn pair_by_text(old: &[&str], new: &[&str]) -> Vec<(usize, usize)> {
    let old_ids: Vec<String> = (0..old.len()).map(|i| format!("\u{0}old-{i}")).collect();
    let new_ids: Vec<String> = (0..new.len()).map(|i| format!("\u{0}new-{i}")).collect();
    let keys = |ids: &[String], texts: &[&str]| -> Vec<(String, String)> {
        ids.iter()
            .zip(texts)
            .map(|(i, t)| (i.clone(), t.trim().to_string()))
            .collect()
    };
    let (o, n) = (keys(&old_ids, old), keys(&new_ids, new));
    let ok: Vec<pair::Key<'_>> = o.iter().map(|(id, body)| pair::Key { id, body }).collect();
    let nk: Vec<pair::Key<'_>> = n.iter().map(|(id, body)| pair::Key { id, body }).collect();
    pair::pair(&ok, &nk)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use super::*;
    use crate::edition::bodies;
    use crate::source::MemorySource;

    /// A version of a draft whose clauses, in this order, have these ids and bodies; loaded
    /// through `cache`, as a `diff` loads its two versions, with the texts of its files.
    fn version(
        clauses: &[(&str, &str)],
        cache: &mut crate::load::Cache,
    ) -> (Projection, Scheme, Vec<Arc<String>>) {
        let ids: Vec<String> = clauses.iter().map(|(id, _)| format!("{id:?}")).collect();
        let manifest = format!(
            "[agreement]\ntitle = \"Accord\"\nparties = [\"north\"]\n\n[[documents]]\n\
             id = \"accord\"\ntitle = \"Accord\"\nnumbering = \"Article {{n}}\"\n\
             clauses = [{}]\n",
            ids.join(", ")
        );
        let mut files = vec![("entente.toml".to_string(), manifest.into_bytes())];
        for (id, body) in clauses {
            let text = format!("+++\ntitle = \"{id}\"\n+++\n\n{body}\n");
            files.push((format!("{id}.md"), text.into_bytes()));
        }
        let source = MemorySource::new("test", files).named_by_content();
        let loaded = crate::load::load_with(&source, cache).unwrap();
        let texts = clauses.iter().map(|(id, _)| format!("{id}.md"));
        let texts = texts
            .filter_map(|path| loaded.files.shared(&path))
            .collect();
        let agreement = &loaded.agreement;
        let numbers = crate::numbering::assign(agreement);
        let everything = crate::edition::everything(agreement);
        let projection = crate::edition::project(agreement, &numbers, &everything);
        (projection, agreement.scheme.clone(), texts)
    }

    #[test]
    fn a_comparison_keeps_only_the_bodies_that_changed_and_reports_the_same() {
        let mut cache = crate::load::Cache::default();
        let (mut old, scheme, old_texts) = version(
            &[
                ("scope", "This Accord covers the border."),
                ("borders", "As surveyed in 1921."),
                ("trade", "Goods cross free of duty."),
                ("arms", "No heavy weapons within ten kilometres."),
            ],
            &mut cache,
        );
        // Arms moves first, borders changes, trade is renamed with its text kept, customs
        // is new.
        let (mut new, _, new_texts) = version(
            &[
                ("arms", "No heavy weapons within ten kilometres."),
                ("scope", "This Accord covers the border."),
                ("borders", "As surveyed in 1923."),
                ("tariffs", "Goods cross free of duty."),
                ("customs", "Each Party keeps one customs post."),
            ],
            &mut cache,
        );
        drop(cache);
        let version = || Version {
            rev: "test".into(),
            commit: None,
        };
        let versions = || (version(), version());
        let compared = |old: &Projection, new: &Projection| {
            compare(old, new, &scheme, &scheme, versions(), None, false)
        };
        let whole = compared(&old, &new);
        keep_changed_bodies(&mut old, &mut new);
        assert_eq!(compared(&old, &new), whole);
        assert_eq!(
            bodies(&old),
            [
                ("scope", ""),
                ("borders", "As surveyed in 1921."),
                ("trade", "Goods cross free of duty."),
                ("arms", ""),
            ]
        );
        assert_eq!(
            bodies(&new),
            [
                ("arms", ""),
                ("scope", ""),
                ("borders", "As surveyed in 1923."),
                ("tariffs", "Goods cross free of duty."),
                ("customs", "Each Party keeps one customs post."),
            ]
        );
        // No body is kept in its file's text any longer: those texts are let go (each held
        // here only, once for each version that has it).
        let texts: Vec<&Arc<String>> = old_texts.iter().chain(&new_texts).collect();
        for text in &texts {
            let here = texts.iter().filter(|t| Arc::ptr_eq(t, text)).count();
            assert_eq!(Arc::strong_count(text), here, "{text}");
        }
    }
}
