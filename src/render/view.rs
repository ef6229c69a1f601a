//! The view templates receive (documented in `templates/README.md`): plain serializable
//! data built from an edition's projection, never the internal model.
//!
//! Fields that only an annotated edition may show (status, positions, notes, tags) are
//! `None` otherwise and then absent from the data, so a template cannot print them.

use std::sync::Arc;

use serde::Serialize;

use crate::edition::{AnnexPart, Part, Placeholder, Projection};
use crate::markdown;
use crate::model::Scheme;
use crate::numbering::Numbers;
use crate::source::Revision;

/// Everything a template may print.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The agreement.
    pub agreement: AgreementView,
    /// The edition.
    pub edition: EditionView,
    /// Which version was rendered.
    pub version: VersionView,
    /// The documents, in order.
    pub documents: Vec<DocumentView>,
    /// `entente <version>`.
    pub generator: String,
}

/// The agreement's title, date and parties.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    /// Title.
    pub title: String,
    /// Date, as written in the manifest.
    pub date: Option<String>,
    /// Parties with their names.
    pub parties: Vec<PartyView>,
}

/// A party.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// The edition being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct EditionView {
    /// Its name.
    pub name: String,
    /// Whether status, positions and notes are shown.
    pub annotations: bool,
    /// The banner (the highest level included), when the edition is marked.
    pub banner: Option<String>,
}

/// Which version of the draft this is.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    /// The REV as given.
    pub rev: String,
    /// Full commit id, if any.
    pub commit: Option<String>,
    /// Commit date, if any.
    pub date: Option<String>,
    /// Uncommitted changes were rendered.
    pub dirty: bool,
    /// One line saying all of the above, for a title block.
    pub stamp: String,
}

/// A document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DocumentView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Anchor.
    pub anchor: String,
    /// Clauses and placeholders.
    pub clauses: Vec<ClauseView>,
    /// How many more clauses it has, left out of `clauses` to be made as a page reaches them
    /// (see [`Deferred`]); none but in a view from [`build_deferred`].
    #[serde(skip)]
    pub deferred: usize,
    /// Headings after its last clause.
    pub trailing_headings: Vec<HeadingView>,
    /// Annexes and placeholders.
    pub annexes: Vec<AnnexView>,
}

/// A heading that structures a document's clauses ("Part II").
#[derive(Debug, Clone, Serialize)]
pub struct HeadingView {
    /// 1 to 6.
    pub level: u8,
    /// `#` repeated `level` times, for Markdown templates.
    pub marker: String,
    /// Its text.
    pub text: String,
}

/// An annex, or a withheld annex's placeholder (`withheld` true, only label, anchor and notice).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AnnexView {
    /// Whether this is a placeholder.
    pub withheld: bool,
    /// "Annex B".
    pub label: String,
    /// Anchor, from the label.
    pub anchor: String,
    /// Placeholder notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Portion mark such as `(S)`, in marked editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
    /// Clauses and placeholders.
    pub clauses: Vec<ClauseView>,
    /// How many more clauses it has, as [`DocumentView::deferred`].
    #[serde(skip)]
    pub deferred: usize,
}

/// A clause, or a withheld clause's placeholder (`withheld` true, only label, anchor and notice).
#[derive(Debug, Clone, Serialize)]
pub struct ClauseView {
    /// Whether this is a placeholder.
    pub withheld: bool,
    /// "Point 4" or a fixed label.
    pub label: String,
    /// Anchor, from the label.
    pub anchor: String,
    /// Placeholder notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<std::sync::Arc<str>>,
    /// Portion mark such as `(S)`, in marked editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
    /// The body as HTML, references resolved (shared by the editions it reads alike in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<Arc<String>>,
    /// The body as Markdown, references resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<Arc<String>>,
    /// Status, in annotated editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Positions, in annotated editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positions: Option<Vec<PositionView>>,
    /// Notes, in annotated editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<crate::model::Strings>,
    /// Tags, in annotated editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<crate::model::Strings>,
    /// Headings that come right before this clause.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headings: Vec<HeadingView>,
    /// Its heading as the source text had it (`### A. Definitions`); none for a preamble.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_heading: Option<String>,
    /// The body as Markdown, references resolved, footnotes as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Arc<String>>,
    /// What changed since an earlier version (`render --since`, annotated editions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<SinceView>,
}

/// A clause's changes since an earlier version.
#[derive(Debug, Clone, Serialize)]
pub struct SinceView {
    /// The earlier version.
    pub rev: String,
    /// The clause is new since then.
    pub added: bool,
    /// What changed: `text`, `title`, `status`, `moved`...
    pub changes: Vec<String>,
}

/// A party's position on a clause.
#[derive(Debug, Clone, Serialize)]
pub struct PositionView {
    /// Party id.
    pub party: String,
    /// Party name.
    pub name: String,
    /// `agrees`, `objects`, `reserves` or `pending`.
    pub position: String,
}

/// The version stamp: the revision, never the clock (SPEC §5: same input, same bytes).
pub fn stamp(revision: &Revision) -> String {
    let short = |c: &str| c.chars().take(12).collect::<String>();
    match (&revision.commit, &revision.date, revision.dirty.get()) {
        (Some(c), Some(d), false) => format!("commit {} of {d}", short(c)),
        (Some(c), _, true) => format!(
            "working tree with uncommitted changes, on commit {}",
            short(c)
        ),
        (None, _, true) => "working tree, uncommitted changes".to_string(),
        _ if revision.rev == crate::source::WORKTREE => "working tree (not under git)".to_string(),
        _ => format!("folder {}", revision.rev),
    }
}

fn placeholder_clause(p: &Placeholder) -> ClauseView {
    ClauseView {
        withheld: true,
        label: p.label.clone(),
        anchor: p.anchor.clone(),
        notice: Some(p.notice.clone()),
        id: None,
        title: None,
        mark: None,
        html: None,
        markdown: None,
        status: None,
        positions: None,
        notes: None,
        tags: None,
        headings: Vec::new(),
        source_heading: None,
        source: None,
        since: None,
    }
}

/// The label a preamble gets on import: it had no heading in the source.
pub const PREAMBLE: &str = "Preamble";

/// `### A. Definitions`: the fixed label and title, at the document's heading level.
fn source_heading(
    level: Option<u8>,
    fixed_label: Option<&str>,
    title: Option<&str>,
) -> Option<String> {
    if title.is_none() && fixed_label == Some(PREAMBLE) {
        return None;
    }
    let text: Vec<&str> = fixed_label.into_iter().chain(title).collect();
    (!text.is_empty()).then(|| {
        format!(
            "{} {}",
            "#".repeat(usize::from(level.unwrap_or(2))),
            text.join(" ")
        )
    })
}

fn heading_view(h: &crate::model::Heading) -> HeadingView {
    HeadingView {
        level: h.level,
        marker: "#".repeat(usize::from(h.level)),
        text: h.text.clone(),
    }
}

/// Builds the view of a projection. `numbers` and `titles` resolve cross-references:
/// they give labels, which every edition may show, never ids or titles of clauses.
pub fn build(
    projection: &Projection,
    numbers: &Numbers,
    scheme: &Scheme,
    revision: &Revision,
) -> View {
    build_since(
        projection,
        numbers,
        scheme,
        revision,
        None,
        Bodies::ALL,
        None,
    )
}

/// Which renderings of each clause body a view carries. A view for one format needs one
/// of them; carrying all three tripled the work of every template (issue 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bodies {
    /// `html`.
    pub html: bool,
    /// `markdown`.
    pub markdown: bool,
    /// `source`.
    pub source: bool,
}

impl Bodies {
    /// All of them.
    pub const ALL: Bodies = Bodies {
        html: true,
        markdown: true,
        source: true,
    };

    /// None of them.
    pub const NONE: Bodies = Bodies {
        html: false,
        markdown: false,
        source: false,
    };

    /// Those that either names.
    pub fn or(self, other: Bodies) -> Bodies {
        Bodies {
            html: self.html || other.html,
            markdown: self.markdown || other.markdown,
            source: self.source || other.source,
        }
    }
}

/// Bodies a view carries but a format does not print, set aside by [`View::set_aside`].
pub struct Aside(Vec<[Option<Arc<String>>; 3]>);

impl View {
    fn clauses_mut(&mut self) -> impl Iterator<Item = &mut ClauseView> {
        self.documents.iter_mut().flat_map(|d| {
            let annexes = d.annexes.iter_mut().flat_map(|a| a.clauses.iter_mut());
            d.clauses.iter_mut().chain(annexes)
        })
    }

    /// Moves out every body rendering `keep` does not name, so that one view serves every
    /// format and each format's templates still receive only what they print (Handlebars,
    /// which renders a draft's own templates, copies its data: bodies they never print
    /// doubled the cost).
    pub fn set_aside(&mut self, keep: Bodies) -> Aside {
        let take = |on: bool, body: &mut Option<Arc<String>>| if on { None } else { body.take() };
        let aside = self.clauses_mut().map(|c| {
            [
                take(keep.html, &mut c.html),
                take(keep.markdown, &mut c.markdown),
                take(keep.source, &mut c.source),
            ]
        });
        Aside(aside.collect())
    }

    /// Puts in the clauses a view built by [`build_deferred`] left out.
    pub fn fill(&mut self, deferred: &Deferred<'_>) {
        let mut clauses = deferred.clauses(0..deferred.len()).into_iter();
        for doc in &mut self.documents {
            doc.clauses.extend(clauses.by_ref().take(doc.deferred));
            doc.deferred = 0;
            for annex in &mut doc.annexes {
                annex.clauses.extend(clauses.by_ref().take(annex.deferred));
                annex.deferred = 0;
            }
        }
    }

    /// Puts back what [`View::set_aside`] moved out; the view must have the same clauses.
    pub fn restore(&mut self, aside: Aside) {
        for (c, [html, markdown, source]) in self.clauses_mut().zip(aside.0) {
            c.html = html.or(c.html.take());
            c.markdown = markdown.or(c.markdown.take());
            c.source = source.or(c.source.take());
        }
    }
}

/// What makes the views of an edition's clauses: the edition's reference rule and marking, the
/// bodies a format prints, the changes since an earlier version and the bodies other editions
/// rendered.
struct Maker<'a> {
    resolver: super::bodies::Resolver<'a>,
    bodies: Bodies,
    shared: Option<&'a super::bodies::Shared>,
    since: Option<&'a crate::diff::Report>,
    changes: std::collections::BTreeMap<&'a str, &'a crate::diff::ClauseDiff>,
    annotations: bool,
    /// The portion mark of each level (`(S)`), in marked editions.
    marks: Option<Vec<String>>,
    /// Each party's id and name.
    names: Vec<(&'a str, &'a str)>,
}

/// One clause of a view, as the projection has it: its document, its part, and where it is
/// (its index among the document's clauses, for the headings before it; none in an annex).
#[derive(Clone, Copy)]
struct Place<'a> {
    doc: &'a crate::edition::DocumentView,
    part: &'a Part,
    at: Option<usize>,
}

impl Maker<'_> {
    /// The HTML, Markdown and source bodies of `c`, in document `doc`, that `bodies` names.
    fn bodies_of(&self, doc: &str, c: &crate::edition::ClauseView) -> [Option<Arc<String>>; 3] {
        let resolve = self.resolver.of_doc(doc);
        let reused = self.shared.and_then(|s| s.get(&c.id));
        let [mut html, mut markdown, source] =
            match reused.filter(|r| r.serves(c, self.bodies, &resolve)) {
                Some(r) => r.bodies(self.bodies),
                None => super::bodies::Rendered::new(c, self.bodies, &resolve).bodies(self.bodies),
            };
        if let Some(change) = self.changes.get(c.id.as_str()).filter(|c| c.text_changed) {
            let marked = super::since::marked(&change.redline);
            if self.bodies.html {
                let body = markdown::to_html(&marked, &c.anchor, 3, &resolve);
                html = Some(Arc::new(super::since::tags(&body)));
            }
            if self.bodies.markdown {
                let body = markdown::to_markdown(&marked, Some(&c.anchor), &resolve);
                markdown = Some(Arc::new(super::since::tags(&body)));
            }
        }
        [html, markdown, source]
    }

    fn mark(&self, level: crate::model::Level) -> Option<String> {
        let marks = self.marks.as_ref()?;
        Some(marks.get(level).cloned().unwrap_or_else(|| "()".into()))
    }

    /// The view of the clause at `place`, with its bodies.
    fn clause(&self, place: Place<'_>) -> ClauseView {
        let Place { doc, part, at } = place;
        let c = match part {
            Part::Withheld(p) => return placeholder_clause(p),
            Part::Clause(c) => c,
        };
        let [html, markdown, source] = self.bodies_of(&doc.id, c);
        let change = self.changes.get(c.id.as_str());
        let since = change
            .filter(|c| {
                matches!(
                    c.status,
                    crate::diff::Status::Added | crate::diff::Status::Changed
                )
            })
            .map(|change| SinceView {
                rev: self.since.map(|r| r.old.rev.clone()).unwrap_or_default(),
                added: change.status == crate::diff::Status::Added,
                changes: crate::diff::present::kinds(change),
            });
        let headings = match at {
            Some(k) => (doc.headings.iter())
                .filter(|h| h.before == k)
                .map(heading_view)
                .collect(),
            None => Vec::new(),
        };
        let heading_level = at.and(doc.heading_level);
        ClauseView {
            withheld: false,
            label: c.label.clone(),
            anchor: c.anchor.clone(),
            notice: None,
            id: Some(c.id.clone()),
            title: c.title.clone(),
            mark: self.mark(c.level),
            html,
            markdown,
            status: self.annotations.then(|| c.status.as_str().to_string()),
            positions: self.annotations.then(|| {
                c.positions
                    .iter()
                    .map(|(party, position)| PositionView {
                        party: party.clone(),
                        name: (self.names.iter())
                            .find(|(p, _)| p == party)
                            .map_or_else(|| party.clone(), |(_, n)| n.to_string()),
                        position: position.as_str().to_string(),
                    })
                    .collect()
            }),
            notes: self.annotations.then(|| c.notes.clone()),
            tags: self.annotations.then(|| c.tags.clone()),
            headings,
            source_heading: source_heading(
                heading_level,
                c.fixed_label.as_deref(),
                c.title.as_deref(),
            ),
            source,
            since,
        }
    }
}

/// The clauses of a view built by [`build_deferred`], made when a page reaches them: held all
/// at once with their bodies, they were as large as the page itself.
pub struct Deferred<'a> {
    maker: Maker<'a>,
    /// Every clause of the view, in page order: each document's, then its annexes'.
    clauses: Vec<Place<'a>>,
    documents: &'a [crate::edition::DocumentView],
}

impl Deferred<'_> {
    /// How many clauses (placeholders too) the view has.
    pub fn len(&self) -> usize {
        self.clauses.len()
    }

    /// Whether the view has no clause.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The views of the clauses `range` (in page order), with their bodies, on every core.
    pub fn clauses(&self, range: std::ops::Range<usize>) -> Vec<ClauseView> {
        let places = self.clauses.get(range).unwrap_or_default();
        crate::parallel::map(places, |&place| self.maker.clause(place))
    }

    /// The label, anchor and title of each clause of the `k`th document (not its annexes'),
    /// for a table of contents.
    pub fn contents(&self, k: usize) -> impl Iterator<Item = (&str, &str, Option<&str>)> {
        let parts = self.documents.get(k).map_or(&[][..], |d| &d.clauses);
        parts.iter().map(|part| match part {
            Part::Withheld(p) => (p.label.as_str(), p.anchor.as_str(), None),
            Part::Clause(c) => (c.label.as_str(), c.anchor.as_str(), c.title.as_deref()),
        })
    }
}

/// Like [`build`] with only `bodies`, and with the changes since an earlier version shown in
/// place, in editions that show annotations (`since` is a diff of two projections of this same
/// edition); each clause's bodies are taken from `shared` where they serve (see
/// [`super::bodies`]).
pub fn build_since(
    projection: &Projection,
    numbers: &Numbers,
    scheme: &Scheme,
    revision: &Revision,
    since: Option<&crate::diff::Report>,
    bodies: Bodies,
    shared: Option<&super::bodies::Shared>,
) -> View {
    let maker = maker(projection, numbers, scheme, since, bodies, shared);
    build_with(projection, revision, &maker, None)
}

/// [`build_since`] without other editions' bodies, and with every clause left out of the view,
/// to be made as a page reaches it ([`Deferred`]).
pub fn build_deferred<'a>(
    projection: &'a Projection,
    numbers: &'a Numbers,
    scheme: &Scheme,
    revision: &Revision,
    since: Option<&'a crate::diff::Report>,
    bodies: Bodies,
) -> (View, Deferred<'a>) {
    let maker = maker(projection, numbers, scheme, since, bodies, None);
    let mut clauses = Vec::new();
    let view = build_with(projection, revision, &maker, Some(&mut clauses));
    let documents = &projection.documents;
    (
        view,
        Deferred {
            maker,
            clauses,
            documents,
        },
    )
}

fn maker<'a>(
    projection: &'a Projection,
    numbers: &'a Numbers,
    scheme: &Scheme,
    since: Option<&'a crate::diff::Report>,
    bodies: Bodies,
    shared: Option<&'a super::bodies::Shared>,
) -> Maker<'a> {
    let since = since.filter(|_| projection.edition.annotations);
    let changes = since
        .map(|r| {
            r.clauses
                .iter()
                .filter(|c| c.status != crate::diff::Status::Removed)
                .map(|c| (c.id.as_str(), c))
                .collect()
        })
        .unwrap_or_default();
    let marks = (projection.marking.as_ref())
        .map(|_| scheme.marks.iter().map(|m| format!("({m})")).collect());
    Maker {
        resolver: super::bodies::Resolver::of(projection, numbers),
        bodies,
        shared,
        since,
        changes,
        annotations: projection.edition.annotations,
        marks,
        names: (projection.parties.iter())
            .map(|p| (p.id.as_str(), p.name.as_str()))
            .collect(),
    }
}

/// The view of `projection`, with every clause; or, given `left_out`, with none, each clause's
/// place pushed onto it in page order instead (see [`Deferred`]).
fn build_with<'a>(
    projection: &'a Projection,
    revision: &Revision,
    maker: &Maker<'_>,
    mut left_out: Option<&mut Vec<Place<'a>>>,
) -> View {
    // The clauses of a document or annex, and how many were left out.
    let mut made = |places: Vec<Place<'a>>| match left_out.as_deref_mut() {
        // Rendering bodies is most of building a view: on every core.
        None => (
            crate::parallel::map(&places, |&place| maker.clause(place)),
            0,
        ),
        Some(left_out) => {
            let count = places.len();
            left_out.extend(places);
            (Vec::new(), count)
        }
    };
    let mut documents = Vec::new();
    for doc in &projection.documents {
        let listed = (doc.clauses.iter().enumerate()).map(|(k, part)| Place {
            doc,
            part,
            at: Some(k),
        });
        let (clauses, deferred) = made(listed.collect());
        let mut annexes = Vec::new();
        for a in &doc.annexes {
            annexes.push(match a {
                AnnexPart::Withheld(p) => AnnexView {
                    withheld: true,
                    label: p.label.clone(),
                    anchor: p.anchor.clone(),
                    notice: Some(p.notice.clone()),
                    ..AnnexView::default()
                },
                AnnexPart::Annex(annex) => {
                    let listed = (annex.clauses.iter()).map(|part| Place {
                        doc,
                        part,
                        at: None,
                    });
                    let (clauses, deferred) = made(listed.collect());
                    AnnexView {
                        withheld: false,
                        label: annex.label.clone(),
                        anchor: annex.anchor.clone(),
                        notice: None,
                        id: Some(annex.id.clone()),
                        title: Some(annex.title.clone()),
                        mark: maker.mark(annex.level),
                        clauses,
                        deferred,
                    }
                }
            });
        }
        documents.push(DocumentView {
            id: doc.id.clone(),
            title: doc.title.clone(),
            anchor: doc.anchor.clone(),
            clauses,
            deferred,
            trailing_headings: (doc.headings.iter())
                .filter(|h| h.before >= doc.clauses.len())
                .map(heading_view)
                .collect(),
            annexes,
        });
    }
    View {
        agreement: AgreementView {
            title: projection.title.clone(),
            date: projection.date.clone(),
            parties: projection
                .parties
                .iter()
                .map(|p| PartyView {
                    id: p.id.clone(),
                    name: p.name.clone(),
                })
                .collect(),
        },
        edition: EditionView {
            name: projection.edition.name.clone(),
            annotations: maker.annotations,
            banner: projection.marking.as_ref().map(|m| m.banner.clone()),
        },
        version: VersionView {
            rev: revision.rev.clone(),
            commit: revision.commit.clone(),
            date: revision.date.clone(),
            dirty: revision.dirty.get(),
            stamp: stamp(revision),
        },
        documents,
        generator: format!("entente {}", env!("CARGO_PKG_VERSION")),
    }
}
