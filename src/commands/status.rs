//! `entente status [REV] [--edition E] [--format F]`, and `--history [RANGE]`: where the
//! negotiation stands, and how it moved round by round.

use std::process::ExitCode;

use crate::cli::StatusArgs;
use crate::source::{self, Commit};
use crate::status::{self, present};
use crate::{Context, Error, edition, load, numbering};

/// Prints the report of one version, or the progress over several.
pub(crate) fn run(args: &StatusArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let format = args.format.into();
    if args.history {
        return history(args, ctx, format);
    }
    let rev = args
        .rev
        .clone()
        .unwrap_or_else(|| source::WORKTREE.to_string());
    let (projection, draft) =
        super::diff::projected(ctx, &rev, args.edition.as_deref(), &mut Default::default())?;
    // The report needs only the projection, which shares the clause texts: the model and
    // the numbers go first, and the projection before the report is printed, each the
    // peak of memory for the next step.
    let rev = draft.loaded.revision.rev.clone();
    drop(draft);
    let report = status::report(&projection, &rev, args.edition.clone());
    drop(projection);
    super::write_out(&present::show(&report, format, ctx.color_out))?;
    Ok(ExitCode::SUCCESS)
}

/// The rounds: the tags (or, without tags, every commit touching the draft), or the
/// commits of `A..B`.
fn rounds(ctx: &Context, range: Option<&str>) -> Result<Vec<(String, Commit)>, Error> {
    let root = ctx.root()?;
    if let Some(range) = range {
        let (from, to) = range.split_once("..").unwrap_or(("", range));
        let to = if to.is_empty() { "HEAD" } else { to };
        let before: Vec<String> = if from.is_empty() {
            Vec::new()
        } else {
            source::history(&root, from)?
                .into_iter()
                .map(|c| c.id)
                .collect()
        };
        return Ok(source::history(&root, to)?
            .into_iter()
            .filter(|c| !before.contains(&c.id))
            .map(|c| (c.id.chars().take(12).collect(), c))
            .collect());
    }
    let tags = source::tags(&root)?;
    if !tags.is_empty() {
        return Ok(tags);
    }
    Ok(source::history(&root, "HEAD")?
        .into_iter()
        .map(|c| (c.id.chars().take(12).collect(), c))
        .collect())
}

fn history(args: &StatusArgs, ctx: &Context, format: present::Format) -> Result<ExitCode, Error> {
    let root = ctx.root()?;
    let rounds = rounds(ctx, args.rev.as_deref())?;
    let bar = super::progress(ctx, rounds.len(), "counting rounds");
    // Rounds stand alone: the older half on one core and the newer on the other, each
    // through its rounds in order with a cache of its own, since consecutive rounds share
    // most files.
    let halves: Vec<&[(String, Commit)]> = rounds.chunks(rounds.len().div_ceil(2).max(1)).collect();
    let counted = crate::parallel::map_by(&halves, 1, |half| {
        let mut cache = load::Cache::default();
        let mut out = Vec::new();
        for (name, commit) in *half {
            bar.inc(1);
            out.extend(round(args, ctx, &root, (name, commit), &mut cache)?);
        }
        Ok::<_, Error>(out)
    });
    let mut out = Vec::new();
    for half in counted {
        out.extend(half?);
    }
    bar.finish_and_clear();
    super::write_out(&present::history(&out, format))?;
    Ok(ExitCode::SUCCESS)
}

/// One round of the chart; `None` where its draft cannot be read (a round is left out of
/// the chart for that, not fatal) or has not the edition.
fn round(
    args: &StatusArgs,
    ctx: &Context,
    root: &std::path::Path,
    (name, commit): (&str, &Commit),
    cache: &mut load::Cache,
) -> Result<Option<present::Round>, Error> {
    let source = source::open(&commit.id, Ok(root), &ctx.cwd)?;
    let Ok(loaded) = load::load_with(source.as_ref(), cache) else {
        return Ok(None);
    };
    cache.keep_recent();
    let agreement = &loaded.agreement;
    let chosen = match args.edition.as_deref() {
        Some(name) => match agreement.edition(name) {
            Some(e) => e.clone(),
            None => return Ok(None),
        },
        None => crate::edition::everything(agreement),
    };
    let projection = edition::project(agreement, &numbering::assign(agreement), &chosen);
    let report = status::report(&projection, name, args.edition.clone());
    Ok(Some(present::Round {
        rev: name.to_string(),
        date: commit.date.clone(),
        clauses: report.total.clauses,
        agreed_percent: report.total.agreed_percent,
        settled_percent: report.total.settled_percent,
    }))
}
