//! `entente log`: a clause's history, which reads most commits from the files they changed
//! alone. Each step must be what `entente diff` reports for that clause between the two
//! commits, whichever way the commit was read.

use serde_json::Value;

use crate::harness::Draft;

const MANIFEST: &str = r#"[agreement]
title = "Accord on the Lakes"
parties = ["north", "south"]

[editions.public]
max = "UNCLASSIFIED"

[editions.full]
max = "TOP SECRET"
annotations = true

[[documents]]
id = "accord"
title = "Accord"
numbering = "Article {n}"
clauses = ["preamble", "borders", "fishing", "trade", "water"]

[[documents.annexes]]
id = "survey"
title = "Survey"
classification = "SECRET"
clauses = ["soundings"]
"#;

fn clause(front: &str, body: &str) -> String {
    format!("+++\n{front}+++\n\n{body}\n")
}

/// A history in which the tracked clause (`fishing`, later `fisheries`) and its neighbours
/// change in every way a commit can change them, one way per commit.
fn history() -> (Draft, Vec<String>) {
    let mut draft = Draft::empty().file("entente.toml", MANIFEST);
    let files = [
        (
            "preamble",
            "",
            "The Parties, neighbours on the lakes, agree as follows.",
        ),
        (
            "borders",
            "title = \"Borders\"\n",
            "The border follows the river to the sea.",
        ),
        (
            "fishing",
            "title = \"Fishing\"\n",
            "Each Party may fish in the northern lake every spring, within quotas.",
        ),
        (
            "trade",
            "title = \"Trade\"\n",
            "Goods cross the border free of duty.",
        ),
        (
            "water",
            "title = \"Water\"\n",
            "The Parties share the water of the upper lake.",
        ),
        (
            "soundings",
            "",
            "The deep channel lies two miles off the eastern shore, at forty fathoms.",
        ),
    ];
    for (id, front, body) in files {
        let path = match id {
            "soundings" => format!("survey/{id}.md"),
            _ => format!("text/{id}.md"),
        };
        draft.write(&path, &clause(front, body));
    }
    let mut commits = vec![draft.commit("first draft", None)];
    let mut step = |draft: &mut Draft, message: &str, edits: &[(&str, String)]| {
        for (path, text) in edits {
            draft.write(path, text);
        }
        commits.push(draft.commit(message, None));
    };
    let fishing = |front: &str, body: &str| clause(&format!("title = \"Fishing\"\n{front}"), body);
    let body = "Each Party may fish in the northern lake every spring, within agreed quotas.";
    step(
        &mut draft,
        "its text",
        &[("text/fishing.md", fishing("", body))],
    );
    let trade = clause(
        "title = \"Trade\"\n",
        "Goods and services cross the border free of duty.",
    );
    step(
        &mut draft,
        "a neighbour's text",
        &[("text/trade.md", trade)],
    );
    let annotated = "status = \"bracketed\"\nnotes = [\"North asks for year-round access.\"]\n\n[positions]\nnorth = \"objects\"\n";
    step(
        &mut draft,
        "its status, notes, positions",
        &[("text/fishing.md", fishing(annotated, body))],
    );
    let labelled = clause(
        "title = \"Borders\"\nlabel = \"Article 1 bis\"\n",
        "The border follows the river to the sea.",
    );
    step(
        &mut draft,
        "a label before it",
        &[("text/borders.md", labelled)],
    );
    let linked = format!("{body} Depths are as in [](#soundings).");
    step(
        &mut draft,
        "a reference to the survey",
        &[("text/fishing.md", fishing(annotated, &linked))],
    );
    let relinked = linked.replace("within agreed quotas", "within quotas agreed each year");
    let linked_text = [("text/fishing.md", fishing(annotated, &relinked))];
    step(&mut draft, "its text, the reference kept", &linked_text);
    let soundings = clause(
        "",
        "The deep channel lies three miles off the eastern shore, at forty fathoms.",
    );
    step(
        &mut draft,
        "the withheld survey's text",
        &[("survey/soundings.md", soundings)],
    );
    let withdrawn = clause(
        "status = \"withdrawn\"\n",
        "The Parties, neighbours on the lakes, agree as follows.",
    );
    step(
        &mut draft,
        "the preamble withdrawn",
        &[("text/preamble.md", withdrawn)],
    );
    let reordered = MANIFEST.replace(
        "[\"preamble\", \"borders\", \"fishing\", \"trade\", \"water\"]",
        "[\"preamble\", \"fishing\", \"borders\", \"trade\", \"water\"]",
    );
    step(
        &mut draft,
        "moved to the front",
        &[("entente.toml", reordered.clone())],
    );
    let declassified = reordered.replace("classification = \"SECRET\"\n", "");
    step(
        &mut draft,
        "the survey released",
        &[("entente.toml", declassified.clone())],
    );
    draft.remove("text/fishing.md");
    let renamed = declassified.replace("\"fishing\",", "\"fisheries\",");
    let titled = clause(&format!("title = \"Fisheries\"\n{annotated}"), &relinked);
    step(
        &mut draft,
        "renamed",
        &[
            ("entente.toml", renamed),
            ("text/fisheries.md", titled.clone()),
        ],
    );
    let final_text = titled.replace("northern lake", "northern lakes");
    step(
        &mut draft,
        "its text again",
        &[("text/fisheries.md", final_text)],
    );
    (draft, commits)
}

/// What `entente diff` reports for `tracked` from each commit to the next, newest first,
/// following the clause across a change of id, until the commit that added it.
fn expected(draft: &Draft, commits: &[String], tracked: &str, edition: &[&str]) -> Vec<Value> {
    let mut tracked = tracked.to_string();
    let mut steps = Vec::new();
    for k in (1..commits.len()).rev() {
        let mut args = vec!["diff", &commits[k - 1], &commits[k], "--format", "json"];
        args.extend(edition);
        let run = draft.run_env(&draft.root, &[("ENTENTE_CACHE", "off")], &args);
        let report: Value = serde_json::from_str(&run.code(0).stdout).unwrap();
        let change = report["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == tracked.as_str() && c["status"] != "removed")
            .unwrap()
            .clone();
        if let Some(old) = change["old_id"].as_str() {
            tracked = old.to_string();
        }
        if change["status"] != "unchanged" {
            steps.push(change);
        }
    }
    steps
}

#[test]
fn each_step_of_a_log_is_what_diff_reports_between_the_two_commits() {
    let (draft, commits) = history();
    for edition in [&[][..], &["--edition", "public"], &["--edition", "full"]] {
        let mut args = vec!["log", "fisheries", "--json"];
        args.extend(edition);
        let log: Value = serde_json::from_str(&draft.run(&args).code(0).stdout).unwrap();
        let log = log.as_array().unwrap();
        let (added, steps) = log.split_last().unwrap();
        assert_eq!(added["change"]["status"], "added", "{edition:?}");
        assert_eq!(added["commit"]["id"], commits[0].as_str());
        let changes: Vec<&Value> = steps.iter().map(|s| &s["change"]).collect();
        let want = expected(&draft, &commits, "fisheries", edition);
        assert_eq!(changes, want.iter().collect::<Vec<_>>(), "{edition:?}");
    }
    // The steps above are the ones that matter: a change of its own, through either way
    // of reading a commit, and none for what left it as it was.
    let log: Value =
        serde_json::from_str(&draft.run(&["log", "fisheries", "--json"]).code(0).stdout).unwrap();
    let summaries: Vec<&str> = (log.as_array().unwrap().iter())
        .map(|s| s["commit"]["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "its text again",
            "renamed",
            "moved to the front",
            "its text, the reference kept",
            "a reference to the survey",
            "its status, notes, positions",
            "its text",
            "first draft",
        ]
    );
    // In the public edition the survey is withheld: the reference shows its annex's
    // label, and releasing the survey changes the clause's text there.
    let public: Value = serde_json::from_str(
        &(draft.run(&["log", "fisheries", "--json", "--edition", "public"]))
            .code(0)
            .stdout,
    )
    .unwrap();
    let released = (public.as_array().unwrap().iter())
        .find(|s| s["commit"]["summary"] == "the survey released")
        .unwrap();
    assert_eq!(released["change"]["text_changed"], true);
}
