//! `entente import` (issue 7), on the real Terms of Service versions of the shared corpus
//! and on fixtures for each quirk a converted document brings.

use std::path::PathBuf;

use serde_json::Value;

use crate::harness::Draft;

fn corpus(name: &str) -> PathBuf {
    crate::harness::repo_root()
        .join("../shared/corpus/terms-of-service")
        .join(format!("{name}.md"))
}

const VERSIONS: [&str; 6] = [
    "2017-06-09_04c8757",
    "2017-06-09_7a72ae0",
    "2019-07-02_8e08df4",
    "2019-11-13_7492957",
    "2025-03-24_65318a5",
    "2025-09-29_a4234fc",
];

/// The words of a Markdown text, without front matter, HTML comments and link targets
/// (an in-page anchor becomes a clause reference, which is not a word of the text).
fn words(text: &str) -> Vec<String> {
    let mut t = text.to_string();
    if let Some(rest) = t.strip_prefix("---\n") {
        t = rest
            .split_once("\n---\n")
            .map_or(String::new(), |(_, body)| body.to_string());
    }
    while let Some(start) = t.find("<!--") {
        let end = t[start..].find("-->").map_or(t.len(), |e| start + e + 3);
        t.replace_range(start..end, " ");
    }
    while let Some(start) = t.find("](") {
        let end = t[start..].find(')').map_or(t.len(), |e| start + e + 1);
        t.replace_range(start..end, "] ");
    }
    t.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn every_corpus_version_imports_and_renders_back_word_for_word() {
    for version in VERSIONS {
        for level in ["2", "auto"] {
            let draft = Draft::empty();
            let file = corpus(version);
            draft
                .run(&[
                    "import",
                    file.to_str().unwrap(),
                    "--document",
                    "tos",
                    "--level",
                    level,
                    "--into",
                    "x",
                ])
                .code(0);
            let x = draft.root.join("x");
            draft.run_in(&x, &["check"]).code(0);
            let back = draft
                .run_in(
                    &x,
                    &[
                        "render",
                        "--edition",
                        "full",
                        "--format",
                        "md-source",
                        "--out",
                        "-",
                    ],
                )
                .code(0)
                .stdout;
            let original = std::fs::read_to_string(&file).unwrap();
            assert_eq!(words(&back), words(&original), "{version} at level {level}");
        }
    }
}

/// Imports `old`, commits, imports `new` over it, commits, and returns the JSON diff.
fn reimport(old: &str, new: &str) -> (Draft, Value) {
    let mut draft = Draft::empty();
    draft
        .run(&[
            "import",
            corpus(old).to_str().unwrap(),
            "--document",
            "tos",
            "--level",
            "auto",
        ])
        .code(0);
    draft.commit("old", None);
    let run = draft
        .run(&[
            "import",
            corpus(new).to_str().unwrap(),
            "--document",
            "tos",
            "--level",
            "auto",
        ])
        .code(0);
    assert!(
        run.stderr.contains("provisions recognised"),
        "{}",
        run.stderr
    );
    draft.commit("new", None);
    let json = draft
        .run(&["diff", "HEAD~1", "HEAD", "--format", "json"])
        .code(0)
        .stdout;
    (draft, serde_json::from_str(&json).unwrap())
}

fn changes(report: &Value) -> Vec<(String, String)> {
    report["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "unchanged")
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_string(),
                c["heading"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn reimporting_the_2025_revision_shows_one_new_subsection_and_one_changed_sentence() {
    let (_, report) = reimport("2025-03-24_65318a5", "2025-09-29_a4234fc");
    assert_eq!(
        changes(&report),
        [
            ("added".to_string(), "Access Reciprocity".to_string()),
            ("changed".to_string(), "Governing Law".to_string())
        ]
    );
    let added = report["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "added")
        .unwrap();
    assert_eq!(added["id"], "d-8");
    let law = report["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["heading"] == "Governing Law")
        .unwrap();
    let inserted: Vec<&str> = law["redline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["op"] == "insert")
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        inserted,
        [
            " However, any claim for injunctive relief with respect to a violation of section D.8 may be brought in any jurisdiction."
        ]
    );
    assert!(
        !law["redline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["op"] == "delete")
    );
}

#[test]
fn reimporting_the_2019_revision_removes_and_replaces_whole_sections() {
    let (_, report) = reimport("2019-07-02_8e08df4", "2019-11-13_7492957");
    let list = changes(&report);
    let with = |status: &str, heading: &str| list.iter().any(|(s, h)| s == status && h == heading);
    for gone in [
        "Creating Applications",
        "Using Third-Party Applications",
        "GitHub Learning Lab",
        "Spamming and Inappropriate Use of GitHub",
    ] {
        assert!(with("removed", gone), "{gone} should be removed: {list:?}");
    }
    for new in ["Subject to Change", "Confidentiality", "Feedback"] {
        assert!(with("added", new), "{new} should be added: {list:?}");
    }
    // Re-lettered sections L–S → K–R keep their subsections: none of those is changed
    // merely for its new letter.
    assert!(!with("changed", "Cancellation"), "{list:?}");
}

#[test]
fn reimport_keeps_ids_status_and_notes_of_recognised_provisions() {
    let draft = Draft::empty();
    draft
        .run(&[
            "import",
            corpus("2025-03-24_65318a5").to_str().unwrap(),
            "--document",
            "tos",
            "--level",
            "auto",
        ])
        .code(0);
    let path = "tos/r-1.md";
    let text = draft.read(path).replace(
        "label = \"1.\"\n",
        "label = \"1.\"\nstatus = \"agreed\"\nnotes = [\"Checked by counsel.\"]\n",
    );
    draft.write(path, &text);
    draft
        .run(&[
            "import",
            corpus("2025-09-29_a4234fc").to_str().unwrap(),
            "--document",
            "tos",
            "--level",
            "auto",
        ])
        .code(0);
    let after = draft.read(path);
    assert!(
        after.contains("status = \"agreed\"") && after.contains("Checked by counsel."),
        "{after}"
    );
    assert!(
        after.contains("violation of section D.8 may be brought"),
        "the text is the new one"
    );
    draft.run(&["check"]).code(0);
}

#[test]
fn the_pairing_threshold_separates_real_revisions() {
    // The figures behind `diff::THRESHOLD` (src/diff/pair.rs): for provisions of the three
    // real revisions with the same title, text similarity; for every other provision, the
    // best similarity to a provision it is not.
    let split = |v: &str| {
        let text = std::fs::read_to_string(corpus(v)).unwrap();
        entente::import::split(
            &text,
            entente::import::Level::Auto,
            "tos",
            &Default::default(),
        )
        .pieces()
        .filter_map(|p| p.title.clone().map(|t| (t, p.body.clone())))
        .collect::<Vec<_>>()
    };
    let (mut same, mut best_other) = (Vec::new(), Vec::new());
    for (old, new) in [
        (VERSIONS[0], VERSIONS[1]),
        (VERSIONS[2], VERSIONS[3]),
        (VERSIONS[4], VERSIONS[5]),
    ] {
        let (old, new) = (split(old), split(new));
        for (title, body) in &old {
            if let Some((_, partner)) = new.iter().find(|(t, _)| t == title) {
                same.push(entente::diff::redline::similarity(body, partner));
            }
            let others = new
                .iter()
                .filter(|(t, _)| t != title)
                .map(|(_, b)| entente::diff::redline::similarity(body, b));
            best_other.push(others.fold(0.0, f64::max));
        }
    }
    let share = |xs: &[f64], f: &dyn Fn(f64) -> bool| {
        xs.iter().filter(|x| f(**x)).count() as f64 / xs.len() as f64
    };
    let t = entente::diff::THRESHOLD;
    assert!(same.len() > 100 && best_other.len() > 100);
    assert!(
        share(&same, &|x| x >= t) > 0.95,
        "true pairs above the threshold"
    );
    assert!(
        share(&best_other, &|x| x < t) > 0.95,
        "distinct provisions below it"
    );
}

#[test]
fn structure_labels_and_quirks_of_converted_documents() {
    let source = "\u{feff}+++\r\ntitle = \"Statute\"\r\nversion = 3\r\n+++\r\nPreliminary words.\r\n\r\nPart One\r\n========\r\n\r\n## § 9 Scope\r\n\r\nText nine.\r\n\r\n| a | b |\r\n| - | - |\r\n| ## not | a heading |\r\n\r\n## § 9a Transition\r\n\r\nText nine a.\r\n\r\n## § 9a Transition\r\n\r\nSame designation twice.\r\n\r\n##\r\n\r\nUnder an empty heading.\r\n";
    let draft = Draft::empty().file("statute.md", source);
    let run = draft
        .run(&["import", "statute.md", "--into", "draft"])
        .code(0);
    for warning in [
        "CRLF line endings",
        "used twice",
        "empty heading",
        "front-matter keys dropped: version",
    ] {
        assert!(run.stderr.contains(warning), "{warning}: {}", run.stderr);
    }
    let manifest = draft.read("draft/entente.toml");
    assert!(manifest.contains("title = \"Statute\""), "{manifest}");
    assert!(
        manifest.contains("{ heading = \"Part One\", level = 1 }"),
        "{manifest}"
    );
    assert!(
        manifest.contains("\"9\",\n  \"9a\",\n  \"9a-2\","),
        "{manifest}"
    );
    assert_eq!(
        draft.read("draft/statute/9a.md"),
        "+++\ntitle = \"Transition\"\nlabel = \"§ 9a\"\n+++\n\nText nine a.\n"
    );
    assert!(
        draft
            .read("draft/statute/9.md")
            .contains("| ## not | a heading |"),
        "a table row is not a heading"
    );
    let inner = draft.root.join("draft");
    draft.run_in(&inner, &["check"]).code(0);
    let back = draft
        .run_in(
            &inner,
            &[
                "render",
                "--edition",
                "full",
                "--format",
                "md-source",
                "--out",
                "-",
            ],
        )
        .code(0)
        .stdout;
    assert_eq!(
        words(&back),
        words(
            &source
                .replace("version = 3", "")
                .replace("title = \"Statute\"", "")
        )
    );
    // The fixed labels number the clauses as the statute does.
    let md = draft
        .run_in(
            &inner,
            &[
                "render",
                "--edition",
                "public",
                "--format",
                "md",
                "--out",
                "-",
            ],
        )
        .code(0)
        .stdout;
    assert!(md.contains("### § 9a — Transition"), "{md}");
}

#[test]
fn import_adds_a_document_to_an_existing_draft() {
    // A source without front matter may stay in the draft: it is ignored, with a warning.
    let draft = Draft::fixture("render/small").file(
        "annex.md",
        "# Protocol on Fisheries\n\n## 1. Quotas\n\nQuotas are fixed yearly.\n",
    );
    let run = draft
        .run(&["import", "annex.md", "--document", "fisheries"])
        .code(0);
    assert!(
        run.stderr.contains("the source lies inside the draft"),
        "{}",
        run.stderr
    );
    let manifest = draft.read("entente.toml");
    assert!(
        manifest.starts_with("# A small agreement touching every numbering pattern"),
        "comments kept"
    );
    assert!(
        manifest.contains("[[documents]]\nid = \"fisheries\""),
        "{manifest}"
    );
    let run = draft.run(&["check"]).code(0);
    assert!(
        run.stderr.contains(
            "annex.md: warning: Markdown file without front matter, listed nowhere: ignored"
        ),
        "{}",
        run.stderr
    );
    draft.run(&["import", "annex.md", "--level", "9"]).code(2);
    draft.run(&["import", "missing.md"]).code(1);
}
