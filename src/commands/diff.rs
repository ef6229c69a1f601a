//! `entente diff [OLD [NEW]] [--edition E] [--format F]`: what changed, clause by clause.

use std::process::ExitCode;

use crate::cli::DiffArgs;
use crate::diff::{self, Version, present};
use crate::edition::{self, Projection};
use crate::model::Edition;
use crate::source::WORKTREE;
use crate::{Context, Error};

/// The edition that shows everything: a diff without `--edition`.
pub(crate) fn everything(agreement: &crate::model::Agreement) -> Edition {
    Edition {
        name: "all".into(),
        max: agreement.scheme.top(),
        annotations: true,
        name_withheld_level: false,
    }
}

/// Opens a REV and projects it onto `edition` (or everything); `cache` shares the files
/// of another version of the draft.
pub(crate) fn projected(
    ctx: &Context,
    rev: &str,
    edition: Option<&str>,
    cache: &mut crate::load::Cache,
) -> Result<(Projection, super::Valid), Error> {
    let draft = super::open_valid_with(ctx, rev, cache)?;
    let agreement = &draft.loaded.agreement;
    let chosen = match edition {
        Some(name) => super::edition(agreement, name)
            .map_err(|e| match e {
                Error::Usage(m) => Error::Refused(format!("`{rev}`: {m}")),
                other => other,
            })?
            .clone(),
        None => everything(agreement),
    };
    Ok((edition::project(agreement, &draft.numbers, &chosen), draft))
}

/// Compares two versions and prints the report.
pub(crate) fn run(args: &DiffArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let (old_rev, new_rev) = match (&args.old, &args.new) {
        (None, _) => ("HEAD".to_string(), WORKTREE.to_string()),
        (Some(old), None) => (old.clone(), WORKTREE.to_string()),
        (Some(old), Some(new)) => (old.clone(), new.clone()),
    };
    let mut cache = crate::load::Cache::default();
    let (old, old_draft) = projected(ctx, &old_rev, args.edition.as_deref(), &mut cache)?;
    let (new, new_draft) = projected(ctx, &new_rev, args.edition.as_deref(), &mut cache)?;
    let version = |d: &super::Valid| Version {
        rev: d.loaded.revision.rev.clone(),
        commit: d.loaded.revision.commit.clone(),
    };
    let report = diff::compare(
        &old,
        &new,
        &old_draft.loaded.agreement.scheme,
        &new_draft.loaded.agreement.scheme,
        (version(&old_draft), version(&new_draft)),
        args.edition.clone(),
    );
    let options = present::Options {
        color: ctx.color_out,
        changed_only: args.changed_only,
    };
    print!("{}", present::show(&report, args.format.into(), options));
    Ok(ExitCode::SUCCESS)
}
