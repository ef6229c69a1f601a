//! entente: drafting agreements as code.
//!
//! The data path is load (worktree, git revision or folder) → model → validate →
//! resolve numbers and references → edition filter → render or diff. Each stage is its
//! own module; the `entente` binary is a thin layer over [`run`].

pub mod cache;
pub mod check;
pub mod clause;
pub mod cli;
mod commands;
pub mod diagnostic;
pub mod diff;
pub mod edition;
pub mod error;
pub mod import;
pub mod leak;
pub mod load;
pub mod manifest;
pub mod markdown;
pub mod model;
mod nearest;
pub mod numbering;
pub mod output;
pub mod parallel;
pub mod publish;
pub mod render;
pub mod source;
pub mod status;
pub mod term;
pub mod toml_read;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

pub use error::Error;

/// What every command needs from the command line and the environment.
#[derive(Debug, Clone)]
pub struct Context {
    /// The folder the command runs in (`-C DIR`, or the current folder).
    pub cwd: PathBuf,
    /// Colours on stderr.
    pub color_err: bool,
    /// Colours on stdout.
    pub color_out: bool,
    /// Print only errors.
    pub quiet: bool,
    /// Show progress bars: stderr is a terminal and `--quiet` is off.
    pub progress: bool,
}

impl Context {
    /// The draft root: the first folder from `cwd` upwards holding `entente.toml`.
    pub fn root(&self) -> Result<PathBuf, Error> {
        source::find_root(&self.cwd)
    }
}

/// Runs one parsed command line.
pub fn run(cli: cli::Cli) -> Result<ExitCode, Error> {
    let here = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
    let cwd = match &cli.global.dir {
        Some(dir) => {
            let dir = here.join(dir);
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "`-C {}`: no such folder",
                    dir.display()
                )));
            }
            dir
        }
        None => here,
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = |terminal: bool| match cli.global.color {
        cli::Color::Always => true,
        cli::Color::Never => false,
        cli::Color::Auto => terminal && !no_color,
    };
    let ctx = Context {
        cwd,
        color_err: color(std::io::stderr().is_terminal()),
        color_out: color(std::io::stdout().is_terminal()),
        quiet: cli.global.quiet,
        progress: std::io::stderr().is_terminal() && !cli.global.quiet,
    };
    commands::run(&cli.command, &ctx)
}
