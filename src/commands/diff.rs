//! `entente diff [OLD [NEW]] [--edition E] [--format F]`: what changed, clause by clause.

use std::process::ExitCode;

use crate::cache::Cache;
use crate::cli::DiffArgs;
use crate::diagnostic::Diagnostic;
use crate::diff::{self, Version, present};
use crate::edition::{self, Projection};
use crate::model::Scheme;
use crate::source::{Source, Spent, WORKTREE};

use super::SourceAt;
use crate::{Context, Error};

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
pub(crate) fn projection(
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
        None => edition::everything(agreement),
    };
    Ok(edition::project(agreement, numbers, &chosen))
}

/// One version as the report needs it.
struct Side {
    projection: Projection,
    scheme: Scheme,
    version: Version,
    /// The tree to keep it in the cache under: a git revision that was not there, whose
    /// draft checked without a single problem.
    keep: Option<String>,
    /// Whether it was loaded whole, its bodies in its files' texts, rather than read from
    /// the cache, which reads each body on its own and none that both versions share.
    loaded: bool,
}

impl Side {
    fn new(projection: Projection, draft: &super::Valid, found: &[Diagnostic]) -> Side {
        Side {
            projection,
            scheme: draft.loaded.agreement.scheme.clone(),
            version: version(draft.source.as_ref()),
            keep: draft.source.tree_id().filter(|_| found.is_empty()),
            loaded: true,
        }
    }
}

fn version(source: &dyn Source) -> Version {
    Version {
        rev: source.revision().rev.clone(),
        commit: source.revision().commit.clone(),
    }
}

/// One version the cache does not hold: loaded, checked and projected.
fn fresh(ctx: &Context, rev: &str, opened: SourceAt, edition: Option<&str>) -> Result<Side, Error> {
    let (loaded, source, root) = super::load_source(opened, &mut Default::default())?;
    let opened = (loaded, Spent::of(source), root);
    let found = crate::check::quick(&opened.0);
    let draft = super::accept(ctx, rev, opened, &found)?;
    let projection = projection(&draft.loaded.agreement, &draft.numbers, rev, edition)?;
    Ok(Side::new(projection, &draft, &found))
}

/// Both versions, valid and projected: from the cache where it has them (git revisions
/// seen before), else loaded, checked and projected. Only the HTML report shows unchanged
/// clauses' text (`texts`): without it, bodies both cached versions share are not read.
fn both(
    ctx: &Context,
    (old_rev, new_rev): (&str, &str),
    edition: Option<&str>,
    cache: Option<&Cache>,
    texts: bool,
) -> Result<[Side; 2], Error> {
    let old = super::open_source(ctx, old_rev)?;
    let new = super::open_source(ctx, new_rev)?;
    let trees = [&old, &new].map(|(source, _)| source.tree_id());
    let find = |tree: &Option<String>| cache?.find(tree.as_deref()?, edition);
    let side = |(scheme, projection), (source, _): &SourceAt| Side {
        projection,
        scheme,
        version: version(source.as_ref()),
        keep: None,
        loaded: false,
    };
    // Two heads to read and decode: one on each core.
    let found = std::thread::scope(|scope| {
        let old = scope.spawn(|| find(&trees[0]));
        let new = find(&trees[1]);
        (old.join().ok().flatten(), new)
    });
    match found {
        (Some(old_found), Some(new_found)) => {
            match crate::cache::for_comparison(old_found, new_found, texts) {
                Some([o, n]) => Ok([side(o, &old), side(n, &new)]),
                None => both_fresh(ctx, [(old_rev, old), (new_rev, new)], edition),
            }
        }
        (Some(found), None) => match found.whole() {
            Some(o) => Ok([side(o, &old), fresh(ctx, new_rev, new, edition)?]),
            None => both_fresh(ctx, [(old_rev, old), (new_rev, new)], edition),
        },
        (None, Some(found)) => match found.whole() {
            Some(n) => Ok([fresh(ctx, old_rev, old, edition)?, side(n, &new)]),
            None => both_fresh(ctx, [(old_rev, old), (new_rev, new)], edition),
        },
        (None, None) => both_fresh(ctx, [(old_rev, old), (new_rev, new)], edition),
    }
}

/// Both versions, neither in the cache. The older one is loaded first and the newer one
/// reuses its files; both are checked together, which reads the files they share once, and
/// projected side by side. Problems are shown for the older version first, as if one came
/// after the other.
fn both_fresh(
    ctx: &Context,
    [(old_rev, old), (new_rev, new)]: [(&str, SourceAt); 2],
    edition: Option<&str>,
) -> Result<[Side; 2], Error> {
    let mut cache = crate::load::Cache::default();
    let spent = |(loaded, source, root): super::Opened| (loaded, Spent::of(source), root);
    let old = spent(super::load_source(old, &mut cache)?);
    let new = match super::load_source(new, &mut cache) {
        Ok(new) => spent(new),
        Err(e) => {
            let found = crate::check::quick(&old.0);
            super::accept(ctx, old_rev, old, &found)?;
            return Err(e);
        }
    };
    // What is freed here before projecting is memory the projections reuse rather than
    // have the kernel clear for them: the cache, and the texts kept to show problems.
    drop(cache);
    let [old_found, new_found] = crate::check::quick_both(&old.0, &new.0);
    let mut old = super::accept(ctx, old_rev, old, &old_found)?;
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
    Ok([
        Side::new(old_projection, &old, &old_found),
        Side::new(new_projection?, &new, &new_found),
    ])
}

/// Compares two versions and prints the report.
pub(crate) fn run(args: &DiffArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let (old_rev, new_rev) = match (&args.old, &args.new) {
        (None, _) => ("HEAD".to_string(), WORKTREE.to_string()),
        (Some(old), None) => (old.clone(), WORKTREE.to_string()),
        (Some(old), Some(new)) => (old.clone(), new.clone()),
    };
    // Only the HTML report shows unchanged clauses' text.
    let texts = matches!(args.format, crate::cli::DiffFormat::Html) && !args.changed_only;
    let cache = ctx.root().ok().and_then(|root| Cache::open(&root));
    let edition = args.edition.as_deref();
    let [mut old, mut new] = both(ctx, (&old_rev, &new_rev), edition, cache.as_ref(), texts)?;
    // A version written to the cache below is written whole.
    let kept = cache.is_some() && (old.keep.is_some() || new.keep.is_some());
    if !texts && !kept && (old.loaded || new.loaded) {
        diff::keep_changed_bodies(&mut old.projection, &mut new.projection);
    }
    let (old_version, new_version) = (old.version.clone(), new.version.clone());
    let report = std::thread::scope(|scope| {
        // New entries are written while the versions are compared.
        for side in [&old, &new] {
            if let (Some(cache), Some(tree)) = (&cache, &side.keep) {
                scope.spawn(|| cache.put(tree, edition, &side.scheme, &side.projection));
            }
        }
        diff::compare(
            &old.projection,
            &new.projection,
            &old.scheme,
            &new.scheme,
            (old_version, new_version),
            args.edition.clone(),
            texts,
        )
    });
    let options = present::Options {
        color: ctx.color_out,
        changed_only: args.changed_only,
    };
    super::stream_out(|out| present::show(&report, args.format.into(), options, out))?;
    // The process ends next and gives all its memory back at once: freeing the two versions
    // and the report piece by piece first took a tenth of a cached comparison.
    std::mem::forget((old, new, report));
    Ok(ExitCode::SUCCESS)
}
