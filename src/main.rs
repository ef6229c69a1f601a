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
/// - Freed memory goes back to the kernel after a millisecond, not mimalloc's second: the
///   pages that loading's worker threads freed were held to the end, a quarter of
///   `check`'s peak. `publish`, which fills and frees a page
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
    // The variable, when set, is left to win, for measuring.
    if prompt_purge && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a plain integer in mimalloc's option table, which it reads at each
        // purge, before any other thread exists (the call is not thread-safe).
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 1) };
    }
}

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t`.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(test)]
mod tests {
    /// The option `lean_memory` sets is mimalloc 3's purge delay, 1,000 ms by default: a
    /// mimalloc whose options were numbered otherwise would have it set another.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads an integer of mimalloc's option table.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
