//! Publishing: every edition in every format, split into one consolidated file, one file
//! per document and one per included annex, with a `manifest.json` (SPEC §4).
//!
//! Everything here works on an edition's view; paths of annexes come from their labels
//! (`security-guarantees/annex-c.html`), never their ids.

use std::collections::BTreeSet;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::edition::{AnnexPart, Part, Projection};
use crate::error::Error;
use crate::model::{Level, Scheme};
use crate::render::view::{AnnexView, DocumentView, View};
use crate::render::{Format, Renderer};
use crate::source::Revision;

/// One file of an edition, before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Its path inside the edition's folder, with `/`.
    pub path: String,
    /// Its contents.
    pub text: String,
    /// The highest level of what it contains.
    pub level: Level,
}

/// The name of the consolidated file.
pub const CONSOLIDATED: &str = "agreement";

/// Every file of one edition, `manifest.json` last.
pub fn edition_outputs(
    projection: &Projection,
    numbers: &crate::numbering::Numbers,
    renderer: &Renderer,
    scheme: &Scheme,
    revision: &Revision,
) -> Result<Vec<Output>, Error> {
    let mut outputs = Vec::new();
    for format in Format::ALL {
        // Each format's view carries only the body rendering its templates print.
        let view = crate::render::view::build_since(
            projection,
            numbers,
            scheme,
            revision,
            None,
            format.bodies(),
        );
        for (path, unit, level, depth) in units(projection, &view, scheme) {
            let mut text = renderer.render(&unit, format)?;
            if path != CONSOLIDATED {
                text = relink(
                    &text,
                    &anchors(&unit),
                    &format!(
                        "{}{CONSOLIDATED}.{}",
                        "../".repeat(depth),
                        format.extension()
                    ),
                    format,
                );
            }
            outputs.push(Output {
                path: format!("{path}.{}", format.extension()),
                text,
                level,
            });
        }
    }
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest(&projection.edition.name, revision, &outputs, scheme);
    outputs.push(Output {
        path: "manifest.json".into(),
        text: manifest,
        level: 0,
    });
    Ok(outputs)
}

/// The files of an edition as views: the consolidated one, one per document, one per
/// included annex, each with its path, level and depth below the edition's folder.
fn units(
    projection: &Projection,
    view: &View,
    scheme: &Scheme,
) -> Vec<(String, View, Level, usize)> {
    let marked = projection.marking.is_some();
    let top = projection.marking.as_ref().map_or(0, |m| m.level);
    let mut units: Vec<(String, View, Level, usize)> =
        vec![(CONSOLIDATED.to_string(), view.clone(), top, 0)];
    for (doc, projected) in view.documents.iter().zip(&projection.documents) {
        let doc_level = levels(projected.clauses.iter())
            .max(annex_levels(&projected.annexes))
            .unwrap_or(0);
        units.push((
            doc.id.clone(),
            sub_view(view, doc.clone(), scheme, marked, doc_level),
            doc_level,
            0,
        ));
        for (annex, projected) in doc.annexes.iter().zip(&projected.annexes) {
            let AnnexPart::Annex(projected) = projected else {
                continue;
            };
            let level = levels(projected.clauses.iter())
                .unwrap_or(0)
                .max(projected.level);
            let only = DocumentView {
                clauses: Vec::new(),
                annexes: vec![annex.clone()],
                ..doc.clone()
            };
            let path = format!("{}/{}", doc.id, crate::manifest::slug(&annex.label));
            units.push((path, sub_view(view, only, scheme, marked, level), level, 1));
        }
    }
    units
}

fn levels<'a>(parts: impl Iterator<Item = &'a Part>) -> Option<Level> {
    parts
        .filter_map(|p| match p {
            Part::Clause(c) => Some(c.level),
            Part::Withheld(_) => None,
        })
        .max()
}

fn annex_levels(annexes: &[AnnexPart]) -> Option<Level> {
    annexes
        .iter()
        .filter_map(|a| match a {
            AnnexPart::Annex(a) => Some(levels(a.clauses.iter()).unwrap_or(0).max(a.level)),
            AnnexPart::Withheld(_) => None,
        })
        .max()
}

/// A view of one document (or one annex), its banner the level of what it holds.
fn sub_view(view: &View, doc: DocumentView, scheme: &Scheme, marked: bool, level: Level) -> View {
    let mut sub = view.clone();
    sub.documents = vec![doc];
    sub.edition.banner = marked.then(|| scheme.name(level).to_string());
    sub
}

/// Every anchor a view's output defines.
fn anchors(view: &View) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for doc in &view.documents {
        out.insert(doc.anchor.clone());
        out.extend(doc.clauses.iter().map(|c| c.anchor.clone()));
        for annex in &doc.annexes {
            let AnnexView {
                anchor, clauses, ..
            } = annex;
            out.insert(anchor.clone());
            out.extend(clauses.iter().map(|c| c.anchor.clone()));
        }
    }
    out
}

/// Points links to anchors this file lacks at the consolidated file.
fn relink(text: &str, present: &BTreeSet<String>, consolidated: &str, format: Format) -> String {
    let (open, close) = match format {
        Format::Html => ("href=\"#", "\""),
        Format::Markdown | Format::MarkdownSource => ("](#", ")"),
        Format::Json => return text.to_string(),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let Some(end) = after.find(close) else { break };
        let anchor = &after[..end];
        out.push_str(&rest[..i]);
        if present.contains(anchor) {
            out.push_str(&rest[i..i + open.len()]);
        } else {
            out.push_str(&open[..open.len() - 1]);
            out.push_str(consolidated);
            out.push('#');
        }
        out.push_str(anchor);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    path: &'a str,
    sha256: String,
    bytes: usize,
    classification: &'a str,
}

#[derive(Serialize)]
struct Manifest<'a> {
    edition: &'a str,
    rev: &'a str,
    commit: Option<&'a str>,
    dirty: bool,
    files: Vec<ManifestFile<'a>>,
}

/// `manifest.json` (SPEC §4): this edition's files only.
fn manifest(edition: &str, revision: &Revision, outputs: &[Output], scheme: &Scheme) -> String {
    let files = outputs
        .iter()
        .map(|o| ManifestFile {
            path: &o.path,
            sha256: Sha256::digest(o.text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            bytes: o.text.len(),
            classification: scheme.name(o.level),
        })
        .collect();
    let m = Manifest {
        edition,
        rev: &revision.rev,
        commit: revision.commit.as_deref(),
        dirty: revision.dirty,
        files,
    };
    serde_json::to_string_pretty(&m)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// The leak wall: scans an edition's outputs for material of what it withholds.
/// Returns every hit; the caller must write nothing when there is one.
pub fn wall(
    agreement: &crate::model::Agreement,
    numbers: &crate::numbering::Numbers,
    edition: &crate::model::Edition,
    outputs: &[(String, &str)],
) -> Vec<crate::leak::Leak> {
    let (withheld, included) = crate::edition::withheld_material(agreement, numbers, edition);
    if withheld.is_empty() {
        return Vec::new();
    }
    let included: Vec<&str> = included.iter().map(String::as_str).collect();
    let scanner = crate::leak::Scanner::new(&withheld, &included);
    outputs
        .iter()
        .flat_map(|(name, text)| scanner.scan(name, text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_anchors_elsewhere_point_at_the_consolidated_file() {
        let present: BTreeSet<String> = ["here".to_string()].into();
        let html = r##"<a href="#here">x</a> <a href="#there">y</a>"##;
        assert_eq!(
            relink(html, &present, "../agreement.html", Format::Html),
            r##"<a href="#here">x</a> <a href="../agreement.html#there">y</a>"##
        );
        let md = "[x](#here) and [y](#there)";
        assert_eq!(
            relink(md, &present, "agreement.md", Format::Markdown),
            "[x](#here) and [y](agreement.md#there)"
        );
    }
}
