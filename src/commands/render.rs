//! `entente render [REV] [--edition E] [--format F] [--out DIR]`: the consolidated draft.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::RenderArgs;
use crate::edition;
use crate::output::write_atomic;
use crate::publish::Wall;
use crate::render::Renderer;
use crate::{Context, Error};

/// The diff from `old_draft` (at `rev`) to the draft being rendered, both seen through the
/// same edition.
fn since(
    (rev, old_draft): (&str, &super::Valid),
    edition: &str,
    projection: &crate::edition::Projection,
    draft: &super::Valid,
) -> Result<crate::diff::Report, Error> {
    let agreement = &old_draft.loaded.agreement;
    let old = super::diff::projection(agreement, &old_draft.numbers, rev, Some(edition))?;
    let version = |d: &super::Valid| crate::diff::Version {
        rev: d.loaded.revision.rev.clone(),
        commit: d.loaded.revision.commit.clone(),
    };
    Ok(crate::diff::compare(
        &old,
        projection,
        &old_draft.loaded.agreement.scheme,
        &draft.loaded.agreement.scheme,
        (version(old_draft), version(draft)),
        Some(edition.to_string()),
        false,
    ))
}

/// Renders the chosen editions (all by default) in one format, to files or stdout.
pub(crate) fn run(args: &RenderArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let draft = super::open_valid(ctx, &args.rev)?;
    let agreement = &draft.loaded.agreement;
    let editions: Vec<_> = match &args.edition {
        Some(name) => vec![super::edition(agreement, name)?.clone()],
        None => agreement.editions.clone(),
    };
    let to_stdout = args.out.as_deref() == Some(std::path::Path::new("-"));
    if to_stdout && editions.len() > 1 {
        return Err(Error::Usage(
            "`--out -` prints one edition: choose it with `--edition`".into(),
        ));
    }
    let format: crate::render::Format = args.format.into();
    if args.since.is_some() && !editions.iter().any(|e| e.annotations) && !ctx.quiet {
        sayln!(
            "warning: `--since` marks changes only in editions that show annotations; none of these does"
        );
    }
    // The older version is opened and checked once, whatever the number of editions.
    let old = match &args.since {
        Some(rev) if editions.iter().any(|e| e.annotations) => {
            Some((rev.as_str(), super::open_valid(ctx, rev)?))
        }
        _ => None,
    };
    let renderer = Renderer::new(draft.source.as_ref())?;
    let mut outputs = Vec::new();
    for edition in &editions {
        let projection = edition::project(agreement, &draft.numbers, edition);
        let since = match (&old, edition.annotations) {
            (Some((rev, old)), true) => {
                Some(since((rev, old), &edition.name, &projection, &draft)?)
            }
            _ => None,
        };
        // The wall depends on the edition only: it is built on another core while this one
        // renders.
        let (wall, text) = std::thread::scope(|scope| {
            let wall = scope.spawn(|| Wall::new(agreement, &draft.numbers, edition));
            let view = crate::render::view::build_since(
                &projection,
                &draft.numbers,
                &agreement.scheme,
                &draft.loaded.revision,
                since.as_ref(),
                format.bodies(),
                None,
            );
            let text = renderer.render(&view, format);
            (wall.join(), text)
        });
        let wall = wall.unwrap_or_else(|_| Wall::new(agreement, &draft.numbers, edition));
        let text = text?;
        let name = format!("{}.{}", edition.name, format.extension());
        super::stop_on_leaks(&wall.scan(&name, &text), &edition.name)?;
        outputs.push((name, text));
    }
    if to_stdout {
        for (_, text) in &outputs {
            super::write_out(text)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let out = match &args.out {
        Some(dir) => ctx.cwd.join(dir),
        None => draft.root.join("build"),
    };
    super::refuse_unsafe_out(&out, &draft.root)?;
    for (name, text) in &outputs {
        write_atomic(&out.join(name), text.as_bytes())?;
    }
    crate::output::mark_output(&out)?;
    if !ctx.quiet {
        let shown: PathBuf = out
            .strip_prefix(&ctx.cwd)
            .map(PathBuf::from)
            .unwrap_or(out.clone());
        let names: Vec<&str> = outputs.iter().map(|(n, _)| n.as_str()).collect();
        sayln!("rendered {} into `{}`", names.join(", "), shown.display());
    }
    Ok(ExitCode::SUCCESS)
}
