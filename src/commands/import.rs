//! `entente import FILE.md [--level N|auto] [--document DOC] [--into DIR]`: an existing
//! document split into clause files, placed in a manifest; again over an earlier import,
//! keeping the ids (and status, positions, notes) of provisions that are still there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use crate::cli::ImportArgs;
use crate::import::{self, Piece, Unit};
use crate::output::write_atomic;
use crate::{Context, Error, load, manifest, source};

/// An existing clause of the document being imported again.
struct Existing {
    id: String,
    path: String,
    title: Option<String>,
    label: Option<String>,
    body: String,
}

/// Imports a file, as a new document or over its earlier import.
pub(crate) fn run(args: &ImportArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let file = ctx.cwd.join(&args.file);
    let bytes = std::fs::read(&file).map_err(|e| Error::io("read", &file, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::Refused(format!(
            "`{}` is not UTF-8 (at byte {}); save it as UTF-8 and import again",
            args.file.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let level = match args.level.as_str() {
        "auto" => import::Level::Auto,
        n => match n.parse::<u8>() {
            Ok(n) if (1..=6).contains(&n) => import::Level::Fixed(n),
            _ => {
                return Err(Error::Usage(format!(
                    "`--level {n}`: give a heading level from 1 to 6, or `auto`"
                )));
            }
        },
    };
    let root = match &args.into {
        Some(dir) => ctx.cwd.join(dir),
        None => ctx.root().unwrap_or_else(|_| ctx.cwd.clone()),
    };
    let manifest_path = root.join(manifest::FILE);
    let exists = manifest_path.is_file();
    let stem = args
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("document");

    // What the draft holds already: ids in use, and the earlier import of this document.
    let (mut taken, existing, doc_id) = if exists {
        let loaded = load::load(source::open(source::WORKTREE, Ok(&root), &ctx.cwd)?.as_ref())?;
        let doc_id = args
            .document
            .clone()
            .unwrap_or_else(|| manifest::slug(stem));
        let mut taken = BTreeSet::new();
        let mut existing = Vec::new();
        for doc in &loaded.agreement.documents {
            taken.insert(doc.id.clone());
            taken.extend(doc.annexes.iter().map(|a| a.id.clone()));
        }
        for (doc, _, c) in loaded.agreement.clauses() {
            if doc.id == doc_id {
                existing.push(Existing {
                    id: c.id.clone(),
                    path: c.path.to_string(),
                    title: c.title.as_deref().map(str::to_string),
                    label: c.label.clone(),
                    body: c.body.to_string(),
                });
            } else {
                taken.insert(c.id.clone());
            }
        }
        taken.remove(&doc_id);
        (taken, existing, doc_id)
    } else {
        (
            BTreeSet::new(),
            Vec::new(),
            args.document
                .clone()
                .unwrap_or_else(|| manifest::slug(stem)),
        )
    };
    if !manifest::valid_id(&doc_id) {
        return Err(Error::Usage(format!(
            "`{doc_id}` is not a valid document id: {}; choose one with `--document`",
            manifest::id_hint(&doc_id)
        )));
    }
    taken.insert(doc_id.clone());
    let mut imported = import::split(&text, level, &doc_id, &taken);
    let renames = keep_ids(&mut imported, &existing, &taken);

    // Write clause files: over the earlier ones where a provision was recognised.
    let folder = existing
        .first()
        .and_then(|e| Path::new(&e.path).parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from(&doc_id));
    let mut kept = BTreeSet::new();
    for piece in imported.pieces() {
        match existing.iter().find(|e| e.id == piece.id) {
            Some(old) => {
                kept.insert(old.id.clone());
                let path = root.join(&old.path);
                let current =
                    std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
                write_atomic(&path, rewrite(&current, piece).as_bytes())?;
            }
            None => write_atomic(
                &root.join(&folder).join(format!("{}.md", piece.id)),
                fresh(piece).as_bytes(),
            )?,
        }
    }
    let removed: Vec<&Existing> = existing.iter().filter(|e| !kept.contains(&e.id)).collect();
    for gone in &removed {
        let path = root.join(&gone.path);
        std::fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
    }

    let title = imported
        .title
        .clone()
        .unwrap_or_else(|| stem.replace(['-', '_'], " "));
    let mut doc: DocumentMut = if exists {
        let current = std::fs::read_to_string(&manifest_path)
            .map_err(|e| Error::io("read", &manifest_path, e))?;
        current.parse().map_err(|e: toml_edit::TomlError| {
            Error::Refused(format!(
                "`entente.toml` is not valid TOML ({}); run `entente check`",
                e.message()
            ))
        })?
    } else {
        new_manifest(&title)
    };
    place_document(&mut doc, &doc_id, &title, &imported)?;
    write_atomic(&manifest_path, doc.to_string().as_bytes())?;
    if !exists && !root.join(".gitignore").exists() {
        write_atomic(&root.join(".gitignore"), b"# entente's output\n/build/\n")?;
    }

    if !ctx.quiet {
        let shown = args.file.display();
        for (line, warning) in &imported.warnings {
            let at = if *line > 0 {
                format!(":{line}")
            } else {
                String::new()
            };
            sayln!("{shown}{at}: warning: {}", crate::term::escape(warning));
        }
        let inside = file
            .canonicalize()
            .ok()
            .zip(root.canonicalize().ok())
            .is_some_and(|(f, r)| f.starts_with(r));
        if inside {
            sayln!(
                "{shown}: warning: the source lies inside the draft, where `check` will read it as a clause file; move it out"
            );
        }
        if !imported.dropped.is_empty() {
            sayln!(
                "{shown}: warning: front-matter keys dropped: {}",
                imported.dropped.join(", ")
            );
        }
        let clauses = imported.pieces().count();
        let headings = imported.units.len() - clauses;
        let how = match level {
            import::Level::Auto => format!(
                "level {} (chosen: {} numbered headings there)",
                imported.level, imported.numbered
            ),
            import::Level::Fixed(l) => format!("level {l}"),
        };
        sayln!(
            "imported {clauses} clauses from `{shown}`, split at heading {how}, {headings} headings kept as structure, into document `{doc_id}` of `{}`",
            root.display()
        );
        if !existing.is_empty() {
            sayln!(
                "  {} provisions recognised ({} under another designation), {} new, {} removed",
                kept.len(),
                renames,
                clauses - kept.len(),
                removed.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Gives recognised provisions their earlier ids: same title and designation, then same
/// title, then similar text. Returns how many changed designation. Links between pieces
/// follow the renaming.
fn keep_ids(
    imported: &mut import::Imported,
    existing: &[Existing],
    taken: &BTreeSet<String>,
) -> usize {
    if existing.is_empty() {
        return 0;
    }
    let pieces: Vec<&Piece> = imported.pieces().collect();
    let mut to_old: BTreeMap<usize, usize> = BTreeMap::new();
    let mut used = BTreeSet::new();
    let mut take = |j: usize, i: usize, to_old: &mut BTreeMap<usize, usize>| {
        if !to_old.contains_key(&j) && used.insert(i) {
            to_old.insert(j, i);
        }
    };
    for (j, p) in pieces.iter().enumerate() {
        if let Some(i) = existing
            .iter()
            .position(|e| e.title == p.title && e.label == p.label && p.title.is_some())
        {
            take(j, i, &mut to_old);
        }
    }
    for (j, p) in pieces.iter().enumerate() {
        let same: Vec<usize> = existing
            .iter()
            .enumerate()
            .filter(|(_, e)| e.title == p.title && p.title.is_some())
            .map(|(i, _)| i)
            .collect();
        if let [i] = same.as_slice() {
            take(j, *i, &mut to_old);
        }
    }
    let free_new: Vec<usize> = (0..pieces.len())
        .filter(|j| !to_old.contains_key(j))
        .collect();
    let free_old: Vec<usize> = (0..existing.len())
        .filter(|i| !to_old.values().any(|v| v == i))
        .collect();
    let new_texts: Vec<&str> = free_new.iter().map(|&j| pieces[j].body.as_str()).collect();
    let old_texts: Vec<&str> = free_old
        .iter()
        .map(|&i| existing[i].body.as_str())
        .collect();
    for (a, b) in crate::diff::pair_by_text(&old_texts, &new_texts) {
        take(free_new[b], free_old[a], &mut to_old);
    }
    // A designation alone proves nothing: `1.` under a new section `J.` is not the old
    // J.1. So a new provision never takes an earlier id, not even a removed one's, which
    // `diff` would pair with it.
    let earlier: BTreeSet<&str> = existing.iter().map(|e| e.id.as_str()).collect();
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let mut all: BTreeSet<String> = taken
        .iter()
        .cloned()
        .chain(earlier.iter().map(|s| s.to_string()))
        .collect();
    for (j, p) in pieces.iter().enumerate() {
        let id = match to_old.get(&j) {
            Some(&i) => existing[i].id.clone(),
            None if earlier.contains(p.id.as_str()) => {
                let mut n = 2;
                while all.contains(&format!("{}-{n}", p.id)) {
                    n += 1;
                }
                format!("{}-{n}", p.id)
            }
            None => p.id.clone(),
        };
        all.insert(id.clone());
        if id != p.id {
            renames.insert(p.id.clone(), id);
        }
    }
    let changed_designation = to_old
        .iter()
        .filter(|(j, i)| pieces[**j].label != existing[**i].label)
        .count();
    for unit in &mut imported.units {
        if let Unit::Clause(piece) = unit {
            if let Some(id) = renames.get(&piece.id) {
                piece.id = id.clone();
            }
            for (from, to) in &renames {
                piece.body = piece
                    .body
                    .replace(&format!("](#{from})"), &format!("](#{to})"));
            }
        }
    }
    changed_designation
}

fn front(piece: &Piece) -> String {
    let mut out = String::new();
    if let Some(title) = &piece.title {
        out.push_str(&format!(
            "title = {}\n",
            Value::from(title.as_str()).to_string().trim()
        ));
    }
    if let Some(label) = &piece.label {
        out.push_str(&format!(
            "label = {}\n",
            Value::from(label.as_str()).to_string().trim()
        ));
    }
    out
}

/// A new clause file.
fn fresh(piece: &Piece) -> String {
    format!("+++\n{}+++\n\n{}\n", front(piece), piece.body)
}

/// An earlier clause file with the new title, label and text, and its other keys kept.
fn rewrite(current: &str, piece: &Piece) -> String {
    let mut ignored = Vec::new();
    let Some(split) = crate::clause::split(current, "", &mut ignored) else {
        return fresh(piece);
    };
    let Ok(mut table) = split.front.parse::<DocumentMut>() else {
        return fresh(piece);
    };
    for (key, value) in [("title", &piece.title), ("label", &piece.label)] {
        match value {
            Some(v) => {
                table[key] = toml_edit::value(v.as_str());
            }
            None => {
                table.remove(key);
            }
        }
    }
    format!("+++\n{}+++\n\n{}\n", table, piece.body)
}

fn new_manifest(title: &str) -> DocumentMut {
    let mut doc = DocumentMut::new();
    let mut agreement = Table::new();
    agreement["title"] = toml_edit::value(title);
    agreement["parties"] = toml_edit::value(Array::new());
    doc["agreement"] = Item::Table(agreement);
    doc
}

/// Puts the document in the manifest: its clause list replaced if it is there, a new
/// `[[documents]]` table otherwise.
fn place_document(
    doc: &mut DocumentMut,
    id: &str,
    title: &str,
    imported: &import::Imported,
) -> Result<(), Error> {
    let mut clauses = Array::new();
    for unit in &imported.units {
        let mut value = match unit {
            Unit::Clause(piece) => Value::from(piece.id.as_str()),
            Unit::Heading { level, text } => {
                let mut heading = InlineTable::new();
                heading.insert("heading", Value::from(text.as_str()));
                heading.insert("level", Value::from(i64::from(*level)));
                Value::InlineTable(heading)
            }
        };
        value.decor_mut().set_prefix("\n  ");
        clauses.push_formatted(value);
    }
    clauses.set_trailing("\n");
    clauses.set_trailing_comma(true);
    let documents = doc
        .entry("documents")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| {
            Error::Refused("`documents` in the manifest is not an array of tables".into())
        })?;
    let found = documents
        .iter()
        .position(|t| t.get("id").and_then(Item::as_str) == Some(id));
    let table = match found {
        Some(k) => documents
            .get_mut(k)
            .ok_or_else(|| Error::Refused("manifest changed while reading".into()))?,
        None => {
            let mut table = Table::new();
            table["id"] = toml_edit::value(id);
            table["title"] = toml_edit::value(title);
            documents.push(table);
            let last = documents.len() - 1;
            documents
                .get_mut(last)
                .ok_or_else(|| Error::Refused("manifest changed while reading".into()))?
        }
    };
    table["heading-level"] = toml_edit::value(i64::from(imported.level));
    table["clauses"] = toml_edit::value(clauses);
    Ok(())
}
