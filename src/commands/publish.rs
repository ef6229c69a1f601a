//! `entente publish [REV] [--out DIR]`: every edition, every format, behind the leak wall,
//! written all at once or not at all.

use std::process::ExitCode;

use crate::cli::PublishArgs;
use crate::output::Staged;
use crate::publish::{edition_outputs, wall};
use crate::render::{Renderer, view_of};
use crate::{Context, Error, edition};

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
    let mut editions = Vec::new();
    let bar = super::progress(ctx, agreement.editions.len(), "publishing");
    for edition in &agreement.editions {
        bar.inc(1);
        let projection = edition::project(agreement, &draft.numbers, edition);
        let view = view_of(&projection, &draft.numbers, &agreement.scheme, revision);
        let outputs = edition_outputs(&projection, &view, &renderer, &agreement.scheme, revision)?;
        let named: Vec<(String, &str)> = outputs
            .iter()
            .map(|o| (format!("{}/{}", edition.name, o.path), o.text.as_str()))
            .collect();
        super::stop_on_leaks(
            &wall(agreement, &draft.numbers, edition, &named),
            &edition.name,
        )?;
        editions.push((edition.name.clone(), outputs));
    }
    bar.finish_and_clear();
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
