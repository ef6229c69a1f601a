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
    Ok((
        projection(&draft.loaded.agreement, &draft.numbers, rev, edition)?,
        draft,
    ))
}

/// A valid draft projected onto `edition` (or everything).
fn projection(
    agreement: &crate::model::Agreement,
    numbers: &crate::numbering::Numbers,
    rev: &str,
    edition: Option<&str>,
) -> Result<Projection, Error> {
    let chosen = match edition {
        Some(name) => super::edition(agreement, name)
            .map_err(|e| match e {
                Error::Usage(m) => Error::Refused(format!("`{rev}`: {m}")),
                other => other,
            })?
            .clone(),
        None => everything(agreement),
    };
    Ok(edition::project(agreement, numbers, &chosen))
}

/// Both versions, valid and projected. The older one is loaded first and the newer one
/// reuses its files; each is checked and then projected while the other is worked on.
/// Problems are shown for the older version first, as if one came after the other.
fn both(
    ctx: &Context,
    (old_rev, new_rev): (&str, &str),
    edition: Option<&str>,
) -> Result<[(Projection, super::Valid); 2], Error> {
    let mut cache = crate::load::Cache::default();
    let old = super::open_loaded(ctx, old_rev, &mut cache)?;
    let (old_found, new) = std::thread::scope(|scope| {
        let found = scope.spawn(|| crate::check::quick(&old.0));
        let new = super::open_loaded(ctx, new_rev, &mut cache).map(|new| {
            let found = crate::check::quick(&new.0);
            (new, found)
        });
        (found.join(), new)
    });
    // What is freed here before projecting is memory the projections reuse rather than
    // have the kernel clear for them: the cache, and the texts kept to show problems.
    drop(cache);
    let old_found = old_found.unwrap_or_else(|_| crate::check::quick(&old.0));
    let mut old = super::accept(ctx, old_rev, old, &old_found)?;
    let (new, new_found) = new?;
    let mut new = super::accept(ctx, new_rev, new, &new_found)?;
    old.loaded.files = Default::default();
    new.loaded.files = Default::default();
    let project = |draft: &super::Valid, rev: &str| {
        projection(&draft.loaded.agreement, &draft.numbers, rev, edition)
    };
    let (old_projection, new_projection) = std::thread::scope(|scope| {
        let (agreement, numbers) = (&old.loaded.agreement, &old.numbers);
        let old_projection = scope.spawn(|| projection(agreement, numbers, old_rev, edition));
        (old_projection.join(), project(&new, new_rev))
    });
    let old_projection = old_projection.unwrap_or_else(|_| project(&old, old_rev))?;
    Ok([(old_projection, old), (new_projection?, new)])
}

/// Compares two versions and prints the report.
pub(crate) fn run(args: &DiffArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let (old_rev, new_rev) = match (&args.old, &args.new) {
        (None, _) => ("HEAD".to_string(), WORKTREE.to_string()),
        (Some(old), None) => (old.clone(), WORKTREE.to_string()),
        (Some(old), Some(new)) => (old.clone(), new.clone()),
    };
    let [(old, old_draft), (new, new_draft)] =
        both(ctx, (&old_rev, &new_rev), args.edition.as_deref())?;
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
        // Only the HTML report shows unchanged clauses' text.
        matches!(args.format, crate::cli::DiffFormat::Html) && !args.changed_only,
    );
    let options = present::Options {
        color: ctx.color_out,
        changed_only: args.changed_only,
    };
    print!("{}", present::show(&report, args.format.into(), options));
    Ok(ExitCode::SUCCESS)
}
