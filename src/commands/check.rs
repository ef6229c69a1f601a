//! `entente check [REV]`: every problem of a draft, at once, located.

use std::process::ExitCode;

use crate::cli::{CheckArgs, CheckFormat};
use crate::diagnostic::{self, Severity};
use crate::{Context, Error, check, load, source};

/// Loads the draft at `args.rev`, runs every rule, prints the problems.
pub(crate) fn run(args: &CheckArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let root = ctx.root();
    let source = source::open(&args.rev, root.as_deref(), &ctx.cwd)?;
    let loaded = load::load(source.as_ref())?;
    let diagnostics = check::run(&loaded);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    match args.format {
        CheckFormat::Json => {
            let json = diagnostic::to_json(&diagnostics, &loaded.files);
            let json = serde_json::to_string_pretty(&json).unwrap_or_default();
            super::write_out(&format!("{json}\n"))?;
        }
        CheckFormat::Text => {
            super::print_diagnostics(ctx, &diagnostics, &loaded.files);
            if !ctx.quiet && diagnostics.is_empty() {
                let clauses = loaded.agreement.clauses().count();
                let documents = loaded.agreement.documents.len();
                sayln!(
                    "{}: {documents} document{}, {clauses} clause{}, no problems",
                    crate::term::escape(&loaded.agreement.title),
                    if documents == 1 { "" } else { "s" },
                    if clauses == 1 { "" } else { "s" },
                );
            }
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
