//! `entente init [DIR]`: a new draft repository that passes `check`.

use std::process::ExitCode;

use crate::cli::InitArgs;
use crate::output::{create_new, write_atomic};
use crate::{Context, Error, manifest};

const CLAUSE: &str = "+++
title = \"Purpose\"
status = \"draft\"
tags = [\"general\"]
notes = [\"Replace this text with the first clause of the agreement.\"]
+++

The Parties conclude this Agreement to settle the matters set out in the following clauses.
";

fn manifest_text(title: &str) -> String {
    format!(
        r#"# The manifest of this draft: the agreement, its classification scheme, its editions
# and its documents. See `entente --help`; every clause is a Markdown file whose name
# is its id.

[agreement]
title = "{title}"
parties = ["party-a", "party-b"]

[parties.party-a]
name = "Party A"

[parties.party-b]
name = "Party B"

[classification]          # lowest level first; `marks` are the portion marks
levels = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
marks = ["U", "C", "S", "TS"]
default = "UNCLASSIFIED"

[editions.public]         # what may be released: the clauses at or below `max`
max = "UNCLASSIFIED"

[editions.full]           # everything, with status, positions and notes
max = "TOP SECRET"
annotations = true

[[documents]]
id = "agreement"
title = "Agreement"
numbering = "Article {{n}}"
clauses = ["purpose"]
"#,
        title = title.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// Writes the manifest, a first clause and a `.gitignore`, refusing to overwrite a manifest.
pub(crate) fn run(args: &InitArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let dir = match &args.folder {
        Some(dir) => ctx.cwd.join(dir),
        None => ctx.cwd.clone(),
    };
    let manifest_path = dir.join(manifest::FILE);
    if manifest_path.exists() {
        return Err(Error::Refused(format!(
            "`{}` already exists; `init` will not overwrite a draft (use `entente new` to add clauses)",
            manifest_path.display()
        )));
    }
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| "Untitled Agreement".to_string());
    create_new(&dir.join("agreement").join("purpose.md"), CLAUSE.as_bytes())?;
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        write_atomic(&gitignore, b"# entente's output\n/build/\n")?;
    }
    create_new(&manifest_path, manifest_text(&title).as_bytes())?;
    if !ctx.quiet {
        sayln!(
            "created a draft in `{}`; next: `entente check`, then `entente new ID --document agreement`",
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
