//! Where a negotiation stands: clauses by status, the share agreed, what is still open,
//! and who objects to what (SPEC §4, `status --format json`).
//!
//! Computed from an edition's projection, so a report for an edition counts only what it
//! includes and says nothing, not even a count, of what it withholds (SPEC §3).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::edition::{AnnexPart, ClauseView, Part, Projection};
use crate::model::Status;

pub mod present;

/// The statuses a report counts, in negotiation order: all but `withdrawn`, the last one
/// (withdrawn clauses are not shown).
pub const COUNTED: &[Status] = match Status::ALL.split_last() {
    Some((_, counted)) => counted,
    None => &[],
};

/// Statuses of a clause still open for negotiation.
pub const OPEN: [Status; 3] = [Status::Draft, Status::Proposed, Status::Bracketed];

/// Counts for a document or an annex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its label ("Annex B"), for annexes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// How many clauses it has (annexes' clauses not included for a document).
    pub clauses: usize,
    /// Clauses per status, every status present.
    pub by_status: BTreeMap<String, usize>,
    /// Share of clauses `agreed`, in percent (one decimal); `null` without clauses.
    pub agreed_percent: Option<f64>,
    /// Share of words in `agreed` clauses, in percent.
    pub agreed_words_percent: Option<f64>,
    /// Share of clauses agreed, initialled or agreed ad referendum.
    pub settled_percent: Option<f64>,
    /// Its annexes (documents only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annexes: Option<Vec<Tally>>,
}

/// A clause still open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Open {
    /// Its id.
    pub id: String,
    /// Its document.
    pub document: String,
    /// Its label.
    pub label: String,
    /// Its title.
    pub title: Option<String>,
    /// Its status.
    pub status: Status,
    /// Party → position.
    pub positions: crate::model::Positions,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The revision reported on.
    pub rev: String,
    /// The edition, if the report is for one.
    pub edition: Option<String>,
    /// Counts over everything reported.
    pub total: Tally,
    /// Per document, with its annexes.
    pub documents: Vec<Tally>,
    /// Clauses still open.
    pub open: Vec<Open>,
    /// The parties, in manifest order: `(id, name)`.
    pub parties: Vec<(String, String)>,
    /// Clause id → party → position, for clauses with positions.
    pub positions: BTreeMap<String, crate::model::Positions>,
    /// Clause ids and labels in document order, for the matrix.
    #[serde(skip)]
    pub order: Vec<(String, String)>,
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// Words a reader sees: link destinations and other syntax do not count.
fn words(text: &str) -> usize {
    use pulldown_cmark::{Event, Parser};
    Parser::new_ext(text, crate::markdown::options())
        .map(|event| match event {
            Event::Text(t) | Event::Code(t) => t
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .count(),
            _ => 0,
        })
        .sum()
}

/// Words a reader sees in each clause, by id.
type Words<'a> = BTreeMap<&'a str, usize>;

fn count<'a>(
    id: &str,
    title: &str,
    label: Option<String>,
    clauses: impl Iterator<Item = &'a ClauseView>,
    words: &Words<'_>,
) -> Tally {
    let mut by_status: BTreeMap<String, usize> = COUNTED
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    let (mut n, mut agreed, mut settled, mut all_words, mut agreed_words) = (0, 0, 0, 0, 0);
    for c in clauses {
        n += 1;
        *by_status.entry(c.status.as_str().to_string()).or_default() += 1;
        let w = words.get(c.id.as_str()).copied().unwrap_or(0);
        all_words += w;
        if c.status == Status::Agreed {
            agreed += 1;
            agreed_words += w;
        }
        if matches!(
            c.status,
            Status::Agreed | Status::Initialled | Status::AgreedAdReferendum
        ) {
            settled += 1;
        }
    }
    Tally {
        id: id.to_string(),
        title: title.to_string(),
        label,
        clauses: n,
        by_status,
        agreed_percent: percent(agreed, n),
        agreed_words_percent: percent(agreed_words, all_words),
        settled_percent: percent(settled, n),
        annexes: None,
    }
}

fn included(parts: &[Part]) -> impl Iterator<Item = &ClauseView> {
    parts.iter().filter_map(|p| match p {
        Part::Clause(c) => Some(c.as_ref()),
        Part::Withheld(_) => None,
    })
}

/// The status report of a projection.
pub fn report(projection: &Projection, rev: &str, edition: Option<String>) -> Report {
    let all: Vec<&ClauseView> = projection.clauses().map(|(_, _, c)| c).collect();
    // Counting a clause's words parses its body: once a clause, on every core.
    let counts = crate::parallel::map(&all, |c| words(&c.body));
    let words: Words<'_> = all.iter().map(|c| c.id.as_str()).zip(counts).collect();
    let mut documents = Vec::new();
    for doc in &projection.documents {
        let mut part = count(&doc.id, &doc.title, None, included(&doc.clauses), &words);
        let annexes = doc
            .annexes
            .iter()
            .filter_map(|a| match a {
                AnnexPart::Annex(a) => Some(count(
                    &a.id,
                    &a.title,
                    Some(a.label.clone()),
                    included(&a.clauses),
                    &words,
                )),
                AnnexPart::Withheld(_) => None,
            })
            .collect();
        part.annexes = Some(annexes);
        documents.push(part);
    }
    let total = count("all", &projection.title, None, all.iter().copied(), &words);
    let open = projection
        .clauses()
        .filter(|(_, _, c)| OPEN.contains(&c.status))
        .map(|(doc, _, c)| Open {
            id: c.id.clone(),
            document: doc.id.clone(),
            label: c.label.clone(),
            title: c.title.as_deref().map(str::to_string),
            status: c.status,
            positions: c.positions.clone(),
        })
        .collect();
    let positions = all
        .iter()
        .filter(|c| !c.positions.is_empty())
        .map(|c| (c.id.clone(), c.positions.clone()))
        .collect();
    let order = all
        .iter()
        .map(|c| (c.id.clone(), c.label.clone()))
        .collect();
    Report {
        rev: rev.to_string(),
        edition,
        total,
        documents,
        open,
        parties: projection
            .parties
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        positions,
        order,
    }
}
