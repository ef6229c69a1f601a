//! The `entente` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // clap exits with 2 on usage errors itself (SPEC §2).
    let cli = entente::cli::Cli::parse();
    match entente::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if !matches!(e, entente::Error::InvalidDraft(_))
                || std::env::var_os("ENTENTE_DEBUG").is_some()
            {
                eprintln!("error: {}", entente::term::escape(&e.to_string()));
            }
            ExitCode::from(e.exit_code())
        }
    }
}
