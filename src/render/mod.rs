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
            templates.render_into(view, &mut page.scratch)?;
            tidy_markdown(&page.scratch, &mut page.text);
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
    scratch: String,
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
fn tidy_markdown(text: &str, out: &mut String) {
    out.clear();
    let mut blank = 0;
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
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
}
