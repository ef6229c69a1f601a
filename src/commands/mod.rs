//! One module per subcommand: glue between the command line and the library, and the
//! only place that prints.

/// `eprintln!`, except that a stderr no one reads any more (`entente check 2>&1 | head`) is
/// not a panic: there is nowhere left to say anything, and the command ends with the exit
/// status it would have had.
macro_rules! sayln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// [`sayln!`] without the newline.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod check;
mod diff;
mod import;
mod init;
mod log;
mod new;
mod publish;
mod render;
mod status;

use std::process::ExitCode;

use std::path::{Path, PathBuf};

use crate::cli::Command;
use crate::diagnostic::{self, Severity, Style};
use crate::load::{self, Loaded};
use crate::model::{Agreement, Edition};
use crate::numbering::{self, Numbers};
use crate::source::{self, Source};
use crate::{Context, Error};

/// Dispatches a subcommand.
pub(crate) fn run(command: &Command, ctx: &Context) -> Result<ExitCode, Error> {
    match command {
        Command::Init(args) => init::run(args, ctx),
        Command::New(args) => new::run(args, ctx),
        Command::Check(args) => check::run(args, ctx),
        Command::Render(args) => render::run(args, ctx),
        Command::Publish(args) => publish::run(args, ctx),
        Command::Diff(args) => diff::run(args, ctx),
        Command::Log(args) => log::run(args, ctx),
        Command::Import(args) => import::run(args, ctx),
        Command::Status(args) => status::run(args, ctx),
    }
}

/// A draft that passed `check`, ready for the later stages.
pub(crate) struct Valid {
    /// Where the draft's source is.
    pub(crate) source: Box<dyn Source>,
    /// The loaded draft.
    pub(crate) loaded: Loaded,
    /// Its numbers.
    pub(crate) numbers: Numbers,
    /// The worktree's draft root (for default output folders).
    pub(crate) root: PathBuf,
}

/// Opens and checks the draft at `rev` to render it; prints its problems, and stops on any
/// error: nothing is rendered or published from a draft `check` rejects. Whether the
/// worktree has uncommitted changes, which the outputs' version stamps say, is worked out
/// alongside the loading.
pub(crate) fn open_valid(ctx: &Context, rev: &str) -> Result<Valid, Error> {
    let opened = open_source(ctx, rev)?;
    opened.0.revision().dirty.start();
    let opened = load_source(opened, &mut load::Cache::default())?;
    let diagnostics = crate::check::quick(&opened.0);
    accept(ctx, rev, opened, &diagnostics)
}

/// [`open_valid`] for a comparison, which stamps no version: reuses the clause files `cache`
/// holds from another version and adds this one's, since two versions share most files.
pub(crate) fn open_valid_with(
    ctx: &Context,
    rev: &str,
    cache: &mut load::Cache,
) -> Result<Valid, Error> {
    let opened = open_loaded(ctx, rev, cache)?;
    let diagnostics = crate::check::quick(&opened.0);
    accept(ctx, rev, opened, &diagnostics)
}

/// A draft as loaded, before it is checked: the draft, its source, and its root.
pub(crate) type Opened = (Loaded, Box<dyn Source>, PathBuf);

/// A draft's source, opened but not read, and the draft's root.
pub(crate) type SourceAt = (Box<dyn Source>, PathBuf);

/// Loads the draft at `rev`, reusing and filling `cache`.
pub(crate) fn open_loaded(
    ctx: &Context,
    rev: &str,
    cache: &mut load::Cache,
) -> Result<Opened, Error> {
    load_source(open_source(ctx, rev)?, cache)
}

/// The source of the draft at `rev`, and the draft's root on disk.
pub(crate) fn open_source(ctx: &Context, rev: &str) -> Result<SourceAt, Error> {
    let root = ctx.root();
    let source = source::open(rev, root.as_deref(), &ctx.cwd)?;
    // A folder REV stands for itself; otherwise the draft is the one around `cwd`.
    let root = match root {
        Ok(root) => root,
        Err(_) => ctx.cwd.join(rev),
    };
    Ok((source, root))
}

/// Loads the draft from an opened source, reusing and filling `cache`.
pub(crate) fn load_source(
    (source, root): SourceAt,
    cache: &mut load::Cache,
) -> Result<Opened, Error> {
    let loaded = load::load_with(source.as_ref(), cache)?;
    Ok((loaded, source, root))
}

/// Prints a loaded draft's `diagnostics` and accepts it if none is an error.
pub(crate) fn accept(
    ctx: &Context,
    rev: &str,
    (loaded, source, root): Opened,
    diagnostics: &[crate::diagnostic::Diagnostic],
) -> Result<Valid, Error> {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    print_diagnostics(ctx, diagnostics, &loaded.files);
    if errors > 0 {
        sayln!(
            "error: `{}` has errors; fix them first (`entente check` lists them)",
            crate::term::escape(rev)
        );
        return Err(Error::InvalidDraft(errors));
    }
    let numbers = numbering::assign(&loaded.agreement);
    Ok(Valid {
        source,
        loaded,
        numbers,
        root,
    })
}

/// Writes `text` to stdout (see [`stream_out`]).
pub(crate) fn write_out(text: &str) -> Result<(), Error> {
    stream_out(|out| out.write_all(text.as_bytes()))
}

/// Writes to stdout, through a buffer, what `write` makes. A reader that stops early
/// (`entente diff | head`) wants no more: that is not an error, and the command ends as if
/// all of it had been read.
pub(crate) fn stream_out(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written.map_err(|e| Error::io("write", "standard output", e)),
    }
}

/// A progress bar for long work (a history of many commits, a large publication), shown
/// only on a terminal and never with `--quiet`; a hidden one otherwise.
pub(crate) fn progress(ctx: &Context, len: usize, what: &str) -> indicatif::ProgressBar {
    if !ctx.progress || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

/// Prints diagnostics to stderr (only errors with `--quiet`).
pub(crate) fn print_diagnostics(
    ctx: &Context,
    diagnostics: &[diagnostic::Diagnostic],
    files: &diagnostic::Files,
) {
    let shown: Vec<_> = diagnostics
        .iter()
        .filter(|d| !ctx.quiet || d.severity == Severity::Error)
        .cloned()
        .collect();
    if !shown.is_empty() {
        say!(
            "{}",
            diagnostic::render(
                &shown,
                files,
                Style {
                    color: ctx.color_err
                }
            )
        );
    }
}

/// The edition named `name`, or an error listing the editions there are.
pub(crate) fn edition<'a>(agreement: &'a Agreement, name: &str) -> Result<&'a Edition, Error> {
    agreement.edition(name).ok_or_else(|| {
        let names: Vec<&str> = agreement.editions.iter().map(|e| e.name.as_str()).collect();
        let hint = diagnostic::did_you_mean(name, names.iter().copied())
            .unwrap_or_else(|| format!("the editions are {}", crate::toml_read::list(&names)));
        Error::Usage(format!("no edition `{name}` in this draft; {hint}"))
    })
}

/// Refuses output folders that would write into `.git` or over the draft's own sources.
pub(crate) fn refuse_unsafe_out(out: &Path, root: &Path) -> Result<(), Error> {
    // SPEC §5: symbolic links are not followed out of `--out`, so `--out` is not one.
    if std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::Usage(format!(
            "`--out {}` is a symbolic link; give the folder it points to, so it is clear where files go",
            out.display()
        )));
    }
    if std::fs::metadata(out).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::Usage(format!(
            "`--out {}` is a file; give a folder to write into (it is made if missing)",
            out.display()
        )));
    }
    let resolved = resolve_existing(out);
    if resolved.components().any(|c| c.as_os_str() == ".git") {
        return Err(Error::Usage(format!(
            "`--out {}` is inside a `.git` folder; entente never writes there",
            out.display()
        )));
    }
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if root.starts_with(&resolved) {
        return Err(Error::Usage(format!(
            "`--out {}` would hold the draft's own files; choose an empty or output-only folder such as `build/`",
            out.display()
        )));
    }
    Ok(())
}

/// The canonical form of the longest existing prefix of `path`, with the rest appended,
/// so symbolic links on the way are resolved before deciding where a write lands.
fn resolve_existing(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// Prints every leak the wall found (never the leaked text) and returns the error that
/// stops the command; `Ok` when there is none.
pub(crate) fn stop_on_leaks(leaks: &[crate::leak::Leak], edition: &str) -> Result<(), Error> {
    if leaks.is_empty() {
        return Ok(());
    }
    for leak in leaks {
        sayln!(
            "error: leak: `{}` contains {} of {}, which edition `{edition}` withholds",
            crate::term::escape(&leak.output),
            match leak.kind {
                crate::leak::LeakKind::Phrase => "the title, id, file name or a note",
                crate::leak::LeakKind::Run => "eight consecutive words of the text",
                crate::leak::LeakKind::ShortText => "the whole text",
            },
            crate::term::escape(&leak.clause)
        );
    }
    sayln!(
        "  hint: reword the included text, or check the template; the leaked text is not shown here"
    );
    Err(Error::Leak(leaks.len()))
}
