//! The CommonMark dialect of clause bodies (SPEC §1.2: tables, footnotes, strikethrough)
//! and the walks over it that other stages share.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

/// The parser options for every clause body.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// A `#id` link in a body, with its span in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The id after `#`.
    pub target: String,
    /// Whether the link has no text of its own (`[](#id)`), so it shows the target's label.
    pub empty: bool,
    /// Byte range of the whole link in the body.
    pub span: Range<usize>,
}

/// Raw HTML in a body, with its span in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHtml {
    /// Whether it is an HTML comment.
    pub comment: bool,
    /// Byte range in the body.
    pub span: Range<usize>,
}

/// Every `#id` link and every piece of raw HTML in a body, in order.
pub fn scan(body: &str) -> (Vec<Reference>, Vec<RawHtml>) {
    let mut references = Vec::new();
    let mut html = Vec::new();
    // HTML starts with `<`, and a `#` destination needs a `#` or an entity such as
    // `&#35;`: most bodies hold none of these, and parsing them finds nothing.
    if !body.contains(['<', '#', '&']) {
        return (references, html);
    }
    let mut open: Option<(String, Range<usize>, bool)> = None;
    for (event, span) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if dest_url.starts_with('#') && link_type != LinkType::Email => {
                open = Some((dest_url[1..].to_string(), span, true));
            }
            Event::End(pulldown_cmark::TagEnd::Link) => {
                if let Some((target, span, empty)) = open.take() {
                    references.push(Reference {
                        target,
                        empty,
                        span,
                    });
                }
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                html.push(RawHtml {
                    comment: text.trim_start().starts_with("<!--"),
                    span,
                });
            }
            _ => {
                if let Some((_, _, empty)) = open.as_mut() {
                    *empty = false;
                }
            }
        }
    }
    (references, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_with_and_without_text() {
        let (refs, html) = scan("See [](#force-size) and [the guarantees](#guarantees).");
        assert!(html.is_empty());
        assert_eq!(refs.len(), 2);
        assert_eq!(
            (refs[0].target.as_str(), refs[0].empty, refs[0].span.clone()),
            ("force-size", true, 4..19)
        );
        assert_eq!(
            (refs[1].target.as_str(), refs[1].empty),
            ("guarantees", false)
        );
    }

    #[test]
    fn finds_raw_html_and_comments() {
        let (_, html) = scan("Text <b>bold</b>\n\n<!-- hidden -->\n");
        assert_eq!(html.len(), 3);
        assert!(!html[0].comment);
        assert!(html[2].comment);
    }
}

/// What a `#id` link becomes: the text an empty link shows, and where it points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// "Point 7", "Article 3 of the Bilateral Security Guarantees".
    pub text: String,
    /// `#framework-point-7`.
    pub href: String,
}

/// Rewrites a body's events: `#id` links point at anchors (an empty one gets the target's
/// label as text), footnote labels get a per-clause prefix so that clauses rendered into
/// one file do not share footnotes, raw HTML is shown as text, and headings move down
/// `shift` levels to sit under the clause's own heading.
fn events<'a>(
    body: &'a str,
    footnotes: &str,
    shift: u8,
    resolve: &dyn Fn(&str) -> Option<Target>,
) -> Vec<Event<'a>> {
    use pulldown_cmark::{CowStr, HeadingLevel, TagEnd};
    let level = |l: HeadingLevel| {
        HeadingLevel::try_from((l as usize + shift as usize).min(6)).unwrap_or(HeadingLevel::H6)
    };
    let mut out = Vec::new();
    let mut empty_label: Option<String> = None;
    for event in Parser::new_ext(body, options()) {
        if let Some(label) = empty_label.take() {
            if matches!(event, Event::End(TagEnd::Link)) {
                out.push(Event::Text(CowStr::from(label)));
            }
        }
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with('#') => {
                let target = resolve(&dest_url[1..]);
                let href = target
                    .as_ref()
                    .map_or_else(|| dest_url.to_string(), |t| t.href.clone());
                empty_label = Some(target.map_or_else(|| dest_url[1..].to_string(), |t| t.text));
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(href),
                    title,
                    id,
                })
            }
            Event::FootnoteReference(label) => {
                Event::FootnoteReference(CowStr::from(format!("{footnotes}-{label}")))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => Event::Start(Tag::FootnoteDefinition(
                CowStr::from(format!("{footnotes}-{label}")),
            )),
            Event::Start(Tag::Heading {
                level: l,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: level(l),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(l)) => Event::End(TagEnd::Heading(level(l))),
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            other => other,
        };
        out.push(event);
    }
    out
}

/// A body as HTML, with references resolved.
pub fn to_html(
    body: &str,
    footnotes: &str,
    shift: u8,
    resolve: &dyn Fn(&str) -> Option<Target>,
) -> String {
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(
        &mut html,
        events(body, footnotes, shift, resolve).into_iter(),
    );
    html
}

/// A body as Markdown, byte for byte as written except that `#id` links that `resolve`
/// knows point at anchors (an empty one gets the target's label) and, with `footnotes`,
/// footnote labels are prefixed.
pub fn to_markdown(
    body: &str,
    footnotes: Option<&str>,
    resolve: &dyn Fn(&str) -> Option<Target>,
) -> String {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    // The open `#id` link: its span, its target, and the span of its own text so far.
    struct Open {
        span: Range<usize>,
        target: Option<Target>,
        inner: Option<Range<usize>>,
    }
    let mut link: Option<Open> = None;
    for (event, span) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with('#') => {
                link = Some(Open {
                    span,
                    target: resolve(&dest_url[1..]),
                    inner: None,
                });
            }
            Event::End(pulldown_cmark::TagEnd::Link) => {
                if let Some(Open {
                    span,
                    target: Some(target),
                    inner,
                }) = link.take()
                {
                    let text = match inner {
                        Some(inner) => body[inner].to_string(),
                        None => target.text,
                    };
                    edits.push((span, format!("[{text}]({})", target.href)));
                }
            }
            Event::FootnoteReference(label) if link.is_none() => {
                if let Some(footnotes) = footnotes {
                    edits.push((span, format!("[^{footnotes}-{label}]")));
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let Some(footnotes) = footnotes else { continue };
                let end = span.start + label.len() + 3;
                if body.get(span.start..end) == Some(&format!("[^{label}]")) {
                    edits.push((span.start..end, format!("[^{footnotes}-{label}]")));
                }
            }
            _ => {
                if let Some(Open { inner, .. }) = link.as_mut() {
                    *inner = Some(match inner.take() {
                        Some(r) => r.start.min(span.start)..r.end.max(span.end),
                        None => span,
                    });
                }
            }
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(body.len() + 64);
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&body[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&body[at..]);
    out
}

#[cfg(test)]
mod render_tests {
    use super::*;

    fn resolve(id: &str) -> Option<Target> {
        (id == "force-size").then(|| Target {
            text: "Point 7".into(),
            href: "#framework-point-7".into(),
        })
    }

    #[test]
    fn empty_references_show_the_label_and_link_to_the_anchor() {
        let html = to_html(
            "See [](#force-size) and [the size](#force-size).",
            "c",
            0,
            &resolve,
        );
        assert_eq!(
            html,
            "<p>See <a href=\"#framework-point-7\">Point 7</a> and <a href=\"#framework-point-7\">the size</a>.</p>\n"
        );
        let md = to_markdown(
            "See [](#force-size) and [the *size*](#force-size).",
            Some("c"),
            &resolve,
        );
        assert_eq!(
            md,
            "See [Point 7](#framework-point-7) and [the *size*](#framework-point-7)."
        );
    }

    #[test]
    fn footnotes_are_namespaced_per_clause() {
        let body = "Funds.[^1]\n\n[^1]: World Bank.\n";
        assert_eq!(
            to_markdown(body, Some("point-3"), &resolve),
            "Funds.[^point-3-1]\n\n[^point-3-1]: World Bank.\n"
        );
        assert_eq!(to_markdown(body, None, &resolve), body);
        let html = to_html(body, "point-3", 0, &resolve);
        assert!(html.contains("href=\"#point-3-1\""), "{html}");
        assert!(html.contains("id=\"point-3-1\""), "{html}");
    }

    #[test]
    fn raw_html_is_shown_not_rendered() {
        assert_eq!(
            to_html("a <b>b</b>", "c", 0, &resolve),
            "<p>a &lt;b&gt;b&lt;/b&gt;</p>\n"
        );
    }

    #[test]
    fn body_headings_sit_below_the_clause_heading() {
        assert_eq!(to_html("# Sub\n", "c", 3, &resolve), "<h4>Sub</h4>\n");
    }
}
