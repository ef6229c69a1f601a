//! Rendering an edition: projection → view → template (HTML, Markdown) or JSON.
//!
//! Every format is made from the same [`view::View`], which is built from the edition's
//! projection only; nothing here reads the full agreement.

pub mod bodies;
mod json;
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

    /// Renders one view in one format into `sink` (named `name` in errors) as the page is made.
    /// JSON and the built-in templates hand it on a piece at a time, never holding it whole,
    /// and make the clauses a view built without them ([`view::build_deferred`]) left out a
    /// batch at a time as the page reaches them; a draft's own templates (Handlebars) render
    /// the whole page, with every clause, first.
    pub fn write(
        &self,
        mut view: view::View,
        deferred: Option<&view::Deferred<'_>>,
        format: Format,
        (name, sink): (&std::path::Path, &mut dyn std::io::Write),
    ) -> Result<(), Error> {
        if self.write_streamed(&view, deferred, format, (name, sink))? {
            return Ok(());
        }
        if let Some(deferred) = deferred {
            view.fill(deferred);
        }
        let text = self.render(&view, format)?;
        drop(view);
        sink.write_all(text.as_bytes())
            .map_err(|e| Error::io("write", name, e))
    }

    /// [`Renderer::write`] for a view that holds its clauses.
    pub fn write_view(
        &self,
        view: &view::View,
        format: Format,
        (name, sink): (&std::path::Path, &mut dyn std::io::Write),
    ) -> Result<(), Error> {
        if self.write_streamed(view, None, format, (name, sink))? {
            return Ok(());
        }
        let text = self.render(view, format)?;
        sink.write_all(text.as_bytes())
            .map_err(|e| Error::io("write", name, e))
    }

    /// Renders `view` into `sink` a piece at a time, if its format and templates can be: whether
    /// they could (see [`Renderer::write`]).
    fn write_streamed(
        &self,
        view: &view::View,
        deferred: Option<&view::Deferred<'_>>,
        format: Format,
        (name, sink): (&std::path::Path, &mut dyn std::io::Write),
    ) -> Result<bool, Error> {
        let io = |e| Error::io("write", name, e);
        let (mut batch, mut done) = (std::collections::VecDeque::new(), 0);
        let mut next = || {
            let deferred = deferred?;
            if batch.is_empty() {
                let end = (done + BATCH).min(deferred.len());
                batch.extend(deferred.clauses(done..end));
                done = end;
            }
            batch.pop_front()
        };
        let (templates, tidy) = match format {
            Format::Html => (&self.html, false),
            Format::Markdown => (&self.markdown, true),
            Format::MarkdownSource => (&self.source, true),
            Format::Json => {
                return json::write(view, &mut next, sink)
                    .map(|()| true)
                    .map_err(io);
            }
        };
        let (mut tidier, mut failed) = (Tidy::default(), None);
        let mut spill = |text: &mut String| {
            if tidy {
                tidier.feed(text, false);
            }
            if failed.is_none() {
                failed = sink.write_all(text.as_bytes()).err();
            }
            text.clear();
        };
        let mut page = String::new();
        let mut stream = native::Stream {
            spill: &mut spill,
            next: &mut next,
            deferred,
        };
        if !templates.stream(view, &mut page, &mut stream) {
            return Ok(false);
        }
        (stream.spill)(&mut page);
        if tidy {
            tidier.feed(&mut page, true);
            if failed.is_none() {
                failed = sink.write_all(page.as_bytes()).err();
            }
        }
        failed.map_or(Ok(true), |e| Err(io(e)))
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

/// How many clause bodies a streamed page renders at once, on every core; in tests, few, so
/// that pages span batches.
const BATCH: usize = if cfg!(test) { 3 } else { 256 };

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

    /// Makes room for `bytes` more, where the system grants it, so that pages up to that size
    /// are made without a copy; where it does not, pages grow as they are made.
    pub fn reserve(&mut self, bytes: usize) {
        let _ = self.text.try_reserve(bytes);
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
fn tidy_markdown(text: &mut String) {
    Tidy::default().feed(text, true);
}

/// Tidying of a Markdown page given in pieces (see [`tidy_markdown`]): what each piece leaves
/// for the next. In place: a tidied copy of each page was a second buffer as large as the
/// largest page.
#[derive(Default)]
struct Tidy {
    /// Blank lines in a row so far.
    blank: usize,
    /// The marker of the fence the text is in.
    fence: Option<[u8; 3]>,
    /// Whether a line was kept.
    started: bool,
    /// Empty lines kept but not yet given: the page ends without them.
    pending: usize,
    /// The start of a line the last piece cut.
    carry: String,
}

impl Tidy {
    /// Tidies the next piece of the page in place, into what is to be written of it; `last`
    /// when it ends the page.
    fn feed(&mut self, text: &mut String, last: bool) {
        if !self.carry.is_empty() {
            text.insert_str(0, &std::mem::take(&mut self.carry));
        }
        if !last {
            let cut = text.rfind('\n').map_or(0, |k| k + 1);
            self.carry = text.split_off(cut);
        }
        let mut bytes = std::mem::take(text).into_bytes();
        // What was read ends here: the last line's newline may be pushed past it.
        let (mut read, mut write, total) = (0, 0, bytes.len());
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
            if let Some(marker) = self.fence {
                if starts(&marker) {
                    self.fence = None;
                }
            } else if starts(b"```") || starts(b"~~~") {
                self.fence = trimmed.as_bytes().first_chunk::<3>().copied();
            }
            let keep = if line.trim().is_empty() && self.fence.is_none() {
                self.blank += 1;
                (self.blank == 1 && self.started).then_some(read..read)
            } else {
                self.blank = 0;
                Some(read..end)
            };
            if let Some(kept) = keep {
                self.started = true;
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
        // Empty lines at the end wait for a line after them, which the page may not have.
        let newlines = bytes.iter().rev().take_while(|&&b| b == b'\n').count();
        // All but the one ending the last line, if there is one.
        let empty = match newlines == bytes.len() {
            true => newlines,
            false => newlines.saturating_sub(1),
        };
        bytes.truncate(bytes.len() - empty);
        if bytes.is_empty() {
            self.pending += empty;
        } else {
            bytes.splice(0..0, std::iter::repeat_n(b'\n', self.pending));
            self.pending = empty;
        }
        *text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
}

/// What the tests render: a draft, and each of its editions projected, with the diff to it
/// from an older version of the draft.
#[cfg(test)]
pub(crate) struct Sample {
    pub source: Box<dyn Source>,
    pub loaded: crate::load::Loaded,
    pub numbers: Numbers,
    pub editions: Vec<(Projection, crate::diff::Report)>,
}

/// The [`Sample`] of the draft in the folder `new`, with the changes since the one in `old`.
#[cfg(test)]
pub(crate) fn sample(old: &str, new: &str) -> Sample {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let load = |folder: &str| {
        let here = Err(&Error::Refused(String::new()));
        let source = crate::source::open(folder, here, root).unwrap();
        let loaded = crate::load::load(source.as_ref()).unwrap();
        let numbers = crate::numbering::assign(&loaded.agreement);
        (source, loaded, numbers)
    };
    let (_, old, old_numbers) = load(old);
    let (source, loaded, numbers) = load(new);
    let version = |l: &crate::load::Loaded| crate::diff::Version {
        rev: l.revision.rev.clone(),
        commit: None,
    };
    let (agreement, before) = (&loaded.agreement, &old.agreement);
    let editions = (agreement.editions.iter())
        .map(|edition| {
            let projection = crate::edition::project(agreement, &numbers, edition);
            let earlier = before.edition(&edition.name).unwrap();
            let earlier = crate::edition::project(before, &old_numbers, earlier);
            let since = crate::diff::compare(
                &earlier,
                &projection,
                &before.scheme,
                &agreement.scheme,
                (version(&old), version(&loaded)),
                Some(edition.name.clone()),
                false,
            );
            (projection, since)
        })
        .collect();
    Sample {
        source,
        loaded,
        numbers,
        editions,
    }
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
        fn tidying_in_pieces_gives_what_a_copy_gives(
            pieces in prop::collection::vec(
                prop::sample::select(vec!["\n", "\r\n", "\r", " ", "\t", "a", "é", "```", "~~~", "  ```", "x\n\n\n", "\u{a0}"]),
                0..40,
            ),
            cuts in prop::collection::vec(0..60usize, 0..6),
        ) {
            let text: String = pieces.concat();
            let mut cuts: Vec<usize> = (cuts.into_iter())
                .map(|c| c.min(text.len()))
                .filter(|&c| text.is_char_boundary(c))
                .collect();
            cuts.sort_unstable();
            let (mut tidy, mut out, mut from) = (super::Tidy::default(), String::new(), 0);
            for cut in cuts.into_iter().chain([text.len()]) {
                let mut piece = text[from..cut].to_string();
                tidy.feed(&mut piece, false);
                out.push_str(&piece);
                from = cut;
            }
            let mut rest = String::new();
            tidy.feed(&mut rest, true);
            out.push_str(&rest);
            prop_assert_eq!(out, reference(&text), "{:?}", text);
        }

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

    /// Every edition of the sample draft in every format, the annotated ones also with the
    /// changes since its first version: streamed from a view without bodies (a clause at a
    /// time, bodies three at a time, in tests), the page is the one rendered whole.
    #[test]
    fn a_page_streamed_from_a_deferred_view_is_the_page_rendered_whole() {
        let sample = super::sample("drafts/peace-framework-v1", "drafts/peace-framework");
        let renderer = super::Renderer::new(sample.source.as_ref()).unwrap();
        let (scheme, revision) = (&sample.loaded.agreement.scheme, &sample.loaded.revision);
        let mut pages = 0;
        for (projection, since) in &sample.editions {
            for since in [None, Some(since)] {
                for format in [
                    super::Format::Html,
                    super::Format::Markdown,
                    super::Format::MarkdownSource,
                    super::Format::Json,
                ] {
                    let (numbers, bodies) = (&sample.numbers, format.bodies());
                    let view = |defer: bool| match defer {
                        false => (
                            super::view::build_since(
                                projection, numbers, scheme, revision, since, bodies, None,
                            ),
                            None,
                        ),
                        true => {
                            let (view, deferred) = super::view::build_deferred(
                                projection, numbers, scheme, revision, since, bodies,
                            );
                            (view, Some(deferred))
                        }
                    };
                    let whole = renderer.render(&view(false).0, format).unwrap();
                    let (view, deferred) = view(true);
                    let deferred = deferred.unwrap();
                    assert!(deferred.len() > 3, "the page spans batches");
                    let mut streamed = Vec::new();
                    let sink = (std::path::Path::new("page"), &mut streamed as _);
                    renderer.write(view, Some(&deferred), format, sink).unwrap();
                    assert_eq!(
                        String::from_utf8(streamed).unwrap(),
                        whole,
                        "{format:?}, edition {}, since: {}",
                        projection.edition.name,
                        since.is_some()
                    );
                    pages += 1;
                }
            }
        }
        assert_eq!(pages, 8 * sample.editions.len());
    }
}
