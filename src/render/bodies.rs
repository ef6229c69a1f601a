//! Clause bodies rendered once for all the editions of one `publish`.
//!
//! An edition renders a body from the clause's projected text, its anchor and what each of its
//! references resolves to in that edition; nothing else. So a body rendered for one edition
//! serves another when all three are the same there, which [`Rendered::serves`] checks for
//! each clause: a reference to a clause the other edition withholds resolves differently there,
//! and the body is rendered again. Rendering bodies was a twelfth of `publish`, three times over.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::view::Bodies;
use crate::edition::{AnnexPart, ClauseView, Part, Projection};
use crate::markdown::{self, Target};
use crate::model::Body;
use crate::numbering::Numbers;

/// One clause's bodies, and what rendering them read of its edition.
#[derive(Debug)]
pub(super) struct Rendered {
    body: Body,
    anchor: String,
    /// Each reference's id and target, in the order the renderers asked.
    resolved: Vec<(String, Option<Target>)>,
    html: Option<Arc<String>>,
    markdown: Option<Arc<String>>,
    source: Option<Arc<String>>,
}

impl Rendered {
    /// Renders the `bodies` of `c`, its references resolved by `resolve`.
    pub(super) fn new(
        c: &ClauseView,
        bodies: Bodies,
        resolve: &dyn Fn(&str) -> Option<Target>,
    ) -> Rendered {
        let resolved = RefCell::new(Vec::new());
        let recorded = |id: &str| {
            let target = resolve(id);
            let mut seen = resolved.borrow_mut();
            if !seen.iter().any(|(known, _)| known == id) {
                seen.push((id.to_string(), target.clone()));
            }
            target
        };
        let shared = |on: bool, render: &dyn Fn() -> String| on.then(|| Arc::new(render()));
        let html = shared(bodies.html, &|| {
            markdown::to_html(&c.body, &c.anchor, 3, &recorded)
        });
        let md = shared(bodies.markdown, &|| {
            markdown::to_markdown(&c.body, Some(&c.anchor), &recorded)
        });
        let source = shared(bodies.source, &|| {
            markdown::to_markdown(&c.body, None, &recorded)
        });
        Rendered {
            body: c.body.clone(),
            anchor: c.anchor.clone(),
            resolved: resolved.into_inner(),
            html,
            markdown: md,
            source,
        }
    }

    /// The HTML, Markdown and source renderings `bodies` names, shared.
    pub(super) fn bodies(&self, bodies: Bodies) -> [Option<Arc<String>>; 3] {
        let share = |on: bool, body: &Option<Arc<String>>| body.clone().filter(|_| on);
        [
            share(bodies.html, &self.html),
            share(bodies.markdown, &self.markdown),
            share(bodies.source, &self.source),
        ]
    }

    /// Whether these are the `bodies` of `c` as an edition resolving references with `resolve`
    /// would render them.
    pub(super) fn serves(
        &self,
        c: &ClauseView,
        bodies: Bodies,
        resolve: &dyn Fn(&str) -> Option<Target>,
    ) -> bool {
        let has = |wanted: bool, body: &Option<Arc<String>>| !wanted || body.is_some();
        has(bodies.html, &self.html)
            && has(bodies.markdown, &self.markdown)
            && has(bodies.source, &self.source)
            && self.anchor == c.anchor
            && self.body == c.body
            && (self.resolved.iter()).all(|(id, target)| resolve(id) == *target)
    }
}

/// Bodies rendered for one edition, by clause id, for the others to take where they serve.
#[derive(Debug, Default)]
pub struct Shared(BTreeMap<String, Rendered>);

impl Shared {
    /// Renders the `bodies` of every clause `projection` includes, on every core.
    pub fn render(projection: &Projection, numbers: &Numbers, bodies: Bodies) -> Shared {
        let resolver = Resolver::of(projection, numbers);
        let mut clauses = Vec::new();
        for doc in &projection.documents {
            let annexes = doc.annexes.iter().flat_map(|a| match a {
                AnnexPart::Annex(annex) => annex.clauses.as_slice(),
                AnnexPart::Withheld(_) => &[],
            });
            for part in doc.clauses.iter().chain(annexes) {
                if let Part::Clause(c) = part {
                    clauses.push((doc.id.as_str(), c.as_ref()));
                }
            }
        }
        let rendered = crate::parallel::map(&clauses, |&(doc, c)| {
            (
                c.id.clone(),
                Rendered::new(c, bodies, &resolver.of_doc(doc)),
            )
        });
        Shared(rendered.into_iter().collect())
    }

    /// What was rendered for the clause `id`.
    pub(super) fn get(&self, id: &str) -> Option<&Rendered> {
        self.0.get(id)
    }
}

/// Where an edition's references lead: the one rule for every body an edition renders.
pub(super) struct Resolver<'a> {
    numbers: &'a Numbers,
    titles: Vec<(String, String)>,
    anchors: std::collections::BTreeSet<&'a str>,
}

impl<'a> Resolver<'a> {
    pub(super) fn of(projection: &'a Projection, numbers: &'a Numbers) -> Resolver<'a> {
        let titles = (projection.documents.iter())
            .map(|d| (d.id.clone(), d.title.clone()))
            .collect();
        Resolver {
            numbers,
            titles,
            anchors: projection.anchors(),
        }
    }

    /// The target of each id referred to from document `doc`.
    pub(super) fn of_doc<'s>(&'s self, doc: &'s str) -> impl Fn(&str) -> Option<Target> + 's {
        let has_anchor = |a: &str| self.anchors.contains(a);
        move |id| crate::edition::target(self.numbers, &self.titles, doc, id, &has_anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(body: &str) -> ClauseView {
        let json = r#"{"id": "c", "path": "c.md", "label": "Point 1", "fixed_label": null,
            "anchor": "doc-point-1", "title": null, "level": 0, "status": "agreed",
            "positions": {}, "notes": [], "tags": []}"#;
        let mut c: ClauseView = serde_json::from_str(json).unwrap();
        c.body = body.into();
        c
    }

    fn to(href: &str) -> impl Fn(&str) -> Option<Target> {
        move |_: &str| {
            Some(Target {
                text: "Annex A.2".into(),
                href: href.into(),
            })
        }
    }

    #[test]
    fn a_body_serves_only_where_it_reads_and_resolves_alike() {
        let c = clause("As [](#sealed) provides.");
        let rendered = Rendered::new(&c, Bodies::ALL, &to("#doc-annex-a-2"));
        assert!(
            (rendered.markdown.as_deref()).is_some_and(|m| m.contains("(#doc-annex-a-2)")),
            "{rendered:?}"
        );
        assert!(rendered.serves(&c, Bodies::ALL, &to("#doc-annex-a-2")));
        // The same text, where the clause referred to has no place of its own.
        assert!(!rendered.serves(&c, Bodies::ALL, &to("#doc-annex-a")));
        // Other text, or another anchor (its footnotes' prefix).
        let other = clause("As [](#other) provides.");
        assert!(!rendered.serves(&other, Bodies::ALL, &to("#doc-annex-a-2")));
        let mut moved = c.clone();
        moved.anchor = "doc-point-2".into();
        assert!(!rendered.serves(&moved, Bodies::ALL, &to("#doc-annex-a-2")));
        // A rendering it lacks.
        let html_only = Bodies {
            html: true,
            ..Bodies::NONE
        };
        let partial = Rendered::new(&c, html_only, &to("#doc-annex-a-2"));
        assert!(!partial.serves(&c, Bodies::ALL, &to("#doc-annex-a-2")));
        assert!(partial.serves(&c, html_only, &to("#doc-annex-a-2")));
    }
}
