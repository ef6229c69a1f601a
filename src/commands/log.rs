//! `entente log ID [--edition E]`: one clause's history through the commits, following it
//! across renamed files and changed ids.

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::LogArgs;
use crate::diff::{self, ClauseDiff, Status, Version, present};
use crate::edition::{self, Projection};
use crate::source::{self, Commit};
use crate::{Context, Error, load, numbering};

/// One step of a clause's history.
#[derive(Serialize)]
struct Step {
    commit: Commit,
    change: ClauseDiff,
}

/// A commit's draft projected onto the edition (or everything); `None` if it has no draft.
fn at(
    root: &std::path::Path,
    ctx: &Context,
    commit: &str,
    edition: Option<&str>,
    cache: &mut load::Cache,
) -> Result<Option<(Projection, crate::model::Scheme)>, Error> {
    let source = source::open(commit, Ok(root), &ctx.cwd)?;
    // A commit may predate the draft, or hold a broken one: the history goes around it.
    let Ok(loaded) = load::load_with(source.as_ref(), cache) else {
        return Ok(None);
    };
    let agreement = &loaded.agreement;
    let numbers = numbering::assign(agreement);
    let chosen = match edition {
        Some(name) => match agreement.edition(name) {
            Some(e) => e.clone(),
            None => return Ok(None),
        },
        None => super::diff::everything(agreement),
    };
    Ok(Some((
        edition::project(agreement, &numbers, &chosen),
        agreement.scheme.clone(),
    )))
}

/// Walks the history from the newest commit back, keeping the steps that changed the clause.
pub(crate) fn run(args: &LogArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let root = ctx.root()?;
    let commits = source::history(&root, "HEAD")?;
    let edition = args.edition.as_deref();
    let mut tracked = args.id.clone();
    let mut steps = Vec::new();
    let mut newer = None;
    let mut cache = load::Cache::default();
    let bar = super::progress(ctx, commits.len(), "reading history");
    for (k, commit) in commits.iter().enumerate().rev() {
        bar.inc(1);
        let newer_side = match newer.take() {
            Some(side) => side,
            None => match at(&root, ctx, &commit.id, edition, &mut cache)? {
                Some(side) => side,
                None => continue,
            },
        };
        if k + 1 == commits.len() && !newer_side.0.clauses().any(|(_, _, c)| c.id == tracked) {
            let ids: Vec<String> = newer_side
                .0
                .clauses()
                .map(|(_, _, c)| c.id.clone())
                .collect();
            let hint = crate::diagnostic::did_you_mean(&tracked, ids.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(Error::Refused(format!(
                "no clause `{tracked}` at `HEAD`{}{hint}",
                edition
                    .map(|e| format!(" in edition `{e}`"))
                    .unwrap_or_default()
            )));
        }
        let older_side = match k.checked_sub(1) {
            Some(prev) => at(&root, ctx, &commits[prev].id, edition, &mut cache)?,
            None => None,
        };
        let before_the_first;
        let (old, old_scheme) = match &older_side {
            Some((p, s)) => (p, s),
            None => {
                before_the_first = Projection {
                    documents: Vec::new(),
                    ..newer_side.0.clone()
                };
                (&before_the_first, &newer_side.1)
            }
        };
        let version = |c: &Commit| Version {
            rev: c.id.clone(),
            commit: Some(c.id.clone()),
        };
        let old_version = k.checked_sub(1).map_or(
            Version {
                rev: "(none)".into(),
                commit: None,
            },
            |p| version(&commits[p]),
        );
        let report = diff::compare(
            old,
            &newer_side.0,
            old_scheme,
            &newer_side.1,
            (old_version, version(commit)),
            args.edition.clone(),
            false,
        );
        let Some(change) = report
            .clauses
            .into_iter()
            .find(|c| c.id == tracked && c.status != Status::Removed)
        else {
            break;
        };
        let born = change.status == Status::Added;
        if let Some(old_id) = &change.old_id {
            tracked = old_id.clone();
        }
        if change.status != Status::Unchanged {
            steps.push(Step {
                commit: commit.clone(),
                change,
            });
        }
        if born {
            break;
        }
        newer = older_side;
    }
    bar.finish_and_clear();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&steps).unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let paint = |code: &str, text: &str| crate::term::paint(ctx.color_out, code, text);
    for step in &steps {
        let c = &step.commit;
        println!(
            "{} {}  {}",
            paint("33", &c.id[..c.id.len().min(12)]),
            c.date,
            crate::term::escape(&c.author)
        );
        println!("    {}", crate::term::escape(&c.summary));
        for line in present::term_clause(&step.change, ctx.color_out).lines() {
            println!("  {line}");
        }
        println!();
    }
    if steps.is_empty() && !ctx.quiet {
        eprintln!("no commit changed `{}`", args.id);
    }
    Ok(ExitCode::SUCCESS)
}
