//! Telling, from the files that changed, that two versions of a draft place, number and
//! classify every clause alike, and building one clause of a version without loading it:
//! what lets `log` walk a long history reading only what each commit changed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Cache, Context, Parsed, decode, is_clause_file, parse_clause};
use crate::clause::FrontMatter;
use crate::diagnostic::Files;
use crate::manifest;
use crate::model::{Clause, Level, Status};
use crate::source::Source;

/// What a version holds, as [`same_placement`] compares versions: the content id of its
/// manifest and of each clause file, by path. Only sources that name contents have one.
pub struct Listing {
    manifest: String,
    files: BTreeMap<String, String>,
}

impl Listing {
    /// The listing of `source`, if it names the contents of its files (a git revision).
    pub fn of(source: &dyn Source) -> Option<Listing> {
        let manifest = source.content_id(manifest::FILE)?;
        let mut files = BTreeMap::new();
        for (path, id) in source.listing().ok()? {
            if is_clause_file(&path) {
                files.insert(path, id?);
            }
        }
        Some(Listing { manifest, files })
    }
}

/// What of a clause file's front matter places, numbers and classifies its clause: its
/// label, its classification as written, and whether it is withdrawn.
#[derive(PartialEq)]
pub(super) struct Placed {
    label: Option<String>,
    classification: Option<String>,
    withdrawn: bool,
}

impl Placed {
    pub(super) fn of(front: &FrontMatter) -> Placed {
        let value = |v: &Option<crate::toml_read::At<String>>| v.as_ref().map(|a| a.value.clone());
        let status = front.status.as_ref().and_then(|s| Status::parse(&s.value));
        Placed {
            label: value(&front.label),
            classification: value(&front.classification),
            withdrawn: status == Some(Status::Withdrawn),
        }
    }
}

/// What of a clause file decides where a clause goes, under which number and at which
/// level, and whether it is there at all: its id and how it was given (which of two files
/// claiming one id keeps it), whether its front matter could be read, and what of it
/// [`Placed`] holds. Everything else a file holds (title, status otherwise, positions,
/// notes, tags, body) is its clause's own.
fn placement(p: &Parsed) -> impl PartialEq + '_ {
    (&p.id, p.id_span.is_some(), &p.placed)
}

/// The clause files whose contents differ between two versions, when nothing else does and
/// no difference places, numbers or classifies a clause otherwise (see [`placement`]): the
/// same manifest and the same clause files. The two versions then hold the same clauses in
/// the same places, under the same numbers and at the same levels, every reference
/// resolves alike, and only the clauses of these files can differ, in what is their own.
/// `None` otherwise, or when a file cannot be read; else those files, and the older
/// version's listing.
pub fn same_placement(
    older: &dyn Source,
    (newer, newer_listing): (&dyn Source, &Listing),
    cache: &mut Cache,
) -> Option<(BTreeSet<String>, Listing)> {
    // A commit that adds, moves or removes a clause changes the manifest: checked first,
    // before every file is listed.
    if older.content_id(manifest::FILE)? != newer_listing.manifest {
        return None;
    }
    let older_listing = Listing::of(older)?;
    let same_files = older_listing.files.len() == newer_listing.files.len()
        && (older_listing.files.keys()).eq(newer_listing.files.keys());
    if !same_files {
        return None;
    }
    let mut changed = BTreeSet::new();
    for ((path, old_id), new_id) in older_listing.files.iter().zip(newer_listing.files.values()) {
        if old_id == new_id {
            continue;
        }
        let old = parsed(older, path, old_id, cache)?;
        let new = parsed(newer, path, new_id, cache)?;
        if placement(&old) != placement(&new) {
            return None;
        }
        changed.insert(path.clone());
    }
    Some((changed, older_listing))
}

/// The clause in file `path` of a version, as loading builds it in a document, or in an
/// annex of level `annex_level`.
pub fn clause_in(
    source: &dyn Source,
    listing: &Listing,
    path: &str,
    annex_level: Option<Level>,
    cache: &mut Cache,
) -> Option<Arc<Clause>> {
    let id = listing.files.get(path)?;
    let parsed = parsed(source, path, id, cache)?;
    let text = Arc::clone(&cache.files.get(&(id.clone(), path.to_string()))?.0);
    let manifest = match &cache.manifest {
        Some((read, manifest)) if *read == listing.manifest => Arc::clone(manifest),
        _ => {
            let bytes = source.read(manifest::FILE).ok()?;
            let text = decode(bytes, manifest::FILE, &mut Vec::new());
            let manifest = Arc::new(manifest::parse(&text, &mut Vec::new()));
            cache.manifest = Some((listing.manifest.clone(), Arc::clone(&manifest)));
            manifest
        }
    };
    let mut files = Files::default();
    files.insert(path, text);
    let (by_id, by_path) = (BTreeMap::new(), BTreeMap::new());
    let context = Context::new(&manifest, &[], &files, &by_id, &by_path);
    Some(context.built(&parsed, annex_level, &mut Vec::new()))
}

/// The file `path` of a version as loading parses it, from the cache or read now (and kept
/// there).
fn parsed(source: &dyn Source, path: &str, id: &str, cache: &mut Cache) -> Option<Arc<Parsed>> {
    let key = (id.to_string(), path.to_string());
    if let Some((_, parsed, _, used)) = cache.files.get(&key) {
        used.set(cache.loads);
        return Some(Arc::clone(parsed));
    }
    let bytes = source.read(path).ok()?;
    let mut found = Vec::new();
    let text = decode(bytes, path, &mut found);
    let parsed = Arc::new(parse_clause(path, &text, &mut found));
    let used = std::cell::Cell::new(cache.loads);
    (cache.files).insert(key, (Arc::new(text), Arc::clone(&parsed), found, used));
    Some(parsed)
}
