//! One clause's pairing between two versions, for `log`: the same partner and the same
//! verdict on its order as matching every clause ([`super::compare`]) gives, at the cost of
//! sorting the ids.

use std::collections::BTreeMap;

use super::{Place, pair};
use crate::edition::{AnnexView, ClauseView, DocumentView, Projection};

/// A clause of one side and where it sits, borrowed.
#[derive(Clone, Copy)]
pub(crate) struct Spot<'a> {
    pub(super) document: &'a str,
    pub(super) annex: Option<&'a str>,
    pub(super) clause: &'a ClauseView,
}

impl<'a> Spot<'a> {
    /// `clause`, in `document` and perhaps one of its annexes.
    pub(crate) fn new(document: &'a str, annex: Option<&'a str>, clause: &'a ClauseView) -> Self {
        Spot {
            document,
            annex,
            clause,
        }
    }

    pub(super) fn all(projection: &'a Projection) -> Vec<Spot<'a>> {
        let spot = |(doc, annex, clause): (&'a DocumentView, Option<&'a AnnexView>, _)| Spot {
            document: &doc.id,
            annex: annex.map(|a| a.id.as_str()),
            clause,
        };
        // Sized first: grown by doubling, the list was copied a dozen times at 10,000 clauses.
        let mut all = Vec::with_capacity(projection.clauses().count());
        all.extend(projection.clauses().map(spot));
        all
    }

    pub(super) fn place(&self) -> Place {
        Place {
            document: self.document.to_string(),
            annex: self.annex.map(str::to_string),
        }
    }

    pub(super) fn same_place(&self, other: &Spot<'_>) -> bool {
        self.document == other.document && self.annex == other.annex
    }
}

/// A clause's old side, and whether it left the order of its neighbours.
pub(super) type Partner<'a> = Option<(Spot<'a>, bool)>;

/// The clause with `id` of the new version, and its partner, as matching every clause pairs
/// and orders them; `None` where the new version has no such clause, or where an id is held
/// twice in either version (matching every clause then decides).
///
/// Pairing goes by id first; with every id held once, the clauses whose id the other version
/// lacks are the only ones pairing by text can touch, and [`pair::pair`] pairs them as it
/// would among all, each side's order kept. Sorting the ids is then the only cost that grows
/// with the draft: `log` compares two whole versions at every commit that moves a clause.
pub(super) fn matched<'a>(
    old: &'a Projection,
    new: &'a Projection,
    id: &str,
) -> Option<(Spot<'a>, Partner<'a>)> {
    let (olds, news) = (Spot::all(old), Spot::all(new));
    let sorted = |spots: &[Spot<'a>]| {
        let mut ids: Vec<(&'a str, usize)> = (spots.iter().enumerate())
            .map(|(k, s)| (s.clause.id.as_str(), k))
            .collect();
        ids.sort_unstable();
        ids.windows(2).all(|w| w[0].0 != w[1].0).then_some(ids)
    };
    let (old_ids, new_ids) = (sorted(&olds)?, sorted(&news)?);
    // The old index of each new clause's namesake, found by walking both sorted lists.
    let mut by_id: Vec<Option<usize>> = vec![None; news.len()];
    let mut old_paired = vec![false; olds.len()];
    let mut rest = old_ids.iter().peekable();
    for &(x, j) in &new_ids {
        while rest.next_if(|(y, _)| *y < x).is_some() {}
        if let Some(&&(_, i)) = rest.peek().filter(|(y, _)| *y == x) {
            by_id[j] = Some(i);
            old_paired[i] = true;
        }
    }
    let old_free: Vec<usize> = (0..olds.len()).filter(|&i| !old_paired[i]).collect();
    let new_free: Vec<usize> = (0..news.len()).filter(|&j| by_id[j].is_none()).collect();
    let keys = |spots: &[Spot<'a>], free: &[usize]| -> Vec<pair::Key<'a>> {
        (free.iter())
            .map(|&k| pair::Key {
                id: &spots[k].clause.id,
                body: spots[k].clause.body.trim(),
            })
            .collect()
    };
    let by_text: BTreeMap<usize, usize> =
        (pair::pair(&keys(&olds, &old_free), &keys(&news, &new_free)).into_iter())
            .map(|(i, j)| (new_free[j], old_free[i]))
            .collect();
    let partner = |j: usize| by_id[j].or_else(|| by_text.get(&j).copied());
    let at = new_ids.binary_search_by(|(y, _)| y.cmp(&id)).ok()?;
    let j = new_ids.get(at)?.1;
    let Some(i) = partner(j) else {
        return Some((news[j], None));
    };
    let mut reordered = false;
    if olds[i].same_place(&news[j]) {
        // The old indices of the clauses that stayed in this place, in the new order.
        let mut sequence = Vec::new();
        let mut at = None;
        for (k, spot) in news.iter().enumerate() {
            if !spot.same_place(&news[j]) {
                continue;
            }
            if let Some(p) = partner(k).filter(|&p| olds[p].same_place(spot)) {
                if k == j {
                    at = Some(sequence.len());
                }
                sequence.push(p);
            }
        }
        reordered = at.is_some_and(|at| pair::moved(&sequence).binary_search(&at).is_ok());
    }
    Some((news[j], Some((olds[i], reordered))))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::diff::{ClauseDiff, Status as Fate, Version, compare, compare_one};
    use crate::edition::{self, Projection};
    use crate::model::{Agreement, Annex, Clause, Document, Edition, Scheme, Status};
    use crate::numbering;

    /// Few words, so that unrelated clauses are sometimes alike and pairing by text is put
    /// to the test.
    const WORDS: [&str; 14] = [
        "the",
        "parties",
        "shall",
        "meet",
        "in",
        "geneva",
        "every",
        "year",
        "to",
        "review",
        "this",
        "agreement",
        "and",
        "report",
    ];

    /// A seeded xorshift: each case is reproducible from its seed alone.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n) as usize
        }

        fn body(&mut self) -> String {
            let n = 8 + self.below(8);
            let words: Vec<&str> = (0..n).map(|_| WORDS[self.below(14)]).collect();
            words.join(" ")
        }
    }

    fn clause(id: &str, body: &str, status: Status, level: usize) -> Arc<Clause> {
        Arc::new(Clause {
            id: id.to_string(),
            path: format!("{id}.md").into(),
            title: Some(id.into()),
            label: None,
            status,
            level,
            positions: Default::default(),
            notes: Default::default(),
            tags: Default::default(),
            body: body.into(),
            body_offset: 0,
            id_span: None,
        })
    }

    /// (id, body, withdrawn) of the clauses of document `a`, its annex `x` (confidential)
    /// and document `b`.
    type Places = [Vec<(String, String, bool)>; 3];

    fn agreement(places: &Places) -> Agreement {
        let built = |k: usize, level: usize| -> Vec<Arc<Clause>> {
            let status = |withdrawn: bool| match withdrawn {
                true => Status::Withdrawn,
                false => Status::Draft,
            };
            (places[k].iter())
                .map(|(id, body, w)| clause(id, body, status(*w), level))
                .collect()
        };
        let document = |id: &str, clauses, annexes| Document {
            id: id.into(),
            title: id.to_uppercase(),
            numbering: "Point {n}".into(),
            clauses,
            headings: Vec::new(),
            heading_level: None,
            annexes,
        };
        let annex = Annex {
            id: "x".into(),
            title: "X".into(),
            level: 1,
            clauses: built(1, 1),
        };
        Agreement {
            title: "T".into(),
            date: None,
            parties: Vec::new(),
            scheme: Scheme::default(),
            editions: Vec::new(),
            documents: vec![
                document("a", built(0, 0), vec![annex]),
                document("b", built(2, 0), Vec::new()),
            ],
        }
    }

    /// Two versions of a small draft: the newer one removes, renames (with the same or an
    /// edited text), edits, withdraws, moves and adds clauses, and now and then gives two
    /// clauses one id.
    fn versions(seed: u64) -> (Agreement, Agreement) {
        let mut rng = Rng(seed | 1);
        let mut fresh = 0;
        let mut id = |prefix: &str| {
            fresh += 1;
            format!("{prefix}{fresh}")
        };
        let mut old: Places = Default::default();
        for place in &mut old {
            for _ in 0..3 + rng.below(8) {
                place.push((id("c"), rng.body(), false));
            }
        }
        let mut new = old.clone();
        let mut removed = Vec::new();
        for place in &mut new {
            let mut kept = Vec::new();
            for (cid, body, _) in place.drain(..) {
                let edited = |rng: &mut Rng, body: &str| {
                    let mut words: Vec<&str> = body.split(' ').collect();
                    let at = rng.below(words.len() as u64);
                    words[at] = WORDS[rng.below(14)];
                    words.join(" ")
                };
                match rng.below(100) {
                    0..10 => removed.push(body),
                    10..20 => kept.push((id("r"), body, false)),
                    20..28 => kept.push((id("r"), edited(&mut rng, &body), false)),
                    28..45 => kept.push((cid, edited(&mut rng, &body), false)),
                    45..48 => kept.push((cid, body, true)),
                    _ => kept.push((cid, body, false)),
                }
            }
            *place = kept;
        }
        for _ in 0..rng.below(4) {
            let from = rng.below(3);
            if !new[from].is_empty() {
                let taken = new[from].remove(rng.below(new[from].len() as u64));
                let to = rng.below(3);
                let at = rng.below(new[to].len() as u64 + 1);
                new[to].insert(at, taken);
            }
        }
        for _ in 0..rng.below(4) {
            let body = match removed.pop() {
                Some(body) if rng.below(2) == 0 => body,
                _ => rng.body(),
            };
            let to = rng.below(3);
            let at = rng.below(new[to].len() as u64 + 1);
            new[to].insert(at, (id("n"), body, false));
        }
        if rng.below(10) == 0 && new[0].len() > 1 && !new[2].is_empty() {
            new[2][0].0 = new[0][0].0.clone();
        }
        (agreement(&old), agreement(&new))
    }

    fn project(agreement: &Agreement, max: usize) -> Projection {
        let edition = Edition {
            name: "e".into(),
            max,
            annotations: true,
            name_withheld_level: false,
        };
        edition::project(agreement, &numbering::assign(agreement), &edition)
    }

    #[test]
    fn one_clause_is_paired_and_ordered_as_among_all() {
        let scheme = Scheme::default();
        let version = |rev: &str| Version {
            rev: rev.into(),
            commit: None,
        };
        let (mut matched, mut renamed, mut reordered) = (0, 0, 0);
        for seed in 0..400 {
            let (old, new) = versions(seed);
            for max in [0, 3] {
                let (old, new) = (project(&old, max), project(&new, max));
                let versions = (version("old"), version("new"));
                let all = compare(&old, &new, &scheme, &scheme, versions, None, false);
                for (_, _, c) in new.clauses() {
                    let theirs: Vec<&ClauseDiff> = (all.clauses.iter())
                        .filter(|d| d.id == c.id && d.status != Fate::Removed)
                        .collect();
                    let one = compare_one(&old, &new, [&scheme, &scheme], &c.id);
                    if theirs.len() == 1 {
                        assert_eq!(one.as_ref(), Some(theirs[0]), "seed {seed}, `{}`", c.id);
                    }
                    if let Some((_, partner)) = super::matched(&old, &new, &c.id) {
                        matched += 1;
                        renamed += usize::from(one.as_ref().is_some_and(|d| d.old_id.is_some()));
                        reordered += usize::from(partner.is_some_and(|p| p.1));
                    }
                }
            }
        }
        // The cases take the quick path, and it meets renamed and reordered clauses.
        assert!(matched > 8_000, "{matched}");
        assert!(renamed > 1_000, "{renamed}");
        assert!(reordered > 100, "{reordered}");
    }
}
