//! Publishing: every edition in every format, split into one consolidated file, one file
//! per document and one per included annex, with a `manifest.json` (SPEC §4).
//!
//! Everything here works on an edition's view; paths of annexes come from their labels
//! (`security-guarantees/annex-c.html`), never their ids.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::edition::{AnnexPart, Part, Projection};
use crate::error::Error;
use crate::leak::Leak;
use crate::model::{Level, Scheme};
use crate::render::bodies::Shared;
use crate::render::view::{AnnexView, Bodies, DocumentView, View};
use crate::render::{Format, Page, Renderer};
use crate::source::Revision;

/// One file of an edition, before it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output<'a> {
    /// Its path inside the edition's folder, with `/`.
    pub path: &'a str,
    /// Its contents.
    pub text: &'a str,
    /// The highest level of what it contains.
    pub level: Level,
    /// For a file whose links were made to point into the consolidated file: its text before,
    /// and where in `text` the consolidated file's path was put in (see [`Wall::scan_output`]).
    pub base: Option<(&'a str, &'a [Range<usize>])>,
}

/// The name of the consolidated file.
pub const CONSOLIDATED: &str = "agreement";

/// The clause bodies some format prints: one view serves every format, since building it
/// renders every clause body, which took longer than any template.
pub fn bodies() -> Bodies {
    (Format::ALL.iter()).fold(Bodies::NONE, |b, f| b.or(f.bodies()))
}

/// Clause bodies for every edition of one `publish`, rendered once on every core for the
/// edition that includes the most: the others take each one that reads the same in them.
pub fn shared_bodies(
    agreement: &crate::model::Agreement,
    numbers: &crate::numbering::Numbers,
) -> Shared {
    match agreement.editions.iter().max_by_key(|e| e.max) {
        Some(widest) => {
            let projection = crate::edition::project(agreement, numbers, widest);
            Shared::render(&projection, numbers, bodies())
        }
        None => Shared::default(),
    }
}

/// How many files [`edition_outputs`] makes of `edition`: in every format, the consolidated
/// file, one per document and one per annex the edition includes; and `manifest.json`.
pub fn file_count(agreement: &crate::model::Agreement, edition: &crate::model::Edition) -> usize {
    let included = |d: &crate::model::Document| {
        let annexes = d.annexes.iter();
        annexes
            .filter(|a| crate::edition::includes(edition, a.level))
            .count()
    };
    let units: usize = agreement.documents.iter().map(|d| 1 + included(d)).sum();
    Format::ALL.len() * (1 + units) + 1
}

/// Where [`edition_outputs`] hands an edition's files.
pub trait Files {
    /// A file, whole.
    fn whole(&mut self, output: Output<'_>) -> Result<(), Error>;

    /// A file at `path` of `level`, written as it is rendered, never held whole: `render`
    /// writes it into the writer it is given.
    fn streamed(
        &mut self,
        path: &str,
        level: Level,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

/// Every file whole, to a function: for callers that hold them anyway, such as tests.
impl<F: FnMut(Output<'_>) -> Result<(), Error>> Files for F {
    fn whole(&mut self, output: Output<'_>) -> Result<(), Error> {
        self(output)
    }

    fn streamed(
        &mut self,
        path: &str,
        level: Level,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut bytes = Vec::new();
        render(&mut bytes)?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Template {
            name: path.to_string(),
            message: e.to_string(),
        })?;
        self(Output {
            path,
            text: &text,
            level,
            base: None,
        })
    }
}

/// Every file of one edition, each handed to `files` as soon as it is rendered, so that only
/// one is held at a time, and those used as rendered (the consolidated files, every JSON file)
/// not even that; `manifest.json` last.
/// Clause bodies come from `shared` where they serve (see [`crate::render::bodies`]).
pub fn edition_outputs(
    projection: &Projection,
    numbers: &crate::numbering::Numbers,
    (renderer, shared): (&Renderer, &Shared),
    scheme: &Scheme,
    revision: &Revision,
    files: &mut dyn Files,
) -> Result<(), Error> {
    let mut listed = Vec::new();
    let mut view = crate::render::view::build_since(
        projection,
        numbers,
        scheme,
        revision,
        None,
        bodies(),
        Some(shared),
    );
    let (mut page, mut linked, mut inserted) = (Page::default(), String::new(), Vec::new());
    // Room for the largest page held whole, taken once: grown by doubling, each buffer was
    // copied as it grew, old and new held at once (16 and 32 MB for a 27 MB JSON file at 10,000
    // clauses, when those were held). Room not written to takes no memory.
    let room = room_for_pages(&view);
    page.reserve(room);
    let _ = linked.try_reserve(room);
    for format in Format::ALL {
        let mut unit = |path: String, view: &View, level: Level, depth: usize| {
            // Files used as rendered: the consolidated one, and those of a format without links
            // (JSON); the others have links made to point into the consolidated file.
            let Some(marks) = link_marks(format).filter(|_| path != CONSOLIDATED) else {
                let path = format!("{path}.{}", format.extension());
                let mut hashed = (Sha256::new(), 0);
                files.streamed(&path, level, &mut |sink| {
                    let mut sink = Hashing {
                        sink,
                        hashed: &mut hashed,
                    };
                    renderer.write_view(view, format, (Path::new(&path), &mut sink))
                })?;
                let (sha, bytes) = hashed;
                listed.push(ManifestFile::hashed(&path, sha, bytes, scheme.name(level)));
                return Ok(());
            };
            renderer.render_page(view, format, &mut page)?;
            let consolidated = format!(
                "{}{CONSOLIDATED}.{}",
                "../".repeat(depth),
                format.extension()
            );
            let anchors = anchors(view);
            let base = page.text();
            relink(
                base,
                &anchors,
                &consolidated,
                marks,
                (&mut linked, &mut inserted),
            );
            let base = (!inserted.is_empty()).then_some((base, &inserted[..]));
            let text = &linked;
            let path = format!("{path}.{}", format.extension());
            listed.push(ManifestFile::of(&path, text, scheme.name(level)));
            files.whole(Output {
                path: &path,
                text,
                level,
                base,
            })
        };
        let aside = view.set_aside(format.bodies());
        let done = each_unit(projection, &mut view, scheme, &mut unit);
        view.restore(aside);
        done?;
    }
    listed.sort_by(|a, b| a.path.cmp(&b.path));
    let text = manifest(&projection.edition.name, revision, listed);
    files.whole(Output {
        path: "manifest.json",
        text: &text,
        level: 0,
        base: None,
    })
}

/// More than any page of `view` takes in any format: twice the clause bodies it prints, and
/// a kilobyte a clause for the rest (labels, anchors, metadata, JSON's keys and indentation).
fn room_for_pages(view: &View) -> usize {
    let clause = |c: &crate::render::view::ClauseView| {
        let body = |b: &Option<std::sync::Arc<String>>| b.as_ref().map_or(0, |b| b.len());
        2 * (body(&c.html) + body(&c.markdown)) + 1024
    };
    let clauses = view.documents.iter().flat_map(|d| {
        let annexes = d.annexes.iter().flat_map(|a| &a.clauses);
        d.clauses.iter().chain(annexes)
    });
    clauses.map(clause).sum::<usize>() + ROOM_SLACK
}

/// What [`room_for_pages`] allows beyond its clauses: the page's head and contents.
const ROOM_SLACK: usize = 64 << 10;

/// Renders one file of an edition: its path without extension, its view, level and depth.
type Unit<'a> = dyn FnMut(String, &View, Level, usize) -> Result<(), Error> + 'a;

/// Hands `unit` each file of an edition as a view: the consolidated one, one per document,
/// one per included annex, each with its path, level and depth below the edition's folder.
/// Documents, annexes and clauses move from one view to the next, none is copied, and the
/// view is left as it was found (after an error, it holds its documents again, but may
/// not be whole).
fn each_unit(
    projection: &Projection,
    view: &mut View,
    scheme: &Scheme,
    unit: &mut Unit<'_>,
) -> Result<(), Error> {
    let top = projection.marking.as_ref().map_or(0, |m| m.level);
    unit(CONSOLIDATED.to_string(), view, top, 0)?;
    let banner = view.edition.banner.clone();
    let mut documents = std::mem::take(&mut view.documents);
    let mut done = Ok(());
    for (doc, projected) in documents.iter_mut().zip(&projection.documents) {
        done = each_document_unit(projection, projected, view, doc, scheme, unit);
        if done.is_err() {
            break;
        }
    }
    view.documents = documents;
    view.edition.banner = banner;
    done
}

/// The files of one document: its own, then one per included annex. `doc` is lent to
/// `view` and given back.
fn each_document_unit(
    projection: &Projection,
    projected: &crate::edition::DocumentView,
    view: &mut View,
    doc: &mut DocumentView,
    scheme: &Scheme,
    unit: &mut Unit<'_>,
) -> Result<(), Error> {
    let banner =
        |level: Level| (projection.marking.is_some()).then(|| scheme.name(level).to_string());
    let doc_level = levels(projected.clauses.iter())
        .max(annex_levels(&projected.annexes))
        .unwrap_or(0);
    view.edition.banner = banner(doc_level);
    let id = doc.id.clone();
    view.documents = vec![std::mem::take(doc)];
    let done = unit(id, view, doc_level, 0);
    *doc = view.documents.pop().ok_or_else(lost)?;
    done?;
    let clauses = std::mem::take(&mut doc.clauses);
    let mut annexes = std::mem::take(&mut doc.annexes);
    let mut done = Ok(());
    for (annex, projected) in annexes.iter_mut().zip(&projected.annexes) {
        let AnnexPart::Annex(projected) = projected else {
            continue;
        };
        let level = levels(projected.clauses.iter())
            .unwrap_or(0)
            .max(projected.level);
        let path = format!("{}/{}", doc.id, crate::manifest::slug(&annex.label));
        view.edition.banner = banner(level);
        doc.annexes = vec![std::mem::take(annex)];
        view.documents = vec![std::mem::take(doc)];
        done = unit(path, view, level, 1);
        *doc = view.documents.pop().ok_or_else(lost)?;
        *annex = doc.annexes.pop().ok_or_else(lost)?;
        if done.is_err() {
            break;
        }
    }
    doc.clauses = clauses;
    doc.annexes = annexes;
    done
}

/// A document the view was lent did not come back: stop rather than leave its annexes out
/// of the outputs and the manifest without a word.
fn lost() -> Error {
    Error::Refused("publishing lost a document of the view; nothing was written".into())
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

/// How a format's links to an anchor in the same file start and end, if it has any.
fn link_marks(format: Format) -> Option<(&'static str, &'static str)> {
    match format {
        Format::Html => Some(("href=\"#", "\"")),
        Format::Markdown | Format::MarkdownSource => Some(("](#", ")")),
        Format::Json => None,
    }
}

/// Points links to anchors this file lacks at the consolidated file, writing the file
/// into `out` and where each path to it was put in into `inserted`; links start and end with
/// `(open, close)` (see [`link_marks`]).
fn relink(
    text: &str,
    present: &BTreeSet<String>,
    consolidated: &str,
    (open, close): (&str, &str),
    (out, inserted): (&mut String, &mut Vec<Range<usize>>),
) {
    out.clear();
    inserted.clear();
    // memchr's searcher, many bytes a step: std's took 1-2% of `publish`.
    let finder = memchr::memmem::Finder::new(open);
    let mut rest = text;
    while let Some(i) = finder.find(rest.as_bytes()) {
        let after = &rest[i + open.len()..];
        let Some(end) = after.find(close) else { break };
        let anchor = &after[..end];
        out.push_str(&rest[..i]);
        if present.contains(anchor) {
            out.push_str(&rest[i..i + open.len()]);
        } else {
            out.push_str(&open[..open.len() - 1]);
            inserted.push(out.len()..out.len() + consolidated.len());
            out.push_str(consolidated);
            out.push('#');
        }
        out.push_str(anchor);
        rest = &after[end..];
    }
    out.push_str(rest);
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    path: String,
    sha256: String,
    bytes: usize,
    classification: &'a str,
}

impl ManifestFile<'_> {
    fn of<'a>(path: &str, text: &str, classification: &'a str) -> ManifestFile<'a> {
        let mut sha = Sha256::new();
        sha.update(text.as_bytes());
        ManifestFile::hashed(path, sha, text.len(), classification)
    }

    fn hashed<'a>(
        path: &str,
        sha: Sha256,
        bytes: usize,
        classification: &'a str,
    ) -> ManifestFile<'a> {
        ManifestFile {
            path: path.to_string(),
            sha256: sha.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            bytes,
            classification,
        }
    }
}

/// A writer that hashes and counts what goes through it, for the manifest.
struct Hashing<'a> {
    sink: &'a mut dyn std::io::Write,
    hashed: &'a mut (Sha256, usize),
}

impl std::io::Write for Hashing<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.sink.write(bytes)?;
        let written = bytes.get(..n).unwrap_or(bytes);
        self.hashed.0.update(written);
        self.hashed.1 += written.len();
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    edition: &'a str,
    rev: &'a str,
    commit: Option<&'a str>,
    dirty: bool,
    files: Vec<ManifestFile<'a>>,
}

/// `manifest.json` (SPEC §4): this edition's files only, sorted by path.
fn manifest(edition: &str, revision: &Revision, files: Vec<ManifestFile<'_>>) -> String {
    let m = Manifest {
        edition,
        rev: &revision.rev,
        commit: revision.commit.as_deref(),
        dirty: revision.dirty.get(),
        files,
    };
    serde_json::to_string_pretty(&m)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// The leak wall of one edition: scans its outputs for material of what it withholds.
/// Built once per edition, and independent of the outputs, so it can be built while they render.
pub struct Wall(Option<crate::leak::Scanner>);

impl Wall {
    /// The wall for `edition`; one that withholds nothing lets everything through.
    pub fn new(
        agreement: &crate::model::Agreement,
        numbers: &crate::numbering::Numbers,
        edition: &crate::model::Edition,
    ) -> Wall {
        let (withheld, included) = crate::edition::withheld_material(agreement, numbers, edition);
        if withheld.is_empty() {
            return Wall(None);
        }
        let included: Vec<&[&str]> = included.iter().map(|parts| &parts[..]).collect();
        Wall(Some(crate::leak::Scanner::new(&withheld, &included)))
    }

    /// This wall, remembering what it read (see [`crate::leak::Scanner::remembering`]): for
    /// the many files of one edition, which share most of their text.
    pub fn remembering(self) -> Wall {
        Wall(self.0.map(crate::leak::Scanner::remembering))
    }

    /// Every hit in one output, `name` being how the report names it. The caller must write
    /// nothing of the edition when there is one.
    pub fn scan(&self, name: &str, text: &str) -> Vec<Leak> {
        (self.0.as_ref()).map_or_else(Vec::new, |s| s.scan(name, text))
    }

    /// Reads an output as it is written, a block at a time, and finds what [`Wall::scan`] finds
    /// in it whole; its parts are read on every core if `spread`.
    pub fn stream(&self, spread: bool) -> WallStream<'_> {
        WallStream(self.0.as_ref().map(|s| s.stream(spread)))
    }

    /// Every hit in one of an edition's outputs, as [`Wall::scan`] finds them; on this thread
    /// alone unless `spread`, for callers that keep every core busy. A file whose links were
    /// made to point into the consolidated file is read as its text before, which the
    /// consolidated file holds, and around each link (see [`crate::leak::Scanner::scan_inserted`]).
    pub fn scan_output(&self, name: &str, output: &Output<'_>, spread: bool) -> Vec<Leak> {
        let Some(scanner) = &self.0 else {
            return Vec::new();
        };
        match (output.base, spread) {
            (Some(base), _) => scanner.scan_inserted(name, output.text, base, spread),
            (None, true) => scanner.scan(name, output.text),
            (None, false) => scanner.scan_on_one_core(name, output.text),
        }
    }
}

/// An output read by a [`Wall`] as it is written.
pub struct WallStream<'w>(Option<crate::leak::Stream<'w>>);

impl WallStream<'_> {
    /// The next bytes of the output.
    pub fn feed(&mut self, text: &str) {
        if let Some(stream) = &mut self.0 {
            stream.feed(text);
        }
    }

    /// Every hit in the output, `name` being how the report names it; `whole` gives it back
    /// whole, for an output that has to be read so (see [`crate::leak::Stream`]).
    pub fn finish<E>(
        self,
        name: &str,
        whole: &mut dyn FnMut() -> Result<String, E>,
    ) -> Result<Vec<Leak>, E> {
        self.0.map_or(Ok(Vec::new()), |s| s.finish(name, whole))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample draft, loaded, and its templates.
    fn sample() -> (crate::load::Loaded, Renderer) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let here = Err(&Error::Refused(String::new()));
        let source = crate::source::open("drafts/peace-framework", here, root).unwrap();
        let loaded = crate::load::load(source.as_ref()).unwrap();
        (loaded, Renderer::new(source.as_ref()).unwrap())
    }

    #[test]
    fn the_files_counted_ahead_are_the_files_made() {
        let (loaded, renderer) = sample();
        let agreement = &loaded.agreement;
        let numbers = crate::numbering::assign(agreement);
        let shared = shared_bodies(agreement, &numbers);
        let mut counts = Vec::new();
        for edition in &agreement.editions {
            let projection = crate::edition::project(agreement, &numbers, edition);
            let mut made = 0;
            let scheme = &agreement.scheme;
            let rendering = (&renderer, &shared);
            let mut emit = |_: Output<'_>| {
                made += 1;
                Ok(())
            };
            edition_outputs(
                &projection,
                &numbers,
                rendering,
                scheme,
                &loaded.revision,
                &mut emit,
            )
            .unwrap();
            counts.push((made, file_count(agreement, edition)));
        }
        // The sample's editions withhold different annexes: the public one the most.
        let made: Vec<usize> = counts.iter().map(|c| c.0).collect();
        assert!(made.windows(2).any(|w| w[0] != w[1]), "{made:?}");
        for (made, counted) in counts {
            assert_eq!(made, counted);
        }
    }

    #[test]
    fn the_room_made_for_pages_holds_every_page_of_the_sample() {
        let (loaded, renderer) = sample();
        let (agreement, revision) = (&loaded.agreement, &loaded.revision);
        let numbers = crate::numbering::assign(agreement);
        let shared = shared_bodies(agreement, &numbers);
        let mut largest = 0;
        for edition in &agreement.editions {
            let projection = crate::edition::project(agreement, &numbers, edition);
            let view = crate::render::view::build_since(
                &projection,
                &numbers,
                &agreement.scheme,
                revision,
                None,
                bodies(),
                Some(&shared),
            );
            // Without the slack, which alone would hold the sample's pages.
            let room = room_for_pages(&view) - ROOM_SLACK;
            for format in Format::ALL {
                let page = renderer.render(&view, format).unwrap().len();
                assert!(page <= room, "{format:?} {}: {page} > {room}", edition.name);
                largest = largest.max(page);
            }
        }
        assert!(largest > ROOM_SLACK, "{largest}");
    }

    #[test]
    fn links_to_anchors_elsewhere_point_at_the_consolidated_file() {
        let present: BTreeSet<String> = ["here".to_string()].into();
        let html = r##"<a href="#here">x</a> <a href="#there">y</a>"##;
        let (mut out, mut inserted) = (String::from("left over"), Vec::new());
        inserted.push(0..1);
        let html_marks = link_marks(Format::Html).unwrap();
        relink(
            html,
            &present,
            "../agreement.html",
            html_marks,
            (&mut out, &mut inserted),
        );
        assert_eq!(
            out,
            r##"<a href="#here">x</a> <a href="../agreement.html#there">y</a>"##
        );
        assert_eq!(inserted.len(), 1);
        assert_eq!(
            (inserted[0].start, &out[inserted[0].clone()]),
            (31, "../agreement.html")
        );
        let md = "[x](#here) and [y](#there)";
        let md_marks = link_marks(Format::Markdown).unwrap();
        relink(
            md,
            &present,
            "agreement.md",
            md_marks,
            (&mut out, &mut inserted),
        );
        assert_eq!(out, "[x](#here) and [y](agreement.md#there)");
        assert_eq!(&out[inserted[0].clone()], "agreement.md");
        assert_eq!(inserted.len(), 1);
        // JSON holds its links as data, and its split files are written as rendered.
        assert_eq!(link_marks(Format::Json), None);
    }
}
