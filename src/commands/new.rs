//! `entente new ID --document DOC [--annex A] [--after ID]`: a clause file, placed in the
//! manifest without disturbing its comments or layout (toml_edit).

use std::path::Path;
use std::process::ExitCode;

use toml_edit::{Array, DocumentMut, Item, Value};

use crate::cli::NewArgs;
use crate::diagnostic::did_you_mean;
use crate::output::{create_new, write_atomic};
use crate::{Context, Error, load, manifest, source};

/// Creates the clause file and inserts its id into the right `clauses` list.
pub(crate) fn run(args: &NewArgs, ctx: &Context) -> Result<ExitCode, Error> {
    if !manifest::valid_id(&args.id) {
        return Err(Error::Usage(format!(
            "`{}` is not a valid id: {}",
            args.id,
            manifest::id_hint(&args.id)
        )));
    }
    let root = ctx.root()?;
    let loaded = load::load(source::open(source::WORKTREE, Ok(&root), &ctx.cwd)?.as_ref())?;
    let taken = loaded.agreement.clauses().any(|(_, _, c)| c.id == args.id)
        || loaded
            .unlisted
            .iter()
            .any(|p| p.rsplit('/').next() == Some(&format!("{}.md", args.id)))
        || loaded
            .agreement
            .documents
            .iter()
            .any(|d| d.id == args.id || d.annexes.iter().any(|a| a.id == args.id));
    if taken {
        return Err(Error::Refused(format!(
            "id `{}` is already used in this draft",
            args.id
        )));
    }

    let manifest_path = root.join(manifest::FILE);
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| Error::io("read", &manifest_path, e))?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Error::Refused(format!(
            "`entente.toml` is not valid TOML ({}); run `entente check`",
            e.message()
        ))
    })?;
    let list = clause_list(&mut doc, args)?;
    let position = match &args.after {
        Some(after) => {
            let found = list.iter().position(|v| v.as_str() == Some(after.as_str()));
            let names: Vec<String> = list
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            match found {
                Some(i) => i + 1,
                None => {
                    let hint = did_you_mean(after, names.iter().map(String::as_str))
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    return Err(Error::Refused(format!(
                        "`--after {after}`: no such clause in that list{hint}"
                    )));
                }
            }
        }
        None => list.len(),
    };
    let siblings: Vec<String> = list
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    insert_like_neighbours(list, position, &args.id);

    let folder = folder_for(&loaded, &siblings, args);
    let path = root.join(&folder).join(format!("{}.md", args.id));
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| title_from_id(&args.id));
    let body = format!(
        "+++\ntitle = {}\nstatus = \"draft\"\n+++\n\nThe text of the clause.\n",
        Value::from(title.as_str()).to_string().trim()
    );
    create_new(&path, body.as_bytes())?;
    write_atomic(&manifest_path, doc.to_string().as_bytes())?;
    if !ctx.quiet {
        let shown = path.strip_prefix(&ctx.cwd).unwrap_or(&path);
        sayln!(
            "created `{}` and listed it in `{}`",
            shown.display(),
            args.annex.as_deref().unwrap_or(&args.document)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The `clauses` array of the document or annex the arguments name.
fn clause_list<'d>(doc: &'d mut DocumentMut, args: &NewArgs) -> Result<&'d mut Array, Error> {
    let documents = doc
        .get_mut("documents")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| Error::Refused("the manifest has no `[[documents]]`".into()))?;
    let ids: Vec<String> = documents
        .iter()
        .filter_map(|t| t.get("id").and_then(Item::as_str).map(String::from))
        .collect();
    let table = documents
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(args.document.as_str()))
        .ok_or_else(|| {
            let hint = did_you_mean(&args.document, ids.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            Error::Refused(format!(
                "no document `{}` in the manifest{hint}",
                args.document
            ))
        })?;
    let table = match &args.annex {
        None => table,
        Some(annex) => {
            let annexes = table
                .get_mut("annexes")
                .and_then(Item::as_array_of_tables_mut)
                .ok_or_else(|| {
                    Error::Refused(format!("document `{}` has no annexes", args.document))
                })?;
            let ids: Vec<String> = annexes
                .iter()
                .filter_map(|t| t.get("id").and_then(Item::as_str).map(String::from))
                .collect();
            annexes
                .iter_mut()
                .find(|t| t.get("id").and_then(Item::as_str) == Some(annex.as_str()))
                .ok_or_else(|| {
                    let hint = did_you_mean(annex, ids.iter().map(String::as_str))
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    Error::Refused(format!(
                        "document `{}` has no annex `{annex}`{hint}",
                        args.document
                    ))
                })?
        }
    };
    table
        .entry("clauses")
        .or_insert_with(|| Item::Value(Value::Array(Array::new())))
        .as_array_mut()
        .ok_or_else(|| Error::Refused("`clauses` in the manifest is not an array".into()))
}

/// Inserts `id` at `position` so that a one-per-line list stays one per line and each
/// comment stays beside the entry it follows (toml_edit keeps such a comment in the
/// prefix of the next entry, so that prefix moves to the new entry).
fn insert_like_neighbours(list: &mut Array, position: usize, id: &str) {
    let prefix_of = |list: &Array, i: usize| {
        list.get(i)
            .and_then(|v| v.decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string()
    };
    // Only the line break and indentation of a prefix, without any comment.
    let indentation = |prefix: &str| match prefix.rfind('\n') {
        Some(i) => format!("\n{}", &prefix[i + 1..]),
        None => " ".to_string(),
    };
    let trailing_comma = list.trailing_comma();
    let (new_prefix, displaced) = if position < list.len() {
        let old = prefix_of(list, position);
        let displaced = indentation(&old);
        (old, Some(displaced))
    } else if list.is_empty() {
        (String::new(), None)
    } else {
        (indentation(&prefix_of(list, list.len() - 1)), None)
    };
    list.insert(position, id);
    if let Some(value) = list.get_mut(position) {
        value.decor_mut().set_prefix(new_prefix);
        value.decor_mut().set_suffix("");
    }
    if let (Some(displaced), Some(value)) = (displaced, list.get_mut(position + 1)) {
        value.decor_mut().set_prefix(displaced);
    }
    list.set_trailing_comma(trailing_comma);
}

/// Where the new file goes: beside its future neighbours, else `<document>/[<annex>/]`.
fn folder_for(loaded: &load::Loaded, siblings: &[String], args: &NewArgs) -> String {
    let sibling_path = loaded
        .agreement
        .clauses()
        .find(|(_, _, c)| siblings.contains(&c.id))
        .map(|(_, _, c)| c.path.to_string());
    match sibling_path {
        Some(path) => Path::new(&path)
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default(),
        None => match &args.annex {
            Some(annex) => format!("{}/{annex}", args.document),
            None => args.document.clone(),
        },
    }
}

/// `force-size` → `Force size`.
fn title_from_id(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
