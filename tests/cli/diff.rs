//! `entente diff` and `entente log` (issue 5): every kind of change, told apart.

use serde_json::Value;

use crate::harness::Draft;

const MANIFEST_V1: &str = r#"[agreement]
title = "Accord"
parties = ["north", "south"]

[[documents]]
id = "accord"
title = "Accord"
numbering = "Article {n}"
clauses = ["scope", "borders", "trade", "transit", "levels", "fishing", "hydro"]

[[documents.annexes]]
id = "schedule"
title = "Schedule"
clauses = ["ports"]
"#;

const MANIFEST_V2: &str = r#"[agreement]
title = "Accord"
parties = ["north", "south"]

[[documents]]
id = "accord"
title = "Accord"
numbering = "Article {n}"
clauses = ["definitions", "scope", "trade", "transit", "borders", "levels", "fisheries"]

[[documents.annexes]]
id = "schedule"
title = "Schedule"
clauses = ["ports", "hydro"]
"#;

fn clause(title: &str, extra: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n{extra}+++\n\n{body}\n")
}

const BORDERS: &str =
    "The border follows the river from the northern lake to the southern sea, as surveyed in 1921.";
const FISHING: &str = "Fishermen of both Parties may fish in the lake under a joint licence issued every spring by the commission.";
const HYDRO: &str = "The dam on the upper river is operated by a joint company owned in equal shares by the Parties.";

/// v1, then v2 with one change of each kind.
pub fn history() -> Draft {
    let mut draft = Draft::empty()
        .file("entente.toml", MANIFEST_V1)
        .file(
            "text/scope.md",
            &clause(
                "Scope",
                "status = \"proposed\"\n",
                "This Accord covers the common border.",
            ),
        )
        .file("text/borders.md", &clause("Borders", "", BORDERS))
        .file(
            "text/trade.md",
            &clause("Trade", "", "Goods cross the border free of duty."),
        )
        .file(
            "text/transit.md",
            &clause("Transit", "", "Trains run through without inspection."),
        )
        .file(
            "text/levels.md",
            &clause("Levels", "", "Water levels are measured daily."),
        )
        .file("text/fishing.md", &clause("Fishing", "", FISHING))
        .file("text/hydro.md", &clause("Hydropower", "", HYDRO))
        .file(
            "text/ports.md",
            &clause("Ports", "", "Each Party keeps one free port."),
        );
    draft.commit("first round", Some("v1"));
    draft.write("entente.toml", MANIFEST_V2);
    // Inserted first: renumbers everything after it.
    draft.write(
        "text/definitions.md",
        &clause(
            "Definitions",
            "",
            "In this Accord, the river is the Blue River.",
        ),
    );
    // Status only.
    draft.write(
        "text/scope.md",
        &clause(
            "Scope",
            "status = \"agreed\"\n",
            "This Accord covers the common border.",
        ),
    );
    // Moved among its neighbours and edited at once.
    draft.write(
        "text/borders.md",
        &clause("Borders", "", &BORDERS.replace("1921", "1923")),
    );
    // Classification only.
    draft.write(
        "text/levels.md",
        &clause(
            "Levels",
            "classification = \"CONFIDENTIAL\"\n",
            "Water levels are measured daily.",
        ),
    );
    // Renamed file, so a new id, text nearly the same.
    draft.remove("text/fishing.md");
    draft.write(
        "text/fisheries.md",
        &clause(
            "Fisheries",
            "",
            &FISHING.replace("every spring", "each spring"),
        ),
    );
    // Moved into the annex, unchanged.
    draft.commit("second round", Some("v2"));
    draft
}

fn json(draft: &Draft, args: &[&str]) -> Value {
    let run = draft.run(args).code(0);
    serde_json::from_str(&run.stdout).unwrap()
}

fn clause_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn every_kind_of_change_is_told_apart() {
    let draft = history();
    let r = json(&draft, &["diff", "v1", "v2", "--format", "json"]);
    assert_eq!(r["old"]["rev"], "v1");
    assert_eq!(r["edition"], Value::Null);

    let added = clause_of(&r, "definitions");
    assert_eq!(
        (added["status"].as_str(), added["new_number"].as_str()),
        (Some("added"), Some("Article 1"))
    );

    let scope = clause_of(&r, "scope");
    assert_eq!(scope["status"], "changed");
    assert_eq!(
        scope["metadata"],
        serde_json::json!([{"field": "status", "old": "proposed", "new": "agreed"}])
    );
    assert_eq!(
        (
            scope["moved"].as_bool(),
            scope["renumbered"].as_bool(),
            scope["text_changed"].as_bool()
        ),
        (Some(false), Some(true), Some(false))
    );

    // Renumbered only: the same clause, merely shifted by the insertion.
    let trade = clause_of(&r, "trade");
    assert_eq!(
        (
            trade["status"].as_str(),
            trade["old_number"].as_str(),
            trade["new_number"].as_str()
        ),
        (Some("unchanged"), Some("Article 3"), Some("Article 3"))
    );
    let transit = clause_of(&r, "transit");
    assert_eq!(
        (transit["status"].as_str(), transit["renumbered"].as_bool()),
        (Some("unchanged"), Some(false))
    );

    let borders = clause_of(&r, "borders");
    assert_eq!(
        (
            borders["moved"].as_bool(),
            borders["text_changed"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert_eq!(
        (
            borders["old_number"].as_str(),
            borders["new_number"].as_str()
        ),
        (Some("Article 2"), Some("Article 5"))
    );
    assert_eq!(
        borders["redline"][1],
        serde_json::json!({"op": "delete", "text": "1921"})
    );
    assert_eq!(
        borders["redline"][2],
        serde_json::json!({"op": "insert", "text": "1923"})
    );

    let levels = clause_of(&r, "levels");
    assert_eq!(
        levels["metadata"],
        serde_json::json!([{"field": "classification", "old": "UNCLASSIFIED", "new": "CONFIDENTIAL"}])
    );

    let fisheries = clause_of(&r, "fisheries");
    assert_eq!(
        (fisheries["status"].as_str(), fisheries["old_id"].as_str()),
        (Some("changed"), Some("fishing"))
    );
    assert_eq!(
        fisheries["title"],
        serde_json::json!({"old": "Fishing", "new": "Fisheries"})
    );

    let hydro = clause_of(&r, "hydro");
    assert_eq!(
        hydro["moved_from"],
        serde_json::json!({"document": "accord"})
    );
    assert_eq!(
        (
            hydro["annex"].as_str(),
            hydro["new_number"].as_str(),
            hydro["text_changed"].as_bool()
        ),
        (Some("schedule"), Some("Annex A.2"), Some(false))
    );

    assert_eq!(
        r["summary"],
        serde_json::json!({"added": 1, "removed": 0, "changed": 5, "moved": 2, "unchanged": 3,
            "text_changed": 2, "title_changed": 1, "metadata_changed": 2, "renumbered": 3})
    );
    let no_text_change: Vec<&str> = ["trade", "transit", "ports"].to_vec();
    for id in no_text_change {
        assert!(clause_of(&r, id).get("redline").is_none());
    }
}

#[test]
fn redlines_rebuild_both_texts() {
    let draft = history();
    let r = json(&draft, &["diff", "v1", "v2", "--format", "json"]);
    let borders = clause_of(&r, "borders");
    let spans = borders["redline"].as_array().unwrap();
    let rebuild = |skip: &str| {
        spans
            .iter()
            .filter(|s| s["op"] != skip)
            .map(|s| s["text"].as_str().unwrap())
            .collect::<String>()
    };
    assert_eq!(rebuild("insert"), BORDERS);
    assert_eq!(rebuild("delete"), BORDERS.replace("1921", "1923"));
}

#[test]
fn default_revisions_are_head_and_the_worktree() {
    let draft = history();
    let run = draft.run(&["diff", "--color", "never"]).code(0);
    assert!(
        run.stdout
            .starts_with("diff HEAD → WORKTREE\n0 added, 0 removed, 0 changed, 9 unchanged\n"),
        "{}",
        run.stdout
    );
    draft.write(
        "text/trade.md",
        &clause("Trade", "", "Goods cross the border free of all duty."),
    );
    let run = draft.run(&["diff", "--color", "never"]).code(0);
    assert!(
        run.stdout
            .contains("Article 3 · Trade [text]\n  Goods cross the border free of {+all +}duty."),
        "{}",
        run.stdout
    );
    let run = draft.run(&["diff", "v1", "--color", "never"]).code(0);
    assert!(
        run.stdout.starts_with("diff v1 → WORKTREE\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn unknown_revisions_are_clear_errors() {
    let draft = history();
    let run = draft.run(&["diff", "v9", "v2"]).code(1);
    assert!(
        run.stderr.contains("unknown revision `v9`"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_sample_versions_compare_as_folders() {
    let draft = Draft::empty();
    let repo = crate::harness::repo_root();
    let old = repo.join("drafts/peace-framework-v1");
    let new = repo.join("drafts/peace-framework");
    let run = draft
        .run(&[
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
        ])
        .code(0);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    let renamed = clause_of(&r, "recovery-funds");
    assert_eq!(renamed["old_id"], "reconstruction-funds");
    let moved = clause_of(&r, "energy-security");
    assert_eq!(
        moved["moved_from"],
        serde_json::json!({"document": "economic-recovery"})
    );
    assert_eq!(
        clause_of(&r, "armed-forces-strength")["redline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["op"] == "insert")
            .map(|s| s["text"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["800"]
    );
    assert_eq!(clause_of(&r, "general-amnesty")["status"], "removed");
    assert_eq!(clause_of(&r, "dnipro-navigation")["status"], "added");
}

#[test]
fn an_edition_diff_says_nothing_of_what_it_withholds() {
    let draft = Draft::fixture("render/small");
    let copy = Draft::fixture("render/small");
    let old = draft.root.to_str().unwrap().to_string();
    let new = copy.root.to_str().unwrap().to_string();
    let public = |format: &str| {
        draft
            .run(&[
                "diff",
                &old,
                &new,
                "--edition",
                "public",
                "--format",
                format,
            ])
            .code(0)
            .stdout
    };
    let before: Vec<String> = ["json", "md", "html", "term"]
        .iter()
        .map(|f| public(f))
        .collect();
    // Everything about the withheld annex clause changes: text, title, notes, status.
    copy.write("schedule/buffer-line.md", "+++\ntitle = \"Another secret title\"\nstatus = \"draft\"\nnotes = [\"moved\"]\n+++\n\nAll new secret words here, many more than before, to change its length too.\n");
    let after: Vec<String> = ["json", "md", "html", "term"]
        .iter()
        .map(|f| public(f))
        .collect();
    assert_eq!(before, after);
    // The full diff does see it, and the public one did not even count it.
    let full = draft
        .run(&["diff", &old, &new, "--format", "json"])
        .code(0)
        .stdout;
    assert!(full.contains("Another secret title"));
    let r: Value = serde_json::from_str(&before[0]).unwrap();
    assert_eq!(
        r["summary"]["unchanged"], 8,
        "only the 8 clauses public shows"
    );
    assert!(
        !before.concat().to_lowercase().contains("buffer-line"),
        "not even its id"
    );
}

#[test]
fn markdown_and_html_show_redlines_with_ins_and_del() {
    let draft = history();
    let md = draft
        .run(&["diff", "v1", "v2", "--format", "md"])
        .code(0)
        .stdout;
    assert!(md.contains("### Article 2 → Article 5 — Borders\n\n*moved · text*\n\n> The border follows the river from the northern lake to the southern sea, as surveyed in <del>1921</del><ins>1923</ins>."), "{md}");
    assert!(md.contains("| **All** | 1 | 0 | 5 | 2 | 3 | 3 |"), "{md}");
    let html = draft
        .run(&["diff", "v1", "v2", "--format", "html"])
        .code(0)
        .stdout;
    assert!(html.contains("<del>1921</del><ins>1923</ins>"));
    assert!(
        html.contains("<details class=\"unchanged\"><summary>Article 3 — Trade"),
        "unchanged clauses are folded"
    );
    let changed_only = draft
        .run(&["diff", "v1", "v2", "--format", "html", "--changed-only"])
        .code(0)
        .stdout;
    assert!(!changed_only.contains("<details"));
    insta::assert_snapshot!(
        "history_term",
        draft
            .run(&["diff", "v1", "v2", "--color", "never"])
            .code(0)
            .stdout
    );
    insta::assert_snapshot!("history_md", md);
}

#[test]
fn log_follows_a_clause_through_renames() {
    let mut draft = history();
    draft.write(
        "text/fisheries.md",
        &clause(
            "Fisheries",
            "status = \"agreed\"\n",
            &FISHING
                .replace("every spring", "each spring")
                .replace("lake", "lakes"),
        ),
    );
    draft.commit("third round", None);
    let run = draft.run(&["log", "fisheries", "--color", "never"]).code(0);
    assert!(
        !run.stderr.contains("reading history"),
        "no progress bar in a pipe: {}",
        run.stderr
    );
    let out = run.stdout;
    assert_eq!(out.matches("Drafter").count(), 3, "{out}");
    let third = out.find("third round").unwrap();
    let second = out.find("second round").unwrap();
    let first = out.find("first round").unwrap();
    assert!(third < second && second < first, "newest first: {out}");
    assert!(out.contains("[id was fishing, text, title]"), "{out}");
    assert!(out.contains("[added]"), "{out}");
    let json: Value =
        serde_json::from_str(&draft.run(&["log", "fisheries", "--json"]).code(0).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(json[0]["change"]["metadata"][0]["field"], "status");
    let run = draft.run(&["log", "fishing"]).code(1);
    assert!(
        run.stderr
            .contains("no clause `fishing` at `HEAD`; did you mean `fisheries`?"),
        "{}",
        run.stderr
    );
}
