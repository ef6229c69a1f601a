//! `entente publish [REV] [--out DIR]`: every edition, every format, behind the leak wall,
//! written all at once or not at all.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cli::PublishArgs;
use crate::output::Staged;
use crate::publish::{Wall, edition_outputs};
use crate::render::Renderer;
use crate::render::bodies::Shared;
use crate::{Context, Error, edition};

/// How many files an edition has, and the leaks the wall found in them.
type Published = (usize, Vec<crate::leak::Leak>);

/// Renders, scans and stages every edition, one file at a time, then swaps their folders in;
/// a leak anywhere leaves `--out` as it was.
pub(crate) fn run(args: &PublishArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let draft = super::open_valid(ctx, &args.rev)?;
    let agreement = &draft.loaded.agreement;
    let revision = &draft.loaded.revision;
    if revision.dirty.get() && !ctx.quiet {
        sayln!(
            "warning: publishing uncommitted changes; each manifest.json records \"dirty\": true"
        );
    }
    let out = match &args.out {
        Some(dir) => ctx.cwd.join(dir),
        None => draft.root.join("build"),
    };
    super::refuse_unsafe_out(&out, &draft.root)?;
    let renderer = Renderer::new(draft.source.as_ref())?;
    let staged = Staged::new(&out)?;
    let files = (agreement.editions.iter()).map(|e| crate::publish::file_count(agreement, e));
    let bar = super::progress(ctx, files.sum(), "publishing");
    // Editions are independent: rendered and scanned on as many threads as there are cores
    // (one a core: more only held more editions in memory at once), collected in manifest
    // order, so output and messages do not depend on the number of threads.
    // The more an edition includes, the longer it takes: those start first.
    let included = |edition: &crate::model::Edition| {
        let levels = agreement.clauses().map(|(_, _, c)| c.level);
        levels.filter(|&level| level <= edition.max).count()
    };
    let shared = crate::publish::shared_bodies(agreement, &draft.numbers);
    // While as many editions are in hand as there are cores, the wall reads each output on
    // its edition's thread alone: a thread of its own for some views only competed for a core
    // and took fresh memory, which the kernel zeroes (publish took 2-6% longer).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let running = AtomicUsize::new(0);
    let spare_core = || running.load(Ordering::Relaxed) < cores;
    let results = crate::parallel::map_queued(&agreement.editions, included, |edition| {
        running.fetch_add(1, Ordering::Relaxed);
        let published = one_edition(
            &draft.loaded,
            &draft.numbers,
            edition,
            (&renderer, &shared),
            &staged,
            (&spare_core, &bar),
        );
        running.fetch_sub(1, Ordering::Relaxed);
        published
    });
    bar.finish_and_clear();
    let mut editions = Vec::new();
    for (edition, result) in agreement.editions.iter().zip(results) {
        let (files, leaks) = result?;
        super::stop_on_leaks(&leaks, &edition.name)?;
        editions.push((edition.name.clone(), files));
    }
    staged.commit()?;
    if !ctx.quiet {
        let shown = out.strip_prefix(&ctx.cwd).unwrap_or(&out);
        for (name, files) in &editions {
            sayln!(
                "published `{name}`: {files} files in `{}/{name}/`",
                shown.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders, scans and stages one edition. Each file is scanned, staged and dropped before the
/// next is rendered; after a leak, the edition's files are still scanned (to report every
/// leak) but no longer staged.
fn one_edition(
    loaded: &crate::load::Loaded,
    numbers: &crate::numbering::Numbers,
    edition: &crate::model::Edition,
    rendering: (&Renderer, &Shared),
    staged: &Staged,
    (spare_core, bar): (&dyn Fn() -> bool, &indicatif::ProgressBar),
) -> Result<Published, Error> {
    let agreement = &loaded.agreement;
    let projection = edition::project(agreement, numbers, edition);
    let wall = Wall::new(agreement, numbers, edition).remembering();
    let mut files = EditionFiles {
        edition: &edition.name,
        wall: &wall,
        staged,
        spare_core,
        bar,
        files: 0,
        leaks: Vec::new(),
    };
    let revision = &loaded.revision;
    edition_outputs(
        &projection,
        numbers,
        rendering,
        &agreement.scheme,
        revision,
        &mut files,
    )?;
    Ok((files.files, files.leaks))
}

/// An edition's files on their way through its wall into the staging folder.
struct EditionFiles<'a> {
    edition: &'a str,
    wall: &'a Wall,
    staged: &'a Staged,
    spare_core: &'a dyn Fn() -> bool,
    bar: &'a indicatif::ProgressBar,
    files: usize,
    leaks: Vec<crate::leak::Leak>,
}

impl crate::publish::Files for EditionFiles<'_> {
    fn whole(&mut self, output: crate::publish::Output<'_>) -> Result<(), Error> {
        let name = format!("{}/{}", self.edition, output.path);
        let leaks = self.wall.scan_output(&name, &output, (self.spare_core)());
        self.leaks.extend(leaks);
        self.files += 1;
        self.bar.inc(1);
        match self.leaks.is_empty() {
            true => (self.staged).write(self.edition, output.path, output.text.as_bytes()),
            false => Ok(()),
        }
    }

    /// Written into the staging folder as it is rendered, and read by the wall on its way
    /// there; removed again after a leak.
    fn streamed(
        &mut self,
        path: &str,
        _level: crate::model::Level,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let name = format!("{}/{path}", self.edition);
        let mut file = self.staged.create(self.edition, path)?;
        let mut wall = self.wall.stream((self.spare_core)());
        let mut walled = Walled {
            file: &mut file,
            wall: &mut wall,
            cut: Vec::new(),
        };
        render(&mut walled)?;
        walled
            .finish()
            .map_err(|e| Error::io("write", Path::new(&name), e))?;
        let leaks = wall.finish(&name, &mut || file.text())?;
        self.leaks.extend(leaks);
        self.files += 1;
        self.bar.inc(1);
        match self.leaks.is_empty() {
            true => file.keep(),
            false => file.discard(),
        }
    }
}

/// A writer into a staged file that hands the wall what it writes.
struct Walled<'a, 'w> {
    file: &'a mut crate::output::StagedFile,
    wall: &'a mut crate::publish::WallStream<'w>,
    /// The start of a character whose end is still to come.
    cut: Vec<u8>,
}

impl Walled<'_, '_> {
    /// A character left cut is no UTF-8: no renderer writes one.
    fn finish(self) -> std::io::Result<()> {
        match self.cut.is_empty() {
            true => Ok(()),
            false => Err(std::io::ErrorKind::InvalidData.into()),
        }
    }
}

impl std::io::Write for Walled<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.file.write_all(bytes)?;
        let joined;
        let text = match self.cut.is_empty() {
            true => bytes,
            false => {
                joined = [std::mem::take(&mut self.cut).as_slice(), bytes].concat();
                &joined[..]
            }
        };
        let (whole, rest) = crate::output::whole_characters(text)?;
        self.wall.feed(whole);
        self.cut.extend_from_slice(rest);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
