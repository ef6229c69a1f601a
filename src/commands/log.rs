//! `entente log ID [--edition E]`: one clause's history through the commits, following it
//! across renamed files and changed ids.

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::LogArgs;
use crate::diff::{self, ClauseDiff, Status, present};
use crate::edition::{self, ClauseView, Projection, References};
use crate::model::Scheme;
use crate::numbering::Numbers;
use crate::source::{self, Commit, Source};
use crate::{Context, Error, load, numbering};

/// One step of a clause's history.
#[derive(Serialize)]
struct Step {
    commit: Commit,
    change: ClauseDiff,
}

/// A commit's draft, loaded whole and projected onto the edition (or everything).
struct Whole {
    projection: Projection,
    scheme: Scheme,
    numbers: Numbers,
    source: Box<dyn Source>,
    /// Its listing, made when a skim first needs it (`None` within: the source names no
    /// contents).
    listing: Option<Option<load::Listing>>,
    /// Resolved when first needed.
    references: Option<References<'static>>,
}

/// A commit's draft loaded whole; `None` if it has no draft, or not the edition.
fn whole(source: Box<dyn Source>, edition: Option<&str>, cache: &mut load::Cache) -> Option<Whole> {
    // A commit may predate the draft, or hold a broken one: the history goes around it.
    let loaded = load::load_with(source.as_ref(), cache).ok()?;
    cache.keep_recent();
    let agreement = &loaded.agreement;
    let numbers = numbering::assign(agreement);
    let chosen = match edition {
        Some(name) => agreement.edition(name)?.clone(),
        None => edition::everything(agreement),
    };
    Some(Whole {
        projection: edition::project(agreement, &numbers, &chosen),
        scheme: agreement.scheme.clone(),
        numbers,
        source,
        listing: None,
        references: None,
    })
}

/// Opens a commit's draft.
type Open<'a> = &'a dyn Fn(&Commit) -> Result<Box<dyn Source>, Error>;

/// Commits loaded whole, two at a time, one on each core: where a commit's change cannot be
/// read from the files it changed, it is compared with its parent loaded whole, and that
/// parent's own change mostly cannot be read so either. Each core keeps a file cache of its
/// own, and takes in what the other read.
struct Wholes<'a> {
    commits: &'a [Commit],
    open: Open<'a>,
    edition: Option<&'a str>,
    caches: [load::Cache; 2],
    /// The whole of a commit made alongside the last one asked for, by its index.
    ahead: Option<(usize, Option<Whole>)>,
}

impl Wholes<'_> {
    /// Commit `k` loaded whole (see [`whole`]), and its parent alongside it when that was
    /// not made yet.
    fn get(&mut self, k: usize) -> Result<Option<Whole>, Error> {
        match self.ahead.take() {
            Some((at, made)) if at == k => return Ok(made),
            _ => {}
        }
        let source = (self.open)(&self.commits[k])?;
        let edition = self.edition;
        let [cache, other] = &mut self.caches;
        let Some(parent) = k.checked_sub(1) else {
            return Ok(whole(source, edition, cache));
        };
        let parent_source = (self.open)(&self.commits[parent])?;
        let (made, parent_made) = std::thread::scope(|scope| {
            let parent_made = scope.spawn(move || whole(parent_source, edition, other));
            (whole(source, edition, cache), parent_made.join())
        });
        // A thread that panicked (none should) leaves the parent to be made when asked for.
        self.ahead = parent_made.ok().map(|w| (parent, w));
        let [cache, other] = &mut self.caches;
        cache.absorb(other);
        other.absorb(cache);
        Ok(made)
    }

    /// The cache the files of single clauses are read through.
    fn cache(&mut self) -> &mut load::Cache {
        &mut self.caches[0]
    }
}

/// The tracked clause in a commit that places every clause as the last one loaded whole
/// does, so that only its own view is needed.
struct Skimmed {
    view: ClauseView,
    source: Box<dyn Source>,
    listing: load::Listing,
}

/// The tracked clause's change from the `older` commit to the newer one (`skimmed`, or else
/// `whole` itself), worked out from the files that changed alone, without loading `older`
/// whole; with the clause's view and the listing of `older`. `None` where that does not
/// apply (see [`load::same_placement`]). Where it does, the two drafts pair every clause by
/// id, in the same order and places, so that nothing moved; the clause's number, level and
/// references resolve as in `whole`, and only its own file can have changed it.
fn skim(
    older: &dyn Source,
    whole: &mut Whole,
    skimmed: Option<&Skimmed>,
    tracked: &str,
    cache: &mut load::Cache,
) -> Option<(ClauseDiff, ClauseView, load::Listing)> {
    // Only what placed the clauses alike can be skimmed, and most commits that move, add or
    // remove one change the manifest: checked before anything is listed.
    let newer = skimmed.map_or(whole.source.as_ref(), |s| s.source.as_ref());
    let manifest = |source: &dyn Source| source.content_id(crate::manifest::FILE);
    if manifest(older)? != manifest(newer)? {
        return None;
    }
    let listing = match skimmed {
        Some(s) => &s.listing,
        None => (whole.listing)
            .get_or_insert_with(|| load::Listing::of(newer))
            .as_ref()?,
    };
    let (changed, older_listing) = load::same_placement(older, (newer, listing), cache)?;
    let (doc, annex, in_whole) = (whole.projection.clauses()).find(|c| c.2.id == tracked)?;
    let view = skimmed.map_or(in_whole, |s| &s.view);
    let old_view = if changed.contains(&*view.path) {
        let annex_level = annex.map(|a| a.level);
        let clause = load::clause_in(older, &older_listing, &view.path, annex_level, cache)?;
        let placed_alike = clause.id == view.id
            && clause.level == view.level
            && clause.label == view.fixed_label
            && clause.status != crate::model::Status::Withdrawn;
        if !placed_alike {
            return None;
        }
        let mut old = edition::view(&clause, view.label.clone(), view.anchor.clone());
        let references = (whole.references)
            .get_or_insert_with(|| References::of(&whole.projection).into_owned());
        if let Some(body) = references.hide(&old.body, &doc.id, &whole.numbers) {
            old.body = body;
        }
        old
    } else {
        view.clone()
    };
    let annex = annex.map(|a| a.id.as_str());
    let change = diff::paired(
        [
            &diff::Spot::new(&doc.id, annex, &old_view),
            &diff::Spot::new(&doc.id, annex, view),
        ],
        false,
        [&whole.scheme, &whole.scheme],
        whole.projection.edition.annotations,
        false,
    );
    Some((change, old_view, older_listing))
}

/// Walks the history from the newest commit back, keeping the steps that changed the clause.
/// A commit is loaded whole only where the clause may have moved, been renumbered, renamed
/// or born: elsewhere only the files it changed are read.
pub(crate) fn run(args: &LogArgs, ctx: &Context) -> Result<ExitCode, Error> {
    let root = ctx.root()?;
    let open = |commit: &Commit| source::open(&commit.id, Ok(&root), &ctx.cwd);
    let commits = source::history(&root, "HEAD")?;
    let edition = args.edition.as_deref();
    let mut tracked = args.id.clone();
    let mut steps = Vec::new();
    // The newer side of each comparison: the last commit loaded whole, and the commit
    // skimmed from it, if it is that one's.
    let (mut newer, mut skimmed) = (None::<Whole>, None::<Skimmed>);
    let mut wholes = Wholes {
        commits: &commits,
        open: &open,
        edition,
        caches: Default::default(),
        ahead: None,
    };
    let bar = super::progress(ctx, commits.len(), "reading history");
    for (k, commit) in commits.iter().enumerate().rev() {
        bar.inc(1);
        if newer.is_none() {
            newer = wholes.get(k)?;
        }
        let Some(newer_whole) = &mut newer else {
            continue;
        };
        if k + 1 == commits.len()
            && !(newer_whole.projection.clauses()).any(|(_, _, c)| c.id == tracked)
        {
            let ids: Vec<String> = (newer_whole.projection.clauses())
                .map(|(_, _, c)| c.id.clone())
                .collect();
            let hint = crate::diagnostic::did_you_mean(&tracked, ids.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(Error::Refused(format!(
                "no clause `{tracked}` at `HEAD`{}{hint}",
                edition
                    .map(|e| format!(" in edition `{e}`"))
                    .unwrap_or_default()
            )));
        }
        let older = k.checked_sub(1).map(|prev| &commits[prev]);
        let older_source = older.map(open).transpose()?;
        let found = (older_source.as_deref()).and_then(|source| {
            skim(
                source,
                newer_whole,
                skimmed.as_ref(),
                &tracked,
                wholes.cache(),
            )
        });
        let (found, older_source) = match (found, older_source) {
            (Some(found), Some(source)) => (Some((found, source)), None),
            (_, source) => (None, source),
        };
        if let Some(((change, view, listing), source)) = found {
            if change.status != Status::Unchanged {
                steps.push(Step {
                    commit: commit.clone(),
                    change,
                });
            }
            skimmed = Some(Skimmed {
                view,
                source,
                listing,
            });
            continue;
        }
        // Loaded whole: the newer commit, if it was skimmed, and the older one.
        if skimmed.take().is_some() {
            newer = wholes.get(k)?;
        }
        let Some(newer_whole) = newer.take() else {
            continue;
        };
        let older_whole = match (older_source, k.checked_sub(1)) {
            (Some(_), Some(parent)) => wholes.get(parent)?,
            _ => None,
        };
        let before_the_first;
        let (old, old_scheme) = match &older_whole {
            Some(w) => (&w.projection, &w.scheme),
            None => {
                before_the_first = Projection {
                    documents: Vec::new(),
                    ..newer_whole.projection.clone()
                };
                (&before_the_first, &newer_whole.scheme)
            }
        };
        let schemes = [old_scheme, &newer_whole.scheme];
        let found = diff::compare_one(old, &newer_whole.projection, schemes, &tracked);
        let Some(change) = found else {
            break;
        };
        let born = change.status == Status::Added;
        if let Some(old_id) = &change.old_id {
            tracked = old_id.clone();
        }
        if change.status != Status::Unchanged {
            steps.push(Step {
                commit: commit.clone(),
                change,
            });
        }
        if born {
            break;
        }
        newer = older_whole;
    }
    bar.finish_and_clear();
    if args.json {
        let json = serde_json::to_string_pretty(&steps).unwrap_or_default();
        super::write_out(&format!("{json}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let paint = |code: &str, text: &str| crate::term::paint(ctx.color_out, code, text);
    let mut text = String::new();
    for step in &steps {
        let c = &step.commit;
        let id = paint("33", &c.id[..c.id.len().min(12)]);
        let author = crate::term::escape(&c.author);
        text += &format!("{id} {}  {author}\n", c.date);
        text += &format!("    {}\n", crate::term::escape(&c.summary));
        for line in present::term_clause(&step.change, ctx.color_out).lines() {
            text += &format!("  {line}\n");
        }
        text.push('\n');
    }
    super::write_out(&text)?;
    if steps.is_empty() && !ctx.quiet {
        sayln!("no commit changed `{}`", args.id);
    }
    Ok(ExitCode::SUCCESS)
}
