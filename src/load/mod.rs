//! Source → [`Agreement`] and diagnostics: read the manifest and every clause file,
//! resolve the manifest's entries to files, and apply defaults.
//!
//! Loading never stops at the first problem: it reports what it finds and keeps going,
//! so that `check` can show everything at once. A clause whose metadata cannot be read
//! is kept at the highest level, so that an error can never make text more public.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use crate::clause::{self, FrontMatter};
use crate::diagnostic::{Diagnostic, Files, did_you_mean};
use crate::error::Error;
use crate::manifest::{self, Manifest};
use crate::model::{Agreement, Annex, Clause, Document, Heading, Level, Position, Status};
use crate::source::{ReadError, Revision, Source};
use crate::toml_read::At;

mod placement;

pub use placement::{Listing, clause_in, same_placement};

/// A loaded draft: the agreement, what is wrong with it, and the files' texts.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The agreement, as complete as the problems allow.
    pub agreement: Agreement,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every file read, for diagnostics.
    pub files: Files,
    /// Which version this is.
    pub revision: Revision,
    /// Clause files no document lists, by path (they are not in the agreement).
    pub unlisted: Vec<String>,
}

/// Markdown files that document the repository rather than hold clauses.
const NOT_CLAUSES: [&str; 5] = [
    "readme.md",
    "changelog.md",
    "license.md",
    "contributing.md",
    "notes.md",
];

/// Whether a listed file is a candidate clause file.
fn is_clause_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.ends_with(".md")
        && !path.starts_with("templates/")
        && !path.starts_with("build/")
        && !NOT_CLAUSES.contains(&name.to_ascii_lowercase().as_str())
}

/// Decodes a file as UTF-8, reporting where it is not.
fn decode(bytes: Vec<u8>, path: &str, diagnostics: &mut Vec<Diagnostic>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes().get(at).copied().unwrap_or(0);
            diagnostics.push(
                Diagnostic::error(
                    "not-utf8",
                    path,
                    Some(at..at + 1),
                    format!("the file is not valid UTF-8 (byte 0x{byte:02X})"),
                )
                .with_hint("save the file as UTF-8"),
            );
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }
}

/// One clause file as read, before the manifest places it. Its body is the end of the
/// file's text, kept once in [`Files`].
struct Parsed {
    path: String,
    id: String,
    id_span: Option<std::ops::Range<usize>>,
    /// What of its front matter places, numbers and classifies its clause; `None` if it has
    /// no front matter that could be read, and its clause's metadata is unknown.
    placed: Option<placement::Placed>,
    body_offset: usize,
    memo: Mutex<Memo>,
}

/// What a parsed file keeps for building its clause.
struct Memo {
    /// The front matter, until a clause is built from it: building moves its strings into
    /// the clause rather than copying them, which kept every title, note and position twice
    /// (5 MB at 10,000 clauses). A clause built anew is built from the file read again.
    front: Option<Box<FrontMatter>>,
    /// The clause last built from it: a history's versions share most files, and building
    /// every clause of every version again was much of assembling one.
    built: Option<Built>,
}

/// What building a clause depends on besides its file and its annex: the scheme, and the
/// parties its positions must name. Anything else of the manifest that [`Parsed::build`]
/// comes to read belongs here too, or a clause built under another manifest is kept.
#[derive(PartialEq)]
struct Setting {
    scheme: crate::model::Scheme,
    parties: Vec<String>,
}

impl Setting {
    fn of(manifest: &Manifest) -> Setting {
        Setting {
            scheme: manifest.scheme.clone(),
            parties: manifest.parties.iter().map(|p| p.id.clone()).collect(),
        }
    }
}

/// The place of each clause the manifest lists once, by the id or path it is listed under:
/// the level of its annex, or `None` in a document.
fn placements(manifest: &Manifest) -> BTreeMap<&str, Option<Level>> {
    let (mut placed, mut twice) = (BTreeMap::new(), BTreeSet::new());
    for doc in &manifest.documents {
        let annexed = (doc.annexes.iter())
            .map(|a| (&a.clauses, Some(a.level.unwrap_or(manifest.scheme.default))));
        for (entries, level) in std::iter::once((&doc.clauses, None)).chain(annexed) {
            for entry in entries {
                let key = entry.value.trim_start_matches("./");
                if placed.insert(key, level).is_some() {
                    twice.insert(key);
                }
            }
        }
    }
    placed.retain(|key, _| !twice.contains(key));
    placed
}

/// A clause built from a file, and what building it found, in an annex of `annex_level`
/// (`None`: in a document) under `setting`.
struct Built {
    setting: Arc<Setting>,
    annex_level: Option<Level>,
    clause: Arc<Clause>,
    found: Vec<Diagnostic>,
}

/// A file in the cache: its text, shared with every version that holds it, what parsing it
/// gave, what it was found to have, and the last load that used it (see [`Cache::loads`]).
type Cached = (Arc<String>, Arc<Parsed>, Vec<Diagnostic>, Cell<u32>);

/// A cache key: a file's content id and path. Boxed where every file of a version has a
/// place for one, which a worktree leaves empty.
type Key = Option<Box<(String, String)>>;

/// A file read now rather than found in the cache: its cache key and what decoding it found.
type Fresh = (Key, Vec<Diagnostic>);

/// A file found in the cache: what parsing it gave and what it was found to have.
type Hit = (Arc<Parsed>, Vec<Diagnostic>);

/// Clause files already parsed, by content id and path, for loading many versions of a
/// draft (`log`, `status --history`): between two commits few files change.
#[derive(Default)]
pub struct Cache {
    files: BTreeMap<(String, String), Cached>,
    /// The last manifest [`clause_in`] read, by content id.
    manifest: Option<(String, Arc<Manifest>)>,
    /// How many versions have been loaded through it.
    loads: u32,
}

impl Cache {
    /// Forgets the files that neither of the last two versions loaded held. A history is
    /// read one version after the next, and a file it leaves behind seldom comes back:
    /// kept, every version of every file it met held `log` at ten times the draft's size.
    pub fn keep_recent(&mut self) {
        let since = self.loads.saturating_sub(1);
        self.files.retain(|_, entry| entry.3.get() >= since);
    }

    /// Takes in the files `other`'s last load used, as if this cache's last load had: two
    /// caches that load alternate versions of a history (`log` loads two at once) then
    /// each parse what the other already has once only.
    pub fn absorb(&mut self, other: &Cache) {
        for (key, entry) in &other.files {
            if entry.3.get() == other.loads && !self.files.contains_key(key) {
                let (text, parsed, found, _) = entry;
                let used = Cell::new(self.loads);
                let entry = (Arc::clone(text), Arc::clone(parsed), found.clone(), used);
                self.files.insert(key.clone(), entry);
            }
        }
    }
}

/// Loads a draft from a source.
pub fn load(source: &dyn Source) -> Result<Loaded, Error> {
    load_with(source, &mut Cache::default())
}

/// Loads a draft, reusing and filling `cache`.
pub fn load_with(source: &dyn Source, cache: &mut Cache) -> Result<Loaded, Error> {
    let mut diagnostics = Vec::new();
    let mut files = Files::default();
    let revision = source.revision().clone();
    let bytes = match source.read(manifest::FILE) {
        Ok(bytes) => bytes,
        Err(ReadError::Failed(e)) => return Err(e),
        Err(_) => {
            return Err(Error::Refused(format!(
                "`{}` has no `{}`: it is not a draft repository at that revision",
                revision.rev,
                manifest::FILE
            )));
        }
    };
    let text = decode(bytes, manifest::FILE, &mut diagnostics);
    let manifest = manifest::parse(&text, &mut diagnostics);
    files.insert(manifest::FILE, text);

    // Each listed file is either in the cache or read now; only the latter are parsed.
    cache.loads += 1;
    let this_load = cache.loads;
    let mut texts = Vec::new();
    let mut slots: Vec<Result<Hit, Fresh>> = Vec::new();
    // Each file is looked up once: a history looks up every file of every commit.
    type Listed<'c> = (String, Key, Option<&'c Cached>);
    let listed: Vec<Listed<'_>> = (source.listing()?.into_iter())
        .filter(|(p, _)| is_clause_file(p))
        .map(|(path, id)| {
            // The content id first: it tells keys apart at their first bytes, where paths
            // share long prefixes.
            let key = id.map(|id| Box::new((id, path.clone())));
            let hit = key.as_ref().and_then(|k| cache.files.get(&**k));
            (path, key, hit)
        })
        .collect();
    let unread: Vec<&str> = (listed.iter())
        .filter(|(_, _, hit)| hit.is_none())
        .map(|(path, _, _)| path.as_str())
        .collect();
    let mut read = source.read_all(&unread).into_iter();
    for (path, key, hit) in listed {
        if let Some((text, piece, found, used)) = hit {
            used.set(this_load);
            files.insert(&path, Arc::clone(text));
            // Shared, not copied: a history loads most files once per commit.
            slots.push(Ok((Arc::clone(piece), found.clone())));
            continue;
        }
        let bytes = match read.next().unwrap_or(Err(ReadError::NotFound)) {
            Ok(bytes) => bytes,
            Err(ReadError::OutsideRoot) => {
                diagnostics.push(
                    Diagnostic::error(
                        "outside-root",
                        &path,
                        None,
                        "symbolic link leads out of the draft repository".into(),
                    )
                    .with_hint("replace the link with the file itself"),
                );
                continue;
            }
            Err(ReadError::NotFound) => continue,
            Err(ReadError::Failed(e)) => return Err(e),
        };
        let mut found = Vec::new();
        let text = decode(bytes, &path, &mut found);
        texts.push((path, Arc::new(text)));
        slots.push(Err((key, found)));
    }
    // Each file's clause is built as soon as it is parsed, where the manifest tells its
    // place: the front matter of every file, held until all were parsed, took more memory
    // than their clauses (5 MB at 10,000 clauses), and building them is spread over the
    // cores too. Built elsewhere than the manifest turns out to place it, a clause is built
    // again (see `Parsed::built`).
    let setting = Arc::new(Setting::of(&manifest));
    let placed = placements(&manifest);
    // Parsing front matter is most of loading: spread it over the cores. The results are
    // joined in file order, so nothing depends on the number of threads.
    let results = crate::parallel::map(&texts, |(path, text)| {
        let mut found = Vec::new();
        // Made shared here, not after joining: a vector of whole pieces beside their shared
        // copies held two of each at once, 5 MB at 10,000 clauses.
        let piece = Arc::new(parse_clause(path, text, &mut found));
        let place = placed
            .get(piece.id.as_str())
            .or_else(|| placed.get(path.as_str()));
        if let Some(&annex_level) = place {
            // What building finds is kept with the clause, and reported where it is placed.
            piece.built(
                &setting,
                Some(Arc::clone(text)),
                annex_level,
                &mut Vec::new(),
            );
        }
        (piece, found)
    });
    let mut parsed = Vec::with_capacity(slots.len());
    let mut fresh = results.into_iter().zip(texts);
    for slot in slots {
        let (piece, found) = match slot {
            Ok(hit) => hit,
            Err((key, mut decoding)) => {
                let Some(((piece, found), (path, text))) = fresh.next() else {
                    continue;
                };
                decoding.extend(found);
                if let Some(key) = key {
                    let used = Cell::new(this_load);
                    let entry = (
                        Arc::clone(&text),
                        Arc::clone(&piece),
                        decoding.clone(),
                        used,
                    );
                    cache.files.insert(*key, entry);
                }
                files.insert(&path, text);
                (piece, decoding)
            }
        };
        parsed.push(piece);
        diagnostics.extend(found);
    }

    let (agreement, unlisted) = assemble(manifest, setting, parsed, &files, &mut diagnostics);
    Ok(Loaded {
        agreement,
        diagnostics,
        files,
        revision,
        unlisted,
    })
}

fn parse_clause(path: &str, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Parsed {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".md")
        .to_string();
    let (front, body_offset) = match clause::split(text, path, diagnostics) {
        Some(split) => (
            Some(clause::parse(&split, path, diagnostics)),
            split.body_offset,
        ),
        None => (None, text.len()),
    };
    let (id, id_span) = match front.as_ref().and_then(|f| f.id.clone()) {
        Some(At { value, span }) => {
            if !manifest::valid_id(&value) {
                diagnostics.push(
                    Diagnostic::error(
                        "invalid-id",
                        path,
                        Some(span.clone()),
                        format!("`{value}` is not a valid id"),
                    )
                    .with_hint(manifest::id_hint(&value)),
                );
            }
            (value, Some(span))
        }
        None => {
            if !manifest::valid_id(&stem) {
                diagnostics.push(
                    Diagnostic::error(
                        "invalid-id",
                        path,
                        None,
                        format!("file name `{stem}` is not a valid clause id"),
                    )
                    .with_hint(format!(
                        "{}, by renaming the file or with `id = \"...\"` in its front matter",
                        manifest::id_hint(&stem)
                    )),
                );
            }
            (stem, None)
        }
    };
    Parsed {
        path: path.to_string(),
        id,
        id_span,
        placed: front.as_ref().map(placement::Placed::of),
        body_offset,
        memo: Mutex::new(Memo {
            front: front.map(Box::new),
            built: None,
        }),
    }
}

/// Places parsed clauses where the manifest lists them, reporting what does not fit.
fn assemble(
    manifest: Manifest,
    setting: Arc<Setting>,
    parsed: Vec<Arc<Parsed>>,
    files: &Files,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Agreement, Vec<String>) {
    // Keys borrowed, not copied: a history assembles every one of its versions.
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_path: BTreeMap<&str, usize> = BTreeMap::new();
    // When two files claim one id, the file named after it keeps it and the other, which
    // took the id with an `id` key, is the one reported.
    let mut order: Vec<usize> = (0..parsed.len()).collect();
    let key = |i: usize| (parsed[i].id_span.is_some(), parsed[i].path.as_str());
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    let mut duplicates = BTreeSet::new();
    for i in order {
        let p = &parsed[i];
        by_path.insert(&p.path, i);
        if let Some(&first) = by_id.get(p.id.as_str()) {
            duplicates.insert(i);
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    &p.path,
                    p.id_span.clone(),
                    format!(
                        "clause id `{}` is already the id of `{}`",
                        p.id, parsed[first].path
                    ),
                )
                .with_hint(
                    "ids must be unique in the package: rename one file or give it another `id`",
                ),
            );
        } else {
            by_id.insert(&p.id, i);
        }
    }
    check_container_ids(&manifest, &by_id, diagnostics);

    let ctx = Context {
        manifest: &manifest,
        parsed: &parsed,
        files,
        by_id: &by_id,
        by_path: &by_path,
        setting,
    };
    // The container each parsed file was placed in, by index.
    let mut used: Vec<Option<&str>> = vec![None; parsed.len()];
    let mut documents = Vec::new();
    for doc in &manifest.documents {
        // Resolve entry by entry, so each heading lands before the right resolved clause.
        let mut clauses = Vec::new();
        let mut headings = Vec::new();
        for (k, entry) in doc.clauses.iter().enumerate() {
            for (_, level, text) in doc.headings.iter().filter(|(at, _, _)| *at == k) {
                headings.push(Heading {
                    before: clauses.len(),
                    level: *level,
                    text: text.clone(),
                });
            }
            ctx.resolve(
                std::slice::from_ref(entry),
                (&doc.id.value, None),
                &mut used,
                &mut clauses,
                diagnostics,
            );
        }
        for (_, level, text) in doc
            .headings
            .iter()
            .filter(|(at, _, _)| *at >= doc.clauses.len())
        {
            headings.push(Heading {
                before: clauses.len(),
                level: *level,
                text: text.clone(),
            });
        }
        let mut annexes = Vec::new();
        for annex in &doc.annexes {
            let level = annex.level.unwrap_or(manifest.scheme.default);
            let mut clauses = Vec::with_capacity(annex.clauses.len());
            ctx.resolve(
                &annex.clauses,
                (&annex.id.value, Some(level)),
                &mut used,
                &mut clauses,
                diagnostics,
            );
            annexes.push(Annex {
                id: annex.id.value.clone(),
                title: annex.title.clone(),
                level,
                clauses,
            });
        }
        documents.push(Document {
            id: doc.id.value.clone(),
            title: doc.title.clone(),
            numbering: doc.numbering.clone(),
            clauses,
            headings,
            heading_level: doc.heading_level,
            annexes,
        });
    }
    let unlisted: Vec<String> = parsed
        .iter()
        .enumerate()
        .filter(|(i, _)| used[*i].is_none() && !duplicates.contains(i))
        .map(|(_, p)| p.path.clone())
        .collect();
    for path in &unlisted {
        // A Markdown file with no front matter that no document lists is some other
        // document (an import's source, notes), not a broken clause.
        let plain = diagnostics
            .iter()
            .any(|d| d.file == *path && d.code == "missing-front-matter");
        if plain {
            diagnostics.retain(|d| !(d.file == *path && d.code == "missing-front-matter"));
            diagnostics.push(
                Diagnostic::warning("not-a-clause", path, None, "Markdown file without front matter, listed nowhere: ignored".into())
                    .with_hint("if it is meant to be a clause, give it `+++` front matter and list it in a document"),
            );
            continue;
        }
        diagnostics.push(
            Diagnostic::warning(
                "unlisted-clause",
                path,
                None,
                "clause file is not listed in any document".into(),
            )
            .with_hint("add its id to a document's or annex's `clauses` in entente.toml, or delete the file"),
        );
    }
    let agreement = Agreement {
        title: manifest.title.clone(),
        date: manifest.date.clone(),
        parties: manifest.parties.clone(),
        scheme: manifest.scheme.clone(),
        editions: manifest.editions.clone(),
        documents,
    };
    (agreement, unlisted)
}

/// Documents, annexes and clauses share one namespace, since `#id` may name any of them.
fn check_container_ids(
    manifest: &Manifest,
    clauses: &BTreeMap<&str, usize>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen = BTreeSet::new();
    let ids = manifest
        .documents
        .iter()
        .flat_map(|d| std::iter::once(&d.id).chain(d.annexes.iter().map(|a| &a.id)));
    for id in ids {
        if id.value.is_empty() {
            continue;
        }
        if !seen.insert(id.value.as_str()) || clauses.contains_key(id.value.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    manifest::FILE,
                    Some(id.span.clone()),
                    format!("id `{}` is used twice in the package", id.value),
                )
                .with_hint(
                    "documents, annexes and clauses share one set of ids, since `#id` links may name any of them",
                ),
            );
        }
    }
}

struct Context<'a> {
    manifest: &'a Manifest,
    parsed: &'a [Arc<Parsed>],
    files: &'a Files,
    by_id: &'a BTreeMap<&'a str, usize>,
    by_path: &'a BTreeMap<&'a str, usize>,
    /// What else building a clause depends on, to tell whether one built before still holds.
    setting: Arc<Setting>,
}

impl<'a> Context<'a> {
    fn new(
        manifest: &'a Manifest,
        parsed: &'a [Arc<Parsed>],
        files: &'a Files,
        by_id: &'a BTreeMap<&'a str, usize>,
        by_path: &'a BTreeMap<&'a str, usize>,
    ) -> Context<'a> {
        Context {
            manifest,
            parsed,
            files,
            by_id,
            by_path,
            setting: Arc::new(Setting::of(manifest)),
        }
    }

    /// Builds the clauses `entries` name in `container` (an annex of `annex_level`, or a
    /// document) onto `out`, marking the files in `used`.
    fn resolve(
        &self,
        entries: &[At<String>],
        (container, annex_level): (&'a str, Option<Level>),
        used: &mut [Option<&'a str>],
        out: &mut Vec<Arc<Clause>>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        for entry in entries {
            let Some(index) = self.find(entry, container, diagnostics) else {
                continue;
            };
            if let Some(first) = used.get(index).copied().flatten() {
                diagnostics.push(
                    Diagnostic::error(
                        "listed-twice",
                        manifest::FILE,
                        Some(entry.span.clone()),
                        format!(
                            "clause `{}` is listed twice (first in `{first}`)",
                            self.parsed[index].id
                        ),
                    )
                    .with_hint("a clause belongs to one place: remove one of the entries"),
                );
                continue;
            }
            if let Some(slot) = used.get_mut(index) {
                *slot = Some(container);
            }
            out.push(self.built(&self.parsed[index], annex_level, diagnostics));
        }
    }

    fn find(
        &self,
        entry: &At<String>,
        container: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let name = &entry.value;
        let is_path = name.contains('/') || name.contains('\\') || name.ends_with(".md");
        if is_path {
            if !crate::source::is_contained(name) {
                diagnostics.push(
                    Diagnostic::error("path-escapes", manifest::FILE, Some(entry.span.clone()), format!("`{name}` leads out of the draft repository"))
                        .with_hint("clause files must live inside the folder holding entente.toml; list them by id or by a relative path without `..`"),
                );
                return None;
            }
            let found = self.by_path.get(name.trim_start_matches("./")).copied();
            if found.is_none() {
                diagnostics.push(
                    Diagnostic::error(
                        "missing-clause",
                        manifest::FILE,
                        Some(entry.span.clone()),
                        format!("clause file `{name}` listed in `{container}` does not exist"),
                    )
                    .with_hint_opt(did_you_mean(name, self.by_path.keys().copied())),
                );
            }
            return found;
        }
        let found = self.by_id.get(name.as_str()).copied();
        if found.is_none() {
            let hint = did_you_mean(name, self.by_id.keys().copied()).unwrap_or_else(|| {
                format!(
                    "create it with `entente new {name} --document {}`",
                    self.document_of(container)
                )
            });
            diagnostics.push(
                Diagnostic::error(
                    "missing-clause",
                    manifest::FILE,
                    Some(entry.span.clone()),
                    format!("clause `{name}` listed in `{container}` does not exist"),
                )
                .with_hint(hint),
            );
        }
        found
    }

    fn document_of(&self, container: &str) -> String {
        for doc in &self.manifest.documents {
            if doc.id.value == container {
                return doc.id.value.clone();
            }
            if doc.annexes.iter().any(|a| a.id.value == container) {
                return format!("{} --annex {container}", doc.id.value);
            }
        }
        container.to_string()
    }

    /// [`Context::build`], or the clause built from the same file before where nothing it
    /// depends on changed since.
    fn built(
        &self,
        p: &Parsed,
        annex_level: Option<Level>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Arc<Clause> {
        let text = self.files.shared(&p.path);
        p.built(&self.setting, text, annex_level, diagnostics)
    }
}

impl Parsed {
    /// Its clause in an annex of `annex_level` (`None`: in a document) under `setting`, its
    /// file's text being `text`: the one built before where that still holds, else built now
    /// and kept, with what building it found, which is added to `diagnostics` either way.
    fn built(
        &self,
        setting: &Arc<Setting>,
        text: Option<Arc<String>>,
        annex_level: Option<Level>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Arc<Clause> {
        let mut memo = self
            .memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let holds = |b: &&Built| {
            b.annex_level == annex_level
                && (Arc::ptr_eq(&b.setting, setting) || b.setting == *setting)
        };
        if let Some(built) = memo.built.as_ref().filter(holds) {
            diagnostics.extend(built.found.iter().cloned());
            return Arc::clone(&built.clause);
        }
        let front = match memo.front.take() {
            Some(front) => Some(*front),
            None if self.placed.is_some() => text.as_deref().and_then(|t| self.front_again(t)),
            None => None,
        };
        let mut found = Vec::new();
        let clause = Arc::new(self.build(setting, text, front, annex_level, &mut found));
        diagnostics.extend(found.iter().cloned());
        memo.built = Some(Built {
            setting: Arc::clone(setting),
            annex_level,
            clause: Arc::clone(&clause),
            found,
        });
        clause
    }

    /// Its front matter, read again from its file's `text`: what reading it found was
    /// reported when it was first read, and the text is the same.
    fn front_again(&self, text: &str) -> Option<FrontMatter> {
        let mut ignored = Vec::new();
        let split = clause::split(text, &self.path, &mut ignored)?;
        Some(clause::parse(&split, &self.path, &mut ignored))
    }

    fn build(
        &self,
        setting: &Setting,
        text: Option<Arc<String>>,
        front: Option<FrontMatter>,
        annex_level: Option<Level>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Clause {
        let scheme = &setting.scheme;
        let inherited = annex_level.unwrap_or(scheme.default);
        let mut clause = Clause {
            id: self.id.clone(),
            path: self.path.as_str().into(),
            title: None,
            label: None,
            status: Status::Draft,
            // Unreadable metadata: treat as the most restricted, never as public.
            level: scheme.top(),
            positions: Default::default(),
            notes: crate::model::no_strings(),
            tags: crate::model::no_strings(),
            body: text
                .map(|text| crate::model::Body::within(text, self.body_offset))
                .unwrap_or_default(),
            body_offset: self.body_offset,
            id_span: self.id_span.clone(),
        };
        let Some(front) = front else { return clause };
        let error = |diagnostics: &mut Vec<Diagnostic>,
                     code,
                     span: &std::ops::Range<usize>,
                     message: String,
                     hint: String| {
            diagnostics.push(
                Diagnostic::error(code, &self.path, Some(span.clone()), message).with_hint(hint),
            );
        };
        // A name that is none of `names`: the nearest of them if one is close, else all of them.
        let unknown = |diagnostics: &mut Vec<Diagnostic>,
                       (code, what): (&'static str, &str),
                       name: &crate::toml_read::At<String>,
                       names: &[&str],
                       listed: &str| {
            let hint = did_you_mean(&name.value, names.iter().copied())
                .unwrap_or_else(|| format!("{listed} {}", crate::toml_read::list(names)));
            let message = format!("unknown {what} `{}`", name.value);
            error(diagnostics, code, &name.span, message, hint);
        };
        clause.title = front.title.map(|t| t.value.into());
        clause.label = front.label.map(|l| l.value);
        clause.level = match &front.classification {
            None => inherited,
            Some(c) => match scheme.level(&c.value) {
                Some(level) => level,
                None => {
                    // SPEC §1.2: a misspelt classification is an error, never the lowest level.
                    error(
                        diagnostics,
                        "unknown-level",
                        &c.span,
                        format!("unknown classification level `{}`", c.value),
                        manifest::level_hint(&c.value, scheme),
                    );
                    scheme.top()
                }
            },
        };
        if let Some(s) = &front.status {
            match Status::parse(&s.value) {
                Some(status) => clause.status = status,
                None => {
                    let names = Status::ALL.map(Status::as_str);
                    let what = ("unknown-status", "status");
                    unknown(diagnostics, what, s, &names, "the statuses are");
                }
            }
        }
        for (party, position) in front.positions {
            if !setting.parties.contains(&party.value) {
                let parties: Vec<&str> = setting.parties.iter().map(String::as_str).collect();
                let what = ("unknown-party", "party");
                unknown(diagnostics, what, &party, &parties, "the parties are");
                continue;
            }
            match Position::parse(&position.value) {
                Some(pos) => {
                    Arc::make_mut(&mut clause.positions).insert(party.value, pos);
                }
                None => {
                    let names = Position::ALL.map(Position::as_str);
                    let what = ("unknown-position", "position");
                    unknown(diagnostics, what, &position, &names, "a position is");
                }
            }
        }
        let strings = |list: Vec<crate::toml_read::At<String>>| match list.is_empty() {
            true => crate::model::no_strings(),
            false => list.into_iter().map(|s| s.value).collect(),
        };
        clause.notes = strings(front.notes);
        clause.tags = strings(front.tags);
        clause
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    fn version(a: &str, b: &str) -> MemorySource {
        let manifest = "[agreement]\ntitle = \"T\"\nparties = [\"x\"]\n\n[[documents]]\nid = \"d\"\ntitle = \"D\"\nclauses = [\"a\", \"b\"]\n";
        let clause = |text: &str| format!("+++\ntitle = \"{text}\"\n+++\n\n{text}.\n").into_bytes();
        let files = [
            ("entente.toml".to_string(), manifest.as_bytes().to_vec()),
            ("a.md".to_string(), clause(a)),
            ("b.md".to_string(), clause(b)),
        ];
        MemorySource::new("v", files).named_by_content()
    }

    fn bodies(loaded: &Loaded) -> Vec<String> {
        let clauses = loaded.agreement.clauses();
        clauses.map(|(_, _, c)| c.body.trim().to_string()).collect()
    }

    #[test]
    fn a_history_keeps_the_files_of_its_last_two_versions_and_loads_as_afresh() {
        let mut cache = Cache::default();
        let held = |cache: &Cache| {
            let keys = cache.files.keys();
            keys.map(|(_, path)| path.clone()).collect::<Vec<_>>()
        };
        for (a, b) in [("one", "two"), ("one", "three"), ("four", "three")] {
            let v = version(a, b);
            let loaded = load_with(&v, &mut cache).unwrap();
            cache.keep_recent();
            assert_eq!(bodies(&loaded), bodies(&load(&v).unwrap()));
            assert_eq!(bodies(&loaded), [format!("{a}."), format!("{b}.")]);
        }
        // "two" was last used two versions ago; "one" by the version before this one.
        assert_eq!(cache.files.len(), 3, "{:?}", held(&cache));
        let texts: Vec<&str> = (cache.files.values()).map(|e| e.0.as_str()).collect();
        assert!(!texts.iter().any(|t| t.contains("two")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("one")), "{texts:?}");
    }

    #[test]
    fn a_clause_built_for_one_version_is_built_again_where_its_annex_or_the_scheme_changed() {
        // One clause file, the same in every version; only the manifest changes: the
        // clause goes from a secret annex to the document, then the scheme and the parties
        // change under it.
        let clause = "+++\ntitle = \"A\"\n[positions]\nx = \"agrees\"\n+++\n\nText.\n";
        let head = |parties: &str, levels: &str| {
            format!(
                "[agreement]\ntitle = \"T\"\nparties = [{parties}]\n\n[classification]\nlevels = [{levels}]\nmarks = [\"L\", \"H\"]\ndefault = \"LOW\"\n\n[[documents]]\nid = \"d\"\ntitle = \"D\"\n"
            )
        };
        let in_annex = "clauses = []\n\n[[documents.annexes]]\nid = \"x1\"\ntitle = \"X\"\nclassification = \"HIGH\"\nclauses = [\"a\"]\n";
        let manifests = [
            head("\"x\"", "\"LOW\", \"HIGH\"") + in_annex,
            head("\"x\"", "\"LOW\", \"HIGH\"") + "clauses = [\"a\"]\n",
            head("\"y\"", "\"LOW\", \"HIGH\"") + "clauses = [\"a\"]\n",
            head("\"x\"", "\"HIGH\", \"LOW\"") + in_annex,
        ];
        let mut cache = Cache::default();
        let mut levels = Vec::new();
        for manifest in manifests {
            let files = [
                ("entente.toml".to_string(), manifest.into_bytes()),
                ("a.md".to_string(), clause.as_bytes().to_vec()),
            ];
            let v = MemorySource::new("v", files).named_by_content();
            let (cached, afresh) = (load_with(&v, &mut cache).unwrap(), load(&v).unwrap());
            cache.keep_recent();
            assert_eq!(cached.agreement, afresh.agreement);
            assert_eq!(cached.diagnostics, afresh.diagnostics);
            let clause = cached.agreement.clauses().next().map(|(_, _, c)| c.clone());
            levels.push(clause.map(|c| (c.level, c.positions.len())));
        }
        // Inherited from the annex, then the default; the unknown party's position dropped
        // (and reported); the same annex ranked lowest.
        assert_eq!(
            levels,
            [Some((1, 1)), Some((0, 1)), Some((0, 0)), Some((0, 1))]
        );
    }

    #[test]
    fn a_clause_built_as_it_is_parsed_is_the_clause_built_where_it_is_placed() {
        // `a` is listed by path in the secret annex of one document, then again by id in
        // another, which is refused: built as it is parsed for the place its id names, it
        // must be built again for the annex. Loaded afresh, clauses are built as they are
        // parsed; through a cache that read the files under another manifest, where they
        // are placed.
        let clause =
            "+++\ntitle = \"A\"\n[positions]\nx = \"agrees\"\ny = \"agrees\"\n+++\n\nText.\n";
        let manifest = |clauses: &str| {
            format!(
                "[agreement]\ntitle = \"T\"\nparties = [\"x\"]\n\n[classification]\nlevels = [\"LOW\", \"HIGH\"]\nmarks = [\"L\", \"H\"]\ndefault = \"LOW\"\n\n[[documents]]\nid = \"d\"\ntitle = \"D\"\nclauses = []\n\n[[documents.annexes]]\nid = \"x1\"\ntitle = \"X\"\nclassification = \"HIGH\"\nclauses = [\"a.md\", \"b\"]\n\n[[documents]]\nid = \"e\"\ntitle = \"E\"\nclauses = [{clauses}]\n"
            )
        };
        let version = |clauses: &str| {
            let files = [
                ("entente.toml".to_string(), manifest(clauses).into_bytes()),
                ("a.md".to_string(), clause.as_bytes().to_vec()),
                ("b.md".to_string(), clause.replace('A', "B").into_bytes()),
            ];
            MemorySource::new("v", files).named_by_content()
        };
        let mut cache = Cache::default();
        load_with(&version(""), &mut cache).unwrap();
        let (afresh, cached) = (
            load(&version("\"a\"")).unwrap(),
            load_with(&version("\"a\""), &mut cache).unwrap(),
        );
        assert_eq!(afresh.agreement, cached.agreement);
        assert_eq!(afresh.diagnostics, cached.diagnostics);
        let levels: Vec<(&str, Level)> = (afresh.agreement.clauses())
            .map(|(_, _, c)| (c.id.as_str(), c.level))
            .collect();
        assert_eq!(levels, [("a", 1), ("b", 1)]);
        // The unknown party `y`, reported once for each clause.
        let unknown = |d: &&Diagnostic| d.code == "unknown-party";
        let files: Vec<&str> = afresh
            .diagnostics
            .iter()
            .filter(unknown)
            .map(|d| d.file.as_str())
            .collect();
        assert_eq!(files, ["a.md", "b.md"]);
        assert!(
            afresh.diagnostics.iter().any(|d| d.file == "entente.toml"),
            "`a` listed twice"
        );
    }

    #[test]
    fn a_cache_that_absorbed_another_reads_none_of_the_files_that_one_holds() {
        struct Counted(MemorySource, std::sync::atomic::AtomicUsize);
        impl Source for Counted {
            fn files(&self) -> Result<Vec<String>, Error> {
                self.0.files()
            }
            fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
                if path != manifest::FILE {
                    self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                self.0.read(path)
            }
            fn revision(&self) -> &Revision {
                self.0.revision()
            }
            fn content_id(&self, path: &str) -> Option<String> {
                self.0.content_id(path)
            }
        }
        let reads = |v: &Counted| v.1.load(std::sync::atomic::Ordering::Relaxed);
        let (mut one, mut other) = (Cache::default(), Cache::default());
        let first = Counted(version("one", "two"), Default::default());
        load_with(&first, &mut other).unwrap();
        assert_eq!(reads(&first), 2);
        one.absorb(&other);
        let second = Counted(version("one", "three"), Default::default());
        let loaded = load_with(&second, &mut one).unwrap();
        assert_eq!(
            reads(&second),
            1,
            "only the file the other cache did not hold"
        );
        assert_eq!(bodies(&loaded), bodies(&load(&second).unwrap()));
    }
}
