//! Rendering an edition: projection → view → template (HTML, Markdown) or JSON.
//!
//! Every format is made from the same [`view::View`], which is built from the edition's
//! projection only; nothing here reads the full agreement.

pub mod bodies;
mod native;
pub mod since;
pub mod templates;
pub mod view;

use crate::edition::Projection;
use crate::error::Error;
use crate::model::Scheme;
use crate::numbering::Numbers;
use crate::source::{Revision, Source};
use templates::{Kind, Templates};

/// Text escaped for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// One self-contained HTML file.
    Html,
    /// One CommonMark file.
    Markdown,
    /// The Markdown as the sources have it: headings as written, no title block,
    /// contents or anchors (the round trip of `import`).
    MarkdownSource,
    /// The view as JSON.
    Json,
}

impl Format {
    /// Every format, in the order `publish` writes them.
    pub const ALL: [Format; 3] = [Format::Html, Format::Markdown, Format::Json];

    /// The renderings of clause bodies this format's templates use.
    pub fn bodies(self) -> view::Bodies {
        match self {
            Format::Html => view::Bodies {
                html: true,
                markdown: false,
                source: false,
            },
            Format::Markdown => view::Bodies {
                html: false,
                markdown: true,
                source: false,
            },
            Format::MarkdownSource => view::Bodies {
                html: false,
                markdown: false,
                source: true,
            },
            Format::Json => view::Bodies {
                html: true,
                markdown: true,
                source: false,
            },
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown | Format::MarkdownSource => "md",
            Format::Json => "json",
        }
    }
}

/// The templates for every format, loaded once from the built-ins and the draft's overrides.
pub struct Renderer {
    html: Templates,
    markdown: Templates,
    source: Templates,
}

impl Renderer {
    /// Loads the templates a draft uses (its own `templates/` from the same source).
    pub fn new(source: &dyn Source) -> Result<Renderer, Error> {
        Ok(Renderer {
            html: Templates::load(Kind::Html, source)?,
            markdown: Templates::load(Kind::Markdown, source)?,
            source: Templates::load(Kind::MarkdownSource, source)?,
        })
    }

    /// Renders one view in one format.
    pub fn render(&self, view: &view::View, format: Format) -> Result<String, Error> {
        let mut page = Page::default();
        self.render_page(view, format, &mut page)?;
        Ok(page.text)
    }

    /// Renders one view in one format into `page`, in place of the page it held.
    pub fn render_page(
        &self,
        view: &view::View,
        format: Format,
        page: &mut Page,
    ) -> Result<(), Error> {
        let markdown = |templates: &Templates, page: &mut Page| {
            templates.render_into(view, &mut page.text)?;
            tidy_markdown(&mut page.text);
            Ok(())
        };
        match format {
            Format::Html => self.html.render_into(view, &mut page.text),
            Format::Markdown => markdown(&self.markdown, page),
            Format::MarkdownSource => markdown(&self.source, page),
            Format::Json => {
                let mut bytes = std::mem::take(&mut page.text).into_bytes();
                bytes.clear();
                let written = serde_json::to_writer_pretty(&mut bytes, view);
                bytes.push(b'\n');
                let json_error = |message: String| Error::Template {
                    name: "json".into(),
                    message,
                };
                page.text = String::from_utf8(bytes).map_err(|e| json_error(e.to_string()))?;
                written.map_err(|e| json_error(e.to_string()))
            }
        }
    }
}

/// A rendered page, in memory kept from one page to the next: `publish` renders dozens of
/// pages of up to tens of megabytes, and the kernel zeroes every fresh page of memory, which
/// cost more than rendering some of them.
#[derive(Default)]
pub struct Page {
    text: String,
}

impl Page {
    /// The page's text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Builds the view of a projection (a shorthand for [`view::build`]).
pub fn view_of(
    projection: &Projection,
    numbers: &Numbers,
    scheme: &Scheme,
    revision: &Revision,
) -> view::View {
    view::build(projection, numbers, scheme, revision)
}

/// Collapses runs of blank lines that template conditionals leave, and ends with one
/// newline; Markdown meaning does not change, since bodies are indented blocks of their own.
/// In place: a tidied copy of each page was a second buffer as large as the largest page.
fn tidy_markdown(text: &mut String) {
    let mut bytes = std::mem::take(text).into_bytes();
    // What was read ends here: the last line's newline may be pushed past it.
    let (mut read, mut write, mut blank, total) = (0, 0, 0, bytes.len());
    let mut fence: Option<[u8; 3]> = None;
    while read < total {
        let rest = bytes.get(read..total).unwrap_or_default();
        // Lines as `str::lines` has them: a `\r` before the `\n` is not part of the line.
        let (mut end, next) = match memchr::memchr(b'\n', rest) {
            Some(k) => (read + k, read + k + 1),
            None => (total, total),
        };
        if next > end && end > read && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        // Cut at ASCII bytes of a valid string: always a string.
        let line = std::str::from_utf8(bytes.get(read..end).unwrap_or_default()).unwrap_or("");
        let trimmed = line.trim_start();
        let starts = |marker: &[u8; 3]| trimmed.as_bytes().starts_with(marker);
        if let Some(marker) = fence {
            if starts(&marker) {
                fence = None;
            }
        } else if starts(b"```") || starts(b"~~~") {
            fence = trimmed.as_bytes().first_chunk::<3>().copied();
        }
        let keep = if line.trim().is_empty() && fence.is_none() {
            blank += 1;
            (blank == 1 && write > 0).then_some(read..read)
        } else {
            blank = 0;
            Some(read..end)
        };
        if let Some(kept) = keep {
            let len = kept.len();
            bytes.copy_within(kept, write);
            write += len;
            // Never past what is still to read: a line is written no longer than it was read.
            match bytes.get_mut(write) {
                Some(b) if write < next => *b = b'\n',
                _ => bytes.push(b'\n'),
            }
            write += 1;
        }
        read = next;
    }
    bytes.truncate(write);
    while bytes.ends_with(b"\n\n") {
        bytes.pop();
    }
    *text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Tidying as a copy, line by line: what the in-place version must give.
    fn reference(text: &str) -> String {
        let mut out = String::new();
        let (mut blank, mut fence) = (0, None);
        for line in text.lines() {
            let trimmed = line.trim_start();
            if let Some(marker) = fence {
                if trimmed.starts_with(marker) {
                    fence = None;
                }
            } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = trimmed.get(..3);
            }
            if line.trim().is_empty() && fence.is_none() {
                blank += 1;
                if blank > 1 || out.is_empty() {
                    continue;
                }
                out.push('\n');
            } else {
                blank = 0;
                out.push_str(line);
                out.push('\n');
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }

    #[test]
    fn blank_lines_collapse_outside_fences_only() {
        let mut text = "\n\n# T\n\n\n\nBody.\r\n  \n```\n\n\n```\n\n\nEnd\n\n\n".to_string();
        super::tidy_markdown(&mut text);
        assert_eq!(text, "# T\n\nBody.\n\n```\n\n\n```\n\nEnd\n");
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x7e1d_7e1d),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]
        #[test]
        fn tidying_in_place_gives_what_a_copy_gives(
            pieces in prop::collection::vec(
                prop::sample::select(vec!["\n", "\r\n", "\r", " ", "\t", "a", "é", "```", "~~~", "  ```", "x\n\n\n", "\u{a0}"]),
                0..40,
            ),
        ) {
            let text: String = pieces.concat();
            let mut tidied = text.clone();
            super::tidy_markdown(&mut tidied);
            prop_assert_eq!(tidied, reference(&text), "{:?}", text);
        }
    }
}
