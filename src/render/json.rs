//! The JSON of a view whose clauses were left out of it (see [`super::view::Deferred`]), written
//! as they are made: the bytes `serde_json` writes of the whole view, which is never held. The
//! view's types derive their JSON; what is written here by hand follows them field by field,
//! and a test holds the two to the same bytes for every edition of the sample draft.

use std::cell::RefCell;
use std::io::Write;

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

use super::view::{AnnexView, ClauseView, DocumentView, View};

/// The next of the clauses the view left out, in page order.
type Next<'n> = RefCell<&'n mut dyn FnMut() -> Option<ClauseView>>;

/// Writes `view` as pretty JSON and a newline, its left-out clauses taken from `next`.
pub(super) fn write(
    view: &View,
    next: &mut dyn FnMut() -> Option<ClauseView>,
    sink: &mut dyn Write,
) -> std::io::Result<()> {
    let next = RefCell::new(next);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, sink);
    serde_json::to_writer_pretty(&mut out, &Whole { view, next: &next })?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The view, as `View` derives it.
struct Whole<'a, 'n> {
    view: &'a View,
    next: &'a Next<'n>,
}

impl Serialize for Whole<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (view, next) = (self.view, self.next);
        let mut out = s.serialize_struct("View", 5)?;
        out.serialize_field("agreement", &view.agreement)?;
        out.serialize_field("edition", &view.edition)?;
        out.serialize_field("version", &view.version)?;
        out.serialize_field("documents", &List(&view.documents, next))?;
        out.serialize_field("generator", &view.generator)?;
        out.end()
    }
}

/// A part of the view that holds clauses, written with the left-out ones taken from `next`.
trait Part {
    fn put<S: Serializer>(&self, next: &Next<'_>, s: S) -> Result<S::Ok, S::Error>;
}

/// A part, with where its left-out clauses come from.
struct With<'a, 'n, T>(&'a T, &'a Next<'n>);

impl<T: Part> Serialize for With<'_, '_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.put(self.1, s)
    }
}

/// A list of parts.
struct List<'a, 'n, T>(&'a [T], &'a Next<'n>);

impl<T: Part> Serialize for List<'_, '_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|part| With(part, self.1)))
    }
}

/// As `DocumentView` derives it.
impl Part for DocumentView {
    fn put<S: Serializer>(&self, next: &Next<'_>, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("DocumentView", 6)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("title", &self.title)?;
        out.serialize_field("anchor", &self.anchor)?;
        out.serialize_field("clauses", &Clauses(&self.clauses, self.deferred, next))?;
        out.serialize_field("trailing_headings", &self.trailing_headings)?;
        out.serialize_field("annexes", &List(&self.annexes, next))?;
        out.end()
    }
}

/// As `AnnexView` derives it.
impl Part for AnnexView {
    fn put<S: Serializer>(&self, next: &Next<'_>, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("AnnexView", 8)?;
        out.serialize_field("withheld", &self.withheld)?;
        out.serialize_field("label", &self.label)?;
        out.serialize_field("anchor", &self.anchor)?;
        for (key, value) in [
            ("notice", &self.notice),
            ("id", &self.id),
            ("title", &self.title),
            ("mark", &self.mark),
        ] {
            match value {
                Some(value) => out.serialize_field(key, value)?,
                None => out.skip_field(key)?,
            }
        }
        out.serialize_field("clauses", &Clauses(&self.clauses, self.deferred, next))?;
        out.end()
    }
}

/// The clauses a document or annex holds, then the `.1` more it left out.
struct Clauses<'a, 'n>(&'a [ClauseView], usize, &'a Next<'n>);

impl Serialize for Clauses<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Clauses(listed, deferred, next) = *self;
        let mut out = s.serialize_seq(Some(listed.len() + deferred))?;
        for c in listed {
            out.serialize_element(c)?;
        }
        for _ in 0..deferred {
            let Some(c) = (next.borrow_mut())() else {
                break;
            };
            out.serialize_element(&c)?;
        }
        out.end()
    }
}
