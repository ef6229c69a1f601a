//! `entente render [REV] [--edition E] [--format F] [--out DIR]`: the consolidated draft.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::RenderArgs;
use crate::edition;
use crate::output::{Folders, Unchecked};
use crate::publish::Wall;
use crate::render::Renderer;
use crate::{Context, Error};

/// The diff from `old_draft` (at `rev`) to the draft being rendered (`projection`, whose
/// version is `revision`), both seen through the same edition.
fn since(
    (rev, old_draft): (&str, &super::Valid),
    edition: &str,
    projection: &crate::edition::Projection,
    (scheme, revision): (&crate::model::Scheme, &crate::source::Revision),
) -> Result<crate::diff::Report, Error> {
    let agreement = &old_draft.loaded.agreement;
    let old = super::diff::projection(agreement, &old_draft.numbers, rev, Some(edition))?;
    let version = |r: &crate::source::Revision| crate::diff::Version {
        rev: r.rev.clone(),
        commit: r.commit.clone(),
    };
    Ok(crate::diff::compare(
        &old,
        projection,
        &agreement.scheme,
        scheme,
        (version(&old_draft.loaded.revision), version(revision)),
        Some(edition.to_string()),
        false,
    ))
}

/// Renders the chosen editions (all by default) in one format, to files or stdout.
pub(crate) fn run(args: &RenderArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let super::Valid {
        source,
        loaded,
        numbers,
        root,
    } = super::open_valid(ctx, &args.rev)?;
    let editions: Vec<_> = match &args.edition {
        Some(name) => vec![super::edition(&loaded.agreement, name)?.clone()],
        None => loaded.agreement.editions.clone(),
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
    let renderer = Renderer::new(source.as_ref())?;
    drop(source);
    let out = (!to_stdout).then(|| match &args.out {
        Some(dir) => ctx.cwd.join(dir),
        None => root.join("build"),
    });
    if let Some(out) = &out {
        super::refuse_unsafe_out(out, &root)?;
    }
    // What rendering needs of the model once an edition is projected; the model itself is let
    // go before the last edition renders.
    let crate::load::Loaded {
        agreement,
        revision,
        diagnostics,
        files,
        unlisted,
    } = loaded;
    drop((diagnostics, files, unlisted));
    let scheme = agreement.scheme.clone();
    let mut agreement = Some(agreement);
    // Files are written beside their place as they are rendered, read back through the wall,
    // and moved into place once every edition has passed it; stdout gets what passed.
    let mut folders = out.as_deref().map(Folders::make).transpose()?;
    let mut outputs = Vec::new();
    for (k, edition) in editions.iter().enumerate() {
        let Some(model) = agreement.as_ref() else {
            break;
        };
        // The wall first: what building it takes is given back before the projection is made.
        let wall = Wall::new(model, &numbers, edition);
        let projection = edition::project(model, &numbers, edition);
        if k + 1 == editions.len() {
            agreement = None;
        }
        let since = match (&old, edition.annotations) {
            (Some((rev, old)), true) => Some(since(
                (rev, old),
                &edition.name,
                &projection,
                (&scheme, &revision),
            )?),
            _ => None,
        };
        let name = format!("{}.{}", edition.name, format.extension());
        let mut output = match &out {
            Some(dir) => Output::File(Unchecked::create(&dir.join(&name))?),
            None => Output::Printed(Vec::new()),
        };
        let (view, deferred) = crate::render::view::build_deferred(
            &projection,
            &numbers,
            &scheme,
            &revision,
            since.as_ref(),
            format.bodies(),
        );
        let sink: &mut dyn std::io::Write = match &mut output {
            Output::File(file) => file,
            Output::Printed(bytes) => bytes,
        };
        renderer.write(view, Some(&deferred), format, (Path::new(&name), sink))?;
        outputs.push((name, &edition.name, output, wall));
    }
    // The wall reads each output back: what rendering held is let go first.
    drop((numbers, old, renderer));
    for (name, edition, output, wall) in &mut outputs {
        let leaks = match output {
            Output::File(file) => {
                let mut stream = wall.stream(true);
                file.read_back(&mut |text| stream.feed(text))?;
                stream.finish(name, &mut || file.text())?
            }
            Output::Printed(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|e| Error::Template {
                    name: name.clone(),
                    message: e.to_string(),
                })?;
                wall.scan(name, text)
            }
        };
        super::stop_on_leaks(&leaks, edition)?;
    }
    let mut names = Vec::new();
    for (name, _, output, _) in outputs {
        match output {
            Output::File(file) => file.persist()?,
            Output::Printed(bytes) => super::write_out(&String::from_utf8_lossy(&bytes))?,
        }
        names.push(name);
    }
    let (Some(out), Some(folders)) = (out, &mut folders) else {
        return Ok(ExitCode::SUCCESS);
    };
    folders.keep();
    crate::output::mark_output(&out)?;
    if !ctx.quiet {
        let shown: PathBuf = out
            .strip_prefix(&ctx.cwd)
            .map(PathBuf::from)
            .unwrap_or(out.clone());
        sayln!("rendered {} into `{}`", names.join(", "), shown.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Where an edition's rendering goes.
enum Output {
    /// Written beside its file, moved into place once the wall has read it.
    File(Unchecked),
    /// Held to be printed.
    Printed(Vec<u8>),
}
