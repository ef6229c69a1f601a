//! One module per subcommand: glue between the command line and the library, and the
//! only place that prints.

mod check;
mod init;
mod new;

use std::process::ExitCode;

use crate::cli::Command;
use crate::{Context, Error};

/// Dispatches a subcommand.
pub(crate) fn run(command: &Command, ctx: &Context) -> Result<ExitCode, Error> {
    match command {
        Command::Init(args) => init::run(args, ctx),
        Command::New(args) => new::run(args, ctx),
        Command::Check(args) => check::run(args, ctx),
    }
}
