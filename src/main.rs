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
///   of `check`'s and `render`'s peak memory, for no speed, and 40% of a cached `diff`'s
///   (63 MB against 36). That `diff` takes a fifth longer with small pages (its page faults
///   are a quarter of its time), one that loads both versions 6% longer (101 MB against
///   68). Only so is the cached one within its budget of memory (4× the draft), at the cost
///   of part of its margin on its budget of time (1.3× to 2.1× git's time in full runs,
///   where 2× is the line).
/// - Freed memory goes back to the kernel after a millisecond, not mimalloc's second: the
///   pages that loading's worker threads freed were held to the end, a quarter of
///   `check`'s peak. `publish`, which fills and frees a page per output, faults them back in
///   10% slower so; after 50 ms it reuses them as fast as with the default and holds an
///   eighth less (182 MB against 207 at 10,000 clauses). A `diff` of two revisions waits
///   10 ms: one that loads both versions held 66 MB at 10,000 clauses, 53 so, in as long,
///   and a cached one is as fast. A `diff` with the worktree, which runs on every save, keeps
///   the default: 6% faster (218 against 230 ms) for 12 MB more.
fn lean_memory(command: &entente::cli::Command) {
    use entente::cli::Command;
    use entente::source::WORKTREE;
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // With no NEW, the newer side is the worktree.
    let with_worktree = |a: &entente::cli::DiffArgs| {
        a.old.as_deref() == Some(WORKTREE) || a.new.as_deref().is_none_or(|n| n == WORKTREE)
    };
    let delay = match command {
        Command::Diff(a) if with_worktree(a) => None,
        Command::Diff(_) => Some(10),
        Command::Publish(_) => Some(50),
        _ => Some(1),
    };
    if let Command::Diff(_) = command {
        // SAFETY: sets two integers of libgit2's settings, before any other thread exists.
        unsafe {
            let _ = git2::opts::set_mwindow_size(PACK_WINDOW);
            let _ = git2::opts::set_mwindow_mapped_limit(PACK_WINDOW);
        }
    }
    // The variable, when set, is left to win, for measuring.
    if let (Some(ms), None) = (delay, std::env::var_os("MIMALLOC_PURGE_DELAY")) {
        // SAFETY: sets a plain integer in mimalloc's option table, which it reads at each
        // purge, before any other thread exists (the call is not thread-safe).
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, ms) };
    }
}

/// How much of a pack file libgit2 maps at a time for `diff`, in place of all of it (up to a
/// gigabyte a window): a `diff` reads every blob of two versions once, in pack order, and the
/// pages of a pack mapped whole stayed in its memory until both versions were read, 6 MB at
/// 10,000 clauses. Windows this small cost a `diff` no time; a `log`, which reads blobs all
/// over the pack again and again, took 29% longer with them (for 125 MB less), and keeps the
/// default.
const PACK_WINDOW: usize = 256 << 10;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t`.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// `mi_option_arena_eager_commit` in mimalloc 3's `mi_option_t`.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Memory for mimalloc's arenas committed as it is used rather than when each is reserved,
/// for every command but a `diff` that may read the cache: 2–3 MB less at the peak of every
/// other command, at the same speed, while a cached `diff` took half as long again
/// (bench/README.md). With the cache off (`ENTENTE_CACHE=off`) a `diff` reads none, and
/// commits on demand too: 44.5 against 42.2–42.7 MB at 10,000 clauses, as fast. The option
/// is read when the first arena is reserved, before `main`, so it is set here, from the list
/// of functions the C runtime calls first, with the program's arguments and environment;
/// nothing here may allocate. The command is the first argument that is neither an option
/// nor the value of `-C` or `--color`; `MIMALLOC_ARENA_EAGER_COMMIT` in the environment
/// still wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[unsafe(link_section = ".init_array")]
static COMMIT_ON_DEMAND: extern "C" fn(
    std::ffi::c_int,
    *const *const std::ffi::c_char,
    *const *const std::ffi::c_char,
) = commit_on_demand;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn commit_on_demand(
    argc: std::ffi::c_int,
    argv: *const *const std::ffi::c_char,
    envp: *const *const std::ffi::c_char,
) {
    // SAFETY: glibc calls the functions of `.init_array` with `main`'s arguments: `argv` holds
    // `argc` pointers to NUL-terminated strings, `envp` is a null-terminated list of them.
    let arg = |k: usize| unsafe { std::ffi::CStr::from_ptr(*argv.add(k)) }.to_bytes();
    let (mut env, mut cache_off) = (envp, false);
    while !env.is_null() && !unsafe { *env }.is_null() {
        let entry = unsafe { std::ffi::CStr::from_ptr(*env) }.to_bytes();
        if entry.starts_with(b"MIMALLOC_ARENA_EAGER_COMMIT=") {
            return;
        }
        cache_off |= entry == b"ENTENTE_CACHE=off";
        env = unsafe { env.add(1) };
    }
    let (count, mut k) = (usize::try_from(argc).unwrap_or(0), 1);
    while k < count {
        match arg(k) {
            b"-C" | b"--color" => k += 2,
            a if a.starts_with(b"-") => k += 1,
            b"diff" if !cache_off => return,
            _ => break,
        }
    }
    // SAFETY: sets an integer in mimalloc's option table; no other thread exists yet.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) };
}

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

    /// The tests start as `entente` does for a command other than `diff`: mimalloc was told,
    /// before `main`, to commit its arenas on demand.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn arenas_are_committed_on_demand() {
        let diff = std::env::args().skip(1).any(|a| a == "diff");
        if diff || std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_some() {
            return;
        }
        // SAFETY: reads an integer of mimalloc's option table.
        let eager = unsafe { libmimalloc_sys::mi_option_get(super::ARENA_EAGER_COMMIT) };
        assert_eq!(eager, 0);
    }
}
