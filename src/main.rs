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
    lean_memory(&cli.command);
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

/// Keeps the memory a command holds near what it uses, where that costs it no time
/// (bench/README.md has the figures). Best effort: where the kernel refuses, memory is
/// managed as by default.
///
/// - Small pages: the kernel hands out transparent huge pages 2 MB at a time, which mimalloc
///   asks for, and zeroes each whole on first touch; at 10,000 clauses they held a quarter
///   of `check`'s and `render`'s peak memory, for no speed. `diff` keeps them: without, it
///   takes forty times the page faults, and 15–30% longer.
/// - Freed memory goes back to the kernel after a millisecond, not mimalloc's 10 (100 for
///   what a finished thread leaves): the pages that loading's worker threads freed were
///   held to the end, a quarter of `check`'s peak. `publish`, which fills and frees a page
///   per output, faults them back in, 10% slower, and keeps the default.
fn lean_memory(command: &entente::cli::Command) {
    use entente::cli::Command;
    let (small_pages, prompt_purge) = match command {
        Command::Diff(_) => (false, false),
        Command::Publish(_) => (true, false),
        _ => (true, true),
    };
    #[cfg(target_os = "linux")]
    if small_pages {
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = small_pages;
    // `mi_option_purge_delay` and `mi_option_arena_purge_mult` in mimalloc 3's `mi_option_t`,
    // with the variables that set them (which are left to win, for measuring).
    const OPTIONS: [(libmimalloc_sys::mi_option_t, &str); 2] = [
        (15, "MIMALLOC_PURGE_DELAY"),
        (24, "MIMALLOC_ARENA_PURGE_MULT"),
    ];
    for (option, variable) in OPTIONS {
        if prompt_purge && std::env::var_os(variable).is_none() {
            // SAFETY: sets a plain integer in mimalloc's option table, which it reads at each
            // purge, before any other thread exists (the call is not thread-safe).
            unsafe { libmimalloc_sys::mi_option_set(option, 1) };
        }
    }
}
