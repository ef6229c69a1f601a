//! The Handlebars templates: built-ins embedded in the binary, overridden file by file by
//! the draft's own `templates/` folder (as mdBook themes are).
//!
//! Templates live in one folder per format (`html/`, `md/`). In each, `agreement.hbs` is
//! the page and every other `.hbs` file is a partial named by its stem (`{{> clause}}`);
//! `style.css` is the partial `style`. A draft may add partials of its own.

use std::collections::BTreeMap;

use handlebars::Handlebars;

use super::view::View;
use crate::error::Error;
use crate::source::Source;

/// The built-in templates: (path under `templates/`, text).
pub const BUILT_IN: [(&str, &str); 7] = [
    (
        "html/agreement.hbs",
        include_str!("../../templates/html/agreement.hbs"),
    ),
    (
        "html/clause.hbs",
        include_str!("../../templates/html/clause.hbs"),
    ),
    (
        "html/style.css",
        include_str!("../../templates/html/style.css"),
    ),
    (
        "md/agreement.hbs",
        include_str!("../../templates/md/agreement.hbs"),
    ),
    (
        "md/clause.hbs",
        include_str!("../../templates/md/clause.hbs"),
    ),
    ("md/annex.hbs", include_str!("../../templates/md/annex.hbs")),
    (
        "md-source/agreement.hbs",
        include_str!("../../templates/md-source/agreement.hbs"),
    ),
];

/// The partials each part of a template includes: `(owner, included)`, where the owner
/// is the file's partial name or an inline partial it defines (`{{#*inline "x"}}`).
/// A partial named by an expression (`{{> (...)}}`) cannot be known ahead: refused.
fn includes(path: &str, stem: &str, text: &str) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    let mut owner = stem.to_string();
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        rest = &rest[at + 2..];
        let tag = rest.trim_start_matches('~').trim_start();
        let name = |after: &str| -> String {
            after
                .trim_start()
                .trim_start_matches('"')
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
                .collect()
        };
        if let Some(after) = tag.strip_prefix("#*inline") {
            owner = name(after);
        } else if tag.starts_with("/inline") {
            owner = stem.to_string();
        } else if let Some(after) = tag.strip_prefix('>').or_else(|| tag.strip_prefix("#>")) {
            if after.trim_start().starts_with('(') {
                return Err(template_error(
                    &format!("templates/{path}"),
                    "a partial named by an expression (`{{> (...)}}`) cannot be checked for recursion; name it",
                ));
            }
            out.push((owner.clone(), name(after)));
        }
    }
    Ok(out)
}

/// The name a template file registers under: its file name without `.hbs` or `.css`.
fn partial_name(path: &str) -> &str {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".hbs")
        .trim_end_matches(".css")
}

/// Refuses partials that include each other in a cycle: rendering them would recurse
/// until the stack overflows, which no error handling can catch.
fn refuse_recursion(files: &[(String, String)]) -> Result<(), Error> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, text) in files {
        let stem = partial_name(path);
        for (owner, included) in includes(path, stem, text)? {
            graph.entry(owner).or_default().push(included);
        }
    }
    fn cycle(
        node: &str,
        graph: &BTreeMap<String, Vec<String>>,
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.iter().any(|d| d == node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = cycle(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.push(node.to_string());
        None
    }
    let mut done = Vec::new();
    for start in graph.keys() {
        if let Some(found) = cycle(start, &graph, &mut Vec::new(), &mut done) {
            return Err(Error::Template {
                name: found[0].clone(),
                message: format!(
                    "partials include each other in a loop ({}), so rendering would never end",
                    found.join(" → ")
                ),
            });
        }
    }
    Ok(())
}

/// A template format: which folder, and how `{{x}}` is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// HTML-escaped.
    Html,
    /// Not escaped: Markdown output, whose text is already Markdown.
    Markdown,
    /// Not escaped: the Markdown as the sources have it, for round trips of imports.
    MarkdownSource,
}

impl Kind {
    fn folder(self) -> &'static str {
        match self {
            Kind::Html => "html",
            Kind::Markdown => "md",
            Kind::MarkdownSource => "md-source",
        }
    }
}

/// The templates of one format, ready to render.
pub struct Templates {
    registry: Handlebars<'static>,
    kind: Kind,
    /// The built-ins written out in Rust, when the draft overrides none of them.
    native: Option<Native>,
}

/// A format's built-ins written out in Rust.
type Native = fn(&View, &mut String, Option<&mut super::native::Stream<'_>>);

fn template_error(name: &str, e: impl std::fmt::Display) -> Error {
    Error::Template {
        name: name.to_string(),
        message: e.to_string(),
    }
}

impl Templates {
    /// The built-ins of `kind`, with the draft's overrides and extra partials from `source`.
    pub fn load(kind: Kind, source: &dyn Source) -> Result<Templates, Error> {
        let folder = kind.folder();
        let mut files: Vec<(String, String)> = BUILT_IN
            .iter()
            .filter(|(path, _)| {
                path.strip_prefix(folder)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        let prefix = format!("templates/{folder}/");
        let mut own = false;
        for path in source.files()? {
            let Some(name) = path.strip_prefix(&prefix) else {
                continue;
            };
            // Only files directly in the folder, named like templates: nothing else is read.
            if name.contains('/') || !(name.ends_with(".hbs") || name == "style.css") {
                continue;
            }
            let bytes = source
                .read(&path)
                .map_err(|_| template_error(&path, "cannot be read (a link out of the draft?)"))?;
            let text =
                String::from_utf8(bytes).map_err(|_| template_error(&path, "is not UTF-8"))?;
            let key = format!("{folder}/{name}");
            files.retain(|(p, _)| *p != key);
            files.push((key, text));
            own = true;
        }
        refuse_recursion(&files)?;
        let mut registry = Handlebars::new();
        if kind != Kind::Html {
            registry.register_escape_fn(handlebars::no_escape);
        }
        registry.set_prevent_indent(true);
        for (path, text) in &files {
            let stem = partial_name(path);
            let shown = format!("templates/{path}");
            if stem == "agreement" {
                registry
                    .register_template_string("agreement", text)
                    .map_err(|e| template_error(&shown, e))?;
            } else {
                registry
                    .register_partial(stem, text.as_str())
                    .map_err(|e| template_error(&shown, e))?;
            }
        }
        let native: Option<Native> = match kind {
            _ if own => None,
            Kind::Html => Some(super::native::html),
            Kind::Markdown => Some(super::native::markdown),
            Kind::MarkdownSource => Some(super::native::source),
        };
        Ok(Templates {
            registry,
            kind,
            native,
        })
    }

    /// Renders the page for a view into `out`, in place of what it held.
    pub fn render_into(&self, view: &View, out: &mut String) -> Result<(), Error> {
        if let Some(native) = self.native {
            native(view, out, None);
            return Ok(());
        }
        self.render_handlebars(view, out)
    }

    /// Renders the page for a view into `out` as [`Templates::render_into`] does, handing it
    /// on piece by piece through `stream` where the built-ins written out in Rust render it;
    /// false, with nothing rendered, where they do not.
    pub(super) fn stream(
        &self,
        view: &View,
        out: &mut String,
        stream: &mut super::native::Stream<'_>,
    ) -> bool {
        match self.native {
            Some(native) => {
                native(view, out, Some(stream));
                true
            }
            None => false,
        }
    }

    /// Whether the built-ins written out in Rust render this format.
    #[cfg(test)]
    pub(super) fn is_native(&self) -> bool {
        self.native.is_some()
    }

    /// [`Templates::render_into`] through Handlebars, whatever the templates.
    pub(super) fn render_handlebars(&self, view: &View, out: &mut String) -> Result<(), Error> {
        let name = format!("templates/{}/agreement.hbs", self.kind.folder());
        let mut bytes = std::mem::take(out).into_bytes();
        bytes.clear();
        let rendered = self.registry.render_to_write("agreement", view, &mut bytes);
        // Handlebars writes whole `str` pieces, so this only checks what is known.
        *out = String::from_utf8(bytes)
            .map_err(|_| template_error(&name, "wrote text that is not UTF-8"))?;
        rendered.map_err(|e| template_error(&name, e))
    }
}
