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
    pub title: Option<String>,
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
    pub notes: Option<Vec<String>>,
    /// Tags, in annotated editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
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
    match (&revision.commit, &revision.date, revision.dirty) {
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

    /// Puts in the bodies a view built by [`build_deferred`] left out.
    pub fn fill(&mut self, deferred: &Deferred<'_>) {
        let bodies = deferred.render(0..deferred.len());
        for (c, [html, markdown, source]) in self.clauses_mut().zip(bodies) {
            (c.html, c.markdown, c.source) = (html, markdown, source);
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

/// What renders the bodies of a view's clauses: the edition's reference rule, the bodies a
/// format prints, the changes since an earlier version and the bodies other editions rendered.
struct BodyMaker<'a> {
    resolver: super::bodies::Resolver<'a>,
    bodies: Bodies,
    shared: Option<&'a super::bodies::Shared>,
    since: Option<&'a crate::diff::Report>,
    changes: std::collections::BTreeMap<&'a str, &'a crate::diff::ClauseDiff>,
}

impl BodyMaker<'_> {
    /// The HTML, Markdown and source bodies of `c`, in document `doc`, that `bodies` names.
    fn make(&self, doc: &str, c: &crate::edition::ClauseView) -> [Option<Arc<String>>; 3] {
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
}

/// The bodies of a view built by [`build_deferred`], rendered when a page reaches them: held
/// all at once, they were as large as the page itself.
pub struct Deferred<'a> {
    maker: BodyMaker<'a>,
    /// For each clause of the view, in page order, its document and clause; none for a
    /// placeholder.
    clauses: Vec<Option<(&'a str, &'a crate::edition::ClauseView)>>,
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

    /// The bodies of the view's clauses `range` (in page order), on every core.
    pub fn render(&self, range: std::ops::Range<usize>) -> Vec<[Option<Arc<String>>; 3]> {
        let clauses = self.clauses.get(range).unwrap_or_default();
        crate::parallel::map(clauses, |clause| match clause {
            Some((doc, c)) => self.maker.make(doc, c),
            None => [None, None, None],
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
    let maker = body_maker(projection, numbers, since, bodies, shared);
    build_with(projection, scheme, revision, &maker, true)
}

/// [`build_since`] without other editions' bodies, and with the clauses' bodies left out of the
/// view, to be rendered as a page reaches them ([`Deferred`]).
pub fn build_deferred<'a>(
    projection: &'a Projection,
    numbers: &'a Numbers,
    scheme: &Scheme,
    revision: &Revision,
    since: Option<&'a crate::diff::Report>,
    bodies: Bodies,
) -> (View, Deferred<'a>) {
    let maker = body_maker(projection, numbers, since, bodies, None);
    let view = build_with(projection, scheme, revision, &maker, false);
    let mut clauses = Vec::new();
    for doc in &projection.documents {
        let annexes = doc.annexes.iter().flat_map(|a| match a {
            AnnexPart::Annex(annex) => annex.clauses.as_slice(),
            AnnexPart::Withheld(_) => &[],
        });
        for part in doc.clauses.iter().chain(annexes) {
            clauses.push(match part {
                Part::Clause(c) => Some((doc.id.as_str(), c.as_ref())),
                Part::Withheld(_) => None,
            });
        }
    }
    (view, Deferred { maker, clauses })
}

fn body_maker<'a>(
    projection: &'a Projection,
    numbers: &'a Numbers,
    since: Option<&'a crate::diff::Report>,
    bodies: Bodies,
    shared: Option<&'a super::bodies::Shared>,
) -> BodyMaker<'a> {
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
    BodyMaker {
        resolver: super::bodies::Resolver::of(projection, numbers),
        bodies,
        shared,
        since,
        changes,
    }
}

/// The view of `projection`, with each clause's bodies from `maker` if `with_bodies`.
fn build_with(
    projection: &Projection,
    scheme: &Scheme,
    revision: &Revision,
    maker: &BodyMaker<'_>,
    with_bodies: bool,
) -> View {
    let annotations = projection.edition.annotations;
    let mark = |level| {
        projection
            .marking
            .as_ref()
            .map(|_| format!("({})", scheme.mark(level)))
    };
    let names: Vec<(&str, &str)> = projection
        .parties
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let clause_view = |doc_id: &str, heading_level: Option<u8>, part: &Part| -> ClauseView {
        let c = match part {
            Part::Withheld(p) => return placeholder_clause(p),
            Part::Clause(c) => c,
        };
        let [html, markdown, source] = match with_bodies {
            true => maker.make(doc_id, c),
            false => [None, None, None],
        };
        let change = maker.changes.get(c.id.as_str());
        let since = change
            .filter(|c| {
                matches!(
                    c.status,
                    crate::diff::Status::Added | crate::diff::Status::Changed
                )
            })
            .map(|change| SinceView {
                rev: maker.since.map(|r| r.old.rev.clone()).unwrap_or_default(),
                added: change.status == crate::diff::Status::Added,
                changes: crate::diff::present::kinds(change),
            });
        ClauseView {
            withheld: false,
            label: c.label.clone(),
            anchor: c.anchor.clone(),
            notice: None,
            id: Some(c.id.clone()),
            title: c.title.clone(),
            mark: mark(c.level),
            html,
            markdown,
            status: annotations.then(|| c.status.as_str().to_string()),
            positions: annotations.then(|| {
                c.positions
                    .iter()
                    .map(|(party, position)| PositionView {
                        party: party.clone(),
                        name: names
                            .iter()
                            .find(|(p, _)| p == party)
                            .map_or_else(|| party.clone(), |(_, n)| n.to_string()),
                        position: position.as_str().to_string(),
                    })
                    .collect()
            }),
            notes: annotations.then(|| c.notes.clone()),
            tags: annotations.then(|| c.tags.clone()),
            headings: Vec::new(),
            source_heading: source_heading(
                heading_level,
                c.fixed_label.as_deref(),
                c.title.as_deref(),
            ),
            source,
            since,
        }
    };
    let documents = projection
        .documents
        .iter()
        .map(|doc| DocumentView {
            id: doc.id.clone(),
            title: doc.title.clone(),
            anchor: doc.anchor.clone(),
            // Rendering bodies is most of building a view: on every core.
            clauses: crate::parallel::map(
                &doc.clauses.iter().enumerate().collect::<Vec<_>>(),
                |&(k, p)| {
                    let mut view = clause_view(&doc.id, doc.heading_level, p);
                    view.headings = doc
                        .headings
                        .iter()
                        .filter(|h| h.before == k)
                        .map(heading_view)
                        .collect();
                    view
                },
            ),
            trailing_headings: doc
                .headings
                .iter()
                .filter(|h| h.before >= doc.clauses.len())
                .map(heading_view)
                .collect(),
            annexes: doc
                .annexes
                .iter()
                .map(|a| match a {
                    AnnexPart::Withheld(p) => AnnexView {
                        withheld: true,
                        label: p.label.clone(),
                        anchor: p.anchor.clone(),
                        notice: Some(p.notice.clone()),
                        id: None,
                        title: None,
                        mark: None,
                        clauses: Vec::new(),
                    },
                    AnnexPart::Annex(annex) => AnnexView {
                        withheld: false,
                        label: annex.label.clone(),
                        anchor: annex.anchor.clone(),
                        notice: None,
                        id: Some(annex.id.clone()),
                        title: Some(annex.title.clone()),
                        mark: mark(annex.level),
                        clauses: crate::parallel::map(&annex.clauses, |p| {
                            clause_view(&doc.id, None, p)
                        }),
                    },
                })
                .collect(),
        })
        .collect();
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
            annotations,
            banner: projection.marking.as_ref().map(|m| m.banner.clone()),
        },
        version: VersionView {
            rev: revision.rev.clone(),
            commit: revision.commit.clone(),
            date: revision.date.clone(),
            dirty: revision.dirty,
            stamp: stamp(revision),
        },
        documents,
        generator: format!("entente {}", env!("CARGO_PKG_VERSION")),
    }
}
