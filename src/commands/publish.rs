//! `entente publish [REV] [--out DIR]`: every edition, every format, behind the leak wall,
//! written all at once or not at all.

use std::process::ExitCode;

use crate::cli::PublishArgs;
use crate::output::Staged;
use crate::publish::{Output, edition_outputs, wall};
use crate::render::Renderer;
use crate::{Context, Error, edition};

/// An edition's files and the leaks the wall found in them.
type Rendered = (Vec<Output>, Vec<crate::leak::Leak>);

/// Renders and scans every edition in memory, then stages and swaps in their folders.
pub(crate) fn run(args: &PublishArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let draft = super::open_valid(ctx, &args.rev)?;
    let agreement = &draft.loaded.agreement;
    let revision = &draft.loaded.revision;
    if revision.dirty && !ctx.quiet {
        eprintln!(
            "warning: publishing uncommitted changes; each manifest.json records \"dirty\": true"
        );
    }
    let out = match &args.out {
        Some(dir) => ctx.cwd.join(dir),
        None => draft.root.join("build"),
    };
    super::refuse_unsafe_out(&out, &draft.root)?;
    let renderer = Renderer::new(draft.source.as_ref())?;
    let bar = super::progress(ctx, agreement.editions.len(), "publishing");
    // Editions are independent: rendered and scanned in parallel, collected in manifest
    // order, so output and messages do not depend on the number of threads.
    let results: Vec<Result<Rendered, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = agreement
            .editions
            .iter()
            .map(|edition| {
                let (renderer, numbers, bar) = (&renderer, &draft.numbers, &bar);
                scope.spawn(move || {
                    let projection = edition::project(agreement, numbers, edition);
                    let outputs = edition_outputs(
                        &projection,
                        numbers,
                        renderer,
                        &agreement.scheme,
                        revision,
                    )?;
                    let named: Vec<(String, &str)> = outputs
                        .iter()
                        .map(|o| (format!("{}/{}", edition.name, o.path), o.text.as_str()))
                        .collect();
                    let leaks = wall(agreement, numbers, edition, &named);
                    bar.inc(1);
                    Ok((outputs, leaks))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Refused("an edition could not be rendered".into()))
                })
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut editions = Vec::new();
    for (edition, result) in agreement.editions.iter().zip(results) {
        let (outputs, leaks) = result?;
        super::stop_on_leaks(&leaks, &edition.name)?;
        editions.push((edition.name.clone(), outputs));
    }
    let mut staged = Staged::new(&out)?;
    for (name, outputs) in &editions {
        for output in outputs {
            staged.write(name, &output.path, output.text.as_bytes())?;
        }
    }
    staged.commit()?;
    if !ctx.quiet {
        let shown = out.strip_prefix(&ctx.cwd).unwrap_or(&out);
        for (name, outputs) in &editions {
            eprintln!(
                "published `{name}`: {} files in `{}/{name}/`",
                outputs.len(),
                shown.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
