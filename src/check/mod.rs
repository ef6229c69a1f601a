//! Validation rules over a loaded draft; each rule returns diagnostics, none stops.
//!
//! Loading already reports what it meets while reading (syntax, unknown keys, values);
//! these rules look at the assembled agreement and the files' texts.

mod pasted;
mod refs;
mod text;

use std::collections::BTreeMap;

use crate::diagnostic::{self, Diagnostic};
use crate::load::Loaded;

/// A clause with its body's references and raw HTML, scanned once for every rule.
type Scan<'a> = (
    &'a crate::model::Clause,
    &'a [crate::markdown::Reference],
    &'a [crate::markdown::RawHtml],
);

/// What scanning a clause body finds (see [`crate::markdown::scan`]).
type Scanned = (
    Vec<crate::markdown::Reference>,
    Vec<crate::markdown::RawHtml>,
);

/// Every problem in a loaded draft, loader's and rules', sorted.
pub fn run(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out = quick_unsorted(loaded);
    out.extend(pasted::check(&loaded.agreement));
    finish(out)
}

/// Every problem but the search for wording pasted from withheld clauses, which only
/// `check` runs: the commands that render, compare or count need the errors, and that
/// search costs as much as all the other rules together on a large draft.
pub fn quick(loaded: &Loaded) -> Vec<Diagnostic> {
    finish(quick_unsorted(loaded))
}

/// [`quick`] of two versions of a draft, as `diff` loads them: a clause file the newer one
/// shares with the older (loaded once for both) is read by the rules once. Most clauses of
/// two rounds are shared, and scanning bodies is most of the rules' time.
pub fn quick_both<'a>(old: &'a Loaded, new: &'a Loaded) -> [Vec<Diagnostic>; 2] {
    let (olds, news) = (clauses(old), clauses(new));
    // The same clause, shared by both versions, is the same allocation.
    let address = |c: &&crate::model::Clause| std::ptr::from_ref(*c).addr();
    let mut index: BTreeMap<usize, usize> = BTreeMap::new();
    let mut distinct = Vec::with_capacity(olds.len());
    // Where each clause's scan is among the distinct ones: the older version's, then the newer's.
    let mut at = Vec::with_capacity(olds.len() + news.len());
    for c in olds.iter().chain(&news) {
        let k = *index.entry(address(c)).or_insert(distinct.len());
        if k == distinct.len() {
            distinct.push(*c);
        }
        at.push(k);
    }
    let scanned = crate::parallel::map(&distinct, |c| crate::markdown::scan(&c.body));
    // `parallel::map` gives one result an item, so every position has its scan.
    let scans = |clauses: &[&'a crate::model::Clause], at: &[usize]| -> Vec<Scan<'_>> {
        let scan = |(c, &k): (&&'a crate::model::Clause, &usize)| {
            let (r, h) = scanned.get(k)?;
            Some((*c, &r[..], &h[..]))
        };
        clauses.iter().zip(at).filter_map(scan).collect()
    };
    let (old_at, new_at) = at.split_at(olds.len());
    let (old_scans, new_scans) = (scans(&olds, old_at), scans(&news, new_at));
    let old_found = text::characters_of(old, None);
    let new_found = text::characters_of(new, Some((old, &old_found)));
    let all = |loaded: &Loaded, scans: &[Scan<'_>], found: &text::Found<'_>| {
        let mut out = rules(loaded, scans);
        out.extend(found.iter().flat_map(|(_, d)| d.iter().cloned()));
        finish(out)
    };
    std::thread::scope(|scope| {
        let old_done = scope.spawn(|| all(old, &old_scans, &old_found));
        let new_done = all(new, &new_scans, &new_found);
        let old_done = old_done
            .join()
            .unwrap_or_else(|_| all(old, &old_scans, &old_found));
        [old_done, new_done]
    })
}

fn clauses(loaded: &Loaded) -> Vec<&crate::model::Clause> {
    loaded.agreement.clauses().map(|(_, _, c)| c).collect()
}

fn quick_unsorted(loaded: &Loaded) -> Vec<Diagnostic> {
    let clauses = clauses(loaded);
    let scanned: Vec<Scanned> = crate::parallel::map(&clauses, |c| crate::markdown::scan(&c.body));
    let scans: Vec<Scan<'_>> = (clauses.iter().zip(&scanned))
        .map(|(c, (r, h))| (*c, &r[..], &h[..]))
        .collect();
    let mut out = rules(loaded, &scans);
    let found = text::characters_of(loaded, None);
    out.extend(found.into_iter().flat_map(|(_, d)| d));
    out
}

/// The loader's problems and those of the rules that read each clause's scan.
fn rules(loaded: &Loaded, scans: &[Scan<'_>]) -> Vec<Diagnostic> {
    let mut out = loaded.diagnostics.clone();
    out.extend(refs::check(&loaded.agreement, scans));
    out.extend(text::check(scans));
    out
}

fn finish(mut out: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostic::sort(&mut out);
    out.dedup();
    out
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| d.severity == diagnostic::Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    /// A version of a draft named by content, so that two versions loaded through one cache
    /// share the files they have alike.
    fn version(clauses: &[&str], files: &[(&str, &str)]) -> MemorySource {
        let list = clauses
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>();
        let manifest = format!(
            "[agreement]\ntitle = \"T\"\nparties = [\"x\"]\n\n[[documents]]\nid = \"d\"\ntitle = \"D\"\nclauses = [{}]\n",
            list.join(", ")
        );
        let mut all = vec![("entente.toml".to_string(), manifest.into_bytes())];
        all.extend(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())),
        );
        MemorySource::new("v", all).named_by_content()
    }

    fn codes(found: &[Diagnostic]) -> Vec<(String, String)> {
        let code = |d: &Diagnostic| (d.code.to_string(), d.file.clone());
        found.iter().map(code).collect()
    }

    #[test]
    fn two_versions_checked_together_find_what_each_checked_alone_finds() {
        // `a` is in both versions, word for word: it hides a zero-width space and links to
        // `c`, which only the older version has.
        let a = "+++\ntitle = \"A\"\n+++\n\nSee [](#c) and [](#b).\u{200B}\n";
        let (b_old, b_new) = ("+++\n+++\n\nPlain.\n", "+++\n+++\n\n<b>Bold</b>.\u{200B}\n");
        let c = "+++\n+++\n\nLast.\n";
        let old = version(
            &["a", "b", "c"],
            &[("a.md", a), ("b.md", b_old), ("c.md", c)],
        );
        let new = version(&["a", "b"], &[("a.md", a), ("b.md", b_new)]);
        let mut cache = crate::load::Cache::default();
        let old = crate::load::load_with(&old, &mut cache).unwrap();
        let new = crate::load::load_with(&new, &mut cache).unwrap();
        let (olds, news) = (clauses(&old), clauses(&new));
        assert!(
            std::ptr::eq(olds[0], news[0]),
            "`a` is loaded once for both"
        );
        let [old_found, new_found] = quick_both(&old, &new);
        assert_eq!(old_found, quick(&old));
        assert_eq!(new_found, quick(&new));
        let a = |code: &str| (code.to_string(), "a.md".to_string());
        let b = |code: &str| (code.to_string(), "b.md".to_string());
        assert_eq!(codes(&old_found), [a("suspicious-character")]);
        assert_eq!(
            codes(&new_found),
            [
                a("dangling-reference"),
                a("suspicious-character"),
                // `<b>` and `</b>`
                b("raw-html"),
                b("raw-html"),
                b("suspicious-character"),
            ]
        );
    }
}
