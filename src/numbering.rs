//! Clause numbers and annex letters (SPEC §1.3): `{n}` 1 2 3, `{A}` A B C, `{a}` a b c,
//! `{I}` I II III; annexes Annex A, B, ...
//!
//! Numbers depend only on the manifest order and on which clauses are withdrawn, never
//! on the edition, so a clause has the same number in every edition.

use std::collections::BTreeMap;

use crate::model::{Agreement, Status};

/// The placeholders a numbering pattern may hold.
pub const PLACEHOLDERS: [&str; 4] = ["{n}", "{A}", "{a}", "{I}"];

/// Why a numbering pattern is invalid, for `check`.
pub fn pattern_problem(pattern: &str) -> Option<String> {
    let found: Vec<&str> = PLACEHOLDERS
        .iter()
        .copied()
        .filter(|p| pattern.contains(p))
        .collect();
    let total: usize = PLACEHOLDERS
        .iter()
        .map(|p| pattern.matches(p).count())
        .sum();
    let mut rest = pattern.to_string();
    for p in PLACEHOLDERS {
        rest = rest.replace(p, "");
    }
    if rest.contains(['{', '}']) {
        Some(format!(
            "numbering pattern `{pattern}` has an unknown placeholder"
        ))
    } else if found.is_empty() {
        Some(format!(
            "numbering pattern `{pattern}` has no number placeholder"
        ))
    } else if total > 1 {
        Some(format!(
            "numbering pattern `{pattern}` has more than one placeholder"
        ))
    } else {
        None
    }
}

/// Formats the `n`th number (from 1) with a pattern such as `Article {I}`.
pub fn format(pattern: &str, n: usize) -> String {
    if pattern.contains("{n}") {
        pattern.replace("{n}", &n.to_string())
    } else if pattern.contains("{A}") {
        pattern.replace("{A}", &letters(n, b'A'))
    } else if pattern.contains("{a}") {
        pattern.replace("{a}", &letters(n, b'a'))
    } else if pattern.contains("{I}") {
        pattern.replace("{I}", &roman(n))
    } else {
        format!("{pattern} {n}")
    }
}

/// A, B, ..., Z, AA, AB, ... (bijective base 26, as spreadsheet columns).
pub fn letters(mut n: usize, base: u8) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(base + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Roman numerals; past 3999 the thousands repeat, which no agreement reaches.
pub fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The label of every clause and annex, by id: "Point 4", "Annex B", or a fixed label.
/// Withdrawn clauses have none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Numbers {
    /// One entry an id, its document and annex named by their place in `holders`: three
    /// maps that each copied every id, and the ids of documents and annexes beside them,
    /// were 2.3 MB at 10,000 clauses, held with the model at the peak of `status`.
    entries: BTreeMap<String, Entry>,
    holders: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    label: String,
    document: Option<usize>,
    annex: Option<usize>,
}

impl Numbers {
    /// The label of a clause or annex.
    pub fn label(&self, id: &str) -> Option<&str> {
        self.entries.get(id).map(|entry| entry.label.as_str())
    }

    /// The id of the document holding a clause or annex.
    pub fn document_of(&self, id: &str) -> Option<&str> {
        self.holder(self.entries.get(id)?.document)
    }

    /// The id of the annex holding a clause, if it is in one.
    pub fn annex_of(&self, id: &str) -> Option<&str> {
        self.holder(self.entries.get(id)?.annex)
    }

    fn holder(&self, at: Option<usize>) -> Option<&str> {
        self.holders.get(at?).map(String::as_str)
    }

    /// Places a clause or annex: its label, its document and, for a clause in an annex, the
    /// annex. A second entry under one id (an invalid draft) replaces the first's label and
    /// document, and its annex only where it names one, as separate maps by id did.
    fn place(&mut self, id: &str, label: String, document: usize, annex: Option<usize>) {
        let entry = match self.entries.get_mut(id) {
            Some(entry) => entry,
            None => self.entries.entry(id.to_string()).or_default(),
        };
        entry.label = label;
        entry.document = Some(document);
        if annex.is_some() {
            entry.annex = annex;
        }
    }

    /// Where a document or an annex is named in `holders`.
    fn holder_named(&mut self, id: &str) -> usize {
        self.holders.push(id.to_string());
        self.holders.len() - 1
    }
}

/// Numbers every document by manifest order. Clauses with a `label` keep it and do not
/// shift the others; withdrawn clauses are skipped (SPEC §1.3).
pub fn assign(agreement: &Agreement) -> Numbers {
    let mut numbers = Numbers::default();
    for doc in &agreement.documents {
        let document = numbers.holder_named(&doc.id);
        let mut n = 0;
        for clause in &doc.clauses {
            if clause.status == Status::Withdrawn {
                continue;
            }
            let label = match &clause.label {
                Some(label) => label.clone(),
                None => {
                    n += 1;
                    format(&doc.numbering, n)
                }
            };
            numbers.place(&clause.id, label, document, None);
        }
        for (i, annex) in doc.annexes.iter().enumerate() {
            let in_annex = numbers.holder_named(&annex.id);
            let annex_label = format!("Annex {}", letters(i + 1, b'A'));
            let mut k = 0;
            for clause in &annex.clauses {
                if clause.status == Status::Withdrawn {
                    continue;
                }
                let label = match &clause.label {
                    Some(label) => label.clone(),
                    None => {
                        k += 1;
                        format!("{annex_label}.{k}")
                    }
                };
                numbers.place(&clause.id, label, document, Some(in_annex));
            }
            numbers.place(&annex.id, annex_label, document, None);
        }
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_counts_as_expected() {
        assert_eq!(format("Point {n}", 12), "Point 12");
        assert_eq!(format("Section {A}", 28), "Section AB");
        assert_eq!(format("({a})", 3), "(c)");
        assert_eq!(format("Article {I}", 14), "Article XIV");
        assert_eq!(roman(1999), "MCMXCIX");
        assert_eq!(letters(26, b'A'), "Z");
        assert_eq!(letters(27, b'A'), "AA");
    }

    #[test]
    fn patterns_need_exactly_one_known_placeholder() {
        assert_eq!(pattern_problem("Point {n}"), None);
        assert!(pattern_problem("Point").is_some());
        assert!(pattern_problem("{n}.{n}").is_some());
        assert!(pattern_problem("Point {N}").is_some());
    }
}
