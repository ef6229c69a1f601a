//! The `entente` binary: parse the command line, run it, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

// entente allocates and frees many large buffers (file texts, rendered outputs, the leak
// wall's decoded views); glibc's allocator returned each to the kernel and faulted it back
// in, a third of `render`'s time at 10,000 clauses. mimalloc keeps and reuses them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // clap exits with 2 on usage errors itself (SPEC §2).
    let cli = entente::cli::Cli::parse();
    match entente::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if !matches!(e, entente::Error::InvalidDraft(_))
                || std::env::var_os("ENTENTE_DEBUG").is_some()
            {
                // Nowhere to say it if stderr is gone; the exit status still tells.
                let message = e.to_string();
                let message = entente::term::escape(&message);
                let _ = writeln!(std::io::stderr(), "error: {message}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
