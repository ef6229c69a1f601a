//! The built-in HTML, Markdown and source Markdown templates, written out in Rust: what
//! Handlebars makes of `templates/html/*.hbs`, `templates/md/*.hbs` and
//! `templates/md-source/*.hbs`, byte for byte, for drafts that override none of a format's
//! templates; pages streamed from them are never held whole. Handlebars copied the whole
//! view into its own data and each clause again into every partial's context; that was a
//! fifth of `publish`'s time.
//!
//! The `.hbs` files stay the reference: users copy them to start their own, and a test
//! renders views of every kind both ways and requires the same bytes. A change to a built-in
//! template is made in both places.

use super::view::{AnnexView, ClauseView, DocumentView, View};

/// The built-in stylesheet, which the HTML page embeds.
const STYLE: &str = include_str!("../../templates/html/style.css");

/// How much of a streamed page is held before it is handed on; in tests, nothing, so that
/// every page they render is handed on clause by clause.
const SPILL: usize = if cfg!(test) { 1 } else { 1 << 18 };

/// Where a page goes as it is made, for a caller that does not hold it whole.
pub(super) struct Stream<'a> {
    /// Takes the page's text so far, leaving it empty: called between clauses once it holds
    /// [`SPILL`] bytes.
    pub spill: &'a mut dyn FnMut(&mut String),
    /// The next of the clauses a view left out (see [`super::view::Deferred`]), in page order.
    pub next: &'a mut dyn FnMut() -> Option<ClauseView>,
    /// What makes them, for a table of contents.
    pub deferred: Option<&'a super::view::Deferred<'a>>,
}

/// Puts one entry of a table of contents: a label, an anchor and a title.
type Entry = fn(&mut Out<'_, '_>, &str, &str, Option<&str>);

/// Appends text to a page, escaped as Handlebars escapes `{{x}}` in its format.
struct Out<'a, 's> {
    out: &'a mut String,
    html: bool,
    stream: Option<&'a mut Stream<'s>>,
}

impl<'s> Out<'_, 's> {
    /// Each clause of a document or annex: those the view holds, then the `deferred` more that
    /// the stream makes.
    fn each(&mut self, listed: &[ClauseView], deferred: usize, put: fn(&mut Self, &ClauseView)) {
        for c in listed {
            put(self, c);
            self.spill();
        }
        for _ in 0..deferred {
            let Some(c) = self.stream.as_mut().and_then(|s| (s.next)()) else {
                break;
            };
            put(self, &c);
            self.spill();
        }
    }

    /// Puts `entry` for the label, anchor and title of each clause of the `k`th document,
    /// `doc`, in a table of contents: those the view holds, then those it left out.
    fn contents(&mut self, k: usize, doc: &DocumentView, entry: Entry) {
        for c in &doc.clauses {
            entry(self, &c.label, &c.anchor, c.title.as_deref());
        }
        let deferred = self.stream.as_ref().and_then(|s| s.deferred);
        if let Some(deferred) = deferred.filter(|_| doc.deferred > 0) {
            for (label, anchor, title) in deferred.contents(k) {
                entry(self, label, anchor, title);
            }
        }
    }

    /// Hands the page so far on, if it is streamed and has grown large enough.
    fn spill(&mut self) {
        if let Some(stream) = &mut self.stream {
            if self.out.len() >= SPILL {
                (stream.spill)(self.out);
            }
        }
    }

    fn raw(&mut self, text: &str) -> &mut Self {
        self.out.push_str(text);
        self
    }

    /// `{{x}}`.
    fn text(&mut self, text: &str) -> &mut Self {
        match self.html {
            true => self.out.push_str(&handlebars::html_escape(text)),
            false => self.out.push_str(text),
        }
        self
    }

    /// `{{x}}` of an optional value: nothing when it is absent.
    fn opt(&mut self, text: &Option<String>) -> &mut Self {
        self.text(text.as_deref().unwrap_or_default())
    }

    /// `{{#if title}} — {{title}}{{/if}}`.
    fn title(&mut self, title: Option<&str>) -> &mut Self {
        if let Some(title) = title.filter(|t| !t.is_empty()) {
            self.raw(" — ").text(title);
        }
        self
    }

    /// `{{#each xs}}{{#unless @first}}{{sep}}{{/unless}}{{this}}{{/each}}`, with `last` as
    /// the separator before the last item (`A, B and C`).
    fn join<'i>(&mut self, items: impl ExactSizeIterator<Item = &'i str>, sep: &str, last: &str) {
        let n = items.len();
        for (k, item) in items.enumerate() {
            if k > 0 {
                self.raw(if k + 1 == n { last } else { sep });
            }
            self.text(item);
        }
    }
}

/// What `{{#if x}}` tests of a string: present and not empty.
fn truthy(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// The page `templates/html/agreement.hbs` renders, into `out`.
pub(super) fn html(view: &View, out: &mut String, stream: Option<&mut Stream<'_>>) {
    out.clear();
    let p = &mut Out {
        out,
        html: true,
        stream,
    };
    let banner = truthy(&view.edition.banner);
    let title = view.agreement.title.as_str();
    p.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .raw("<meta name=\"generator\" content=\"")
        .text(&view.generator)
        .raw("\">\n<title>")
        .text(title);
    if let Some(banner) = banner {
        p.raw(" (").text(banner).raw(")");
    }
    p.raw("</title>\n<style>\n");
    html_style(p, banner);
    p.raw("</style>\n</head>\n<body>\n");
    if let Some(banner) = banner {
        p.raw("<div class=\"banner banner-top\">")
            .text(banner)
            .raw("</div>\n");
    }
    p.raw("<header class=\"title-block\">\n<h1>")
        .text(title)
        .raw("</h1>\n<p class=\"parties\">");
    let parties = view.agreement.parties.iter().map(|p| p.name.as_str());
    p.join(parties, ", ", " and ");
    p.raw("</p>\n");
    if let Some(date) = truthy(&view.agreement.date) {
        p.raw("<p class=\"date\">").text(date).raw("</p>\n");
    }
    p.raw("<p class=\"stamp\">Edition <strong>")
        .text(&view.edition.name)
        .raw("</strong> · rendered from ")
        .text(&view.version.stamp)
        .raw("</p>\n</header>\n<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n");
    for (k, doc) in view.documents.iter().enumerate() {
        html_toc(p, k, doc);
    }
    p.raw("</ol>\n</nav>\n<main>\n");
    for doc in &view.documents {
        html_document(p, doc);
    }
    p.raw("</main>\n<footer class=\"colophon\">\n<p>")
        .text(title)
        .raw(" · edition ")
        .text(&view.edition.name)
        .raw(" · ")
        .text(&view.version.stamp)
        .raw(" · ")
        .text(&view.generator)
        .raw("</p>\n</footer>\n");
    if let Some(banner) = banner {
        p.raw("<div class=\"banner banner-bottom\">")
            .text(banner)
            .raw("</div>\n");
    }
    p.raw("</body>\n</html>\n");
}

/// `templates/html/style.css`, whose one block prints the banner in the page margins.
fn html_style(p: &mut Out<'_, '_>, banner: Option<&str>) {
    let (head, rest) = (STYLE.split_once("  {{#if edition.banner}}\n")).unwrap_or((STYLE, ""));
    let (block, tail) = rest.split_once("  {{/if}}\n").unwrap_or(("", rest));
    p.raw(head);
    if let Some(banner) = banner {
        let mut pieces = block.split("{{edition.banner}}");
        p.raw(pieces.next().unwrap_or_default());
        for piece in pieces {
            p.text(banner).raw(piece);
        }
    }
    p.raw(tail);
}

fn html_toc(p: &mut Out<'_, '_>, k: usize, doc: &DocumentView) {
    p.raw("<li><a href=\"#")
        .text(&doc.anchor)
        .raw("\">")
        .text(&doc.title)
        .raw("</a>\n<ol>\n");
    let entry = |p: &mut Out<'_, '_>, label: &str, anchor: &str, title: Option<&str>| {
        p.raw("<li><a href=\"#")
            .text(anchor)
            .raw("\">")
            .text(label)
            .title(title)
            .raw("</a></li>\n");
    };
    p.contents(k, doc, entry);
    for a in &doc.annexes {
        p.raw("<li class=\"toc-annex\"><a href=\"#")
            .text(&a.anchor)
            .raw("\">")
            .text(&a.label)
            .title(a.title.as_deref())
            .raw("</a></li>\n");
    }
    p.raw("</ol>\n</li>\n");
}

fn html_document(p: &mut Out<'_, '_>, doc: &DocumentView) {
    p.raw("<section class=\"document\" id=\"")
        .text(&doc.anchor)
        .raw("\">\n<h2 class=\"document-title\">")
        .text(&doc.title)
        .raw("</h2>\n");
    p.each(&doc.clauses, doc.deferred, html_clause);
    for a in &doc.annexes {
        html_annex(p, a);
    }
    p.raw("</section>\n");
}

fn html_annex(p: &mut Out<'_, '_>, a: &AnnexView) {
    p.raw("<section class=\"annex")
        .raw(if a.withheld { " withheld" } else { "" })
        .raw("\" id=\"")
        .text(&a.anchor)
        .raw("\">\n<h2 class=\"annex-title\">");
    html_mark(p, &a.mark);
    p.text(&a.label).title(a.title.as_deref()).raw("</h2>\n");
    if a.withheld {
        p.raw("<p class=\"notice\">").opt(&a.notice).raw("</p>\n");
    } else {
        p.each(&a.clauses, a.deferred, html_clause);
    }
    p.raw("</section>\n");
}

fn html_mark(p: &mut Out<'_, '_>, mark: &Option<String>) {
    if let Some(mark) = truthy(mark) {
        p.raw("<span class=\"mark\">").text(mark).raw("</span> ");
    }
}

/// `templates/html/clause.hbs`.
fn html_clause(p: &mut Out<'_, '_>, c: &ClauseView) {
    for h in &c.headings {
        p.raw("<p class=\"structure structure-")
            .raw(&h.level.to_string())
            .raw("\">")
            .text(&h.text)
            .raw("</p>\n");
    }
    let status = truthy(&c.status);
    p.raw("<article class=\"clause")
        .raw(if c.withheld { " withheld" } else { "" });
    if let Some(status) = status {
        p.raw(" status-").text(status);
    }
    p.raw("\" id=\"").text(&c.anchor).raw("\">\n<h3>");
    html_mark(p, &c.mark);
    p.raw("<span class=\"label\">")
        .text(&c.label)
        .raw("</span>")
        .title(c.title.as_deref())
        .raw("</h3>\n");
    if c.withheld {
        p.raw("<p class=\"notice\">")
            .opt(&c.notice)
            .raw("</p>\n</article>\n");
        return;
    }
    if let Some(status) = status {
        p.raw("<aside class=\"annotations\">\n<span class=\"badge badge-")
            .text(status)
            .raw("\">")
            .text(status)
            .raw("</span>\n");
        if let Some(since) = &c.since {
            p.raw("<span class=\"since")
                .raw(if since.added { " since-new" } else { "" })
                .raw("\">");
            if since.added {
                p.raw("new since ").text(&since.rev);
            } else {
                p.raw("changed since ").text(&since.rev).raw(": ");
                p.join(since.changes.iter().map(String::as_str), ", ", ", ");
            }
            p.raw("</span>\n");
        }
        for position in c.positions.iter().flatten() {
            p.raw("<span class=\"position position-")
                .text(&position.position)
                .raw("\">")
                .text(&position.name)
                .raw(": ")
                .text(&position.position)
                .raw("</span>\n");
        }
        if let Some(notes) = c.notes.as_ref().filter(|n| !n.is_empty()) {
            p.raw("<ul class=\"notes\">\n");
            for note in notes.iter() {
                p.raw("<li>").text(note).raw("</li>\n");
            }
            p.raw("</ul>\n");
        }
        p.raw("</aside>\n");
    }
    p.raw("<div class=\"body\">\n")
        .raw(c.html.as_deref().map_or("", String::as_str))
        .raw("\n</div>\n</article>\n");
}

/// The page `templates/md/agreement.hbs` renders, into `out`, before blank lines are tidied.
pub(super) fn markdown(view: &View, out: &mut String, stream: Option<&mut Stream<'_>>) {
    out.clear();
    let p = &mut Out {
        out,
        html: false,
        stream,
    };
    let banner = truthy(&view.edition.banner);
    if let Some(banner) = banner {
        p.raw("**").text(banner).raw("**\n\n");
    }
    p.raw("# ").text(&view.agreement.title).raw("\n\n");
    let parties = view.agreement.parties.iter().map(|p| p.name.as_str());
    p.join(parties, ", ", " and ");
    if let Some(date) = truthy(&view.agreement.date) {
        p.raw(" · ").text(date);
    }
    p.raw("\n\n*Edition ")
        .text(&view.edition.name)
        .raw(" · rendered from ")
        .text(&view.version.stamp)
        .raw("*\n\n## Contents\n\n");
    for (k, doc) in view.documents.iter().enumerate() {
        p.raw("- [")
            .text(&doc.title)
            .raw("](#")
            .text(&doc.anchor)
            .raw(")\n");
        let entry = |p: &mut Out<'_, '_>, label: &str, anchor: &str, title: Option<&str>| {
            p.raw("  - [")
                .text(label)
                .title(title)
                .raw("](#")
                .text(anchor)
                .raw(")\n");
        };
        p.contents(k, doc, entry);
        for a in &doc.annexes {
            entry(p, &a.label, &a.anchor, a.title.as_deref());
        }
    }
    for doc in &view.documents {
        p.raw("\n<a id=\"")
            .text(&doc.anchor)
            .raw("\"></a>\n\n## ")
            .text(&doc.title)
            .raw("\n");
        p.each(&doc.clauses, doc.deferred, markdown_clause);
        for a in &doc.annexes {
            markdown_annex(p, a);
        }
    }
    if let Some(banner) = banner {
        p.raw("\n**").text(banner).raw("**\n");
    }
}

fn markdown_mark(p: &mut Out<'_, '_>, mark: &Option<String>) {
    if let Some(mark) = truthy(mark) {
        p.text(mark).raw(" ");
    }
}

/// `templates/md/annex.hbs`.
fn markdown_annex(p: &mut Out<'_, '_>, a: &AnnexView) {
    p.raw("\n<a id=\"").text(&a.anchor).raw("\"></a>\n\n## ");
    markdown_mark(p, &a.mark);
    p.text(&a.label).title(a.title.as_deref()).raw("\n");
    if a.withheld {
        p.raw("\n*").opt(&a.notice).raw("*\n");
    } else {
        p.each(&a.clauses, a.deferred, markdown_clause);
    }
}

/// `templates/md/clause.hbs`.
fn markdown_clause(p: &mut Out<'_, '_>, c: &ClauseView) {
    for h in &c.headings {
        p.raw("\n**").text(&h.text).raw("**\n");
    }
    p.raw("\n<a id=\"").text(&c.anchor).raw("\"></a>\n\n### ");
    markdown_mark(p, &c.mark);
    p.text(&c.label).title(c.title.as_deref()).raw("\n\n");
    if c.withheld {
        p.raw("*").opt(&c.notice).raw("*\n");
        return;
    }
    if let Some(status) = truthy(&c.status) {
        p.raw("> **Status:** ").text(status);
        for position in c.positions.iter().flatten() {
            p.raw(" · ")
                .text(&position.name)
                .raw(": ")
                .text(&position.position);
        }
        p.raw("\n");
        if let Some(since) = &c.since {
            p.raw("> **");
            if since.added {
                p.raw("New since ").text(&since.rev).raw("**");
            } else {
                p.raw("Changed since ").text(&since.rev).raw(":** ");
                p.join(since.changes.iter().map(String::as_str), ", ", ", ");
            }
            p.raw("\n");
        }
        for note in c.notes.iter().flat_map(|n| n.iter()) {
            p.raw("> - ").text(note).raw("\n");
        }
        p.raw("\n");
    }
    p.raw(c.markdown.as_deref().map_or("", String::as_str))
        .raw("\n");
}

/// The page `templates/md-source/agreement.hbs` renders, into `out`, before blank lines are
/// tidied: each clause's heading and body as its source has them.
pub(super) fn source(view: &View, out: &mut String, stream: Option<&mut Stream<'_>>) {
    out.clear();
    let p = &mut Out {
        out,
        html: false,
        stream,
    };
    for doc in &view.documents {
        p.each(&doc.clauses, doc.deferred, source_clause);
        for h in &doc.trailing_headings {
            source_structure(p, h);
        }
        for a in &doc.annexes {
            p.raw("\n## ")
                .text(&a.label)
                .title(a.title.as_deref())
                .raw("\n");
            if a.withheld {
                p.raw("\n*").opt(&a.notice).raw("*\n");
            }
            p.each(&a.clauses, a.deferred, |p, c| {
                source_heading(p, c);
                source_body(p, c);
            });
        }
    }
}

/// A clause of a document, with the headings before it.
fn source_clause(p: &mut Out<'_, '_>, c: &ClauseView) {
    for h in &c.headings {
        source_structure(p, h);
    }
    source_heading(p, c);
    if c.withheld {
        p.raw("\n*")
            .text(&c.label)
            .raw(": ")
            .opt(&c.notice)
            .raw("*\n");
    } else {
        source_body(p, c);
    }
}

/// A heading that structures a document's clauses.
fn source_structure(p: &mut Out<'_, '_>, h: &super::view::HeadingView) {
    p.raw("\n").text(&h.marker).raw(" ").text(&h.text).raw("\n");
}

/// `{{#if source_heading}}` and the heading.
fn source_heading(p: &mut Out<'_, '_>, c: &ClauseView) {
    if let Some(heading) = truthy(&c.source_heading) {
        p.raw("\n").text(heading).raw("\n");
    }
}

/// A clause's body as written.
fn source_body(p: &mut Out<'_, '_>, c: &ClauseView) {
    p.raw("\n")
        .raw(c.source.as_deref().map_or("", String::as_str))
        .raw("\n");
}

#[cfg(test)]
mod tests {
    use super::super::templates::{Kind, Templates};
    use super::super::view::{Bodies, HeadingView, PositionView, SinceView, View};
    use crate::source::MemorySource;

    /// Every edition of a draft, annotated ones with the changes since `old`.
    fn views_of(old: &str, new: &str) -> Vec<View> {
        let sample = super::super::sample(old, new);
        let (scheme, revision) = (&sample.loaded.agreement.scheme, &sample.loaded.revision);
        let mut views = Vec::new();
        for (projection, since) in &sample.editions {
            for since in [None, Some(since)] {
                views.push(super::super::view::build_since(
                    projection,
                    &sample.numbers,
                    scheme,
                    revision,
                    since,
                    Bodies::ALL,
                    None,
                ));
            }
        }
        views
    }

    /// What no sample draft has: markup in every field, one party, no date, empty titles,
    /// headings, positions, empty notes.
    fn odd_views(mut view: View) -> Vec<View> {
        let odd = "<b>\"Fish\" & 'chips'</b> `=`";
        view.edition.banner = Some(odd.into());
        view.agreement.title = odd.into();
        view.agreement.date = None;
        view.agreement.parties.truncate(1);
        for doc in &mut view.documents {
            doc.title = odd.into();
            for annex in &mut doc.annexes {
                annex.title = Some(String::new());
                annex.mark = Some(odd.into());
            }
            for (k, clause) in doc.clauses.iter_mut().enumerate() {
                clause.title = [None, Some("".into()), Some(odd.into())][k % 3].clone();
                clause.status = Some(odd.into());
                clause.notes = Some(if k % 2 == 0 {
                    [].into()
                } else {
                    [odd.into()].into()
                });
                clause.positions = Some(vec![PositionView {
                    party: odd.into(),
                    name: odd.into(),
                    position: odd.into(),
                }]);
                clause.headings = vec![HeadingView {
                    level: 2,
                    marker: "##".into(),
                    text: odd.into(),
                }];
                clause.since = Some(SinceView {
                    rev: odd.into(),
                    added: k % 2 == 0,
                    changes: vec![odd.into(), "text".into()],
                });
            }
        }
        let mut none = view.clone();
        none.agreement.parties.clear();
        none.edition.banner = Some(String::new());
        vec![view, none]
    }

    #[test]
    fn the_built_ins_written_out_render_what_handlebars_renders() {
        let mut views = views_of("drafts/peace-framework-v1", "drafts/peace-framework");
        views.extend(views_of(
            "tests/fixtures/render/small",
            "tests/fixtures/render/small",
        ));
        let odd: Vec<View> = views.iter().take(2).cloned().flat_map(odd_views).collect();
        views.extend(odd);
        let none = MemorySource::new("WORKTREE", Vec::new());
        for kind in [Kind::Html, Kind::Markdown, Kind::MarkdownSource] {
            let templates = Templates::load(kind, &none).unwrap();
            assert!(templates.is_native());
            for view in &views {
                let (mut native, mut handlebars) = (String::new(), String::new());
                templates.render_into(view, &mut native).unwrap();
                templates.render_handlebars(view, &mut handlebars).unwrap();
                assert_eq!(
                    native, handlebars,
                    "{kind:?}, edition {}",
                    view.edition.name
                );
            }
        }
    }
}
