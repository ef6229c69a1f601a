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
