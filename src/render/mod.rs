//! Rendering an edition: projection → view → template (HTML, Markdown) or JSON.
//!
//! Every format is made from the same [`view::View`], which is built from the edition's
//! projection only; nothing here reads the full agreement.

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
        match format {
            Format::Html => self.html.render(view),
            Format::Markdown => self.markdown.render(view).map(|md| tidy_markdown(&md)),
            Format::MarkdownSource => self.source.render(view).map(|md| tidy_markdown(&md)),
            Format::Json => serde_json::to_string_pretty(view)
                .map(|json| json + "\n")
                .map_err(|e| Error::Template {
                    name: "json".into(),
                    message: e.to_string(),
                }),
        }
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
fn tidy_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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
    out
}
